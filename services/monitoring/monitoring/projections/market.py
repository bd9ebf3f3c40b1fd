"""Trade fairs, booths, listings and sales."""

from typing import Any

from berdaya_contracts import Envelope

from . import Handler, StatementBatch


async def fair_scheduled(conn: StatementBatch, p: Any, env: Envelope) -> None:
    await conn.execute("INSERT INTO fairs VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
                       p.fair_ref, p.kecamatan_code, p.outside_kukar, p.starts_on, p.ends_on)


async def booth_assigned(conn: StatementBatch, p: Any, env: Envelope) -> None:
    await conn.execute("INSERT INTO booths VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                       p.fair_ref, p.business_ref, p.owner_person_ref)


async def product_listed(conn: StatementBatch, p: Any, env: Envelope) -> None:
    await conn.execute(
        "INSERT INTO listings (product_ref, business_ref, owner_person_ref, channel, category, price_idr, listed_on)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (product_ref) DO UPDATE SET"
        " business_ref = EXCLUDED.business_ref, owner_person_ref = EXCLUDED.owner_person_ref,"
        " channel = EXCLUDED.channel, category = EXCLUDED.category, price_idr = EXCLUDED.price_idr,"
        " listed_on = EXCLUDED.listed_on",
        p.product_ref, p.business_ref, p.owner_person_ref, p.channel, p.category, p.price_idr, p.listed_on,
    )


async def product_delisted(conn: StatementBatch, p: Any, env: Envelope) -> None:
    await conn.execute(
        "INSERT INTO listings (product_ref, business_ref, owner_person_ref, channel, delisted_on)"
        " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (product_ref) DO UPDATE SET"
        " delisted_on = GREATEST(listings.delisted_on, EXCLUDED.delisted_on)",
        p.product_ref, p.business_ref, p.owner_person_ref, p.channel, p.delisted_on,
    )


async def sale_recorded(conn: StatementBatch, p: Any, env: Envelope) -> None:
    await conn.execute(
        "INSERT INTO sales VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING",
        p.sale_ref, p.business_ref, p.owner_person_ref, p.channel, p.fair_ref, p.amount_idr, p.quantity, p.sold_on,
    )


HANDLERS: dict[str, Handler] = {
    "marketplace.TradeFairScheduled": fair_scheduled,
    "marketplace.BoothAssigned": booth_assigned,
    "marketplace.ProductListed": product_listed,
    "marketplace.ProductDelisted": product_delisted,
    "marketplace.SaleRecorded": sale_recorded,
}
