"""Course handlers: schedule, read, list."""

from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import asyncpg

from ..adapters import repository
from ..domain.errors import NotFound
from ..domain.model import Course
from . import translator


def course_view(row: asyncpg.Record) -> dict[str, Any]:
    taken = row["enrolled"] + row["completed"]
    view = {k: row[k] for k in (
        "course_ref", "organizer_opd", "field", "kecamatan_code", "title", "starts_on", "ends_on", "sessions",
        "capacity", "completion_threshold", "enrolled", "completed", "certified", "dropped",
    )}
    view["seats_taken"] = taken
    view["seats_left"] = max(row["capacity"] - taken, 0)
    view["fill_rate"] = round(taken / row["capacity"], 4)
    return view


async def create(conn: asyncpg.Connection, *, organizer_opd: str, field: str, kecamatan_code: str, title: str,
                 starts_on: Any, ends_on: Any, sessions: int, capacity: int, completion_threshold: Decimal,
                 correlation_id: str | None = None) -> dict[str, Any]:
    course = Course(uuid4(), organizer_opd, field, kecamatan_code, title, starts_on, ends_on, sessions, capacity,
                    completion_threshold)
    scheduled = course.schedule()
    await repository.add_course(conn, course)
    await translator.publish(conn, [scheduled], correlation_id=correlation_id)
    return await get(conn, course_ref=course.course_ref)


async def get(conn: asyncpg.Connection, *, course_ref: UUID) -> dict[str, Any]:
    row = await repository.course_with_counts(conn, course_ref)
    if row is None:
        raise NotFound("Pelatihan tidak ditemukan", f"course {course_ref} not found", field="course_ref")
    return course_view(row)


async def require(conn: asyncpg.Connection, course_ref: UUID, *, for_update: bool = False) -> Course:
    course = await repository.get_course(conn, course_ref, for_update=for_update)
    if course is None:
        raise NotFound("Pelatihan tidak ditemukan", f"course {course_ref} not found", field="course_ref")
    return course


async def list_(conn: asyncpg.Connection, *, organizer_opd: str | None = None, field: str | None = None,
                kecamatan_code: str | None = None, limit: int = 50, offset: int = 0) -> dict[str, Any]:
    rows, total = await repository.list_courses(
        conn, filters={"organizer_opd": organizer_opd, "field": field, "kecamatan_code": kecamatan_code},
        limit=limit, offset=offset,
    )
    return {"items": [course_view(r) for r in rows], "total": total, "limit": limit, "offset": offset}
