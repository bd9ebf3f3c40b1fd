"""Listings and sales, including a fair's whole sales sheet at once (all rows or none)."""

from datetime import date
from typing import Any
from uuid import UUID, uuid4

import asyncpg
from berdaya_shared import errors

from ..adapters import replica, repository
from ..domain import events
from ..domain.model import Fair, check_sale_place, require_registered
from .translator import publish


async def list_product(conn: asyncpg.Connection, *, business_ref: UUID, channel: str, category: str,
                       price_idr: int, listed_on: date, correlation_id: str) -> dict[str, Any]:
    business = require_registered(await replica.get(conn, business_ref), business_ref)
    assert business.owner_person_ref is not None
    listing = {"product_ref": uuid4(), "business_ref": business_ref, "owner_person_ref": business.owner_person_ref,
               "channel": channel, "category": category, "price_idr": price_idr, "listed_on": listed_on}
    await repository.insert_listing(conn, **listing)
    await publish(conn, [events.ProductListed(**listing)], correlation_id=correlation_id)
    return {**listing, "delisted_on": None}


async def delist(conn: asyncpg.Connection, *, product_ref: UUID, delisted_on: date,
                 correlation_id: str) -> dict[str, Any]:
    listing = await repository.listing(conn, product_ref, lock=True)
    if listing is None:
        raise errors.NotFound("Produk tidak ditemukan", f"unknown product {product_ref}")
    if listing["delisted_on"] is not None:
        raise errors.Conflict("Produk ini sudah diturunkan dari etalase", "the product is already delisted")
    if delisted_on < listing["listed_on"]:
        raise errors.Invalid("Tanggal penurunan tidak boleh sebelum tanggal tayang", "delisted_on before listed_on",
                             field="delisted_on")
    await repository.delist(conn, product_ref, delisted_on)
    await publish(conn, [events.ProductDelisted(product_ref, listing["business_ref"], listing["owner_person_ref"],
                                                listing["channel"], delisted_on)], correlation_id=correlation_id)
    return {**listing, "delisted_on": delisted_on}


async def record_sales(conn: asyncpg.Connection, *, rows: list[dict[str, Any]], correlation_id: str,
                       prefix: str = "rows") -> list[dict[str, Any]]:
    """Check every row first; any refusal refuses them all, naming each row and field."""
    businesses = await replica.get_many(conn, list({r["business_ref"] for r in rows}))
    fairs: dict[UUID, Fair | None] = {}
    for fair_ref in {r["fair_ref"] for r in rows if r["fair_ref"] is not None}:
        fairs[fair_ref] = await repository.fair_for_update(conn, fair_ref, lock=False)
    problems, sales = [], []
    for i, row in enumerate(rows):
        at = f"{prefix}.{i}." if prefix else ""
        try:
            business = require_registered(businesses.get(row["business_ref"]), row["business_ref"],
                                          field=f"{at}business_ref")
            fair = fairs.get(row["fair_ref"]) if row["fair_ref"] else None
            check_sale_place(row["channel"], fair, row["fair_ref"], row["business_ref"], row["sold_on"], prefix=at)
        except errors.Refusal as refused:
            problems.append({"field": refused.field, "pesan": refused.pesan, "detail": refused.detail, "row": i})
            continue
        sales.append({**row, "sale_ref": uuid4(), "owner_person_ref": business.owner_person_ref})
    if problems:
        if not prefix:
            first = problems[0]
            raise errors.Invalid(first["pesan"], first["detail"], field=first["field"])
        raise errors.Invalid(f"{len(problems)} baris tidak valid; tidak ada penjualan yang dicatat",
                             f"{len(problems)} invalid rows; nothing recorded", kesalahan=problems)
    await repository.insert_sales(conn, sales)
    await publish(conn, [events.SaleRecorded(
        sale_ref=s["sale_ref"], business_ref=s["business_ref"], owner_person_ref=s["owner_person_ref"],
        channel=s["channel"], fair_ref=s["fair_ref"], amount_idr=s["amount_idr"], quantity=s["quantity"],
        sold_on=s["sold_on"],
    ) for s in sales], correlation_id=correlation_id)
    return sales
