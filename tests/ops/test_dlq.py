"""Dead letters: an event a consumer could not apply is listed with its error headers, shown, and — once the
cause is fixed — re-sent to its source topic, where the inbox applies it exactly once however often it is sent."""

import json
import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import asyncpg
import pytest_asyncio
from berdaya_contracts import Event, new_envelope
from berdaya_contracts import registry_v1 as r
from berdaya_contracts.topics import REGISTRY_EVENTS, dlq_topic, physical
from berdaya_shared.dlq import DeadLetters
from berdaya_shared.messaging import MessagingSettings
from berdaya_shared.runtime import ServiceRuntime

from tests.support import infra
from tests.support.kafka import admin_settings, unique, wait_for
from tests.training.helpers import Registry, create_namespace_topics, new_namespace

REPO = Path(__file__).resolve().parents[2]


@dataclass
class Broken:
    """An apply with a bug for some person_refs (raising), that can be fixed; it counts what it applied."""

    failing: set[str] = field(default_factory=set)

    async def apply(self, conn: asyncpg.Connection, events: list[Event]) -> None:
        for event in events:
            ref = str(event.payload.person_ref)
            if ref in self.failing:
                raise RuntimeError("a bug in this consumer")
            await conn.execute("INSERT INTO applied_here (person_ref) VALUES ($1)", ref)


@dataclass
class Setup:
    runtime: ServiceRuntime
    broken: Broken
    producer: Registry
    namespace: str
    bootstrap: str


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def setup(kafka_bootstrap: str, database_server_url: str) -> AsyncIterator[Setup]:
    namespace = new_namespace()
    await create_namespace_topics(kafka_bootstrap, namespace)
    url = await infra.create_database(database_server_url, prefix="dlq")
    conn = await asyncpg.connect(url)
    await conn.execute("CREATE TABLE applied_here (person_ref text NOT NULL)")
    await conn.close()
    broken = Broken()
    runtime = ServiceRuntime(
        name="training", database_url=url, migrations=[], consume_topics=[REGISTRY_EVENTS], apply=broken.apply,
        group_id=unique("g"), run_relay=False,
        settings=MessagingSettings(kafka_bootstrap_servers=kafka_bootstrap, topic_namespace=namespace,
                                   consumer_batch_timeout_ms=50, retry_max_backoff_s=0.2),
    )
    producer = Registry(kafka_bootstrap, namespace)
    await producer.start()
    try:
        async with runtime.lifespan():
            await wait_for(lambda: runtime.consumer_state == "running", timeout_s=60)
            yield Setup(runtime, broken, producer, namespace, kafka_bootstrap)
    finally:
        await producer.stop()
        await infra.drop_database(database_server_url, url)


async def applied(setup: Setup, ref: str) -> int:
    assert setup.runtime.pool is not None
    async with setup.runtime.pool.acquire() as conn:
        return await conn.fetchval("SELECT count(*) FROM applied_here WHERE person_ref = $1", ref)


def tool(setup: Setup) -> DeadLetters:
    return DeadLetters(admin_settings(setup.bootstrap, setup.namespace))


async def test_a_dead_letter_is_listed_shown_and_resent_once_fixed(setup: Setup) -> None:
    bad = uuid.uuid4()
    setup.broken.failing.add(str(bad))  # the consumer has a bug for this woman's event
    envelope = new_envelope(r.WomanRegistered(
        person_ref=bad, kecamatan_code="64.02.06", age_band="25-34", pekka_category="none", household_size=3,
        registered_by_opd="dp3a", registered_on=date(2025, 2, 1)), correlation_id="corr-dlq-1")
    traceparent = f"00-{uuid.uuid4().hex}-{'2' * 16}-01"
    await setup.producer.producer.send_and_wait(  # as the relay sends it
        setup.producer.topic, envelope.to_bytes(), key=envelope.aggregate_id.encode(),
        headers=[("correlation_id", b"corr-dlq-1"), ("traceparent", traceparent.encode())])
    good = str(await setup.producer.register())
    await wait_for(lambda: applied(setup, good), timeout_s=60)  # the others go on
    bad = str(bad)

    async def dead() -> list | None:
        found = [d for d in await tool(setup).read("training") if d.value and bad in d.value]
        return found or None

    [letter] = await wait_for(dead, timeout_s=60)
    assert letter.error == "apply_failed" and "a bug in this consumer" in letter.detail
    assert letter.source_topic == physical(REGISTRY_EVENTS, setup.namespace)
    assert letter.source_partition is not None and letter.source_offset is not None
    assert letter.event_type == "registry.WomanRegistered"
    assert letter.headers["dlq-source-correlation-id"] == json.loads(letter.value)["correlation_id"] == "corr-dlq-1"
    assert letter.headers["dlq-source-traceparent"] == traceparent
    assert "training" in await tool(setup).consumers()
    assert await applied(setup, bad) == 0

    setup.broken.failing.clear()  # the fix is deployed
    await tool(setup).resend("training", [letter.offset])
    await wait_for(lambda: applied(setup, bad), timeout_s=60)
    await tool(setup).resend("training", [letter.offset])  # sent again by mistake: the inbox ignores it

    async def twice_seen() -> bool:
        return setup.runtime.consumer is not None and setup.runtime.consumer.stats["duplicates"] >= 1

    await wait_for(twice_seen, timeout_s=60)
    assert await applied(setup, bad) == 1, "a re-sent event is applied once"
    samples = setup.runtime.metrics.registry.get_sample_value
    assert samples("berdaya_consumer_dead_lettered_events_total",
                   {"consumer": "training", "event_type": "registry.WomanRegistered", "reason": "apply_failed"}) == 1
    assert samples("berdaya_consumer_events_total", {"consumer": "training", "event_type": "registry.WomanRegistered",
                                                     "outcome": "duplicate"}) >= 1


def run_cli(setup: Setup, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": setup.bootstrap, "TOPIC_NAMESPACE": setup.namespace}
    return subprocess.run([sys.executable, "-m", "berdaya_shared.dlq", *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120)


async def test_the_command_line_lists_shows_and_refuses_unknown_offsets(setup: Setup) -> None:
    await setup.producer.raw(b'{"not": "an envelope"}', key="k")
    await wait_for(lambda: _has_invalid(setup), timeout_s=60)
    listing = run_cli(setup, "list", "--consumer", "training")
    assert listing.returncode == 0, listing.stderr
    assert f"{physical(dlq_topic('training'), setup.namespace)}:" in listing.stdout
    assert "invalid_envelope" in listing.stdout
    as_json: dict[str, Any] = json.loads(run_cli(setup, "list", "--json").stdout)
    offset = next(d["offset"] for d in as_json["training"] if d["error"] == "invalid_envelope")
    shown = run_cli(setup, "show", "training", str(offset))
    assert shown.returncode == 0 and json.loads(shown.stdout)["value"] == {"not": "an envelope"}
    refused = run_cli(setup, "resend", "training", "99999")
    assert refused.returncode == 1 and "99999" in refused.stderr
    assert run_cli(setup, "--help").returncode == 0


async def _has_invalid(setup: Setup) -> bool:
    return any(d.error == "invalid_envelope" for d in await tool(setup).read("training"))
