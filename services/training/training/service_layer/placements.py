"""Job placement handlers (Distransnaker): a placement after training, formal or informal."""

from datetime import date
from typing import Any
from uuid import UUID, uuid4

import asyncpg

from ..adapters import replica, repository
from ..domain import events, model
from ..domain.errors import Invalid, NotFound
from . import courses, translator

_COLUMNS = ("placement_ref", "person_ref", "course_ref", "sector", "formal", "monthly_wage_idr", "placed_on",
            "recorded_by_opd")


def placement_view(row: Any) -> dict[str, Any]:
    return {k: row[k] for k in _COLUMNS}


async def create(conn: asyncpg.Connection, *, person_ref: UUID, course_ref: UUID | None, sector: str, formal: bool,
                 monthly_wage_idr: int, placed_on: date, recorded_by_opd: str,
                 correlation_id: str | None = None) -> dict[str, Any]:
    model.require_registered(await replica.get(conn, person_ref), person_ref)
    if course_ref is not None:
        await courses.require(conn, course_ref)
        enrolment = await repository.get_enrolment(conn, course_ref, person_ref)
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
    await repository.add_placement(conn, values)
    event = events.JobPlaced(**{k: v for k, v in values.items() if k != "recorded_by_opd"})
    await translator.publish(conn, [event], correlation_id=correlation_id)
    return values


async def get(conn: asyncpg.Connection, *, placement_ref: UUID) -> dict[str, Any]:
    row = await repository.get_placement(conn, placement_ref)
    if row is None:
        raise NotFound("Penempatan kerja tidak ditemukan", f"placement {placement_ref} not found",
                       field="placement_ref")
    return placement_view(row)


async def list_(conn: asyncpg.Connection, *, person_ref: UUID | None = None, course_ref: UUID | None = None,
                limit: int = 50, offset: int = 0) -> dict[str, Any]:
    rows, total = await repository.list_placements(conn, person_ref=person_ref, course_ref=course_ref,
                                                   limit=limit, offset=offset)
    return {"items": [placement_view(r) for r in rows], "total": total, "limit": limit, "offset": offset}
