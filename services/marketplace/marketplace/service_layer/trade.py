"""Listing and sales handlers: list and delist products, record one sale or a fair's whole sales sheet."""

from collections.abc import Mapping, Sequence
from dataclasses import asdict
from datetime import date
from typing import Any
from uuid import UUID, uuid4

from berdaya_shared.errors import NotFound

from ..domain import events
from ..domain import sales as sale_rules
from ..domain.model import Listing, require_registered
from . import fairs
from .unit_of_work import MarketplaceUnitOfWork


def listing_view(listing: Listing) -> dict[str, Any]:
    """A listing as answers show it (``ListingRead``)."""
    return {**asdict(listing.listed), "delisted_on": listing.delisted_on}


async def list_product(uow: MarketplaceUnitOfWork, *, business_ref: UUID, channel: str, category: str,
                       price_idr: int, listed_on: date) -> dict[str, Any]:
    """Offer a registered business's product on a channel; publishes ProductListed. Raises ``Invalid`` for an
    unknown business."""
    owner = require_registered(await uow.businesses.get(business_ref), business_ref)
    listing = Listing(events.ProductListed(uuid4(), business_ref, owner, channel, category, price_idr, listed_on))
    await uow.listings.add(listing)
    await uow.publish([listing.listed])
    return listing_view(listing)


async def delist(uow: MarketplaceUnitOfWork, *, product_ref: UUID, delisted_on: date) -> dict[str, Any]:
    """Take a product down; publishes ProductDelisted. Raises ``NotFound``, ``Conflict`` (already down) or
    ``Invalid`` (before it was listed)."""
    listing = await uow.listings.get(product_ref, for_update=True)
    if listing is None:
        raise NotFound("Produk tidak ditemukan", f"unknown product {product_ref}")
    delisted = listing.delist(delisted_on)
    await uow.listings.save_delisting(product_ref, delisted_on)
    await uow.publish([delisted])
    return listing_view(listing)


async def listings(uow: MarketplaceUnitOfWork, *, business_ref: UUID | None = None, channel: str | None = None,
                   active: bool | None = None, limit: int = 50, offset: int = 0) -> dict[str, Any]:
    rows, total = await uow.listings.page(business_ref=business_ref, channel=channel, active=active, limit=limit,
                                          offset=offset)
    return {"items": rows, "total": total, "limit": limit, "offset": offset}


async def record_sale(uow: MarketplaceUnitOfWork, *, business_ref: UUID, channel: str, fair_ref: UUID | None,
                      amount_idr: int, quantity: int, sold_on: date, booth_no: int | None = None) -> dict[str, Any]:
    """One sale, recorded against the business whose product sold; publishes SaleRecorded v1 and v2. Raises
    ``Invalid`` naming the field (unknown business; a fair sale without its fair, a booth there — its own or a
    shared one — or a date within it; a fair or booth named for another channel)."""
    sale = sale_rules.Sale(uuid4(), business_ref, channel, fair_ref, amount_idr, quantity, sold_on, booth_no)
    fair = await uow.fairs.get(fair_ref) if fair_ref is not None else None
    recorded = sale_rules.record_one(sale, await uow.businesses.get_many([business_ref]),
                                     {fair.fair_ref: fair} if fair else {})
    await uow.sales.add([recorded])
    await uow.publish([recorded])
    return asdict(recorded)


async def record_sheet(uow: MarketplaceUnitOfWork, *, fair_ref: UUID,
                       rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """A fair's sales sheet: ``rows`` of business_ref, amount_idr, quantity, sold_on and optionally booth_no (a
    row of a shared booth is recorded against the business whose product sold), every one recorded or none; one
    SaleRecorded (v1 and v2) per row. Raises ``NotFound`` (fair) or one ``Invalid`` listing every bad row."""
    fair = await fairs.require(uow, fair_ref)
    entered = [sale_rules.Sale(uuid4(), r["business_ref"], sale_rules.TRADE_FAIR, fair_ref, r["amount_idr"],
                               r["quantity"], r["sold_on"], r.get("booth_no")) for r in rows]
    businesses = await uow.businesses.get_many(list({s.business_ref for s in entered}))
    recorded = sale_rules.record_sheet(entered, businesses, {fair_ref: fair})
    await uow.sales.add(recorded)
    await uow.publish(recorded)
    return {"fair_ref": fair_ref, "recorded": len(recorded), "amount_idr": sum(s.amount_idr for s in recorded),
            "sales": [asdict(s) for s in recorded]}


async def sales(uow: MarketplaceUnitOfWork, *, business_ref: UUID | None = None, fair_ref: UUID | None = None,
                channel: str | None = None, limit: int = 50, offset: int = 0) -> dict[str, Any]:
    rows, total = await uow.sales.page(business_ref=business_ref, fair_ref=fair_ref, channel=channel, limit=limit,
                                       offset=offset)
    return {"items": rows, "total": total, "limit": limit, "offset": offset}
