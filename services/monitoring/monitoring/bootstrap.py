"""The composition root: settings, runtime (database, inbox consumer, outbox relay), live feed, the app."""

import asyncio
from dataclasses import dataclass
from importlib.resources import files
from typing import Any

from berdaya_shared.asyncapi import asyncapi_router
from berdaya_shared.auth import install_auth
from berdaya_shared.http import install_error_handlers, install_ops_routes
from berdaya_shared.runtime import ServiceRuntime
from berdaya_shared.topics import EVENT_TOPICS
from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from .adapters import LIVE_SCHEMA, projection_ddl, service_ddl
from .adapters.rounds import rounds_ddl
from .config import Settings
from .entrypoints import api, api_rounds
from .entrypoints.consumer import make_apply
from .entrypoints.policy import POLICY
from .service_layer.live import LiveFeed
from .service_layer.rebuild import RebuildProgress

DESCRIPTION = (
    "Pemantauan Berdaya: proyeksi dari semua topik peristiwa, indikator program (BRIEF.md), corong, target vs "
    "capaian, ekspor CSV/XLSX, siaran langsung (SSE) dan dasbor. Sel dengan kurang dari 5 orang disembunyikan."
)
STATIC = files("monitoring.entrypoints").joinpath("static")


@dataclass
class MonitoringRuntime(ServiceRuntime):
    """The shared runtime plus the live feed's loop, started and stopped with it."""

    feed: LiveFeed | None = None

    async def start(self) -> None:
        await super().start()
        if self.feed is not None:
            self._tasks.append(asyncio.create_task(self.feed.run(), name="monitoring-live-feed"))


def create_app(settings: Settings | None = None, *, group_id: str | None = None) -> FastAPI:
    settings = settings or Settings()
    holder: dict[str, Any] = {}
    feed = LiveFeed(lambda: holder["runtime"].pool, throttle_s=settings.feed_throttle_s)
    runtime = MonitoringRuntime(
        name="monitoring",
        database_url=settings.database_url,
        migrations=[service_ddl(), projection_ddl(LIVE_SCHEMA), rounds_ddl()],
        settings=settings.messaging,
        consume_topics=EVENT_TOPICS,
        apply=make_apply(feed.mark),  # type: ignore[arg-type]
        group_id=group_id,
    )
    runtime.feed = feed
    holder["runtime"] = runtime
    app = FastAPI(title="Berdaya — Pemantauan", version="1.0.0", description=DESCRIPTION, lifespan=runtime.lifespan)
    app.state.runtime = runtime
    app.state.feed = feed
    app.state.settings = settings
    app.state.rebuild_progress = RebuildProgress()
    install_error_handlers(app)
    install_auth(app, POLICY)
    app.include_router(api.router)
    app.include_router(api.admin)
    app.include_router(api_rounds.router)
    app.include_router(api_rounds.pages)
    app.include_router(asyncapi_router())
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")

    @app.get("/", include_in_schema=False)
    async def dashboard() -> FileResponse:
        return FileResponse(str(STATIC.joinpath("index.html")))
    install_ops_routes(app, "monitoring", runtime.health)

    return app
