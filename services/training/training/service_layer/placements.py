"""Job placement handlers (Distransnaker): a placement after training, formal or informal."""

from datetime import date
from typing import Any
from uuid import UUID, uuid4

from berdaya_shared.errors import Invalid, NotFound

from ..domain import events, model
from . import courses
from .unit_of_work import TrainingUnitOfWork

_COLUMNS = ("placement_ref", "person_ref", "course_ref", "sector", "formal", "monthly_wage_idr", "placed_on",
            "recorded_by_opd")


def placement_view(row: Any) -> dict[str, Any]:
    return {k: row[k] for k in _COLUMNS}


async def create(uow: TrainingUnitOfWork, *, person_ref: UUID, course_ref: UUID | None, sector: str, formal: bool,
                 monthly_wage_idr: int, placed_on: date, recorded_by_opd: str) -> dict[str, Any]:
    person_ref = await uow.women.resolve(person_ref)  # a merged record's ref: the woman it counts as
    model.require_registered(await uow.women.get(person_ref), person_ref)
    if course_ref is not None:
        await courses.require(uow, course_ref)
        enrolment = await uow.courses.get_enrolment(course_ref, person_ref)
        if enrolment is None or enrolment.status != model.COMPLETED:
            raise Invalid(
                "Penempatan kerja setelah pelatihan hanya untuk peserta yang sudah menyelesaikan pelatihan itu",
                "a placement after a course needs the person to have completed that course",
                field="course_ref",
            )
    values = {
        "placement_ref": uuid4(), "person_ref": person_ref, "course_ref": course_ref, "sector": sector,
        "formal": formal, "monthly_wage_idr": monthly_wage_idr, "placed_on": placed_on,
        "recorded_by_opd": recorded_by_opd,
    }
    await uow.placements.add(values)
    event = events.JobPlaced(**{k: v for k, v in values.items() if k != "recorded_by_opd"})
    await uow.publish([event])
    return values


async def get(uow: TrainingUnitOfWork, *, placement_ref: UUID) -> dict[str, Any]:
    row = await uow.placements.get(placement_ref)
    if row is None:
        raise NotFound("Penempatan kerja tidak ditemukan", f"placement {placement_ref} not found",
                       field="placement_ref")
    return placement_view(row)


async def list_(uow: TrainingUnitOfWork, *, person_ref: UUID | None = None, course_ref: UUID | None = None,
                limit: int = 50, offset: int = 0) -> dict[str, Any]:
    if person_ref is not None:
        person_ref = await uow.women.resolve(person_ref)
    rows, total = await uow.placements.page(person_ref=person_ref, course_ref=course_ref,
                                                   limit=limit, offset=offset)
    return {"items": [placement_view(r) for r in rows], "total": total, "limit": limit, "offset": offset}
