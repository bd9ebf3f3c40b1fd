"""The marketplace service on a real port with its staff pages, trusting a Keycloak realm of its own, on the real
broker (its own topic namespace; the registry's BusinessRegistered events published as the registry would) and
database; one browser per test session."""

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from uuid import UUID

import pytest_asyncio
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from berdaya_contracts.topics import EVENT_TOPIC_PARTITIONS, MARKETPLACE_EVENTS, REGISTRY_EVENTS, dlq_topic, physical
from berdaya_shared.messaging import MessagingSettings
from berdaya_shared.service import build_app
from berdaya_shared.ui.config import UiSettings
from fastapi import FastAPI
from marketplace.bootstrap import SPEC
from marketplace.config import Settings

from tests.marketplace.conftest import Registry
from tests.support import infra
from tests.support.auth import keycloak_settings, web_client
from tests.support.browser import browser, context  # noqa: F401 (fixtures)
from tests.support.kafka import client_kwargs, unique, wait_for
from tests.support.keycloak import KeycloakServer, TestRealm, keycloak  # noqa: F401 (fixture)
from tests.ui.conftest import free_port, serve

CLIENT = "berdaya-marketplace"


@dataclass
class MarketSite:
    url: str
    app: FastAPI
    realm: TestRealm
    database_url: str
    registry: Registry
    businesses: dict[str, UUID] = field(default_factory=dict)

    async def known_business(self, name: str, sector: str = "kuliner") -> UUID:
        ref, _owner = await self.registry.business(sector=sector)

        async def arrived() -> bool:
            async with self.app.state.runtime.pool.acquire() as conn:
                return bool(await conn.fetchval("SELECT registered FROM businesses_replica WHERE business_ref = $1",
                                                ref))
        await wait_for(arrived, timeout_s=30)
        self.businesses[name] = ref
        return ref


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def market_site(keycloak: KeycloakServer, kafka_bootstrap: str,  # noqa: F811
                      database_server_url: str) -> AsyncIterator[MarketSite]:
    realm = await keycloak.create_realm()
    port = free_port()
    origin = f"http://127.0.0.1:{port}"
    secret = await web_client(realm, CLIENT, origin)
    namespace = unique("mktui").lower()
    admin = AIOKafkaAdminClient(**client_kwargs(kafka_bootstrap))
    await admin.start()
    try:
        await admin.create_topics([NewTopic(physical(t, namespace), EVENT_TOPIC_PARTITIONS, 1)
                                   for t in (REGISTRY_EVENTS, MARKETPLACE_EVENTS)]
                                  + [NewTopic(physical(dlq_topic("marketplace"), namespace), 1, 1)])
    finally:
        await admin.close()
    database_url = await infra.create_database(database_server_url, prefix="mktui")
    messaging = MessagingSettings(kafka_bootstrap_servers=kafka_bootstrap, topic_namespace=namespace,
                                  relay_poll_interval_s=0.2, consumer_batch_timeout_ms=50)
    settings = Settings(database_url=database_url, messaging=messaging)
    app = build_app(SPEC, database_url=database_url, messaging=messaging, settings=settings, group_id=unique("g"),
                    auth=keycloak_settings(realm, audience=CLIENT, client_id=CLIENT, client_secret=secret),
                    ui=UiSettings(service_urls={"registry": "http://127.0.0.1:8001", "training": "http://127.0.0.1:8002",
                                                "marketplace": origin, "monitoring": "http://127.0.0.1:8004"}))
    registry = Registry(kafka_bootstrap, namespace)
    await registry.producer.start()
    try:
        async with serve(app, port):
            yield MarketSite(origin, app, realm, database_url, registry)
    finally:
        await registry.producer.stop()
        await infra.drop_database(database_server_url, database_url)
        await realm.delete()
