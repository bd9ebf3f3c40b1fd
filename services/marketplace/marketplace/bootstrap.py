"""The one composition root: the marketplace service described for the kit's bootstrap builder."""

from berdaya_contracts.topics import REGISTRY_EVENTS
from berdaya_shared.auth import AuthSettings
from berdaya_shared.service import ServiceSpec, build_app
from fastapi import FastAPI

from .config import Settings
from .entrypoints import api_fairs, api_trade, consumer
from .entrypoints.policy import POLICY

SPEC = ServiceSpec(
    name="marketplace",
    title="Berdaya — Pasar",
    description="Akses pasar Disperindag untuk usaha perempuan: pameran dan stan, produk di kanal pameran, pasar "
                "modern dan pasar digital, serta penjualannya. Setiap perubahan diterbitkan di topik "
                "`marketplace.events` (kontrak v1) melalui outbox; usaha diperiksa terhadap replika "
                "`registry.events`. Semua perintah menerima header Idempotency-Key.",
    policy=POLICY,
    routers=lambda: [api_fairs.router(), api_trade.router()],
    migrations="marketplace.adapters.migrations",
    consume_topics=(REGISTRY_EVENTS,),
    apply=consumer.apply,
)


def create_app(settings: Settings | None = None, *, group_id: str | None = None,
               auth: AuthSettings | None = None) -> FastAPI:
    settings = settings or Settings()
    return build_app(SPEC, database_url=settings.database_url, messaging=settings.messaging, settings=settings,
                     group_id=group_id, auth=auth)
