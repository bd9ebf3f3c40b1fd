from collections.abc import AsyncIterator

import httpx
import pytest
import pytest_asyncio
from berdaya_shared.messaging import MessagingSettings
from registry.bootstrap import create_app
from registry.config import Settings

from tests.registry.helpers import mark_start
from tests.support import infra
from tests.support.auth import AllScopes
from tests.support.kafka import unique


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def registry(kafka_bootstrap: str, database_server_url: str) -> AsyncIterator[tuple[httpx.AsyncClient, str]]:
    """One started registry (own database, real broker) per test module: (client, database url)."""
    await mark_start(kafka_bootstrap)
    url = await infra.create_database(database_server_url, prefix="reg")
    settings = Settings(
        database_url=url,
        messaging=MessagingSettings(kafka_bootstrap_servers=kafka_bootstrap, relay_poll_interval_s=0.2),
    )
    app = create_app(settings, group_id=unique("g"))
    try:
        async with app.state.runtime.lifespan():
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://t", timeout=120, auth=AllScopes(),
                                         headers={"X-Purpose": "pengujian otomatis"}) as client:
                yield client, url
    finally:
        await infra.drop_database(database_server_url, url)


@pytest.fixture
def client(registry: tuple[httpx.AsyncClient, str]) -> httpx.AsyncClient:
    return registry[0]
