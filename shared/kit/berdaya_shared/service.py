"""The bootstrap builder: one function that wires any Berdaya service, given what differs between them.

Each service's ``bootstrap.py`` describes itself in a ``ServiceSpec`` (name, texts, scope policy, routers, its
migrations package, the topics it consumes and how it applies them, its page templates) and calls ``build_app``.
Everything the four share is done here once, in one order: runtime (database pool, migrations, broker, outbox relay,
inbox consumer), error handlers, token verification against the identity provider, the staff pages' kit (templates,
assets, sign-in, security headers, CSRF protection, compression), the API docs pages, correlation ids, the AsyncAPI
document, ``/health`` and ``/ready`` (which also reports whether the identity provider answers).
"""

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import asyncpg
from fastapi import APIRouter, FastAPI
from starlette.middleware.gzip import GZipMiddleware

from . import migrate, observability
from .apidocs import install_docs
from .asyncapi import asyncapi_router
from .auth import PUBLIC, AuthSettings, Policy, Rule, install_auth
from .bodies import BodyGuard
from .entrypoints import CorrelationMiddleware
from .http import install_error_handlers, install_ops_routes
from .messaging.consumer import ApplyBatch
from .messaging.settings import MessagingSettings
from .runtime import ServiceRuntime
from .signin import install_signin
from .ui import setup_ui
from .ui.config import UiSettings
from .ui.security import COMPRESSION, CrossOriginProtection, SecurityHeaders, content_security_policy

# The kit's own routes: sign-in and the docs need no token; a staff page needs a session (any signed-in user).
KIT_RULES: dict[tuple[str, str], Rule] = {
    **{("GET", path): PUBLIC for path in (
        "/auth/login", "/auth/callback", "/auth/signed-out", "/auth/frontchannel-logout", "/sw.js", "/docs",
        "/docs/oauth2-redirect", "/redoc")},
    ("POST", "/auth/logout"): PUBLIC,
    ("POST", "/auth/purpose"): Rule(),
    ("GET", "/auth/purpose"): Rule(),
    ("GET", "/beranda"): Rule(),
}


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
    templates: str | None = None  # package holding the service's page templates in templates/ (ChoiceLoader)


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
    ui: UiSettings | None = None,
    runtime_class: type[ServiceRuntime] = ServiceRuntime,
    prepare: Callable[[asyncpg.Connection], Awaitable[None]] | None = None,
    configure: Callable[[FastAPI, ServiceRuntime], None] | None = None,
) -> FastAPI:
    """The service's FastAPI app, its runtime started and stopped by the app's lifespan.

    ``configure`` adds what only this service has (app state such as the registry's cipher, the audit snapshot,
    middleware, static files); it runs before the routers are included. ``group_id`` overrides the consumer
    group (tests use their own). ``auth`` and ``ui`` default to the environment's AUTH_* and BERDAYA_* settings."""
    auth = auth or AuthSettings()
    ui = ui or UiSettings()
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
    holder: dict[str, Any] = {}

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with runtime.lifespan(app):
            verifier = app.state.auth
            prefetch = asyncio.create_task(verifier.keys.refresh()) if verifier.keys is not None else None
            holder["prefetch"] = prefetch  # the identity provider's keys, fetched while the first requests arrive
            try:
                yield
            finally:
                if prefetch is not None:
                    prefetch.cancel()
                await verifier.close()

    app = FastAPI(title=spec.title, version=spec.version, description=spec.description, lifespan=lifespan,
                  openapi_tags=[dict(t) for t in spec.openapi_tags] or None, docs_url=None, redoc_url=None)
    app.state.runtime = runtime
    app.state.settings = settings
    install_error_handlers(app)
    verifier = install_auth(app, spec.policy.with_rules(KIT_RULES), auth, service=spec.name)
    setup_ui(app, service=spec.name, settings=ui, templates=spec.templates)
    install_signin(app, service=spec.name, auth=auth, ui=ui, verifier=verifier)
    install_docs(app, auth)
    if configure is not None:
        configure(app, runtime)
    for router in spec.routers():
        app.include_router(router)
    app.include_router(asyncapi_router())

    async def health() -> dict[str, Any]:
        status = await runtime.health()
        # Reported, not required: tokens keep being verified with the cached keys while the provider is down.
        status["identity_provider"] = await verifier.identity_provider()
        return status

    install_ops_routes(app, spec.name, health)
    observability.install(app, runtime)  # /metrics, HTTP metrics and spans
    issuer = urlsplit(auth.issuer)
    csp = content_security_policy(connect=ui.origins(), form_action=[f"{issuer.scheme}://{issuer.netloc}"])
    public = urlsplit(ui.public_url) if ui.public_url else None
    app.add_middleware(BodyGuard, root=app)  # inside the headers and correlation id, outside every body reader
    app.add_middleware(CrossOriginProtection, also_allowed=[f"{public.scheme}://{public.netloc}"] if public else [])
    app.add_middleware(SecurityHeaders, csp=csp)
    app.add_middleware(GZipMiddleware, **COMPRESSION)
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
