"""Registry events produced as the registry would, and training events read back, in a topic namespace.

Each test module runs in a namespace of its own (its own registry.events, training.events and
dlq.training), so replaying "from the start" replays only that module's events, however large the
shared topics have grown.
"""

import json
from datetime import date, datetime
from typing import Any
from uuid import UUID, uuid4

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from berdaya_contracts import new_envelope
from berdaya_contracts import registry_v1 as r
from berdaya_contracts.common import Payload
from berdaya_contracts.topics import EVENT_TOPIC_PARTITIONS, REGISTRY_EVENTS, TRAINING_EVENTS, dlq_topic, physical

from tests.support.kafka import client_kwargs, read_all, unique


def new_namespace() -> str:
    return unique("trn").lower()


async def create_namespace_topics(bootstrap: str, namespace: str) -> None:
    admin = AIOKafkaAdminClient(**client_kwargs(bootstrap))
    await admin.start()
    try:
        await admin.create_topics([
            NewTopic(physical(REGISTRY_EVENTS, namespace), EVENT_TOPIC_PARTITIONS, 1),
            NewTopic(physical(TRAINING_EVENTS, namespace), EVENT_TOPIC_PARTITIONS, 1),
            NewTopic(physical(dlq_topic("training"), namespace), 1, 1),
        ])
    finally:
        await admin.close()


class Registry:
    """Publishes registry events onto the namespaced registry.events, keyed by aggregate_id."""

    def __init__(self, bootstrap: str, namespace: str) -> None:
        self.topic = physical(REGISTRY_EVENTS, namespace)
        self.producer = AIOKafkaProducer(**client_kwargs(bootstrap), enable_idempotence=True)

    async def start(self) -> None:
        await self.producer.start()

    async def stop(self) -> None:
        await self.producer.stop()

    async def publish(self, payload: Payload, *, occurred_at: datetime | None = None) -> None:
        envelope = new_envelope(payload, correlation_id=unique("corr"), occurred_at=occurred_at)
        await self.producer.send_and_wait(self.topic, envelope.to_bytes(), key=envelope.aggregate_id.encode())

    async def raw(self, value: bytes, key: str) -> None:
        await self.producer.send_and_wait(self.topic, value, key=key.encode())

    async def register(self, *, kecamatan_code: str = "64.02.06", age_band: str = "25-34",
                       pekka_category: str = "productive", person_ref: UUID | None = None) -> UUID:
        ref = person_ref or uuid4()
        await self.publish(r.WomanRegistered(
            person_ref=ref, kecamatan_code=kecamatan_code, age_band=age_band, pekka_category=pekka_category,
            household_size=4, registered_by_opd="dp3a", registered_on=date(2025, 2, 1),
        ))
        return ref


async def training_events(bootstrap: str, namespace: str) -> list[dict[str, Any]]:
    out = []
    for record in await read_all(bootstrap, physical(TRAINING_EVENTS, namespace), idle_s=0.3):
        out.append(json.loads(record.value))
    return out

