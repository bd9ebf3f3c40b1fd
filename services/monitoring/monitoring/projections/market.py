"""Trade fairs, booths, listings and sales (marketplace.events).

Booths and sales come in two versions (contracts ``marketplace_v1`` and ``marketplace_v2``, published together):
a v2 ``BoothAssigned`` names every business selling at the booth — its own booth, or a shared booth held by an OPD,
a cooperative or an outlet — and each becomes one ``booths`` row, as its v1 twin does; a v2 ``SaleRecorded`` is the
same ``sales`` row as its v1 twin (same ``sale_ref``). Facts are keyed by refs, so either version alone, or both,
give the same tables.
"""

from typing import Any

from berdaya_contracts import Envelope
from berdaya_contracts import marketplace_v2 as v2

from .batch import Handler, StatementBatch
from .fact import Fact

FAIRS = Fact("fairs", "fair_ref kecamatan_code outside_kukar starts_on ends_on")
BOOTHS = Fact("booths", "fair_ref business_ref owner_person_ref")
# A listing and its delisting may arrive in either order: each writes only its own columns.
LISTINGS = Fact(
    "listings", "product_ref business_ref owner_person_ref channel category price_idr listed_on",
    "(product_ref) DO UPDATE SET business_ref = EXCLUDED.business_ref, owner_person_ref = EXCLUDED.owner_person_ref,"
    " channel = EXCLUDED.channel, category = EXCLUDED.category, price_idr = EXCLUDED.price_idr,"
    " listed_on = EXCLUDED.listed_on",
)
DELISTINGS = Fact("listings", "product_ref business_ref owner_person_ref channel delisted_on",
                  "(product_ref) DO UPDATE SET delisted_on = GREATEST(listings.delisted_on, EXCLUDED.delisted_on)")
SALES = Fact("sales", "sale_ref business_ref owner_person_ref channel fair_ref amount_idr quantity sold_on")



async def booth_assigned(batch: StatementBatch, p: Any, env: Envelope) -> None:
    """One ``booths`` row per business selling at the booth (v1: the one business; v2: every business named)."""
    if isinstance(p, v2.BoothAssigned):
        for b in p.businesses:
            await BOOTHS.store(batch, p.fair_ref, b.business_ref, b.owner_person_ref)
    else:
        await BOOTHS.copy(batch, p, env)


HANDLERS: dict[str, Handler] = {
    "marketplace.TradeFairScheduled": FAIRS.copy,
    "marketplace.BoothAssigned": booth_assigned,
    "marketplace.ProductListed": LISTINGS.copy,
    "marketplace.ProductDelisted": DELISTINGS.copy,
    "marketplace.SaleRecorded": SALES.copy,
}
