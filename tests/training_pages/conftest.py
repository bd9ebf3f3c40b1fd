"""The real registry and training services on real ports, trusting a Keycloak realm of their own, in a topic
namespace of their own on the real broker: what a trainer's browser meets."""

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest_asyncio
from berdaya_shared.messaging import MessagingSettings
from berdaya_shared.ui.config import UiSettings
from registry.bootstrap import create_app as create_registry
from registry.config import Settings as RegistrySettings
from starlette.types import ASGIApp, Receive, Scope, Send
from training.bootstrap import create_app as create_training
from training.config import Settings as TrainingSettings

from deploy.keycloak.tokens import ClientCredentials
from tests.support import infra
from tests.support.auth import keycloak_settings, realm_headers, web_client
from tests.support.browser import browser, context  # noqa: F401 (fixtures)
from tests.support.kafka import unique
from tests.support.keycloak import KeycloakServer, TestRealm, keycloak  # noqa: F401 (fixture)
from tests.support.namespaces import create_namespace, delete_namespace
from tests.ui.conftest import free_port, serve


@dataclass
class Seen:
    """Every request that reached a service (method, path), in order."""

    requests: list[tuple[str, str]] = field(default_factory=list)

    def wrap(self, app: ASGIApp) -> Callable[[Scope, Receive, Send], Any]:
        async def counted(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] == "http":
                self.requests.append((scope["method"], scope["path"]))
            await app(scope, receive, send)

        return counted


@dataclass
class Platform:
    registry_url: str
    training_url: str
    registry_db: str
    training_db: str
    realm: TestRealm
    machines: ClientCredentials
    training_seen: Seen
    training_app: Any


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def platform(keycloak: KeycloakServer, kafka_bootstrap: str,  # noqa: F811
                   database_server_url: str) -> AsyncIterator[Platform]:
    realm = await keycloak.create_realm()
    namespace = await create_namespace(kafka_bootstrap)
    reg_port, trn_port = free_port(), free_port()
    reg_origin, trn_origin = f"http://127.0.0.1:{reg_port}", f"http://127.0.0.1:{trn_port}"
    ui = UiSettings(service_urls={"registry": reg_origin, "training": trn_origin, "marketplace": reg_origin,
                                  "monitoring": reg_origin})
    secret = await web_client(realm, "berdaya-training", trn_origin)
    reg_secret = await web_client(realm, "berdaya-registry", reg_origin)
    messaging = MessagingSettings(kafka_bootstrap_servers=kafka_bootstrap, topic_namespace=namespace,
                                  relay_poll_interval_s=0.2, consumer_batch_timeout_ms=50)
    reg_db = await infra.create_database(database_server_url, prefix="pgr")
    trn_db = await infra.create_database(database_server_url, prefix="pgt")
    registry = create_registry(RegistrySettings(database_url=reg_db, messaging=messaging), group_id=unique("g"),
                               auth=keycloak_settings(realm, client_id="berdaya-registry", client_secret=reg_secret),
                               ui=ui)
    training = create_training(TrainingSettings(database_url=trn_db, messaging=messaging), group_id=unique("g"),
                               auth=keycloak_settings(realm, client_id="berdaya-training", client_secret=secret),
                               ui=ui)
    seen = Seen()
    try:
        async with serve(registry, reg_port), serve(seen.wrap(training), trn_port):  # type: ignore[arg-type]
            machines = await realm_headers(realm).prefetch()
            yield Platform(reg_origin, trn_origin, reg_db, trn_db, realm, machines, seen, training)
    finally:
        await realm.delete()
        await infra.drop_database(database_server_url, reg_db)
        await infra.drop_database(database_server_url, trn_db)
        await delete_namespace(kafka_bootstrap, namespace)
