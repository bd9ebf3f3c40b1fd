"""Handlers for women's businesses (UKM) and their monthly reports."""

from datetime import date
from typing import Any
from uuid import UUID, uuid4

import asyncpg
from berdaya_contracts import registry_v1 as v1
from berdaya_shared import errors
from berdaya_shared.messaging import outbox

from ..clock import today
from . import translator
from .women import require_active


async def create(
    conn: asyncpg.Connection, *, owner_person_ref: UUID, name: str, sector: str, kecamatan_code: str,
    nib: str | None, has_pirt: bool, has_halal: bool, started_on: date, correlation_id: str | None,
    registered_on: date | None = None,
) -> dict[str, Any]:
    await require_active(conn, owner_person_ref)
    on = registered_on or today()
    if started_on > today():
        raise errors.Invalid("Tanggal mulai usaha tidak boleh di masa depan", "started_on is in the future",
                             field="started_on")
    if on > today():
        raise errors.Invalid("Tanggal pendaftaran tidak boleh di masa depan", "registered_on is in the future",
                             field="registered_on")
    business_ref = uuid4()
    await conn.execute(
        "INSERT INTO businesses (business_ref, owner_person_ref, name, sector, kecamatan_code, has_nib, nib,"
        " has_pirt, has_halal, started_on, registered_on) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        business_ref, owner_person_ref, name, sector, kecamatan_code, nib is not None, nib, has_pirt, has_halal,
        started_on, on,
    )
    payload = v1.BusinessRegistered(
        business_ref=business_ref, owner_person_ref=owner_person_ref, sector=sector,  # type: ignore[arg-type]
        kecamatan_code=kecamatan_code, has_nib=nib is not None, has_pirt=has_pirt, has_halal=has_halal,
        started_on=started_on, registered_on=on,
    )
    await outbox.add(conn, translator.envelope(payload, correlation_id))
    return await get(conn, ref=business_ref)


def _not_found(ref: UUID) -> errors.Refusal:
    return errors.NotFound("Usaha (UKM) dengan referensi ini tidak terdaftar", f"business {ref} not found",
                           field="business_ref")


async def get(conn: asyncpg.Connection, *, ref: UUID) -> dict[str, Any]:
    row = await conn.fetchrow("SELECT * FROM businesses WHERE business_ref = $1", ref)
    if row is None:
        raise _not_found(ref)
    return {k: v for k, v in dict(row).items() if k != "created_at"}


async def search(
    conn: asyncpg.Connection, *, owner_person_ref: UUID | None, kecamatan_code: str | None, sector: str | None,
    limit: int, offset: int,
) -> dict[str, Any]:
    args: list[Any] = [owner_person_ref, kecamatan_code, sector]
    where = (
        " WHERE ($1::uuid IS NULL OR owner_person_ref = $1) AND ($2::text IS NULL OR kecamatan_code = $2)"
        " AND ($3::text IS NULL OR sector = $3)"
    )
    total = await conn.fetchval("SELECT count(*) FROM businesses" + where, *args)
    rows = await conn.fetch(
        "SELECT * FROM businesses" + where + " ORDER BY created_at, business_ref LIMIT $4 OFFSET $5",
        *args, limit, offset,
    )
    items = [{k: v for k, v in dict(r).items() if k != "created_at"} for r in rows]
    return {"items": items, "total": total, "limit": limit, "offset": offset}


async def report(
    conn: asyncpg.Connection, *, ref: UUID, period: str, monthly_revenue_idr: int, workers: int,
    nib: str | None, has_pirt: bool | None, has_halal: bool | None, correlation_id: str | None,
) -> dict[str, Any]:
    business = await conn.fetchrow("SELECT * FROM businesses WHERE business_ref = $1 FOR UPDATE", ref)
    if business is None:
        raise _not_found(ref)
    on = today()
    if period > f"{on.year:04d}-{on.month:02d}":
        raise errors.Invalid("Periode laporan tidak boleh di masa depan", "period is in the future", field="period")
    if await conn.fetchval("SELECT 1 FROM business_reports WHERE business_ref = $1 AND period = $2", ref, period):
        raise errors.Conflict(f"Laporan periode {period} untuk usaha ini sudah ada",
                              "a report for this period already exists", field="period")
    has_nib = business["has_nib"] or nib is not None
    pirt = business["has_pirt"] if has_pirt is None else has_pirt
    halal = business["has_halal"] if has_halal is None else has_halal
    await conn.execute(
        "INSERT INTO business_reports (business_ref, period, monthly_revenue_idr, workers, has_nib, has_pirt,"
        " has_halal) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        ref, period, monthly_revenue_idr, workers, has_nib, pirt, halal,
    )
    await conn.execute(
        "UPDATE businesses SET has_nib = $2, nib = coalesce($3, nib), has_pirt = $4, has_halal = $5"
        " WHERE business_ref = $1", ref, has_nib, nib, pirt, halal,
    )
    payload = v1.BusinessReported(
        business_ref=ref, owner_person_ref=business["owner_person_ref"], period=period,
        monthly_revenue_idr=monthly_revenue_idr, workers=workers, has_nib=has_nib, has_pirt=pirt, has_halal=halal,
    )
    await outbox.add(conn, translator.envelope(payload, correlation_id))
    return payload.model_dump()


async def reports(conn: asyncpg.Connection, *, ref: UUID) -> list[dict[str, Any]]:
    await get(conn, ref=ref)
    rows = await conn.fetch(
        "SELECT business_ref, period, monthly_revenue_idr, workers, has_nib, has_pirt, has_halal"
        " FROM business_reports WHERE business_ref = $1 ORDER BY period", ref,
    )
    return [dict(r) for r in rows]
