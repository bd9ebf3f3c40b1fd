"""The bootstrap builder: one function that wires any Berdaya service, given what differs between them.

Each service's ``bootstrap.py`` describes itself in a ``ServiceSpec`` (name, texts, scope policy, routers, its
migrations package, the topics it consumes and how it applies them) and calls ``build_app``. Everything the four
share is done here once, in one order: runtime (database pool, migrations, broker, outbox relay, inbox consumer),
error handlers, token verification, correlation ids, the AsyncAPI document, ``/health`` and ``/ready``.
"""

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import asyncpg
from fastapi import APIRouter, FastAPI

from . import migrate, observability
from .asyncapi import asyncapi_router
from .auth import AuthSettings, Policy, install_auth
from .entrypoints import CorrelationMiddleware
from .http import install_error_handlers, install_ops_routes
from .messaging.consumer import ApplyBatch
from .messaging.settings import MessagingSettings
from .runtime import ServiceRuntime


@dataclass(frozen=True)
class ServiceSpec:
    """What makes a service itself."""

    name: str  # "registry": the consumer group, the client id on Kafka, the migrations component
    title: str  # OpenAPI title, in Bahasa Indonesia
    description: str  # OpenAPI description, in Bahasa Indonesia
    policy: Policy
    routers: Callable[[], Sequence[APIRouter]]
    migrations: str  # package holding the service's NNNN_name.sql files
    consume_topics: Sequence[str] = ()
    apply: ApplyBatch | None = None
    version: str = "1.0.0"
    openapi_tags: Sequence[Mapping[str, Any]] = field(default_factory=tuple)


def service_migrations(spec: ServiceSpec) -> list[migrate.Migration]:
    return migrate.load(spec.name, spec.migrations)


def build_app(
    spec: ServiceSpec,
    *,
    database_url: str,
    messaging: MessagingSettings,
    settings: Any = None,
    group_id: str | None = None,
    auth: AuthSettings | None = None,
    runtime_class: type[ServiceRuntime] = ServiceRuntime,
    prepare: Callable[[asyncpg.Connection], Awaitable[None]] | None = None,
    configure: Callable[[FastAPI, ServiceRuntime], None] | None = None,
) -> FastAPI:
    """The service's FastAPI app, its runtime started and stopped by the app's lifespan.

    ``configure`` adds what only this service has (app state such as the registry's cipher, the audit snapshot,
    middleware, static files); it runs before the routers are included. ``group_id`` overrides the consumer
    group (tests use their own)."""
    runtime = runtime_class(
        name=spec.name,
        database_url=database_url,
        migrations=service_migrations(spec),
        settings=messaging,
        consume_topics=spec.consume_topics,
        apply=spec.apply,
        group_id=group_id,
        prepare=prepare,
    )
    app = FastAPI(title=spec.title, version=spec.version, description=spec.description, lifespan=runtime.lifespan,
                  openapi_tags=[dict(t) for t in spec.openapi_tags] or None)
    app.state.runtime = runtime
    app.state.settings = settings
    install_error_handlers(app)
    install_auth(app, spec.policy, auth)
    if configure is not None:
        configure(app, runtime)
    for router in spec.routers():
        app.include_router(router)
    app.include_router(asyncapi_router())
    install_ops_routes(app, spec.name, runtime.health)
    observability.install(app, runtime)  # /metrics, HTTP metrics and spans
    app.add_middleware(CorrelationMiddleware)
    return app


def app_factory(spec: ServiceSpec, settings_class: Callable[[], Any]) -> Callable[..., FastAPI]:
    """``create_app(settings=None, *, group_id=None, auth=None)`` for a service with nothing of its own to configure.

    ``settings_class()`` reads the settings from the environment when none are given; they carry ``database_url``
    and ``messaging``. A service with app state, middleware or its own runtime writes its ``create_app`` around
    ``build_app`` instead."""

    def create_app(settings: Any = None, *, group_id: str | None = None, auth: AuthSettings | None = None) -> FastAPI:
        settings = settings or settings_class()
        return build_app(spec, database_url=settings.database_url, messaging=settings.messaging, settings=settings,
                         group_id=group_id, auth=auth)

    return create_app
