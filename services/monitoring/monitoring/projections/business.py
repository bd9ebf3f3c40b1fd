"""Women's UKM: registrations and monthly reports."""

from typing import Any

from berdaya_contracts import Envelope

from . import Handler, StatementBatch


async def business_registered(conn: StatementBatch, p: Any, env: Envelope) -> None:
    await conn.execute(
        "INSERT INTO businesses (business_ref, owner_person_ref, sector, kecamatan_code, has_nib, has_pirt,"
        " has_halal, started_on, registered_on) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING",
        p.business_ref, p.owner_person_ref, p.sector, p.kecamatan_code, p.has_nib, p.has_pirt, p.has_halal,
        p.started_on, p.registered_on,
    )


async def business_reported(conn: StatementBatch, p: Any, env: Envelope) -> None:
    # Two reports for one month: the later event (UUIDv7 ids are time-ordered) wins whatever the arrival order.
    await conn.execute(
        "INSERT INTO business_reports (business_ref, period, owner_person_ref, monthly_revenue_idr, workers,"
        " has_nib, has_pirt, has_halal, event_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
        " ON CONFLICT (business_ref, period) DO UPDATE SET monthly_revenue_idr = EXCLUDED.monthly_revenue_idr,"
        " workers = EXCLUDED.workers, has_nib = EXCLUDED.has_nib, has_pirt = EXCLUDED.has_pirt,"
        " has_halal = EXCLUDED.has_halal, event_id = EXCLUDED.event_id"
        " WHERE EXCLUDED.event_id > business_reports.event_id",
        p.business_ref, p.period, p.owner_person_ref, p.monthly_revenue_idr, p.workers, p.has_nib, p.has_pirt,
        p.has_halal, env.event_id,
    )


HANDLERS: dict[str, Handler] = {
    "registry.BusinessRegistered": business_registered,
    "registry.BusinessReported": business_reported,
}
