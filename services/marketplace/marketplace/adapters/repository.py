"""The marketplace repositories: SQL for fairs (with their booths), listings and sales, on one connection.

Reads for answers return plain dicts, the same shape the unit tests' in-memory fakes return; ``get`` returns the
domain object a rule needs.
"""

from collections.abc import Sequence
from datetime import date
from typing import Any
from uuid import UUID

import asyncpg

from ..domain.events import ProductListed, SaleRecorded
from ..domain.model import Fair, Holder, Listing

_FAIR = "fair_ref, name, kecamatan_code, location, starts_on, ends_on, booths, recorded_by_opd"
_FAIR_SUMMARY = f"""{_FAIR}, outside_kukar,
    (SELECT count(DISTINCT booth_no) FROM booths b WHERE b.fair_ref = f.fair_ref) AS booths_assigned,
    (SELECT COALESCE(sum(amount_idr), 0) FROM sales s WHERE s.fair_ref = f.fair_ref) AS sales_idr"""
_LISTED = "product_ref, business_ref, owner_person_ref, channel, category, price_idr, listed_on"
_LISTING = f"{_LISTED}, delisted_on"
_SALE = ("sale_ref, business_ref, owner_person_ref, channel, fair_ref, amount_idr, quantity, sold_on, booth_no,"
         " booth_holder_kind")


def _insert(table: str, columns: str) -> str:
    return f"INSERT INTO {table} ({columns}) VALUES ({', '.join(f'${i + 1}' for i in range(len(columns.split(', '))))})"


def _values(thing: Any, columns: str) -> tuple[Any, ...]:
    """The attributes of a domain object named by ``columns``, in the columns' order."""
    return tuple(getattr(thing, c) for c in columns.split(", "))


async def _page(conn: asyncpg.Connection, *, columns: str, source: str, where: str, order: str,
                args: Sequence[Any], limit: int, offset: int) -> tuple[list[dict[str, Any]], int]:
    """One page of ``source`` rows matching ``where`` (parameters ``args``), and how many match in all."""
    total = await conn.fetchval(f"SELECT count(*) FROM {source} WHERE {where}", *args)
    n = len(args)
    rows = await conn.fetch(
        f"SELECT {columns} FROM {source} WHERE {where} ORDER BY {order} LIMIT ${n + 1} OFFSET ${n + 2}",
        *args, limit, offset,
    )
    return [dict(r) for r in rows], total


class FairRepository:
    """Fairs and their booths: the fair row is the aggregate's lock."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def add(self, fair: Fair) -> None:
        columns = f"{_FAIR}, outside_kukar"
        await self.conn.execute(_insert("fairs", columns), *_values(fair, columns))

    async def get(self, fair_ref: UUID, *, for_update: bool = False) -> Fair | None:
        """The fair with its booths; ``for_update`` locks it so two assignments cannot both take the last booth."""
        lock = " FOR UPDATE" if for_update else ""
        row = await self.conn.fetchrow(f"SELECT {_FAIR} FROM fairs WHERE fair_ref = $1{lock}", fair_ref)
        if row is None:
            return None
        booths = await self.conn.fetch("SELECT business_ref, booth_no FROM booths WHERE fair_ref = $1", fair_ref)
        shared = await self.conn.fetch(
            "SELECT booth_no, holder_kind, holder_opd, holder_label FROM shared_booths WHERE fair_ref = $1", fair_ref)
        return Fair(**dict(row), booth_of={b["business_ref"]: b["booth_no"] for b in booths},
                    shared={h["booth_no"]: Holder(h["holder_kind"], h["holder_opd"], h["holder_label"])
                            for h in shared})

    async def add_booth(self, *, fair_ref: UUID, business_ref: UUID, owner_person_ref: UUID, booth_no: int) -> None:
        await self.conn.execute(
            "INSERT INTO booths (fair_ref, business_ref, owner_person_ref, booth_no) VALUES ($1, $2, $3, $4)",
            fair_ref, business_ref, owner_person_ref, booth_no,
        )

    async def add_shared_booth(self, *, fair_ref: UUID, booth_no: int, holder: Holder | None,
                               businesses: Sequence[tuple[UUID, UUID]]) -> None:
        """A shared booth (``holder`` None: the booth exists, businesses are added to it) and its businesses."""
        if holder is not None:
            await self.conn.execute(
                "INSERT INTO shared_booths (fair_ref, booth_no, holder_kind, holder_opd, holder_label)"
                " VALUES ($1, $2, $3, $4, $5)", fair_ref, booth_no, holder.kind, holder.opd, holder.label)
        await self.conn.executemany(
            "INSERT INTO booths (fair_ref, business_ref, owner_person_ref, booth_no) VALUES ($1, $2, $3, $4)",
            [(fair_ref, b, o, booth_no) for b, o in businesses])

    async def summary(self, fair_ref: UUID) -> dict[str, Any] | None:
        """The fair with ``booths_assigned`` and ``sales_idr`` (Rupiah recorded at it)."""
        row = await self.conn.fetchrow(f"SELECT {_FAIR_SUMMARY} FROM fairs f WHERE fair_ref = $1", fair_ref)
        return dict(row) if row else None

    async def summaries(self, *, limit: int, offset: int) -> tuple[list[dict[str, Any]], int]:
        """Fairs, latest start first."""
        return await _page(self.conn, columns=_FAIR_SUMMARY, source="fairs f", where="true",
                           order="starts_on DESC, fair_ref", args=(), limit=limit, offset=offset)

    async def booths(self, fair_ref: UUID) -> list[dict[str, Any]]:
        """One row per business selling at a booth, by booth number; a shared booth's rows carry its holder
        (``holder_kind`` business, and no opd or label, for a business's own booth)."""
        rows = await self.conn.fetch(
            "SELECT b.fair_ref, b.business_ref, b.owner_person_ref, b.booth_no,"
            " COALESCE(s.holder_kind, 'business') AS holder_kind, s.holder_opd, s.holder_label"
            " FROM booths b LEFT JOIN shared_booths s ON s.fair_ref = b.fair_ref AND s.booth_no = b.booth_no"
            " WHERE b.fair_ref = $1 ORDER BY b.booth_no, b.assigned_at, b.business_ref",
            fair_ref,
        )
        return [dict(r) for r in rows]


class ListingRepository:
    """Products listed on a channel, and taken down."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def add(self, listing: Listing) -> None:
        await self.conn.execute(_insert("listings", _LISTING), *_values(listing.listed, _LISTED), listing.delisted_on)

    async def get(self, product_ref: UUID, *, for_update: bool = False) -> Listing | None:
        lock = " FOR UPDATE" if for_update else ""
        row = await self.conn.fetchrow(f"SELECT {_LISTING} FROM listings WHERE product_ref = $1{lock}", product_ref)
        if row is None:
            return None
        listed = dict(row)
        delisted_on = listed.pop("delisted_on")
        return Listing(ProductListed(**listed), delisted_on)

    async def save_delisting(self, product_ref: UUID, delisted_on: date) -> None:
        await self.conn.execute("UPDATE listings SET delisted_on = $2 WHERE product_ref = $1", product_ref, delisted_on)

    async def page(self, *, business_ref: UUID | None, channel: str | None, active: bool | None, limit: int,
                   offset: int) -> tuple[list[dict[str, Any]], int]:
        """Listings, latest first; each filter applies only when given (``active``: not delisted)."""
        where = ("($1::uuid IS NULL OR business_ref = $1) AND ($2::text IS NULL OR channel = $2)"
                 " AND ($3::boolean IS NULL OR (delisted_on IS NULL) = $3)")
        return await _page(self.conn, columns=_LISTING, source="listings", where=where,
                           order="listed_on DESC, product_ref", args=(business_ref, channel, active),
                           limit=limit, offset=offset)


class SaleRepository:
    """Recorded sales (each as its ``SaleRecorded``: the stored row and the event carry the same facts)."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def add(self, sales: Sequence[SaleRecorded]) -> None:
        await self.conn.executemany(_insert("sales", _SALE), [_values(s, _SALE) for s in sales])

    async def page(self, *, business_ref: UUID | None, fair_ref: UUID | None, channel: str | None, limit: int,
                   offset: int) -> tuple[list[dict[str, Any]], int]:
        """Sales, latest first; each filter applies only when given."""
        where = ("($1::uuid IS NULL OR business_ref = $1) AND ($2::uuid IS NULL OR fair_ref = $2)"
                 " AND ($3::text IS NULL OR channel = $3)")
        return await _page(self.conn, columns=_SALE, source="sales", where=where, order="sold_on DESC, sale_ref",
                           args=(business_ref, fair_ref, channel), limit=limit, offset=offset)
