import asyncio
import socket
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo

import httpx
import pytest
import pytest_asyncio
import uvicorn
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from berdaya_contracts import Envelope, lookup
from berdaya_contracts.topics import EVENT_TOPIC_PARTITIONS, EVENT_TOPICS, MONITORING_INDICATORS, dlq_topic, physical
from berdaya_shared import clock
from berdaya_shared.messaging import MessagingSettings
from fastapi import FastAPI
from monitoring.bootstrap import create_app
from monitoring.config import Settings

from tests.support import infra
from tests.support.auth import AllScopes
from tests.support.kafka import client_kwargs, unique


class Producers:
    """Publishes envelopes as their producing service would: namespaced contract topic, keyed by aggregate_id."""

    def __init__(self, bootstrap: str, namespace: str) -> None:
        self.namespace = namespace
        self.producer = AIOKafkaProducer(**client_kwargs(bootstrap), enable_idempotence=True, linger_ms=5)

    async def publish(self, envelopes: Iterable[Envelope]) -> None:
        futures = [await self.producer.send(physical(lookup(e.event_type, e.event_version).topic, self.namespace),
                                            e.to_bytes(), key=e.aggregate_id.encode()) for e in envelopes]
        for f in futures:
            await f


@dataclass
class Monitoring:
    client: httpx.AsyncClient  # every scope: exact figures (figures:internal), admin, any OPD
    public: httpx.AsyncClient  # no token: what anyone on the internet gets
    app: FastAPI
    events: Producers
    bootstrap: str
    namespace: str
    settings: Settings


async def create_namespace_topics(bootstrap: str, namespace: str) -> None:
    admin = AIOKafkaAdminClient(**client_kwargs(bootstrap))
    await admin.start()
    try:
        topics = [NewTopic(physical(t, namespace), EVENT_TOPIC_PARTITIONS, 1) for t in (*EVENT_TOPICS, MONITORING_INDICATORS)]
        topics.append(NewTopic(physical(dlq_topic("monitoring"), namespace), 1, 1))
        await admin.create_topics(topics)
    finally:
        await admin.close()


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def started(kafka_bootstrap: str, database_server_url: str) -> AsyncIterator[tuple[FastAPI, Producers, str, Settings]]:
    """A started monitoring service with its own database and topic namespace (history = this module's events)."""
    namespace = unique("mon").lower()
    await create_namespace_topics(kafka_bootstrap, namespace)
    url = await infra.create_database(database_server_url, prefix="mon")
    settings = Settings(database_url=url, feed_throttle_s=0.5, messaging=MessagingSettings(
        kafka_bootstrap_servers=kafka_bootstrap, topic_namespace=namespace, relay_poll_interval_s=0.2,
        consumer_batch_timeout_ms=50))
    app = create_app(settings, group_id=unique("g"))
    producers = Producers(kafka_bootstrap, namespace)
    await producers.producer.start()
    try:
        async with app.state.runtime.lifespan():
            yield app, producers, namespace, settings
    finally:
        await producers.producer.stop()
        await infra.drop_database(database_server_url, url)


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def monitoring(started: tuple[FastAPI, Producers, str, Settings], kafka_bootstrap: str) -> AsyncIterator[Monitoring]:
    app, producers, namespace, settings = started
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t", timeout=60, auth=AllScopes()) as client, \
            httpx.AsyncClient(transport=transport, base_url="http://t", timeout=60) as public:
        yield Monitoring(client, public, app, producers, kafka_bootstrap, namespace, settings)


NEW_YEAR_INSTANT = datetime(2026, 12, 31, 17, 30, tzinfo=UTC)


@pytest.fixture
def new_year_in_kukar(monkeypatch: pytest.MonkeyPatch) -> date:
    """The clock stopped at 2026-12-31T17:30Z: still 31 December in UTC (and by a UTC host's date), already
    1 January 2027 at 01:30 in Kutai Kartanegara (WITA, UTC+8). Returns the date in WITA."""

    class Stopped(datetime):
        @classmethod
        def now(cls, tz: tzinfo | None = None) -> datetime:  # type: ignore[override]
            return NEW_YEAR_INSTANT.astimezone(tz) if tz else NEW_YEAR_INSTANT.replace(tzinfo=None)

    monkeypatch.setattr(clock, "datetime", Stopped)
    return clock.today()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def base_url(started: tuple[FastAPI, Producers, str, object]) -> AsyncIterator[str]:
    """The started service on a real socket (a browser, a streaming SSE client)."""
    app = started[0]
    port = free_port()
    # The runtime is already started by the fixture; uvicorn only serves HTTP on a real socket.
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="off", log_level="warning"))
    task = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 - uvicorn offers no event to wait on
        await asyncio.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    await task
