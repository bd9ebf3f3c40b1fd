"""The composition root: the monitoring service described for the kit's bootstrap builder, with its live feed."""

import asyncio
import dataclasses
from dataclasses import dataclass
from importlib.resources import files
from typing import Any

from berdaya_contracts.topics import EVENT_TOPICS
from berdaya_shared.auth import AuthSettings
from berdaya_shared.runtime import ServiceRuntime
from berdaya_shared.service import ServiceSpec, build_app
from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from .adapters import MIGRATIONS, prepare_projection
from .config import Settings
from .entrypoints import api_admin, api_indicators, api_rounds, api_targets, pages_cohort, pages_rounds
from .entrypoints.consumer import make_apply
from .entrypoints.export_gate import ExportGate, LiveLimit
from .entrypoints.policy import POLICY
from .service_layer.live import LiveFeed
from .service_layer.rebuild import RebuildProgress
from .service_layer.release import scheduled

STATIC = files("monitoring.entrypoints").joinpath("static")

SPEC = ServiceSpec(
    name="monitoring",
    title="Berdaya — Pemantauan",
    description=(
        "Pemantauan Berdaya: proyeksi dari semua topik peristiwa, indikator program, corong, target vs capaian, "
        "ekspor CSV/XLSX, siaran langsung (SSE) dan dasbor. Angka publik berasal dari rilis berkala yang dilindungi "
        "(sel < 5 orang dan sel yang dapat dihitung ulang disembunyikan); angka persis hanya untuk tim evaluasi."
    ),
    policy=POLICY,
    routers=lambda: [api_indicators.router, api_targets.router, api_admin.router, api_rounds.router, api_rounds.pages,
                     pages_rounds.pages, pages_cohort.pages],
    migrations=MIGRATIONS,
    consume_topics=EVENT_TOPICS,
    templates="monitoring.entrypoints",
)


@dataclass
class MonitoringRuntime(ServiceRuntime):
    """The shared runtime plus the live feed's loop, started and stopped with it."""

    feed: LiveFeed | None = None
    releases: Settings | None = None  # the scheduled release's settings, when it runs in this process

    async def start(self) -> None:
        await super().start()
        if self.feed is not None:
            self._tasks.append(asyncio.create_task(self.feed.run(), name="monitoring-live-feed"))
            self._tasks.append(asyncio.create_task(self.feed.listen(self.database_url), name="monitoring-live-listen"))
        if self.feed is not None and self.releases is not None:
            self._tasks.append(asyncio.create_task(scheduled(self.pool, self.releases, self.feed.released),
                                                   name="monitoring-releases"))


def create_app(settings: Settings | None = None, *, group_id: str | None = None,
               auth: AuthSettings | None = None) -> FastAPI:
    settings = settings or Settings()
    holder: dict[str, Any] = {}
    feed = LiveFeed(lambda: holder["runtime"].pool, throttle_s=settings.feed_throttle_s, tick_s=settings.feed_tick_s)

    def configure(app: FastAPI, runtime: ServiceRuntime) -> None:
        assert isinstance(runtime, MonitoringRuntime)
        runtime.feed = feed
        runtime.releases = settings if settings.release_auto else None
        holder["runtime"] = runtime
        app.state.feed = feed
        app.state.rebuild_progress = RebuildProgress()
        app.state.export_gate = ExportGate()  # exports rendered off the event loop, shared, bounded
        app.state.live_limit = LiveLimit()
        runtime.metrics.watch_progress("rebuild", app.state.rebuild_progress.as_dict)  # berdaya_job_* at /metrics
        app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")

        @app.get("/", include_in_schema=False)
        async def dashboard() -> FileResponse:
            return FileResponse(str(STATIC.joinpath("index.html")))

    spec = dataclasses.replace(SPEC, apply=make_apply(feed.mark))  # type: ignore[arg-type]
    return build_app(spec, database_url=settings.database_url, messaging=settings.messaging, settings=settings,
                     group_id=group_id, auth=auth, runtime_class=MonitoringRuntime, prepare=prepare_projection,
                     configure=configure)
