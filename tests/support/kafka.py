"""Reading topics back in tests: what a subscribing agency would see."""

import asyncio
import json
import time
import uuid
from typing import Any

from aiokafka import AIOKafkaConsumer, ConsumerRecord


async def read_all(
    bootstrap: str, topic: str, *, idle_s: float = 1.0, timeout_s: float = 30.0
) -> list[ConsumerRecord[Any, Any]]:
    """Every record of ``topic`` from the beginning, read until the end offsets are reached."""
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, group_id=None, auto_offset_reset="earliest", enable_auto_commit=False
    )
    await consumer.start()
    try:
        partitions = consumer.assignment()
        while not partitions:
            await asyncio.sleep(0.05)
            partitions = consumer.assignment()
        end = await consumer.end_offsets(list(partitions))
        records: list[ConsumerRecord[Any, Any]] = []
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            positions = {tp: await consumer.position(tp) for tp in end}
            if all(positions[tp] >= off for tp, off in end.items()):
                break
            batch = await consumer.getmany(timeout_ms=int(idle_s * 1000))
            for recs in batch.values():
                records.extend(recs)
        return records
    finally:
        await consumer.stop()


async def envelopes(bootstrap: str, topic: str, **kw: Any) -> list[dict[str, Any]]:
    out = []
    for record in await read_all(bootstrap, topic, **kw):
        try:
            out.append(json.loads(record.value))
        except (TypeError, ValueError):
            continue
    return out


async def wait_for(predicate: Any, *, timeout_s: float = 30.0, interval_s: float = 0.2) -> Any:
    """Poll an async or sync predicate until it returns something truthy; fail with a clear message."""
    deadline = time.monotonic() + timeout_s
    last: Any = None
    while time.monotonic() < deadline:
        last = predicate()
        if asyncio.iscoroutine(last):
            last = await last
        if last:
            return last
        await asyncio.sleep(interval_s)
    raise AssertionError(f"condition not met within {timeout_s}s (last value: {last!r})")


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"
