"""Cooperative handlers (Diskop UKM): form with founding members, join, leave, record the RAT."""

from datetime import date
from typing import Any
from uuid import UUID, uuid4

from ..domain import coops as rules
from ..domain.coops import Coop
from .unit_of_work import RegistryUnitOfWork


async def form(uow: RegistryUnitOfWork, *, name: str, kecamatan_code: str, kind: str, formed_on: date,
               has_legal_entity: bool, legal_entity_number: str | None, founding_member_refs: list[UUID],
               today: date) -> dict[str, Any]:
    """Form a cooperative of registered women; publishes CoopFormed."""
    coop = Coop(uuid4(), name, kecamatan_code, kind, formed_on, has_legal_entity, legal_entity_number)
    living = await uow.women.living(founding_member_refs)
    event = rules.form(coop, founding_member_refs, living=living, today=today)
    await uow.coops.add(coop, founding_member_refs)
    await uow.publish([event])
    return await get(uow, coop_ref=coop.coop_ref)


async def _require(uow: RegistryUnitOfWork, coop_ref: UUID, *, for_update: bool = False) -> Coop:
    coop = await uow.coops.get(coop_ref, for_update=for_update)
    if coop is None:
        raise rules.not_found(coop_ref)
    return coop


async def get(uow: RegistryUnitOfWork, *, coop_ref: UUID) -> dict[str, Any]:
    """The cooperative with every membership, its active member count and its RATs."""
    coop = await _require(uow, coop_ref)
    members = await uow.coops.members(coop_ref)
    return {
        **vars(coop),
        "members": members,
        "active_members": sum(1 for m in members if m["left_on"] is None),
        "annual_meetings": await uow.coops.meetings(coop_ref),
    }


async def join(uow: RegistryUnitOfWork, *, coop_ref: UUID, person_ref: UUID, joined_on: date,
               today: date) -> dict[str, Any]:
    coop = await _require(uow, coop_ref, for_update=True)
    event = rules.join(coop, person_ref=person_ref, joined_on=joined_on,
                       living=bool(await uow.women.living([person_ref])),
                       active=await uow.coops.active_membership(coop_ref, person_ref), today=today)
    await uow.coops.add_member(event.membership)
    await uow.publish([event])
    return {"coop_ref": coop_ref, "person_ref": person_ref, "joined_on": joined_on}


async def leave(uow: RegistryUnitOfWork, *, coop_ref: UUID, person_ref: UUID, left_on: date,
                today: date) -> dict[str, Any]:
    await _require(uow, coop_ref, for_update=True)
    event = rules.leave(left_on=left_on, active=await uow.coops.active_membership(coop_ref, person_ref), today=today)
    await uow.coops.end_membership(event.membership, left_on)
    await uow.publish([event])
    return {"coop_ref": coop_ref, "person_ref": person_ref, "left_on": left_on}


async def annual_meeting(uow: RegistryUnitOfWork, *, coop_ref: UUID, fiscal_year: int, held_on: date,
                         today: date) -> dict[str, Any]:
    """Record the RAT of a fiscal year; publishes CoopAnnualMeetingHeld. 409 when that year's is recorded."""
    coop = await _require(uow, coop_ref, for_update=True)
    event = rules.hold_annual_meeting(coop, fiscal_year=fiscal_year, held_on=held_on,
                                      already_held=await uow.coops.meeting_held(coop_ref, fiscal_year), today=today)
    await uow.coops.add_meeting(event)
    await uow.publish([event])
    return {"coop_ref": coop_ref, "fiscal_year": fiscal_year, "held_on": held_on}
