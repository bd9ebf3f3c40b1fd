"""The one composition root: the training service described for the kit's bootstrap builder."""

from berdaya_contracts.topics import REGISTRY_EVENTS
from berdaya_shared.service import ServiceSpec, app_factory
from fastapi import Depends

from .config import Settings
from .entrypoints import api_courses, api_placements, consumer
from .entrypoints.policy import POLICY, course_ownership

SPEC = ServiceSpec(
    name="training",
    title="Berdaya — Pelatihan",
    description="Pelatihan DP3A dan Distransnaker: penjadwalan, pendaftaran perempuan terdaftar, kehadiran per sesi, "
                "kelulusan dengan sertifikat, putus pelatihan dan penempatan kerja. Setiap perubahan diterbitkan di "
                "topik `training.events` (kontrak v1) melalui outbox. Semua perintah menerima header Idempotency-Key.",
    policy=POLICY,
    routers=lambda: [api_courses.router([Depends(course_ownership)]), api_placements.router()],
    migrations="training.adapters.migrations",
    consume_topics=(REGISTRY_EVENTS,),
    apply=consumer.apply,
)


create_app = app_factory(SPEC, Settings)
