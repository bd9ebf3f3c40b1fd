"""The composition root: the registry described for the kit's bootstrap builder, with its PII cipher."""

from berdaya_shared import audit
from berdaya_shared.auth import AuthSettings
from berdaya_shared.runtime import ServiceRuntime
from berdaya_shared.service import ServiceSpec, build_app
from fastapi import FastAPI

from .adapters import audit_store
from .config import Settings
from .entrypoints import api_audit, api_businesses, api_coops, api_imports, api_welfare, api_women
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
    routers=lambda: [api_imports.router, api_women.router, api_welfare.router, api_welfare.case_notes_router,
                     api_businesses.router, api_coops.router, api_audit.router],
    migrations="registry.adapters.migrations",
)


def create_app(settings: Settings | None = None, *, group_id: str | None = None,
               auth: AuthSettings | None = None) -> FastAPI:
    settings = settings or Settings()
    cipher = settings.cipher()

    def configure(app: FastAPI, _runtime: ServiceRuntime) -> None:
        app.state.cipher = cipher
        # The trail keeps stored state (personal data only as fingerprints), never answers that carry it.
        audit.install(app, snapshot=audit_store.snapshot, store_answer=False)
        app.add_middleware(api_imports.UploadLimit, max_bytes=settings.import_max_bytes)

    return build_app(SPEC, database_url=settings.database_url, messaging=settings.messaging, settings=settings,
                     group_id=group_id, auth=auth, configure=configure)
