"""SQL for fairs, booths, listings and sales."""

from typing import Any
from uuid import UUID

import asyncpg

from ..domain.model import Fair

FAIR_COLUMNS = "fair_ref, name, kecamatan_code, outside_kukar, location, starts_on, ends_on, booths, recorded_by_opd"


async def insert_fair(conn: asyncpg.Connection, **f: Any) -> None:
    await conn.execute(
        f"INSERT INTO fairs ({FAIR_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        f["fair_ref"], f["name"], f["kecamatan_code"], f["outside_kukar"], f["location"], f["starts_on"],
        f["ends_on"], f["booths"], f["recorded_by_opd"],
    )


async def fair_for_update(conn: asyncpg.Connection, fair_ref: UUID, *, lock: bool = True) -> Fair | None:
    """The fair with its booths; locked so two assignments cannot both take the last booth."""
    row = await conn.fetchrow(
        "SELECT fair_ref, booths, starts_on, ends_on FROM fairs WHERE fair_ref = $1" + (" FOR UPDATE" if lock else ""),
        fair_ref,
    )
    if row is None:
        return None
    booths = await conn.fetch("SELECT business_ref, booth_no FROM booths WHERE fair_ref = $1", fair_ref)
    return Fair(row["fair_ref"], row["booths"], row["starts_on"], row["ends_on"],
                taken={b["booth_no"] for b in booths}, businesses={b["business_ref"] for b in booths})


async def fair_read(conn: asyncpg.Connection, fair_ref: UUID) -> dict[str, Any] | None:
    row = await conn.fetchrow(
        f"""SELECT {FAIR_COLUMNS},
              (SELECT count(*) FROM booths b WHERE b.fair_ref = f.fair_ref) AS booths_assigned,
              (SELECT COALESCE(sum(amount_idr), 0) FROM sales s WHERE s.fair_ref = f.fair_ref) AS sales_idr
            FROM fairs f WHERE fair_ref = $1""",
        fair_ref,
    )
    return dict(row) if row else None


async def fair_page(conn: asyncpg.Connection, limit: int, offset: int) -> tuple[int, list[dict[str, Any]]]:
    total = await conn.fetchval("SELECT count(*) FROM fairs")
    refs = await conn.fetch("SELECT fair_ref FROM fairs ORDER BY starts_on DESC, fair_ref LIMIT $1 OFFSET $2",
                            limit, offset)
    return total, [await fair_read(conn, r["fair_ref"]) for r in refs]  # type: ignore[misc]


async def booths_of(conn: asyncpg.Connection, fair_ref: UUID) -> list[dict[str, Any]]:
    rows = await conn.fetch(
        "SELECT fair_ref, business_ref, owner_person_ref, booth_no FROM booths WHERE fair_ref = $1 ORDER BY booth_no",
        fair_ref,
    )
    return [dict(r) for r in rows]


async def insert_booth(conn: asyncpg.Connection, fair_ref: UUID, business_ref: UUID, owner: UUID, booth_no: int) -> None:
    await conn.execute(
        "INSERT INTO booths (fair_ref, business_ref, owner_person_ref, booth_no) VALUES ($1, $2, $3, $4)",
        fair_ref, business_ref, owner, booth_no,
    )


LISTING_COLUMNS = "product_ref, business_ref, owner_person_ref, channel, category, price_idr, listed_on, delisted_on"


async def insert_listing(conn: asyncpg.Connection, **x: Any) -> None:
    await conn.execute(
        "INSERT INTO listings (product_ref, business_ref, owner_person_ref, channel, category, price_idr, listed_on)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7)",
        x["product_ref"], x["business_ref"], x["owner_person_ref"], x["channel"], x["category"], x["price_idr"],
        x["listed_on"],
    )


async def listing(conn: asyncpg.Connection, product_ref: UUID, *, lock: bool = False) -> dict[str, Any] | None:
    row = await conn.fetchrow(
        f"SELECT {LISTING_COLUMNS} FROM listings WHERE product_ref = $1" + (" FOR UPDATE" if lock else ""),
        product_ref,
    )
    return dict(row) if row else None


async def delist(conn: asyncpg.Connection, product_ref: UUID, on: Any) -> None:
    await conn.execute("UPDATE listings SET delisted_on = $2 WHERE product_ref = $1", product_ref, on)


async def listing_page(conn: asyncpg.Connection, business_ref: UUID | None, channel: str | None, active: bool | None,
                       limit: int, offset: int) -> tuple[int, list[dict[str, Any]]]:
    where = ("($1::uuid IS NULL OR business_ref = $1) AND ($2::text IS NULL OR channel = $2)"
             " AND ($3::boolean IS NULL OR (delisted_on IS NULL) = $3)")
    total = await conn.fetchval(f"SELECT count(*) FROM listings WHERE {where}", business_ref, channel, active)
    rows = await conn.fetch(
        f"SELECT {LISTING_COLUMNS} FROM listings WHERE {where} ORDER BY listed_on DESC, product_ref LIMIT $4 OFFSET $5",
        business_ref, channel, active, limit, offset,
    )
    return total, [dict(r) for r in rows]


SALE_COLUMNS = "sale_ref, business_ref, owner_person_ref, channel, fair_ref, amount_idr, quantity, sold_on"


async def insert_sales(conn: asyncpg.Connection, sales: list[dict[str, Any]]) -> None:
    await conn.executemany(
        f"INSERT INTO sales ({SALE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        [(s["sale_ref"], s["business_ref"], s["owner_person_ref"], s["channel"], s["fair_ref"], s["amount_idr"],
          s["quantity"], s["sold_on"]) for s in sales],
    )


async def sale(conn: asyncpg.Connection, sale_ref: UUID) -> dict[str, Any] | None:
    row = await conn.fetchrow(f"SELECT {SALE_COLUMNS} FROM sales WHERE sale_ref = $1", sale_ref)
    return dict(row) if row else None


async def sale_page(conn: asyncpg.Connection, business_ref: UUID | None, fair_ref: UUID | None, channel: str | None,
                    limit: int, offset: int) -> tuple[int, list[dict[str, Any]]]:
    where = ("($1::uuid IS NULL OR business_ref = $1) AND ($2::uuid IS NULL OR fair_ref = $2)"
             " AND ($3::text IS NULL OR channel = $3)")
    total = await conn.fetchval(f"SELECT count(*) FROM sales WHERE {where}", business_ref, fair_ref, channel)
    rows = await conn.fetch(
        f"SELECT {SALE_COLUMNS} FROM sales WHERE {where} ORDER BY sold_on DESC, sale_ref LIMIT $4 OFFSET $5",
        business_ref, fair_ref, channel, limit, offset,
    )
    return total, [dict(r) for r in rows]
