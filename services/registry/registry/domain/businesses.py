"""Women's businesses (UKM) and their monthly reports: registration, one report per month, legality that only moves
forward with what a report declares (a new NIB, a PIRT or halal certificate gained or lost)."""

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from berdaya_shared.errors import Conflict, Invalid, NotFound

from .dates import not_future
from .events import BusinessRegistered, BusinessReported, Legality


@dataclass(frozen=True)
class Business:
    business_ref: UUID
    owner_person_ref: UUID
    name: str
    sector: str
    kecamatan_code: str
    nib: str | None
    legality: Legality
    started_on: date
    registered_on: date


def register(*, business_ref: UUID, owner_person_ref: UUID, name: str, sector: str, kecamatan_code: str,
             nib: str | None, has_pirt: bool, has_halal: bool, started_on: date, registered_on: date | None,
             today: date) -> tuple[Business, BusinessRegistered]:
    """A business of a registered woman, registered in the program today unless a past date is given."""
    on = registered_on or today
    not_future(started_on, today, "started_on", "Tanggal mulai usaha tidak boleh di masa depan")
    not_future(on, today, "registered_on", "Tanggal pendaftaran tidak boleh di masa depan")
    business = Business(business_ref, owner_person_ref, name, sector, kecamatan_code, nib,
                        Legality(nib is not None, has_pirt, has_halal), started_on, on)
    return business, BusinessRegistered(business_ref, owner_person_ref, sector, kecamatan_code, business.legality,
                                        started_on, on)


def report(business: Business, *, period: str, monthly_revenue_idr: int, workers: int, nib: str | None,
           has_pirt: bool | None, has_halal: bool | None, already_reported: bool, today: date) -> BusinessReported:
    """A month's revenue and workers (period YYYY-MM, not after the current month, once per month). A flag left
    out keeps its stored value; a NIB once held stays held."""
    if period > f"{today.year:04d}-{today.month:02d}":
        raise Invalid("Periode laporan tidak boleh di masa depan", "period is in the future", field="period")
    if already_reported:
        raise Conflict(f"Laporan periode {period} untuk usaha ini sudah ada",
                       "a report for this period already exists", field="period")
    held = business.legality
    legality = Legality(held.has_nib or nib is not None, held.has_pirt if has_pirt is None else has_pirt,
                        held.has_halal if has_halal is None else has_halal)
    return BusinessReported(business.business_ref, business.owner_person_ref, period, monthly_revenue_idr, workers,
                            legality)


def not_found(business_ref: UUID) -> NotFound:
    return NotFound("Usaha (UKM) dengan referensi ini tidak terdaftar", f"business {business_ref} not found",
                    field="business_ref")
