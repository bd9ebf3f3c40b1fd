"""Scan Kafka topics for personal data (UU PDP): the known NIKs, names, phone numbers and birth dates of
a scenario's women, and anything shaped like a NIK or an Indonesian mobile number."""

import asyncio
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from tests.support.kafka import client_kwargs

# Not inside a longer word: a UUID's all-digit group ("-081234567890") is not a phone number.
_BOUNDARY, _BOUNDARY_END = rb"(?<![0-9A-Za-z-])", rb"(?![0-9A-Za-z-])"
NIK_SHAPE = re.compile(_BOUNDARY + rb"[1-9][0-9]{15}" + _BOUNDARY_END)
PHONE_SHAPE = re.compile(_BOUNDARY + rb"(?:\+62|62|0)8[1-9][0-9]{7,10}" + _BOUNDARY_END)


@dataclass(frozen=True)
class Person:
    nik: str
    full_name: str
    birth_date: date
    phone: str | None


async def read_topics(bootstrap: str, topics: Iterable[str], timeout_s: float = 60.0) -> list[tuple[str, bytes]]:
    """Every record (topic, key + headers + value) of ``topics`` from offset 0 to their current end."""
    topics = list(topics)
    admin = AIOKafkaAdminClient(**client_kwargs(bootstrap))
    await admin.start()
    try:
        described = await admin.describe_topics(topics)
    finally:
        await admin.close()
    missing = [d["topic"] for d in described if d["error_code"] or not d["partitions"]]
    assert not missing, f"topics not found: {missing}"
    partitions = [TopicPartition(d["topic"], p["partition"]) for d in described for p in d["partitions"]]
    consumer = AIOKafkaConsumer(**client_kwargs(bootstrap), group_id=None, enable_auto_commit=False)
    await consumer.start()
    try:
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        end = await consumer.end_offsets(partitions)
        out: list[tuple[str, bytes]] = []
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            positions = {tp: await consumer.position(tp) for tp in end}
            if all(positions[tp] >= off for tp, off in end.items()):
                break
            for tp, records in (await consumer.getmany(timeout_ms=500)).items():
                for r in records:
                    headers = b" ".join(k.encode() + b"=" + (v or b"") for k, v in r.headers)
                    out.append((tp.topic, (r.key or b"") + b" " + headers + b" " + (r.value or b"")))
            await asyncio.sleep(0)
        return out
    finally:
        await consumer.stop()


def findings(records: list[tuple[str, bytes]], people: Iterable[Person]) -> list[str]:
    """What in ``records`` is personal data; empty when the topics are clean."""
    needles: dict[bytes, str] = {}
    for p in people:
        needles[p.nik.encode()] = "NIK"
        needles[p.full_name.encode()] = "name"
        needles[p.full_name.lower().encode()] = "name"
        needles[p.birth_date.isoformat().encode()] = "birth date"
        needles[p.birth_date.strftime("%d-%m-%Y").encode()] = "birth date"
        if p.phone:
            needles[p.phone.encode()] = "phone"
            needles[("+62" + p.phone[1:]).encode()] = "phone"
    out = []
    for topic, data in records:
        for needle, kind in needles.items():
            if needle in data and re.search(_BOUNDARY + re.escape(needle) + _BOUNDARY_END, data):
                out.append(f"{topic}: {kind} {needle.decode()[:4]}…")
        if NIK_SHAPE.search(data):
            out.append(f"{topic}: a 16-digit number shaped like a NIK")
        if PHONE_SHAPE.search(data):
            out.append(f"{topic}: a number shaped like a phone number")
    return out
