"""A topic namespace of its own for a test module: every platform topic, created empty."""

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from berdaya_contracts.topics import all_topics, physical

from tests.support.kafka import client_kwargs, unique


async def create_namespace(bootstrap: str, prefix: str = "ns") -> str:
    namespace = unique(prefix).lower()
    admin = AIOKafkaAdminClient(**client_kwargs(bootstrap))
    await admin.start()
    try:
        await admin.create_topics([NewTopic(physical(t.name, namespace), t.partitions, 1) for t in all_topics()])
    finally:
        await admin.close()
    return namespace


async def delete_namespace(bootstrap: str, namespace: str) -> None:
    admin = AIOKafkaAdminClient(**client_kwargs(bootstrap))
    await admin.start()
    try:
        await admin.delete_topics([physical(t.name, namespace) for t in all_topics()])
    except Exception:  # noqa: BLE001 (cleanup only)
        pass
    finally:
        await admin.close()
