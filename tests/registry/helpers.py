"""Test data and topic reading for the registry tests."""

import asyncio
import json
import random
import time
from datetime import date
from typing import Any

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from berdaya_contracts.topics import REGISTRY_EVENTS, physical
from berdaya_shared.messaging import MessagingSettings

from tests.support.kafka import client_kwargs, wait_for

TOPIC = physical(REGISTRY_EVENTS, MessagingSettings().topic_namespace)
FIRST = ["Siti", "Nur", "Rina", "Dewi", "Sri", "Wulan", "Ani", "Rahmawati", "Fitri", "Yuliana", "Hasnah", "Marlina"]
LAST = ["Aminah", "Rahayu", "Lestari", "Handayani", "Wahyuni", "Kartika", "Sari", "Hartati", "Fauziah", "Nurhayati"]


def nik_for(birth: date, serial: int, *, area: str = "640206", woman: bool = True) -> str:
    day = birth.day + (40 if woman else 0)
    return f"{area}{day:02d}{birth.month:02d}{birth.year % 100:02d}{serial:04d}"


def random_birth(rng: random.Random) -> date:
    return date(rng.randint(1950, 2004), rng.randint(1, 12), rng.randint(1, 28))


def unique_name(rng: random.Random) -> str:
    # A random tag keeps names distinct between runs on the shared topic (the privacy scan looks for them).
    tag = "".join(rng.choice("bcdfghjklmnpqrstvwxyz") for _ in range(8)).capitalize()
    return f"{rng.choice(FIRST)} {tag} {rng.choice(LAST)}"


def woman_body(rng: random.Random, **overrides: Any) -> dict[str, Any]:
    birth = overrides.pop("birth", None) or random_birth(rng)
    body = {
        "nik": nik_for(birth, rng.randint(1, 9999), area=rng.choice(["640206", "640213", "350101", "947101"])),
        "full_name": unique_name(rng),
        "birth_date": birth.isoformat(),
        "phone": f"08{rng.randint(10**9, 10**10 - 1)}",
        "kecamatan_code": "64.02.06",
        "desa_code": "64.02.06.1001",
        "household_size": 4,
        "pekka_category": "productive",
    }
    body.update(overrides)
    return body


# Offsets of the topic when this test session first looked: the tests read only what came after, so a
# topic holding millions of other runs' events (benchmarks, demo data) does not slow them down.
_START: dict[int, int] = {}


async def _consumer(kafka: str) -> tuple[AIOKafkaConsumer, list[TopicPartition]]:
    consumer = AIOKafkaConsumer(TOPIC, **client_kwargs(kafka), group_id=None, enable_auto_commit=False,
                                auto_offset_reset="earliest")
    await consumer.start()
    deadline = time.monotonic() + 10
    while not consumer.assignment():
        if time.monotonic() > deadline:
            await consumer.stop()
            raise AssertionError(f"topic {TOPIC} not found on {kafka}")
        await asyncio.sleep(0.05)
    return consumer, sorted(consumer.assignment())


async def mark_start(kafka: str) -> None:
    if _START:
        return
    consumer, partitions = await _consumer(kafka)
    try:
        _START.update({tp.partition: off for tp, off in (await consumer.end_offsets(partitions)).items()})
    finally:
        await consumer.stop()


async def records_since_start(kafka: str, *, timeout_s: float = 30.0) -> list[ConsumerRecord[Any, Any]]:
    """Every record published on the registry topic since this session started, up to the current end."""
    consumer, partitions = await _consumer(kafka)
    try:
        end = await consumer.end_offsets(partitions)
        for tp in partitions:
            consumer.seek(tp, _START.get(tp.partition, 0))
        records: list[ConsumerRecord[Any, Any]] = []
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            positions = {tp: await consumer.position(tp) for tp in end}
            if all(positions[tp] >= off for tp, off in end.items()):
                break
            for batch in (await consumer.getmany(timeout_ms=300)).values():
                records.extend(batch)
        return records
    finally:
        await consumer.stop()


async def events_about(kafka: str, refs: set[str], *, expected: int, timeout_s: float = 30.0) -> list[dict[str, Any]]:
    """The events on registry.events whose aggregate or person is one of ``refs``, once ``expected`` arrived."""

    async def collect() -> list[dict[str, Any]] | None:
        found = []
        for record in await records_since_start(kafka):
            try:
                event = json.loads(record.value)
            except (TypeError, ValueError):
                continue  # another suite's poison-message test
            if not isinstance(event, dict):
                continue
            if event.get("aggregate_id") in refs or str(event.get("payload", {}).get("person_ref")) in refs:
                found.append(event)
        return found if len(found) >= expected else None

    return await wait_for(collect, timeout_s=timeout_s, interval_s=0.5)
