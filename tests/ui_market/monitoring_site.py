"""A monitoring service on a real port with its staff pages, trusting a Keycloak realm of its own, on the real
broker (its own topic namespace) and database: the round forms' and the cohort page's browser tests."""

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from berdaya_shared.messaging import MessagingSettings
from berdaya_shared.ui.config import UiSettings
from fastapi import FastAPI
from monitoring.bootstrap import create_app
from monitoring.config import Settings

from tests.monitoring.conftest import create_namespace_topics
from tests.support import infra
from tests.support.auth import keycloak_settings, web_client
from tests.support.kafka import unique
from tests.support.keycloak import KeycloakServer, TestRealm
from tests.ui.conftest import free_port, serve

CLIENT = "berdaya-monitoring"


@asynccontextmanager
async def monitoring_site(keycloak: KeycloakServer, kafka_bootstrap: str, database_server_url: str,
                          prefix: str) -> AsyncIterator[tuple[str, TestRealm, FastAPI]]:
    """(origin, realm, app) of a started monitoring service; its realm and database are removed afterwards."""
    realm = await keycloak.create_realm()
    port = free_port()
    origin = f"http://127.0.0.1:{port}"
    secret = await web_client(realm, CLIENT, origin)
    namespace = unique(prefix).lower()
    await create_namespace_topics(kafka_bootstrap, namespace)
    url = await infra.create_database(database_server_url, prefix=prefix)
    settings = Settings(database_url=url, feed_throttle_s=0.5, messaging=MessagingSettings(
        kafka_bootstrap_servers=kafka_bootstrap, topic_namespace=namespace, relay_poll_interval_s=0.2,
        consumer_batch_timeout_ms=50))

    os.environ["BERDAYA_SERVICE_URLS"] = (
        '{"registry": "http://127.0.0.1:8001", "training": "http://127.0.0.1:8002", '
        f'"marketplace": "http://127.0.0.1:8003", "monitoring": "{origin}"}}')
    try:
        assert UiSettings().service_urls["monitoring"] == origin
        app = create_app(settings, group_id=unique("g"),
                         auth=keycloak_settings(realm, audience=CLIENT, client_id=CLIENT, client_secret=secret))
    finally:
        del os.environ["BERDAYA_SERVICE_URLS"]
    try:
        async with serve(app, port):
            yield origin, realm, app
    finally:
        await infra.drop_database(database_server_url, url)
        await realm.delete()
