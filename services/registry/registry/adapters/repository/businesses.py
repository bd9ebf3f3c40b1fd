"""SQL for women's businesses (UKM) and their monthly reports."""

from typing import Any
from uuid import UUID

import asyncpg

from ...domain.businesses import Business
from ...domain.events import BusinessReported, Legality
from .base import Repository

_WHERE = (
    " WHERE ($1::uuid IS NULL OR owner_person_ref = $1) AND ($2::text IS NULL OR kecamatan_code = $2)"
    " AND ($3::text IS NULL OR sector = $3)"
)


def _view(row: asyncpg.Record) -> dict[str, Any]:
    return {k: v for k, v in dict(row).items() if k != "created_at"}


class BusinessRepository(Repository):
    async def add(self, b: Business) -> None:
        await self.conn.execute(
            "INSERT INTO businesses (business_ref, owner_person_ref, name, sector, kecamatan_code, has_nib, nib,"
            " has_pirt, has_halal, started_on, registered_on) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            b.business_ref, b.owner_person_ref, b.name, b.sector, b.kecamatan_code, b.legality.has_nib, b.nib,
            b.legality.has_pirt, b.legality.has_halal, b.started_on, b.registered_on,
        )

    async def get(self, business_ref: UUID, *, for_update: bool = False) -> Business | None:
        row = await self.conn.fetchrow(
            "SELECT * FROM businesses WHERE business_ref = $1" + (" FOR UPDATE" if for_update else ""), business_ref)
        if row is None:
            return None
        return Business(row["business_ref"], row["owner_person_ref"], row["name"], row["sector"],
                        row["kecamatan_code"], row["nib"], Legality(row["has_nib"], row["has_pirt"], row["has_halal"]),
                        row["started_on"], row["registered_on"])

    async def search(self, *, owner_person_ref: UUID | None, kecamatan_code: str | None, sector: str | None,
                     limit: int, offset: int) -> tuple[list[dict[str, Any]], int]:
        args: list[Any] = [owner_person_ref, kecamatan_code, sector]
        total = await self.conn.fetchval("SELECT count(*) FROM businesses" + _WHERE, *args)
        rows = await self.conn.fetch(
            "SELECT * FROM businesses" + _WHERE + " ORDER BY created_at, business_ref LIMIT $4 OFFSET $5",
            *args, limit, offset,
        )
        return [_view(r) for r in rows], total

    async def reported(self, business_ref: UUID, period: str) -> bool:
        return bool(await self.conn.fetchval(
            "SELECT 1 FROM business_reports WHERE business_ref = $1 AND period = $2", business_ref, period))

    async def add_report(self, report: BusinessReported, *, nib: str | None) -> None:
        """The month's report, and the business's legality as the report leaves it (a new NIB stored)."""
        legality = report.legality
        await self.conn.execute(
            "INSERT INTO business_reports (business_ref, period, monthly_revenue_idr, workers, has_nib, has_pirt,"
            " has_halal) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            report.business_ref, report.period, report.monthly_revenue_idr, report.workers, legality.has_nib,
            legality.has_pirt, legality.has_halal,
        )
        await self.conn.execute(
            "UPDATE businesses SET has_nib = $2, nib = coalesce($3, nib), has_pirt = $4, has_halal = $5"
            " WHERE business_ref = $1", report.business_ref, legality.has_nib, nib, legality.has_pirt,
            legality.has_halal,
        )

    async def reports(self, business_ref: UUID) -> list[dict[str, Any]]:
        rows = await self.conn.fetch(
            "SELECT business_ref, period, monthly_revenue_idr, workers, has_nib, has_pirt, has_halal"
            " FROM business_reports WHERE business_ref = $1 ORDER BY period", business_ref,
        )
        return [dict(r) for r in rows]
