"""The registry and the training service in one process, one topic namespace and a database each, against the
real broker: one registration flows HTTP → registry outbox → Kafka → training's inbox. The spans of both are
kept in memory (an in-memory exporter added to the process's tracer provider)."""

from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest_asyncio
from berdaya_shared.messaging import MessagingSettings
from berdaya_shared.observability import tracing
from fastapi import FastAPI
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from registry.bootstrap import create_app as create_registry
from registry.config import Settings as RegistrySettings
from training.bootstrap import create_app as create_training

from tests.support import infra
from tests.support.auth import AllScopes
from tests.support.kafka import unique
from tests.training.conftest import settings_for
from tests.training.helpers import create_namespace_topics, new_namespace


@dataclass
class Pair:
    registry: httpx.AsyncClient
    training: httpx.AsyncClient
    registry_app: FastAPI
    training_app: FastAPI
    spans: InMemorySpanExporter
    bootstrap: str
    namespace: str


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def pair(kafka_bootstrap: str, database_server_url: str) -> AsyncIterator[Pair]:
    namespace = new_namespace()
    await create_namespace_topics(kafka_bootstrap, namespace)
    urls = [await infra.create_database(database_server_url, prefix=p) for p in ("opsreg", "opstrn")]
    registry_app = create_registry(RegistrySettings(database_url=urls[0], messaging=MessagingSettings(
        kafka_bootstrap_servers=kafka_bootstrap, topic_namespace=namespace, relay_poll_interval_s=0.2)),
        group_id=unique("g"))
    training_app = create_training(settings_for(kafka_bootstrap, namespace, urls[1]), group_id=unique("g"))
    spans = InMemorySpanExporter()
    processor = SimpleSpanProcessor(spans)
    tracing.configure_tracing("tests").add_span_processor(processor)
    try:
        async with registry_app.state.runtime.lifespan(), training_app.state.runtime.lifespan():
            async with (
                httpx.AsyncClient(transport=httpx.ASGITransport(app=registry_app), base_url="http://r", timeout=60,
                                  auth=AllScopes()) as registry,
                httpx.AsyncClient(transport=httpx.ASGITransport(app=training_app), base_url="http://t", timeout=60,
                                  auth=AllScopes()) as training,
            ):
                yield Pair(registry, training, registry_app, training_app, spans, kafka_bootstrap, namespace)
    finally:
        processor.shutdown()
        for url in urls:
            await infra.drop_database(database_server_url, url)
