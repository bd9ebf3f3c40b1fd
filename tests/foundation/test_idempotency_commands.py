"""Every command of every service, sent as a client on a patchy connection sends it: several copies with one
Idempotency-Key at the same moment, then more copies one after another. Every copy gets the same status and body,
the command takes effect once (one audit row) and stages its events once (the outbox).

The four services run in this process (ASGI) on the real PostgreSQL and Kafka, in a topic namespace of their own;
the replicas of training and marketplace fill from the registry's real events. The write routes come from each
app's OpenAPI document, so a new command without a case here fails the coverage test.
"""

import asyncio
import contextlib
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Awaitable
from typing import Any

import httpx
import pytest
import pytest_asyncio
from berdaya_shared.messaging import MessagingSettings
from fastapi import FastAPI

from tests.foundation.idempotency_cases import CASES, NOT_COMMANDS, REFUSALS, Case, World
from tests.support import infra
from tests.support.kafka import unique
from tests.support.platform import SERVICES, _create_namespaced_topics, _delete_topics

CONCURRENT, SEQUENTIAL = 5, 2
WRITE_METHODS = {"post", "put", "patch", "delete"}


def _settings(service: str, database_url: str, messaging: MessagingSettings) -> Any:
    config = __import__(f"{service}.config", fromlist=["Settings"])
    return config.Settings(database_url=database_url, messaging=messaging)


def _app(service: str, settings: Any) -> FastAPI:
    bootstrap = __import__(f"{service}.bootstrap", fromlist=["create_app"])
    return bootstrap.create_app(settings, group_id=unique(f"idem-{service}"))


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def world(kafka_bootstrap: str, database_server_url: str) -> AsyncIterator[World]:
    namespace = f"idem-{uuid.uuid4().hex[:8]}"
    topics = await _create_namespaced_topics(kafka_bootstrap, namespace)
    messaging = MessagingSettings(kafka_bootstrap_servers=kafka_bootstrap, topic_namespace=namespace,
                                  relay_poll_interval_s=0.2, consumer_batch_timeout_ms=50)
    urls = {s: await infra.create_database(database_server_url, prefix=f"idem_{s}") for s in SERVICES}
    apps = {s: _app(s, _settings(s, urls[s], messaging)) for s in SERVICES}
    try:
        async with contextlib.AsyncExitStack() as stack:
            for app in apps.values():
                await stack.enter_async_context(app.state.runtime.lifespan())
            clients = {s: await stack.enter_async_context(httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url=f"http://{s}", timeout=60))
                for s, app in apps.items()}
            pools = {s: app.state.runtime.pool for s, app in apps.items()}
            yield World(clients, pools)
    finally:
        for url in urls.values():
            await infra.drop_database(database_server_url, url)
        await _delete_topics(kafka_bootstrap, topics)


async def counts(w: World, service: str, correlation: str) -> tuple[int, Counter[str]]:
    """Audit rows of one service, and its outbox rows (by event type) caused by requests with ``correlation``
    (monitoring's outbox also fills from its consumer, with events no request here caused)."""
    pool = w.pools[service]
    events = Counter({r["event_type"]: r["n"] for r in await pool.fetch(
        "SELECT event_type, count(*) AS n FROM outbox"
        " WHERE convert_from(envelope, 'UTF8')::jsonb ->> 'correlation_id' = $1 GROUP BY event_type", correlation)})
    return await pool.fetchval("SELECT count(*) FROM audit_log"), events


async def copies(w: World, case: Case) -> tuple[list[httpx.Response], list[httpx.Response], int, Counter[str]]:
    """The copies sent at once and those sent after, with the audit rows and events they added."""
    path, body = await case.prepare(w)
    key, correlation = f"sheet-{uuid.uuid4()}", str(uuid.uuid4())
    audit_before, _ = await counts(w, case.service, correlation)

    def send() -> Awaitable[httpx.Response]:
        return w.send(case.service, case.method, path, body, opd=case.opd, key=key, correlation=correlation)

    at_once = await asyncio.gather(*(send() for _ in range(CONCURRENT)))
    after = [await send() for _ in range(SEQUENTIAL)]
    audit_after, events = await counts(w, case.service, correlation)
    return list(at_once), after, audit_after - audit_before, events


def check_same_answer(case: Case, at_once: list[httpx.Response], after: list[httpx.Response]) -> None:
    answers = {(r.status_code, r.content) for r in at_once + after}
    assert len(answers) == 1, f"{case.id}: copies got different answers: {answers}"
    (status, _), = answers
    assert status == case.status, f"{case.id}: {at_once[0].status_code} {at_once[0].text}"
    replayed = [r.headers.get("Idempotent-Replayed") == "true" for r in at_once]
    assert replayed.count(False) == 1, f"{case.id}: {replayed.count(False)} copies ran the command"
    assert all(r.headers.get("Idempotent-Replayed") == "true" for r in after)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
async def test_every_copy_of_a_command_gets_the_first_answer_and_it_takes_effect_once(world: World,
                                                                                      case: Case) -> None:
    at_once, after, audited, staged = await copies(world, case)
    check_same_answer(case, at_once, after)
    assert audited == 1, f"{case.id}: {audited} audit rows (one per run of the command)"
    assert staged == Counter(case.events), f"{case.id}: staged {dict(staged)}"


@pytest.mark.parametrize("case", REFUSALS, ids=lambda c: c.id)
async def test_every_copy_of_a_refused_command_gets_the_same_refusal_and_nothing_changes(world: World,
                                                                                          case: Case) -> None:
    at_once, after, audited, staged = await copies(world, case)
    check_same_answer(case, at_once, after)
    assert "pesan" in at_once[0].json()
    assert (audited, staged) == (0, Counter())


async def test_every_write_route_of_every_service_is_a_case_here(world: World) -> None:
    covered = {(c.service, c.method, c.route) for c in CASES} | set(NOT_COMMANDS)
    routes = set()
    for service, client in world.clients.items():
        spec = (await client.get("/openapi.json")).json()
        routes |= {(service, method.upper(), path) for path, operations in spec["paths"].items()
                   for method in operations if method in WRITE_METHODS}
    assert routes - covered == set(), "commands without a case"
    assert covered - routes == set(), "cases for routes that no longer exist"
    assert len(CASES) >= 30
