"""Trade fairs, booths, listings and sales (marketplace.events)."""

from .batch import Handler
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

HANDLERS: dict[str, Handler] = {
    "marketplace.TradeFairScheduled": FAIRS.copy,
    "marketplace.BoothAssigned": BOOTHS.copy,
    "marketplace.ProductListed": LISTINGS.copy,
    "marketplace.ProductDelisted": DELISTINGS.copy,
    "marketplace.SaleRecorded": SALES.copy,
}
