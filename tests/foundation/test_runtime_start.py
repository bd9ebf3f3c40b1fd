"""A consuming service starts serving before its consumer has joined its group.

After a crash the group coordinator keeps the dead member until its session times out, and a new member's join
waits for that. Commands need only PostgreSQL, so the runtime must not wait with them: the consumer joins in the
background and ``/ready`` says which part is ready.
"""

import asyncio
import signal
import sys
import textwrap
import time
import uuid
from datetime import date

import asyncpg
from aiokafka import AIOKafkaProducer
from berdaya_contracts import Event, new_envelope
from berdaya_contracts.registry_v1 import WomanRegistered
from berdaya_contracts.topics import REGISTRY_EVENTS, physical
from berdaya_shared.messaging import MessagingSettings
from berdaya_shared.runtime import ServiceRuntime

from tests.support import infra
from tests.support.kafka import client_kwargs, wait_for

DEAD_MEMBER_SESSION_MS = 15_000

# A member of the group that joins, says so, and is then killed: the coordinator waits out its session. It connects
# as the session does (the KAFKA_* settings it inherits).
MEMBER = textwrap.dedent("""
    import asyncio, sys
    from aiokafka import AIOKafkaConsumer
    from berdaya_shared.messaging import MessagingSettings, kafka_client_kwargs

    async def main():
        connect = kafka_client_kwargs(MessagingSettings(kafka_bootstrap_servers=sys.argv[2]))
        consumer = AIOKafkaConsumer(sys.argv[1], **connect, group_id=sys.argv[3],
                                    session_timeout_ms=int(sys.argv[4]), heartbeat_interval_ms=1000)
        await consumer.start()
        print("joined", flush=True)
        await asyncio.sleep(600)

    asyncio.run(main())
""")


async def test_the_service_serves_while_its_consumer_waits_for_a_dead_member_to_time_out(
        fresh_database: str, kafka_bootstrap: str) -> None:
    namespace, group = f"join-{uuid.uuid4().hex[:8]}", f"join-{uuid.uuid4().hex[:8]}"
    topic = physical(REGISTRY_EVENTS, namespace)
    await infra.create_topics(kafka_bootstrap, topic, partitions=1)
    settings = MessagingSettings(kafka_bootstrap_servers=kafka_bootstrap, topic_namespace=namespace)
    member = await asyncio.create_subprocess_exec(sys.executable, "-c", MEMBER, topic, kafka_bootstrap,
                                                  settings.group(group),  # the group's name on the cluster
                                                  str(DEAD_MEMBER_SESSION_MS), stdout=asyncio.subprocess.PIPE)
    assert member.stdout is not None
    assert (await asyncio.wait_for(member.stdout.readline(), 60)).strip() == b"joined"
    member.send_signal(signal.SIGKILL)
    await member.wait()

    applied: list[str] = []

    async def apply(_conn: asyncpg.Connection, events: list[Event]) -> None:
        applied.extend(str(e.event_id) for e in events)

    service = ServiceRuntime(name="joining", database_url=fresh_database, migrations=[], consume_topics=[REGISTRY_EVENTS],
                             apply=apply, group_id=group, run_relay=False, settings=settings)
    began = time.monotonic()
    await service.start()
    try:
        started_in = time.monotonic() - began
        assert started_in < 3, f"start took {started_in:.1f} s: it waited for the consumer group"
        health = await service.health()
        assert health["ok"] is True and (health["database"], health["producer"]) == ("ok", "ok"), health
        assert health["consumer"]["state"] == "joining", health
        assert service.pool is not None
        async with service.pool.acquire() as conn:  # what a command needs works now
            assert await conn.fetchval("SELECT count(*) FROM idempotency_keys") == 0

        producer = AIOKafkaProducer(**client_kwargs(kafka_bootstrap))
        await producer.start()
        try:
            event = new_envelope(WomanRegistered(
                person_ref=uuid.uuid4(), kecamatan_code="64.02.02", age_band="25-34", pekka_category="none",
                household_size=3, registered_by_opd="dp3a", registered_on=date(2025, 5, 5)))
            await producer.send_and_wait(topic, event.to_bytes(), key=b"k")
        finally:
            await producer.stop()

        async def joined_and_applied() -> bool:
            return (await service.health())["consumer"]["state"] == "running" and str(event.event_id) in applied

        await wait_for(joined_and_applied, timeout_s=DEAD_MEMBER_SESSION_MS / 1000 + 30, interval_s=0.5)
        print(f"\nstarted in {started_in:.2f} s; consumer joined after {time.monotonic() - began:.1f} s")
    finally:
        await service.stop()
