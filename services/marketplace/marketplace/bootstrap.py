"""The one composition root: runtime (database, broker, outbox relay, replica consumer) and the app."""

from importlib.resources import files

from berdaya_shared.asyncapi import asyncapi_router
from berdaya_shared.auth import install_auth
from berdaya_shared.http import install_error_handlers, install_ops_routes, install_refusals
from berdaya_shared.runtime import ServiceRuntime
from berdaya_shared.topics import REGISTRY_EVENTS
from fastapi import FastAPI

from .config import Settings
from .domain.model import Refused
from .entrypoints import consumer
from .entrypoints.api import fairs_router, trade_router
from .entrypoints.policy import POLICY

SERVICE = "marketplace"


def migrations() -> list[str]:
    return [files("marketplace.adapters").joinpath("schema.sql").read_text()]


def create_app(settings: Settings | None = None, *, group_id: str | None = None) -> FastAPI:
    settings = settings or Settings()
    runtime = ServiceRuntime(
        name=SERVICE,
        database_url=settings.database_url,
        migrations=migrations(),
        settings=settings.messaging,
        consume_topics=[REGISTRY_EVENTS],
        apply=consumer.apply,
        group_id=group_id,
    )
    app = FastAPI(
        title="Berdaya — layanan pasar (marketplace)",
        version="1.0.0",
        description="Disperindag's market access for women's businesses: trade fairs and booths, product listings "
                    "on trade-fair, modern-retail and digital channels, and the sales they bring. Every change is "
                    "published on `marketplace.events` (v1 contracts) through the outbox; businesses are checked "
                    "against a replica of `registry.events`.",
        lifespan=runtime.lifespan,
    )
    app.state.runtime = runtime
    app.state.settings = settings
    install_error_handlers(app)
    install_auth(app, POLICY)
    install_refusals(app, Refused)

    app.include_router(fairs_router())
    app.include_router(trade_router())
    app.include_router(asyncapi_router())
    install_ops_routes(app, SERVICE, runtime.health)

    return app
