"""The one composition root: runtime (database, broker, outbox relay, replica consumer) and the app."""

from importlib.resources import files

from berdaya_shared.asyncapi import asyncapi_router
from berdaya_shared.auth import install_auth
from berdaya_shared.http import DomainError, install_error_handlers
from berdaya_shared.runtime import ServiceRuntime
from berdaya_shared.topics import REGISTRY_EVENTS
from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse

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

    @app.exception_handler(Refused)
    async def _refused(_request: Request, exc: Refused) -> JSONResponse:
        error = DomainError(exc.status, exc.pesan, exc.detail, field=exc.field, **exc.extra)
        return JSONResponse(status_code=exc.status, content=jsonable_encoder(error.body()))

    app.include_router(fairs_router())
    app.include_router(trade_router())
    app.include_router(asyncapi_router())

    @app.get("/health", tags=["ops"], summary="Liveness")
    async def health() -> dict[str, str]:
        return {"status": "ok", "service": SERVICE}

    @app.get("/ready", tags=["ops"], summary="Readiness: database and broker reachable")
    async def ready() -> JSONResponse:
        status = await runtime.health()
        return JSONResponse(status_code=200 if status["ok"] else 503, content=jsonable_encoder(status))

    return app
