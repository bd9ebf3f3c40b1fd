"""Fair handlers: schedule, read, list, assign a booth. Each takes the marketplace unit of work."""

from dataclasses import asdict
from datetime import date
from typing import Any
from uuid import UUID, uuid4

from berdaya_shared.errors import NotFound

from ..domain.model import Fair, Holder, require_registered
from .unit_of_work import MarketplaceUnitOfWork


def fair_view(fair: Fair, *, booths_assigned: int, sales_idr: int) -> dict[str, Any]:
    """A fair as answers show it (``FairRead``)."""
    facts = {k: v for k, v in asdict(fair).items() if k not in ("booth_of", "shared")}
    return {**facts, "outside_kukar": fair.outside_kukar, "booths_assigned": booths_assigned, "sales_idr": sales_idr}


def _unknown(fair_ref: UUID) -> NotFound:
    return NotFound("Pameran tidak ditemukan", f"unknown fair {fair_ref}")


async def require(uow: MarketplaceUnitOfWork, fair_ref: UUID, *, for_update: bool = False) -> Fair:
    """The fair with its booths; raises ``NotFound``."""
    fair = await uow.fairs.get(fair_ref, for_update=for_update)
    if fair is None:
        raise _unknown(fair_ref)
    return fair


async def schedule(uow: MarketplaceUnitOfWork, *, name: str, kecamatan_code: str | None, location: str | None,
                   starts_on: date, ends_on: date, booths: int, recorded_by_opd: str) -> dict[str, Any]:
    """Schedule a fair (``kecamatan_code`` None: outside Kukar); publishes TradeFairScheduled. Raises ``Invalid``
    for dates that end before they start or span over 120 days."""
    fair = Fair(uuid4(), name, kecamatan_code, location, starts_on, ends_on, booths, recorded_by_opd)
    scheduled = fair.schedule()
    await uow.fairs.add(fair)
    await uow.publish([scheduled])
    return fair_view(fair, booths_assigned=0, sales_idr=0)  # new: no booth and no sale yet, nothing to read back


async def get(uow: MarketplaceUnitOfWork, *, fair_ref: UUID) -> dict[str, Any]:
    """The fair with ``booths_assigned`` and ``sales_idr``; raises ``NotFound``."""
    fair = await uow.fairs.summary(fair_ref)
    if fair is None:
        raise _unknown(fair_ref)
    return fair


async def list_(uow: MarketplaceUnitOfWork, *, limit: int = 50, offset: int = 0) -> dict[str, Any]:
    rows, total = await uow.fairs.summaries(limit=limit, offset=offset)
    return {"items": rows, "total": total, "limit": limit, "offset": offset}


async def booths(uow: MarketplaceUnitOfWork, *, fair_ref: UUID) -> list[dict[str, Any]]:
    """The fair's booths by number; raises ``NotFound`` for an unknown fair."""
    await require(uow, fair_ref)
    return await uow.fairs.booths(fair_ref)


async def assign_booth(uow: MarketplaceUnitOfWork, *, fair_ref: UUID, business_ref: UUID,
                       booth_no: int | None) -> dict[str, Any]:
    """Give a registered business a booth (``booth_no`` or the lowest free one); publishes BoothAssigned.
    Raises ``NotFound`` (fair), ``Invalid`` (unknown business, no such booth) or ``Conflict`` (see ``Fair.assign``).
    The fair row is locked first, so concurrent assignments never overfill it."""
    fair = await require(uow, fair_ref, for_update=True)
    owner = require_registered(await uow.businesses.get(business_ref), business_ref)
    assigned = fair.assign(business_ref, owner, booth_no)
    await uow.fairs.add_booth(fair_ref=fair_ref, business_ref=business_ref, owner_person_ref=owner,
                              booth_no=assigned.booth_no)
    await uow.publish([assigned])
    return {"fair_ref": fair_ref, "business_ref": business_ref, "owner_person_ref": owner,
            "booth_no": assigned.booth_no}


async def _registered(uow: MarketplaceUnitOfWork, business_refs: list[UUID]) -> list[tuple[UUID, UUID]]:
    """(business_ref, owner_person_ref) of each business, in order; raises ``Invalid`` (field
    ``business_refs.<i>``) for one the replica does not know."""
    known = await uow.businesses.get_many(list(set(business_refs)))
    return [(ref, require_registered(known.get(ref), ref, field=f"business_refs.{i}"))
            for i, ref in enumerate(business_refs)]


def _shared_view(assigned: Any) -> dict[str, Any]:
    return {"fair_ref": assigned.fair_ref, "booth_no": assigned.booth_no, "holder_kind": assigned.holder_kind,
            "holder_opd": assigned.holder_opd, "holder_label": assigned.holder_label,
            "businesses": [{"business_ref": b, "owner_person_ref": o} for b, o in assigned.businesses]}


async def assign_shared_booth(uow: MarketplaceUnitOfWork, *, fair_ref: UUID, holder_kind: str,
                              holder_opd: str | None, holder_label: str | None, booth_no: int | None,
                              business_refs: list[UUID]) -> dict[str, Any]:
    """Give a booth to an OPD, a cooperative or an outlet selling the products of ``business_refs`` (registered,
    each not yet selling at this fair); publishes BoothAssigned v2 and a v1 per business. Raises ``NotFound``
    (fair), ``Invalid`` (holder, unknown business, no such booth) or ``Conflict`` (see ``Fair.assign_shared``)."""
    fair = await require(uow, fair_ref, for_update=True)
    businesses = await _registered(uow, business_refs)
    assigned = fair.assign_shared(Holder(holder_kind, holder_opd, holder_label), businesses, booth_no)
    await uow.fairs.add_shared_booth(fair_ref=fair_ref, booth_no=assigned.booth_no,
                                     holder=fair.shared[assigned.booth_no], businesses=businesses)
    await uow.publish([assigned])
    return _shared_view(assigned)


async def add_to_shared_booth(uow: MarketplaceUnitOfWork, *, fair_ref: UUID, booth_no: int,
                              business_refs: list[UUID]) -> dict[str, Any]:
    """Add businesses to a shared booth; publishes BoothAssigned v2 (the added businesses) and a v1 per business.
    Raises ``NotFound`` (fair), ``Invalid`` (not a shared booth, unknown business) or ``Conflict``."""
    fair = await require(uow, fair_ref, for_update=True)
    businesses = await _registered(uow, business_refs)
    assigned = fair.add_to_shared(booth_no, businesses)
    await uow.fairs.add_shared_booth(fair_ref=fair_ref, booth_no=booth_no, holder=None, businesses=businesses)
    await uow.publish([assigned])
    return _shared_view(assigned)
