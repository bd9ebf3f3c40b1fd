"""The one composition root: the training service described for the kit's bootstrap builder."""

from berdaya_contracts.topics import REGISTRY_EVENTS
from berdaya_shared.auth import AuthSettings
from berdaya_shared.service import ServiceSpec, build_app
from berdaya_shared.ui.config import UiSettings
from fastapi import Depends, FastAPI

from .config import Settings
from .entrypoints import (
    api_courses,
    api_placements,
    consumer,
    pages_attendance,
    pages_courses,
    pages_placements,
)
from .entrypoints.policy import POLICY, course_ownership

SPEC = ServiceSpec(
    name="training",
    title="Berdaya — Pelatihan",
    description="Pelatihan DP3A dan Distransnaker: penjadwalan, pendaftaran perempuan terdaftar, kehadiran per sesi, "
                "kelulusan dengan sertifikat, putus pelatihan dan penempatan kerja. Setiap perubahan diterbitkan di "
                "topik `training.events` (kontrak v1) melalui outbox. Semua perintah menerima header Idempotency-Key.",
    policy=POLICY,
    routers=lambda: [api_courses.router([Depends(course_ownership)]), api_placements.router(), pages_attendance.pages,
                     pages_courses.pages, pages_placements.pages],
    migrations="training.adapters.migrations",
    consume_topics=(REGISTRY_EVENTS,),
    apply=consumer.apply,
    templates="training.entrypoints",
)


def create_app(settings: Settings | None = None, *, group_id: str | None = None, auth: AuthSettings | None = None,
               ui: UiSettings | None = None) -> FastAPI:
    """The training service; ``ui`` (default: the BERDAYA_* environment) names the other services' addresses."""
    settings = settings or Settings()
    return build_app(SPEC, database_url=settings.database_url, messaging=settings.messaging, settings=settings,
                     group_id=group_id, auth=auth, ui=ui)
