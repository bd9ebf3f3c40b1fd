"""The one composition root: the marketplace service described for the kit's bootstrap builder."""

from berdaya_contracts.topics import REGISTRY_EVENTS
from berdaya_shared.service import ServiceSpec, app_factory

from .config import Settings
from .entrypoints import api_fairs, api_trade, consumer, pages_fairs, pages_listings, pages_sales
from .entrypoints.policy import POLICY

SPEC = ServiceSpec(
    name="marketplace",
    title="Berdaya — Pasar",
    description="Akses pasar Disperindag untuk usaha perempuan: pameran dan stan, produk di kanal pameran, pasar "
                "modern dan pasar digital, serta penjualannya. Setiap perubahan diterbitkan di topik "
                "`marketplace.events` (kontrak v1) melalui outbox; usaha diperiksa terhadap replika "
                "`registry.events`. Semua perintah menerima header Idempotency-Key.",
    policy=POLICY,
    routers=lambda: [api_fairs.router(), api_trade.router(), pages_fairs.pages, pages_sales.pages,
                     pages_listings.pages],
    migrations="marketplace.adapters.migrations",
    consume_topics=(REGISTRY_EVENTS,),
    apply=consumer.apply,
    templates="marketplace.entrypoints",
)

create_app = app_factory(SPEC, Settings)
"""``create_app(settings=None, *, group_id=None, auth=None)``: the marketplace's FastAPI app, its runtime started
by the app's lifespan (settings from ``MARKETPLACE_*`` variables unless given)."""
