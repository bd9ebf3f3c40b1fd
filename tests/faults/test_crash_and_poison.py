"""Reduced fault run for every `make test`: services killed with SIGKILL mid-load and poison messages injected.

Every command a client saw acknowledged must be reflected exactly once: one outbox row, at least one copy on Kafka,
exactly one application in monitoring; dead-letter topics hold exactly the poison and nothing else.
"""

import asyncio
import json
import signal
import time
import uuid
from collections.abc import AsyncIterator
from importlib.resources import files
from pathlib import Path

import asyncpg
import httpx
import pytest_asyncio
from aiokafka import AIOKafkaProducer
from berdaya_shared.topics import CONSUMERS, REGISTRY_EVENTS, dlq_topic, physical

from deploy.demo.driver import Driver
from deploy.demo.scenario import generate
from tests.support.auth import opd_headers
from tests.support.kafka import read_all, wait_for
from tests.support.platform import Platform, _wait_ready, running_platform, start_service, stop_service

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "faults"


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def platform(kafka_bootstrap: str, database_server_url: str) -> AsyncIterator[Platform]:
    async with running_platform(kafka_bootstrap, database_server_url, log_dir=ARTIFACTS) as p:
        p.bootstrap = kafka_bootstrap  # type: ignore[attr-defined]
        yield p


async def crash_and_restart(platform: Platform, service: str, after_s: float) -> None:
    await asyncio.sleep(after_s)
    stop_service(platform, service, signal.SIGKILL)
    await asyncio.sleep(1.0)
    start_service(platform, service, platform.bootstrap)  # type: ignore[attr-defined]
    await _wait_ready(platform, service)


async def fetchval(url: str, sql: str) -> int:
    conn = await asyncpg.connect(url)
    try:
        return await conn.fetchval(sql)
    finally:
        await conn.close()


async def women_registered(platform: Platform) -> float | None:
    async with httpx.AsyncClient(base_url=platform.endpoints.monitoring, timeout=10) as client:
        body = (await client.get("/api/indicators", params={"indicator": "women_registered"})).json()
    return body["indicators"][0]["cells"][0]["value"]


async def test_sigkill_of_registry_and_monitoring_loses_nothing_and_counts_nothing_twice(platform: Platform) -> None:
    women = generate(240, seed=41).women
    driver = Driver(platform.endpoints, namespace=f"fault-{uuid.uuid4().hex[:6]}", concurrency=8, replica_wait_s=120,
                    headers=opd_headers())
    acknowledged: dict[str, str] = {}

    async def register(w: object) -> None:
        body = {"nik": w.nik, "full_name": w.full_name, "birth_date": w.birth_date.isoformat(),  # type: ignore[attr-defined]
                "kecamatan_code": w.kecamatan_code, "desa_code": w.desa_code,  # type: ignore[attr-defined]
                "household_size": w.household_size, "pekka_category": w.pekka_category,  # type: ignore[attr-defined]
                "registered_on": w.registered_on.isoformat()}  # type: ignore[attr-defined]
        answer = await driver.post(platform.endpoints.registry, "/women", body, key=w.key, opd="dp3a")  # type: ignore[attr-defined]
        acknowledged[w.key] = answer["person_ref"]  # type: ignore[attr-defined]

    started = time.monotonic()
    try:
        await asyncio.gather(
            asyncio.gather(*(register(w) for w in women)),
            crash_and_restart(platform, "registry", after_s=1.5),
            crash_and_restart(platform, "monitoring", after_s=3.0),
        )
    finally:
        await driver.close()
    assert len(acknowledged) == len(women)
    refs = set(acknowledged.values())
    assert len(refs) == len(women), "a retried registration must return the first answer"

    registry_db = platform.databases["registry"]
    rows = await fetchval(registry_db, "SELECT count(*) FROM outbox WHERE event_type = 'registry.WomanRegistered'")
    assert rows == len(women), "one outbox row per acknowledged command"

    await wait_for(lambda: _equal(women_registered(platform), float(len(women))), timeout_s=120)
    recovered_s = time.monotonic() - started
    topic = physical(REGISTRY_EVENTS, platform.namespace)
    on_kafka = [json.loads(r.value) for r in await read_all(platform.bootstrap, topic)]  # type: ignore[attr-defined]
    kafka_refs = {e["payload"]["person_ref"] for e in on_kafka if e["event_type"] == "registry.WomanRegistered"}
    assert kafka_refs == refs, "every acknowledged registration is on Kafka (duplicates allowed)"
    applied = await fetchval(platform.databases["monitoring"],
                             "SELECT count(*) FROM inbox WHERE event_type = 'registry.WomanRegistered'")
    assert applied == len(women), "each event applied exactly once by monitoring"
    print(f"\nfault run: {len(women)} acknowledged, {len(on_kafka)} records on Kafka, "
          f"{len(on_kafka) - len(kafka_refs)} redelivered copies, 0 lost, 0 applied twice, recovered in {recovered_s:.1f} s")


async def test_poison_in_the_registry_topic_reaches_every_dead_letter_topic_and_nothing_else(platform: Platform) -> None:
    before = await women_registered(platform)
    good = json.loads(files("berdaya_shared.contracts").joinpath("samples/registry.WomanRegistered.v1.json").read_text())
    poison = [
        b"{not json",
        json.dumps({**good, "event_id": str(uuid.uuid4()), "event_type": "registry.Unknown"}).encode(),
        json.dumps({**good, "event_id": str(uuid.uuid4()), "event_version": 7}).encode(),
        json.dumps({**good, "event_id": str(uuid.uuid4()), "payload": {**good["payload"], "household_size": -3}}).encode(),
    ]
    bootstrap = platform.bootstrap  # type: ignore[attr-defined]
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        for value in poison:
            await producer.send_and_wait(physical(REGISTRY_EVENTS, platform.namespace), value, key=b"poison")
    finally:
        await producer.stop()

    for consumer in CONSUMERS:
        dlq = physical(dlq_topic(consumer), platform.namespace)
        dead = await wait_for(lambda d=dlq: _at_least(read_all(bootstrap, d, idle_s=0.3), len(poison)), timeout_s=60)
        await asyncio.sleep(1)
        dead = await read_all(bootstrap, dlq, idle_s=0.3)
        assert sorted(r.value for r in dead) == sorted(poison), f"{dlq} must hold exactly the poison"
    assert await women_registered(platform) == before


async def _equal(value: object, want: float) -> bool:
    return await value == want  # type: ignore[misc]


async def _at_least(records: object, n: int) -> list:
    got = await records  # type: ignore[misc]
    return got if len(got) >= n else []
