from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest_asyncio
from berdaya_shared.messaging import MessagingSettings
from fastapi import FastAPI
from training.bootstrap import create_app
from training.config import Settings

from tests.support import infra
from tests.support.auth import AllScopes
from tests.support.kafka import unique
from tests.training.helpers import Registry, create_namespace_topics, new_namespace


@dataclass
class Training:
    client: httpx.AsyncClient
    app: FastAPI
    registry: Registry
    bootstrap: str
    namespace: str
    database_url: str
    settings: Settings


def settings_for(bootstrap: str, namespace: str, database_url: str) -> Settings:
    return Settings(
        database_url=database_url,
        messaging=MessagingSettings(kafka_bootstrap_servers=bootstrap, topic_namespace=namespace,
                                    relay_poll_interval_s=0.2, consumer_batch_timeout_ms=50),
    )


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def training(kafka_bootstrap: str, database_server_url: str) -> AsyncIterator[Training]:
    """One started training service per test module: own database, own topic namespace, real broker."""
    namespace = new_namespace()
    await create_namespace_topics(kafka_bootstrap, namespace)
    url = await infra.create_database(database_server_url, prefix="trn")
    settings = settings_for(kafka_bootstrap, namespace, url)
    app = create_app(settings, group_id=unique("g"))
    registry = Registry(kafka_bootstrap, namespace)
    await registry.start()
    try:
        async with app.state.runtime.lifespan():
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://t", timeout=60, auth=AllScopes()) as client:
                yield Training(client, app, registry, kafka_bootstrap, namespace, url, settings)
    finally:
        await registry.stop()
        await infra.drop_database(database_server_url, url)

