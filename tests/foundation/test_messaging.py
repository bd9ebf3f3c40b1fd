"""Outbox, relay and inbox consumer against the real broker and the real database."""

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import asyncpg
import pytest
from aiokafka import AIOKafkaProducer
from berdaya_contracts import Event, decode, new_envelope
from berdaya_contracts.registry_v1 import WomanRegistered
from berdaya_contracts.topics import dlq_topic
from berdaya_shared import migrate
from berdaya_shared.messaging import InboxConsumer, MessagingSettings, OutboxRelay, outbox, subscribe
from berdaya_shared.messaging.idempotency import IdempotencyKeyReused, run_idempotent
from berdaya_shared.runtime import make_broker

from tests.support.infra import create_topics
from tests.support.kafka import client_kwargs, read_all, unique, wait_for

TEST_TABLES = """
CREATE TABLE women_test (person_ref uuid PRIMARY KEY, kecamatan_code text NOT NULL);
-- Deliberately not idempotent: a second application of one event would show as times_applied = 2.
CREATE TABLE applied (person_ref uuid PRIMARY KEY, times_applied int NOT NULL);
"""


class Harness:
    def __init__(self, pool: asyncpg.Pool, bootstrap: str, topic: str, consumer_name: str, url: str) -> None:
        self.pool, self.bootstrap, self.topic, self.consumer_name = pool, bootstrap, topic, consumer_name
        self.url = url
        self.settings = MessagingSettings(kafka_bootstrap_servers=bootstrap)

    async def register(self, kecamatan: str = "64.02.06") -> WomanRegistered:
        """A state change and its event, committed together through the outbox."""
        payload = WomanRegistered(
            person_ref=uuid.uuid4(), kecamatan_code=kecamatan, age_band="25-34", pekka_category="none",
            household_size=3, registered_by_opd="dp3a", registered_on=date(2025, 3, 1),
        )
        async with self.pool.acquire() as conn, conn.transaction():
            await conn.execute("INSERT INTO women_test VALUES ($1, $2)", payload.person_ref, kecamatan)
            await outbox.add_many(conn, [new_envelope(payload)], topic=self.topic)
        return payload

    def relay(self, cls: type[OutboxRelay] = OutboxRelay) -> "RelayHandle":
        return RelayHandle(self, cls)

    async def apply(self, conn: asyncpg.Connection, events: list[Event]) -> None:
        for event in events:
            await conn.execute(
                "INSERT INTO applied VALUES ($1, 1)"
                " ON CONFLICT (person_ref) DO UPDATE SET times_applied = applied.times_applied + 1",
                event.payload.person_ref,
            )

    async def times_applied(self, person_ref: uuid.UUID) -> int:
        return await self.pool.fetchval("SELECT times_applied FROM applied WHERE person_ref = $1", person_ref) or 0

    async def records_with(self, event_id: uuid.UUID) -> list:
        return [r for r in await read_all(self.bootstrap, self.topic) if json.loads(r.value)["event_id"] == str(event_id)]

    def consumer(self) -> "ConsumerHandle":
        return ConsumerHandle(self)


class RelayHandle:
    def __init__(self, h: Harness, cls: type[OutboxRelay]) -> None:
        self.h, self.cls = h, cls

    async def __aenter__(self) -> OutboxRelay:
        self.broker = make_broker(self.h.settings, client_id="test-relay")
        await self.broker.start()
        return self.cls(self.h.pool, self.broker, batch_size=100, poll_interval_s=30.0, listen_dsn=self.h.url)

    async def __aexit__(self, *exc: object) -> None:
        await self.broker.stop()


class ConsumerHandle:
    def __init__(self, h: Harness) -> None:
        self.h = h

    async def __aenter__(self) -> InboxConsumer:
        self.broker = make_broker(self.h.settings, client_id="test-consumer")
        consumer = InboxConsumer(name=self.h.consumer_name, pool=self.h.pool, apply=self.h.apply, broker=self.broker)
        subscribe(self.broker, consumer, [self.h.topic], batch_timeout_ms=100)
        await self.broker.start()
        return consumer

    async def __aexit__(self, *exc: object) -> None:
        await self.broker.stop()


@pytest.fixture
async def harness(fresh_database: str, kafka_bootstrap: str) -> AsyncIterator[Harness]:
    topic, consumer_name = unique("test.events"), unique("testconsumer")
    await create_topics(kafka_bootstrap, topic, partitions=3)
    await create_topics(kafka_bootstrap, dlq_topic(consumer_name), partitions=1)
    pool = await asyncpg.create_pool(fresh_database, min_size=1, max_size=5)
    async with pool.acquire() as conn:
        await migrate.migrate(conn, migrate.kit_migrations())
        await conn.execute(TEST_TABLES)
    yield Harness(pool, kafka_bootstrap, topic, consumer_name, fresh_database)
    await pool.close()


async def test_event_through_the_outbox_reaches_kafka_once_and_is_applied_once(harness: Harness) -> None:
    woman = await harness.register()
    async with harness.relay() as relay:
        assert await relay.publish_pending() == 1
        assert await relay.publish_pending() == 0

    event_id = await harness.pool.fetchval("SELECT event_id FROM outbox")
    records = await harness.records_with(event_id)
    assert len(records) == 1
    assert records[0].key == str(woman.person_ref).encode()
    assert decode(records[0].value).payload == woman

    async with harness.consumer() as consumer:
        await wait_for(lambda: harness.times_applied(woman.person_ref))
        await asyncio.sleep(1.0)  # let any stray redelivery arrive
        assert await harness.times_applied(woman.person_ref) == 1
        assert consumer.stats["applied"] == 1
    assert await harness.pool.fetchval("SELECT count(*) FROM inbox WHERE consumer = $1", harness.consumer_name) == 1


async def test_rolled_back_change_publishes_nothing(harness: Harness) -> None:
    with pytest.raises(RuntimeError):
        async with harness.pool.acquire() as conn, conn.transaction():
            payload = WomanRegistered(
                person_ref=uuid.uuid4(), kecamatan_code="64.02.01", age_band="<18", pekka_category="none",
                household_size=1, registered_by_opd="dp3a", registered_on=date(2025, 1, 1),
            )
            await outbox.add_many(conn, [new_envelope(payload)], topic=harness.topic)
            raise RuntimeError("validation failed after the event was staged")
    async with harness.relay() as relay:
        assert await relay.publish_pending() == 0
    assert await read_all(harness.bootstrap, harness.topic) == []


class CrashBeforeMark(Exception):
    pass


class RelayKilledAfterPublish(OutboxRelay):
    async def _mark(self, conn: asyncpg.Connection, ids: list[int]) -> None:
        raise CrashBeforeMark()


async def test_relay_killed_after_publish_resends_and_the_inbox_absorbs_the_duplicate(harness: Harness) -> None:
    woman = await harness.register()
    async with harness.relay(RelayKilledAfterPublish) as relay:
        with pytest.raises(CrashBeforeMark):
            await relay.publish_pending()
    assert await harness.pool.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL") == 1

    async with harness.relay() as restarted:
        assert await restarted.publish_pending() == 1
    event_id = await harness.pool.fetchval("SELECT event_id FROM outbox")
    assert len(await harness.records_with(event_id)) == 2, "the event must have been sent twice"

    async with harness.consumer() as consumer:
        await wait_for(lambda: consumer.stats["applied"] + consumer.stats["duplicates"] >= 2)
    assert await harness.times_applied(woman.person_ref) == 1
    assert consumer.stats == {"applied": 1, "duplicates": 1, "dead_lettered": 0}


async def test_relay_wakes_on_notify_without_waiting_for_the_poll(harness: Harness) -> None:
    async with harness.relay() as relay:  # poll interval 30 s: only NOTIFY can make it fast
        task = asyncio.create_task(relay.run())
        try:
            await asyncio.sleep(0.5)
            await harness.register()
            await wait_for(lambda: relay.published == 1, timeout_s=10)
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)


async def test_relay_keeps_publishing_when_its_database_connections_are_killed(harness: Harness) -> None:
    """A database restart cuts every connection; the relay must outlive it and publish what comes next."""
    async with harness.relay() as relay:
        task = asyncio.create_task(relay.run())
        try:
            await harness.register()
            await wait_for(lambda: relay.published == 1, timeout_s=10)
            killer = await asyncpg.connect(harness.url)
            try:
                killed = await killer.fetchval(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()")
            finally:
                await killer.close()
            assert killed >= 2, "the relay's LISTEN connection and the pool's connections are cut"
            await asyncio.sleep(0.5)
            await wait_for(_registers(harness), timeout_s=10)
            await wait_for(lambda: relay.published == 2, timeout_s=20)
            assert not task.done(), "the relay loop must not end"
        finally:
            task.cancel()


def _registers(harness: Harness) -> Any:
    async def attempt() -> bool:
        try:
            await harness.register()
        except (asyncpg.PostgresConnectionError, asyncpg.InterfaceError, OSError):
            return False  # a pool connection cut by the test itself; the next one is fresh
        return True
    return attempt


async def test_poison_messages_go_to_the_dead_letter_topic_and_the_partition_moves_on(harness: Harness) -> None:
    valid = new_envelope(
        WomanRegistered(
            person_ref=uuid.uuid4(), kecamatan_code="64.02.13", age_band="35-44", pekka_category="productive",
            household_size=5, registered_by_opd="dp3a", registered_on=date(2025, 4, 1),
        )
    )
    good = json.loads(valid.to_bytes())
    poison = {
        "invalid_json": b"{this is not json",
        "unknown_event_type": json.dumps({**good, "event_id": str(uuid.uuid4()), "event_type": "registry.Nope"}).encode(),
        "unknown_event_version": json.dumps({**good, "event_id": str(uuid.uuid4()), "event_version": 99}).encode(),
        "invalid_payload": json.dumps(
            {**good, "event_id": str(uuid.uuid4()), "payload": {**good["payload"], "kecamatan_code": "99.99.99"}}
        ).encode(),
    }
    producer = AIOKafkaProducer(**client_kwargs(harness.bootstrap))
    await producer.start()
    try:
        sent = {}
        for reason, value in poison.items():
            sent[reason] = await producer.send_and_wait(harness.topic, value, key=b"k", partition=0)
        await producer.send_and_wait(harness.topic, valid.to_bytes(), key=b"k", partition=0)
    finally:
        await producer.stop()

    async with harness.consumer() as consumer:
        await wait_for(lambda: harness.times_applied(uuid.UUID(good["payload"]["person_ref"])))
    assert consumer.stats["dead_lettered"] == 4

    dead = await read_all(harness.bootstrap, dlq_topic(harness.consumer_name))
    assert len(dead) == 4
    by_reason = {dict(r.headers)["dlq-error"].decode(): r for r in dead}
    assert set(by_reason) == set(poison)
    for reason, record in by_reason.items():
        headers = {k: v.decode() for k, v in record.headers}
        assert record.value == poison[reason]
        assert headers["dlq-source-topic"] == harness.topic
        assert headers["dlq-source-partition"] == "0"
        assert headers["dlq-source-offset"] == str(sent[reason].offset)
        assert headers["dlq-error-detail"]


async def test_committed_offsets_mean_a_restarted_consumer_gets_nothing_again(harness: Harness) -> None:
    woman = await harness.register()
    async with harness.relay() as relay:
        await relay.publish_pending()
    async with harness.consumer() as first:
        await wait_for(lambda: harness.times_applied(woman.person_ref))
    assert first.stats["applied"] == 1
    async with harness.consumer() as second:
        await asyncio.sleep(3)
    assert second.stats == {"applied": 0, "duplicates": 0, "dead_lettered": 0}


async def test_idempotency_key_returns_the_first_answer_and_stages_one_event(harness: Harness) -> None:
    async def command(conn: asyncpg.Connection) -> tuple[int, bytes]:
        payload = WomanRegistered(
            person_ref=uuid.uuid4(), kecamatan_code="64.02.02", age_band="45-54", pekka_category="elderly",
            household_size=2, registered_by_opd="dp3a", registered_on=date(2025, 5, 5),
        )
        await outbox.add_many(conn, [new_envelope(payload)], topic=harness.topic)
        return 201, json.dumps({"person_ref": str(payload.person_ref)}).encode()

    first = await run_idempotent(harness.pool, scope="POST /women", key="abc", fingerprint="f1", command=command)
    again = await run_idempotent(harness.pool, scope="POST /women", key="abc", fingerprint="f1", command=command)
    assert (first.replayed, again.replayed) == (False, True)
    assert again.body == first.body and again.status_code == 201
    assert await harness.pool.fetchval("SELECT count(*) FROM outbox") == 1
    with pytest.raises(IdempotencyKeyReused):
        await run_idempotent(harness.pool, scope="POST /women", key="abc", fingerprint="other", command=command)
    # Concurrent retries of one request: one event in all.
    await asyncio.gather(
        *(run_idempotent(harness.pool, scope="POST /women", key="xyz", fingerprint="f2", command=command) for _ in range(5))
    )
    assert await harness.pool.fetchval("SELECT count(*) FROM outbox") == 2


async def test_a_topic_namespace_keeps_an_environment_apart(harness: Harness) -> None:
    namespace = unique("ns").lower()
    await create_topics(harness.bootstrap, f"{namespace}.{harness.topic}", partitions=1)
    woman = await harness.register()
    broker = make_broker(harness.settings, client_id="test-relay")
    await broker.start()
    try:
        assert await OutboxRelay(harness.pool, broker, namespace=namespace).publish_pending() == 1
    finally:
        await broker.stop()
    assert await read_all(harness.bootstrap, harness.topic) == []
    [record] = await read_all(harness.bootstrap, f"{namespace}.{harness.topic}")
    assert decode(record.value).payload == woman
