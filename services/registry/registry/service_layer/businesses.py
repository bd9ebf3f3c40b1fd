"""UKM handlers (Diskop UKM): register a woman's business, read and search them, monthly reports."""

from dataclasses import asdict
from datetime import date
from typing import Any
from uuid import UUID, uuid4

from ..domain import businesses as rules
from ..domain.events import BusinessReported
from .unit_of_work import RegistryUnitOfWork
from .women import require_active


async def create(uow: RegistryUnitOfWork, *, owner_person_ref: UUID, name: str, sector: str, kecamatan_code: str,
                 nib: str | None, has_pirt: bool, has_halal: bool, started_on: date, registered_on: date | None,
                 today: date) -> dict[str, Any]:
    """Register the business of a living registered woman; publishes BusinessRegistered."""
    await require_active(uow, owner_person_ref)
    business, event = rules.register(
        business_ref=uuid4(), owner_person_ref=owner_person_ref, name=name, sector=sector,
        kecamatan_code=kecamatan_code, nib=nib, has_pirt=has_pirt, has_halal=has_halal, started_on=started_on,
        registered_on=registered_on, today=today,
    )
    await uow.businesses.add(business)
    await uow.publish([event])
    return view(business)


def view(record: rules.Business | BusinessReported) -> dict[str, Any]:
    """A business (``BusinessRead``) or a report (``BusinessReportRead``): legality flags beside the other fields."""
    fields = asdict(record)
    legality = fields.pop("legality")
    return {**fields, **legality}


async def get(uow: RegistryUnitOfWork, *, business_ref: UUID) -> dict[str, Any]:
    business = await uow.businesses.get(business_ref)
    if business is None:
        raise rules.not_found(business_ref)
    return view(business)


async def search(uow: RegistryUnitOfWork, *, owner_person_ref: UUID | None, kecamatan_code: str | None,
                 sector: str | None, limit: int, offset: int) -> dict[str, Any]:
    items, total = await uow.businesses.search(owner_person_ref=owner_person_ref, kecamatan_code=kecamatan_code,
                                               sector=sector, limit=limit, offset=offset)
    return {"items": items, "total": total, "limit": limit, "offset": offset}


async def report(uow: RegistryUnitOfWork, *, business_ref: UUID, period: str, monthly_revenue_idr: int, workers: int,
                 nib: str | None, has_pirt: bool | None, has_halal: bool | None, today: date) -> dict[str, Any]:
    """A month's report; publishes BusinessReported with the legality it leaves. 409 for a second one."""
    business = await uow.businesses.get(business_ref, for_update=True)
    if business is None:
        raise rules.not_found(business_ref)
    event = rules.report(business, period=period, monthly_revenue_idr=monthly_revenue_idr, workers=workers,
                         nib=nib, has_pirt=has_pirt, has_halal=has_halal,
                         already_reported=await uow.businesses.reported(business_ref, period), today=today)
    await uow.businesses.add_report(event, nib=nib)
    await uow.publish([event])
    return view(event)


async def reports(uow: RegistryUnitOfWork, *, business_ref: UUID) -> list[dict[str, Any]]:
    await get(uow, business_ref=business_ref)
    return await uow.businesses.reports(business_ref)
