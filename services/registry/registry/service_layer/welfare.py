"""Welfare handlers (household assessments against the poverty line in force, the dated poverty-line
configuration) and aid handlers (aid given, with case notes sealed and behind their own scope)."""

from dataclasses import asdict
from datetime import date
from typing import Any
from uuid import UUID, uuid4

from ..adapters import crypto
from ..domain import welfare as rules
from .unit_of_work import RegistryUnitOfWork
from .women import require_active


async def set_poverty_line(uow: RegistryUnitOfWork, *, valid_from: date, idr: int, source: str) -> dict[str, Any]:
    """Set (or replace) the line in force from ``valid_from``; earlier assessments keep the line they used."""
    await uow.welfare.set_poverty_line(valid_from=valid_from, idr=idr, source=source)
    return {"valid_from": valid_from, "idr": idr, "source": source}


async def poverty_lines(uow: RegistryUnitOfWork) -> list[dict[str, Any]]:
    return await uow.welfare.poverty_lines()


async def assess(uow: RegistryUnitOfWork, *, person_ref: UUID, assessed_on: date, household_size: int,
                 monthly_income_idr: int, today: date, confirmed_low_income: bool = False) -> dict[str, Any]:
    """Assess her household; publishes WelfareAssessed. Her first assessment is her baseline. An implausibly low
    income is refused unless ``confirmed_low_income``."""
    await require_active(uow, person_ref, for_update=True)
    event = rules.assess(
        assessment_ref=uuid4(), person_ref=person_ref, assessed_on=assessed_on, household_size=household_size,
        monthly_income_idr=monthly_income_idr, lines=await uow.welfare.lines(),
        is_baseline=not await uow.welfare.assessed_before(person_ref), today=today,
        confirmed_low_income=confirmed_low_income,
    )
    await uow.welfare.add_assessment(event)
    await uow.publish([event])
    answer = asdict(event)
    line = answer.pop("poverty_line")
    return {**answer, "poverty_line_idr": line["idr"], "poverty_line_valid_from": line["valid_from"]}


async def assessments(uow: RegistryUnitOfWork, *, person_ref: UUID) -> list[dict[str, Any]]:
    return await uow.welfare.assessments(person_ref)


async def provide_aid(uow: RegistryUnitOfWork, *, person_ref: UUID, kind: str, provider_opd: str, provided_on: date,
                      case_note: str | None, today: date) -> dict[str, Any]:
    """Record aid given to her, with an optional first case note; publishes AidProvided (no case details)."""
    await require_active(uow, person_ref)
    event = rules.provide_aid(aid_ref=uuid4(), person_ref=person_ref, kind=kind, provider_opd=provider_opd,
                              provided_on=provided_on, today=today)
    await uow.aid.add(event)
    if case_note:
        await add_case_note(uow, aid_ref=event.aid_ref, note=case_note, written_by_opd=provider_opd)
    await uow.publish([event])
    return {**asdict(event), "case_notes": 1 if case_note else 0}


async def aid_of(uow: RegistryUnitOfWork, *, person_ref: UUID) -> list[dict[str, Any]]:
    return await uow.aid.of_person(person_ref)


async def _aid_owner(uow: RegistryUnitOfWork, aid_ref: UUID) -> UUID:
    owner = await uow.aid.owner(aid_ref)
    if owner is None:
        raise rules.aid_not_found(aid_ref)
    return owner


async def add_case_note(uow: RegistryUnitOfWork, *, aid_ref: UUID, note: str, written_by_opd: str) -> dict[str, Any]:
    """A case note, stored sealed; refused for an unknown aid record or an erased woman (no event)."""
    await require_active(uow, await _aid_owner(uow, aid_ref))
    stored = await uow.aid.add_note(aid_ref=aid_ref, written_by_opd=written_by_opd,
                                    note_cipher=uow.cipher.encrypt(note, context=crypto.CASE_NOTE))  # type: ignore[arg-type]
    return {"note_id": stored["note_id"], "aid_ref": aid_ref, "note": note, "written_by_opd": written_by_opd}


async def case_notes(uow: RegistryUnitOfWork, *, aid_ref: UUID) -> tuple[UUID, list[dict[str, Any]]]:
    """(whose case it is, her case notes opened): the caller logs the read against her."""
    owner = await _aid_owner(uow, aid_ref)
    notes = [{"note_id": r["note_id"], "aid_ref": r["aid_ref"], "written_by_opd": r["written_by_opd"],
              "note": uow.cipher.decrypt(r["note_cipher"], context=crypto.CASE_NOTE)}
             for r in await uow.aid.notes(aid_ref)]
    return owner, notes
