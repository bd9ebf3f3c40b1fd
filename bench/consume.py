"""The two yardsticks of the rebuild, reading the same namespaced topics from the earliest offsets:

- ``raw``: a bare aiokafka consumer that does nothing with the records (the ceiling of this machine);
  ``raw_decode`` also decodes every envelope and payload with the contracts (the part no projection avoids);
- ``naive``: a FastStream subscriber that applies each event in its own database transaction, inbox row
  included, with the projection's own apply function (what most tutorials do). It is slow, so it runs on a
  bounded sample and reports its rate.
"""

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import asyncpg
from aiokafka import AIOKafkaConsumer
from berdaya_contracts import decode
from berdaya_shared.messaging import MessagingSettings, broker_security, kafka_client_kwargs
from faststream.kafka import KafkaBroker
from faststream.kafka import Topic as KafkaTopic
from faststream.kafka.annotations import KafkaMessage

from .env import kafka_settings

Apply = Callable[[asyncpg.Connection, list[Any]], Awaitable[None]]


async def raw(topics: Sequence[str], expected: int, *, decode_each: bool = False, timeout_s: float = 300,
              settings: MessagingSettings | None = None) -> dict[str, Any]:
    """``settings``: who reads (the benchmark's own connection by default); its namespace prefixes the group."""
    settings = settings or kafka_settings()
    consumer = AIOKafkaConsumer(
        *topics, **kafka_client_kwargs(settings), group_id=settings.group(f"monitoring-bench-raw-{uuid.uuid4().hex[:8]}"),
        auto_offset_reset="earliest", enable_auto_commit=False, max_poll_records=1000,
    )
    started = time.perf_counter()
    await consumer.start()
    seen, first = 0, None
    try:
        deadline = started + timeout_s
        while seen < expected and time.perf_counter() < deadline:
            batches = await consumer.getmany(timeout_ms=500, max_records=1000)
            for records in batches.values():
                if first is None:
                    first = time.perf_counter()
                if decode_each:
                    for record in records:
                        decode(record.value)
                seen += len(records)
    finally:
        await consumer.stop()
    done = time.perf_counter()
    return _rate(seen, expected, started, first, done)


def _rate(seen: int, expected: int, started: float, first: float | None, done: float) -> dict[str, Any]:
    steady = done - (first or started)
    return {
        "events": seen, "complete": seen >= expected, "wall_s": round(done - started, 3),
        "steady_s": round(steady, 3), "events_per_s": round(seen / steady) if steady > 0 else None,
        "wall_events_per_s": round(seen / (done - started)),
    }


async def naive(topics: Sequence[str], database_url: str, apply: Apply, sample: int, *,
                consumer_name: str = "bench-naive", timeout_s: float = 300) -> dict[str, Any]:
    """FastStream, one message at a time, one transaction per event (inbox row + the projection's apply)."""
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=4)
    settings = kafka_settings()
    # Per-message logging would slow it unfairly.
    broker = KafkaBroker(settings.bootstrap_list(), security=broker_security(settings), logger=None)
    done = asyncio.Event()
    state = {"seen": 0, "first": None}

    @broker.subscriber(*(KafkaTopic(t, declare=False) for t in topics), group_id=f"bench-naive-{uuid.uuid4().hex[:8]}",
                       auto_offset_reset="earliest")
    async def handle(msg: KafkaMessage) -> None:
        if state["seen"] >= sample:
            return
        if state["first"] is None:
            state["first"] = time.perf_counter()
        event = decode(msg.raw_message.value)
        async with pool.acquire() as conn, conn.transaction():
            fresh = await conn.fetchval(
                "INSERT INTO inbox (consumer, event_id, topic, event_type) VALUES ($1, $2, $3, $4)"
                " ON CONFLICT DO NOTHING RETURNING event_id", consumer_name, event.event_id, "-", event.event_type)
            if fresh is not None:
                await apply(conn, [event])
        state["seen"] += 1
        if state["seen"] >= sample:
            done.set()

    started = time.perf_counter()
    await broker.start()
    try:
        await asyncio.wait_for(done.wait(), timeout_s)
    except TimeoutError:
        pass
    finally:
        finished = time.perf_counter()
        await broker.stop()
        await pool.close()
    return {**_rate(int(state["seen"]), sample, started, state["first"], finished), "sample": sample}  # type: ignore[arg-type]
