"""The UI kit's demo service on a real port, trusting a Keycloak realm of its own, and a browser to drive it."""

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest_asyncio
import uvicorn
from berdaya_shared.messaging import MessagingSettings
from berdaya_shared.ui.config import UiSettings
from fastapi import FastAPI

from tests.support import infra
from tests.support.auth import docs_client, keycloak_settings, web_client
from tests.support.browser import browser, context  # noqa: F401 (fixtures)
from tests.support.keycloak import KeycloakServer, TestRealm, keycloak  # noqa: F401 (fixture)
from tests.ui import demo

# The demo acts as the training service's web client: its tokens' audience and its confidential client.
CLIENT = "berdaya-training"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Demo:
    url: str
    app: FastAPI
    realm: TestRealm
    database_url: str
    server: uvicorn.Server


@contextlib.asynccontextmanager
async def serve(app: FastAPI, port: int) -> AsyncIterator[uvicorn.Server]:
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="on", log_level="warning"))
    task = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 (uvicorn offers no event to wait on)
        if task.done():
            task.result()
        await asyncio.sleep(0.05)
    try:
        yield server
    finally:
        server.should_exit = True
        await task


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def ui_realm(keycloak: KeycloakServer) -> AsyncIterator[TestRealm]:  # noqa: F811
    realm = await keycloak.create_realm()
    yield realm
    await realm.delete()


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def demo_service(ui_realm: TestRealm, kafka_bootstrap: str, database_server_url: str) -> AsyncIterator[Demo]:
    port = free_port()
    origin = f"http://127.0.0.1:{port}"
    secret = await web_client(ui_realm, CLIENT, origin)
    await docs_client(ui_realm, origin)
    database_url = await infra.create_database(database_server_url, prefix="ui")
    app = demo.create_app(
        database_url=database_url, messaging=MessagingSettings(kafka_bootstrap_servers=kafka_bootstrap),
        auth=keycloak_settings(ui_realm, audience=CLIENT, client_id=CLIENT, client_secret=secret),
        ui=UiSettings(service_urls={"registry": origin, "training": origin, "marketplace": origin,
                                    "monitoring": origin}))
    try:
        async with serve(app, port) as server:
            yield Demo(origin, app, ui_realm, database_url, server)
    finally:
        await infra.drop_database(database_server_url, database_url)
