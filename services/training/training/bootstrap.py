"""The one composition root: runtime (database, broker, outbox relay, replica consumer) and the app."""

from importlib.resources import files

from berdaya_shared.asyncapi import asyncapi_router
from berdaya_shared.auth import install_auth
from berdaya_shared.http import DomainError, install_error_handlers
from berdaya_shared.runtime import ServiceRuntime
from berdaya_shared.topics import REGISTRY_EVENTS
from fastapi import Depends, FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse

from .config import Settings
from .domain.errors import Refused
from .entrypoints import consumer
from .entrypoints.api import courses_router, placements_router
from .entrypoints.policy import POLICY, course_ownership

SERVICE = "training"


def migrations() -> list[str]:
    return [files("training.adapters").joinpath("schema.sql").read_text()]


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
        title="Berdaya — layanan pelatihan (training)",
        version="1.0.0",
        description="DP3A and Distransnaker courses: scheduling, enrolment of registered women, attendance per "
                    "session, completion with certificate, drop-outs and job placements. Every change is "
                    "published on `training.events` (v1 contracts) through the outbox.",
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

    app.include_router(courses_router([Depends(course_ownership)]))
    app.include_router(placements_router())
    app.include_router(asyncapi_router())

    @app.get("/health", tags=["ops"], summary="Liveness")
    async def health() -> dict[str, str]:
        return {"status": "ok", "service": SERVICE}

    @app.get("/ready", tags=["ops"], summary="Readiness: database and broker reachable")
    async def ready() -> JSONResponse:
        status = await runtime.health()
        return JSONResponse(status_code=200 if status["ok"] else 503, content=jsonable_encoder(status))

    return app
