"""Faults on a platform of its own: a private single-node Kafka and a private PostgreSQL, so that the broker and
the database can be killed, frozen and restarted. The four services run as real processes; a steady load of
commands flows through their HTTP APIs during every fault.

After each fault: every acknowledged command is in its service's outbox once, on Kafka, in monitoring's inbox and
projections once, on the public dashboard figures; the dead-letter topics hold exactly the poison injected.
"""

import asyncio
import contextlib
import json
import signal
import time
import uuid
from collections.abc import AsyncIterator
from importlib.resources import files
from typing import Any

import httpx
import pytest_asyncio
from aiokafka import AIOKafkaProducer
from berdaya_contracts.topics import EVENT_TOPICS, dlq_topic, physical

from tests.faults.infra import KafkaCluster, PostgresServer
from tests.faults.ledger import COURSE, REF_FIELD
from tests.faults.stage import Stage, staged
from tests.support.kafka import client_kwargs, wait_for
from tests.support.platform import _wait_ready, start_service, stop_service

# Who reads each topic (a poison message is dead-lettered once per reader): the registry reads training's and the
# marketplace's events for each woman's journey.
SUBSCRIBERS = {"registry.events": ("training", "marketplace", "monitoring"),
               "training.events": ("registry", "monitoring"), "marketplace.events": ("registry", "monitoring")}


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def stage() -> AsyncIterator[Stage]:
    kafka, pg = KafkaCluster(1), PostgresServer()
    try:
        await asyncio.to_thread(pg.init)
        await asyncio.to_thread(pg.start)
        await kafka.start()
        async with staged(kafka, pg, pg.url, name="single-node", seed=101) as stage:
            yield stage
    finally:
        kafka.stop()
        pg.remove()


async def test_broker_killed_with_sigkill_then_restarted(stage: Stage) -> None:
    async def fault() -> None:
        node = stage.kafka.nodes[0]
        stage.kafka.kill(node)
        await asyncio.sleep(3)
        await stage.kafka.restart(node)

    await stage.run("kill -9 Kafka broker, restart", fault)


# From a restart to the service's first successful command: the target of issue 23, reported in the table. Most of
# it is the interpreter importing the service (0.4-1.1 s of CPU), so on two cores shared with the load, Kafka,
# PostgreSQL, the other services and whatever else the machine runs, it grows with the machine's load. What the
# service itself adds is its runtime's start (database, migrations, producer; /ready's start_s): 0.02-0.2 s on a quiet
# machine, over 2 s when the machine's load average reaches 15. It is held to a limit that a wait for Kafka's consumer
# group to give up the killed member (its session timeout, 6-10 s after a crash) would break, whatever the load.
FIRST_2XX_TARGET_S = 3.0
RUNTIME_START_LIMIT_S = 5.0


def probe(stage: Stage, service: str) -> tuple[str, str, str, dict[str, Any], str | None]:
    """A command a member of staff would send to ``service``: method, path, the caller's profile (its machine
    client), body, and the ledger kind it is acknowledged as (None: a kind the ledger does not follow)."""
    if service == "registry":
        return "POST", "/women", "dp3a", stage.load.registration(), "woman"
    if service == "training":
        return "POST", "/courses", "distransnaker", dict(COURSE), "course"
    if service == "marketplace":
        return "POST", "/fairs", "disperindag", {"name": "Pameran Uji Ketahanan", "kecamatan_code": "64.02.03",
                                                 "starts_on": "2025-08-15", "ends_on": "2025-08-17", "booths": 5}, None
    return "PUT", "/api/targets", "monitoring_admin", {"year": 2025, "kecamatan_code": "all",
                                                       "indicator": "women_registered", "target_value": 5000}, None


async def runtime_start_s(stage: Stage, service: str) -> float:
    async with httpx.AsyncClient(base_url=stage.platform.url(service), timeout=10) as client:
        return float((await client.get("/ready")).json()["start_s"])


async def first_2xx(stage: Stage, service: str, since: float, timeout_s: float = 90.0) -> float:
    """Send one command to ``service`` as a client would (one Idempotency-Key, resent every 50 ms while the
    connection is refused or the answer is 5xx) until it succeeds; the seconds from ``since``."""
    method, path, profile, body, kind = probe(stage, service)
    headers = {**stage.headers[profile], "Idempotency-Key": str(uuid.uuid4())}
    async with httpx.AsyncClient(base_url=stage.platform.url(service), timeout=10) as client:
        while time.monotonic() - since < timeout_s:
            with contextlib.suppress(httpx.TransportError):
                answer = await client.request(method, path, json=body, headers=headers)
                if answer.is_success:
                    took = time.monotonic() - since
                    if kind is not None:
                        ref = answer.json()[REF_FIELD.get(kind, f"{kind}_ref")]
                        stage.ledger.acked[kind][ref] = 0
                    return took
                assert answer.status_code >= 500, f"{method} {path}: {answer.status_code} {answer.text}"
            await asyncio.sleep(0.05)
    raise AssertionError(f"{service}: no successful command {timeout_s:.0f} s after the restart")


async def test_each_service_killed_with_sigkill_then_restarted(stage: Stage) -> None:
    figures, starts = {}, {}
    for service in ("registry", "training", "marketplace", "monitoring"):
        async def fault(service: str = service) -> float:
            stop_service(stage.platform, service, signal.SIGKILL)
            await asyncio.sleep(1)
            restarted = time.monotonic()
            start_service(stage.platform, service, stage.kafka.bootstrap, stage.env)
            took = await first_2xx(stage, service, restarted)
            starts[service] = await runtime_start_s(stage, service)
            await _wait_ready(stage.platform, service)
            return took

        figures[service] = (await stage.run(f"kill -9 {service}, restart", fault)).first_2xx_s
    print(f"\nfirst 2xx after restart (target {FIRST_2XX_TARGET_S} s): {figures}; runtime start: {starts}")
    slow = {service: took for service, took in starts.items() if took > RUNTIME_START_LIMIT_S}
    assert not slow, f"the runtime's start took longer than {RUNTIME_START_LIMIT_S} s after a restart: {slow}"


async def test_postgres_restarted(stage: Stage) -> None:
    async def fault() -> None:
        assert stage.pg is not None
        await asyncio.to_thread(stage.pg.restart, "immediate")

    await stage.run("PostgreSQL crash-restart", fault)


async def test_broker_unreachable_for_30_seconds(stage: Stage) -> None:
    async def fault() -> None:
        node = stage.kafka.nodes[0]
        stage.kafka.signal(node, signal.SIGSTOP)  # alive but silent: every request times out
        try:
            await asyncio.sleep(30)
        finally:
            stage.kafka.signal(node, signal.SIGCONT)

    await stage.run("Kafka unreachable 30 s", fault)


async def test_replay_of_every_topic_into_monitoring_changes_nothing(stage: Stage) -> None:
    admin = stage.headers["monitoring_admin"]

    async def fault() -> None:
        async with httpx.AsyncClient(base_url=stage.platform.endpoints.monitoring, headers=admin,
                                     timeout=30) as client:
            started = await client.post("/api/admin/rebuild")
            assert started.status_code == 202, started.text

            async def finished() -> bool:
                state = (await client.get("/api/admin/rebuild")).json()
                assert state["state"] != "failed", state
                return state["state"] == "done"

            await wait_for(finished, timeout_s=240, interval_s=0.5)

    await stage.run("replay all topics into monitoring", fault)


async def test_poison_in_every_topic_is_dead_lettered_and_nothing_else(stage: Stage) -> None:
    good = json.loads(files("berdaya_contracts").joinpath("samples/registry.WomanRegistered.v1.json")
                      .read_text())

    def poison(topic: str) -> list[bytes]:
        marker = {"injected_into": topic}
        return [
            b"{not json " + topic.encode(),
            json.dumps({**good, **marker, "event_id": str(uuid.uuid4()), "event_type": "registry.Unknown"}).encode(),
            json.dumps({**good, **marker, "event_id": str(uuid.uuid4()), "event_version": 7}).encode(),
            json.dumps({**good, **marker, "event_id": str(uuid.uuid4()),
                        "payload": {**good["payload"], "household_size": -3}}).encode(),
        ]

    async def fault() -> None:
        producer = AIOKafkaProducer(**client_kwargs(stage.kafka.bootstrap))
        await producer.start()
        try:
            for topic in EVENT_TOPICS:
                values = poison(topic)
                for value in values:
                    await producer.send_and_wait(physical(topic, stage.platform.namespace), value, key=b"poison")
                for consumer in SUBSCRIBERS[topic]:
                    stage.ledger.poison[physical(dlq_topic(consumer), stage.platform.namespace)] += values
        finally:
            await producer.stop()

    row = await stage.run("poison in every topic", fault)
    assert row.dead_lettered == sum(4 * len(c) for c in SUBSCRIBERS.values())
