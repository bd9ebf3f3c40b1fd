"""The composition root: the registry described for the kit's bootstrap builder, with its PII cipher."""

import asyncpg
from berdaya_contracts.topics import MARKETPLACE_EVENTS, TRAINING_EVENTS
from berdaya_shared import audit
from berdaya_shared.auth import AuthSettings
from berdaya_shared.runtime import ServiceRuntime
from berdaya_shared.service import ServiceSpec, build_app
from berdaya_shared.ui.config import UiSettings
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from .adapters import audit_store
from .adapters.repository import names
from .config import Settings
from .entrypoints import (
    api_audit,
    api_businesses,
    api_coops,
    api_imports,
    api_journey,
    api_merges,
    api_unreached,
    api_welfare,
    api_women,
    consumer,
    pages_directory,
    pages_duplicates,
    pages_imports,
    pages_programs,
    pages_unreached,
    pages_woman,
    pages_women,
)
from .entrypoints.policy import POLICY

SPEC = ServiceSpec(
    name="registry",
    title="Berdaya — Registri",
    description=(
        "Registri Berdaya: sumber kebenaran tentang perempuan, kesejahteraan rumah tangga, bantuan, UKM dan koperasi. "
        "Satu-satunya layanan yang menyimpan NIK dan nama (terenkripsi). Setiap perubahan menerbitkan peristiwa v1 "
        "di topik registry.events tanpa data pribadi. Semua perintah menerima header Idempotency-Key."
    ),
    policy=POLICY,
    routers=lambda: [api_imports.router, api_women.router, api_merges.router, api_welfare.router,
                     api_welfare.case_notes_router, api_businesses.router, api_coops.router, api_audit.router,
                     api_journey.router, api_unreached.router, pages_women.pages, pages_imports.pages,
                     pages_woman.pages, pages_programs.pages, pages_directory.pages, pages_unreached.pages,
                     pages_duplicates.pages],
    migrations="registry.adapters.migrations",
    # each woman's journey across OPDs (adapters/journey.py)
    consume_topics=(TRAINING_EVENTS, MARKETPLACE_EVENTS),
    apply=consumer.apply,
    templates="registry.entrypoints",
)


def trainee_audience(auth: AuthSettings, audience: str) -> AuthSettings:
    """``auth`` also accepting ``audience`` (the training pages' client: a trainer's browser asks for her course
    participants' names with the token she signed in with there)."""
    if not audience or audience in auth.audiences("registry"):
        return auth
    extra = ",".join(a for a in (auth.extra_audiences, audience) if a)
    return auth.model_copy(update={"extra_audiences": extra})


def create_app(settings: Settings | None = None, *, group_id: str | None = None,
               auth: AuthSettings | None = None, ui: UiSettings | None = None) -> FastAPI:
    settings = settings or Settings()
    auth = trainee_audience(auth or AuthSettings(), settings.trainee_names_audience)
    ui = ui or UiSettings()
    cipher = settings.cipher()

    async def prepare(conn: asyncpg.Connection) -> None:
        await names.index_missing(conn, cipher)  # women stored before the name index existed

    def configure(app: FastAPI, _runtime: ServiceRuntime) -> None:
        app.state.cipher = cipher
        # The trail keeps stored state (personal data only as fingerprints), never answers that carry it.
        audit.install(app, snapshot=audit_store.snapshotter(cipher.audit_key), store_answer=False)
        app.add_middleware(api_imports.UploadLimit, max_bytes=settings.import_max_bytes)
        app.add_middleware(api_imports.UploadLimit, max_bytes=settings.import_max_bytes, path="/perempuan/impor")
        # Only the other services' pages (configured origins) may call from a browser: the trainee names.
        app.add_middleware(CORSMiddleware, allow_origins=ui.origins(), allow_methods=["POST"],
                           allow_headers=["Authorization", "Content-Type", "X-Purpose"], max_age=600)
        # uploads are bounded by UploadLimit (import_max_bytes)
        app.state.body_limits = {("POST", "/women/imports"): None, ("POST", "/perempuan/impor"): None}

    return build_app(SPEC, database_url=settings.database_url, messaging=settings.messaging, settings=settings,
                     group_id=group_id, auth=auth, ui=ui, prepare=prepare, configure=configure)
