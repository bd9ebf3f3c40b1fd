"""Women's UKM (registry.events): registrations and monthly reports."""

from typing import Any

from berdaya_contracts import Envelope

from .batch import Handler, StatementBatch
from .fact import Fact

BUSINESSES = Fact("businesses", "business_ref owner_person_ref sector kecamatan_code has_nib has_pirt has_halal"
                                " started_on registered_on")
# Two reports for one month: the later event (UUIDv7 ids are time-ordered) wins whatever the arrival order.
REPORTS = Fact(
    "business_reports",
    "business_ref period owner_person_ref monthly_revenue_idr workers has_nib has_pirt has_halal event_id",
    "(business_ref, period) DO UPDATE SET monthly_revenue_idr = EXCLUDED.monthly_revenue_idr,"
    " workers = EXCLUDED.workers, has_nib = EXCLUDED.has_nib, has_pirt = EXCLUDED.has_pirt,"
    " has_halal = EXCLUDED.has_halal, event_id = EXCLUDED.event_id"
    " WHERE EXCLUDED.event_id > business_reports.event_id",
)


async def business_reported(batch: StatementBatch, p: Any, env: Envelope) -> None:
    await REPORTS.store(batch, p.business_ref, p.period, p.owner_person_ref, p.monthly_revenue_idr, p.workers,
                        p.has_nib, p.has_pirt, p.has_halal, env.event_id)


HANDLERS: dict[str, Handler] = {
    "registry.BusinessRegistered": BUSINESSES.copy,
    "registry.BusinessReported": business_reported,
}
