"""Create every Berdaya Kafka topic with its partition count and configuration.

The list comes from berdaya_contracts.topics.all_topics() (shared/contracts/berdaya_contracts/topics.py), the contract every
producer and subscriber uses. Idempotent: topics that already exist are left alone (a partition count that
differs from the contract is reported, never changed).

Usage: python deploy/create_topics.py [--bootstrap 127.0.0.1:9092] [--replication-factor 1] [--namespace x]
The bootstrap address defaults to $KAFKA_BOOTSTRAP_SERVERS, then 127.0.0.1:$KAFKA_PORT (9092); the namespace to
$TOPIC_NAMESPACE (empty: production's names; ``x`` gives ``x.registry.events``...). The connection's security comes
from the environment (KAFKA_SECURITY_PROTOCOL, KAFKA_USERNAME, ...: berdaya_shared.messaging.MessagingSettings);
deploy/stack.sh runs it as the admin principal, the only one allowed to create topics.
"""

import argparse
import asyncio
import os
import sys

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from berdaya_contracts.topics import TopicSpec, all_topics, physical
from berdaya_shared.messaging import MessagingSettings, kafka_client_kwargs

TOPIC_ALREADY_EXISTS = 36  # Kafka protocol error code


def default_bootstrap() -> str:
    if os.environ.get("KAFKA_BOOTSTRAP_SERVERS"):
        return os.environ["KAFKA_BOOTSTRAP_SERVERS"]
    return f"127.0.0.1:{os.environ.get('KAFKA_PORT', '9092')}"


def topic_errors(response) -> list[tuple[str, int, str | None]]:
    """(topic, error_code, message) for every topic in a CreateTopicsResponse of any version."""
    out = []
    for entry in response.topic_errors:
        name, code = entry[0], entry[1]
        message = entry[2] if len(entry) > 2 and isinstance(entry[2], str) else None
        out.append((name, code, message))
    return out


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bootstrap", default=default_bootstrap())
    parser.add_argument("--replication-factor", type=int, default=int(os.environ.get("KAFKA_REPLICATION_FACTOR", "1")))
    parser.add_argument("--namespace", default=os.environ.get("TOPIC_NAMESPACE", ""))
    args = parser.parse_args()

    specs = [TopicSpec(physical(s.name, args.namespace), s.partitions, s.config)
             for s in all_topics(replication_factor=args.replication_factor)]
    settings = MessagingSettings(kafka_bootstrap_servers=args.bootstrap)
    admin = AIOKafkaAdminClient(**kafka_client_kwargs(settings), request_timeout_ms=30000)
    await admin.start()
    failed = False
    try:
        existing = set(await admin.list_topics())
        missing = [s for s in specs if s.name not in existing]

        # Existing topics: leave them alone, but say if their layout differs from the contract.
        present = [s for s in specs if s.name in existing]
        if present:
            described = {t["topic"]: t for t in await admin.describe_topics([s.name for s in present])}
            for spec in present:
                partitions = len(described.get(spec.name, {}).get("partitions", []))
                note = "" if partitions == spec.partitions else f" (WARNING: has {partitions}, contract says {spec.partitions})"
                print(f"topic {spec.name}: exists, left alone{note}")

        if missing:
            response = await admin.create_topics(
                [
                    NewTopic(
                        name=s.name,
                        num_partitions=s.partitions,
                        replication_factor=args.replication_factor,
                        topic_configs=dict(s.config),
                    )
                    for s in missing
                ]
            )
            by_name = {s.name: s for s in missing}
            for name, code, message in topic_errors(response):
                spec = by_name[name]
                if code == 0:
                    configs = ", ".join(f"{k}={v}" for k, v in spec.config.items())
                    print(f"topic {name}: created, partitions={spec.partitions}, {configs}")
                elif code == TOPIC_ALREADY_EXISTS:  # created concurrently by someone else
                    print(f"topic {name}: exists, left alone")
                else:
                    failed = True
                    print(f"topic {name}: FAILED, error code {code}: {message}", file=sys.stderr)
    finally:
        await admin.close()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
