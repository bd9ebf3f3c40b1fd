"""The composition root: settings, PII cipher, runtime (database, outbox relay) and the FastAPI app."""

from importlib.resources import files

from berdaya_shared import audit
from berdaya_shared.asyncapi import asyncapi_router
from berdaya_shared.auth import install_auth
from berdaya_shared.http import install_error_handlers, install_ops_routes
from berdaya_shared.runtime import ServiceRuntime
from fastapi import FastAPI

from .adapters import audit_store, clients
from .adapters.crypto import PiiCipher
from .config import Settings
from .entrypoints import api_audit, api_imports, api_ukm_coops, api_welfare_aid, api_women, oauth
from .entrypoints.policy import POLICY

DESCRIPTION = (
    "Registri Berdaya: sumber kebenaran tentang perempuan, kesejahteraan rumah tangga, bantuan, UKM dan koperasi. "
    "Satu-satunya layanan yang menyimpan NIK dan nama (terenkripsi). Setiap perubahan menerbitkan peristiwa v1 "
    "di topik registry.events tanpa data pribadi. Semua perintah menerima header Idempotency-Key."
)


def create_app(settings: Settings | None = None, *, group_id: str | None = None) -> FastAPI:
    settings = settings or Settings()
    assert settings.nik_encryption_key and settings.nik_hmac_key  # guaranteed by Settings' validator
    cipher = PiiCipher(settings.nik_encryption_key, settings.nik_hmac_key)
    runtime = ServiceRuntime(
        name="registry",
        database_url=settings.database_url,
        migrations=[files("registry.adapters").joinpath("schema.sql").read_text(), clients.SCHEMA,
                    audit_store.SCHEMA],
        settings=settings.messaging,
        group_id=group_id,
    )
    app = FastAPI(title="Berdaya — Registri", version="1.0.0", description=DESCRIPTION, lifespan=runtime.lifespan)
    app.state.runtime = runtime
    app.state.cipher = cipher
    app.state.settings = settings
    install_error_handlers(app)
    install_auth(app, POLICY)
    # The trail keeps stored state (personal data only as fingerprints), never answers that carry it.
    audit.install(app, snapshot=audit_store.snapshot, store_answer=False)
    oauth.install(app)
    app.include_router(api_imports.router)
    app.include_router(api_women.router)
    app.include_router(api_welfare_aid.router)
    app.include_router(api_welfare_aid.case_notes_router)
    app.include_router(api_ukm_coops.router)
    app.include_router(api_audit.router)
    app.include_router(asyncapi_router())
    app.add_middleware(api_imports.UploadLimit, max_bytes=settings.import_max_bytes)
    install_ops_routes(app, "registry", runtime.health)

    return app
