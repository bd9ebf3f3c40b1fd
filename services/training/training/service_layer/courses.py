"""Course handlers: schedule, read, list. Each takes the training unit of work."""

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from berdaya_shared.errors import NotFound

from ..domain.model import Course
from .unit_of_work import TrainingUnitOfWork


def course_view(row: dict[str, Any]) -> dict[str, Any]:
    """A course summary with seats taken and fill rate (seats are held by enrolled and completed participants)."""
    taken = row["enrolled"] + row["completed"]
    view = {k: row[k] for k in (
        "course_ref", "organizer_opd", "field", "kecamatan_code", "title", "starts_on", "ends_on", "sessions",
        "capacity", "completion_threshold", "enrolled", "completed", "certified", "dropped",
    )}
    view["seats_taken"] = taken
    view["seats_left"] = max(row["capacity"] - taken, 0)
    view["fill_rate"] = round(taken / row["capacity"], 4)
    return view


async def create(uow: TrainingUnitOfWork, *, organizer_opd: str, field: str, kecamatan_code: str, title: str,
                 starts_on: date, ends_on: date, sessions: int, capacity: int,
                 completion_threshold: Decimal) -> dict[str, Any]:
    """Schedule a course; publishes CourseScheduled. Raises Invalid when it ends before it starts."""
    course = Course(uuid4(), organizer_opd, field, kecamatan_code, title, starts_on, ends_on, sessions, capacity,
                    completion_threshold)
    scheduled = course.schedule()
    await uow.courses.add(course)
    await uow.publish([scheduled])
    return await get(uow, course_ref=course.course_ref)


async def reschedule(uow: TrainingUnitOfWork, *, course_ref: UUID, starts_on: date, ends_on: date, capacity: int,
                     today: date) -> dict[str, Any]:
    """Change a course's dates and capacity (``Course.reschedule``'s rules); publishes CourseRescheduled when
    something changed, nothing otherwise. Raises NotFound, Conflict (finished course, capacity below the seats
    taken), Invalid (end before start)."""
    course = await require(uow, course_ref, for_update=True)
    changed = course.reschedule(starts_on=starts_on, ends_on=ends_on, capacity=capacity,
                                seats_taken=await uow.courses.seats_taken(course_ref), today=today)
    if changed is not None:
        await uow.courses.update_schedule(course)
        await uow.publish([changed])
    return await get(uow, course_ref=course_ref)


async def get(uow: TrainingUnitOfWork, *, course_ref: UUID) -> dict[str, Any]:
    row = await uow.courses.summary(course_ref)
    if row is None:
        raise NotFound("Pelatihan tidak ditemukan", f"course {course_ref} not found", field="course_ref")
    return course_view(row)


async def require(uow: TrainingUnitOfWork, course_ref: UUID, *, for_update: bool = False) -> Course:
    course = await uow.courses.get(course_ref, for_update=for_update)
    if course is None:
        raise NotFound("Pelatihan tidak ditemukan", f"course {course_ref} not found", field="course_ref")
    return course


async def list_(uow: TrainingUnitOfWork, *, organizer_opd: str | None = None, field: str | None = None,
                kecamatan_code: str | None = None, limit: int = 50, offset: int = 0) -> dict[str, Any]:
    rows, total = await uow.courses.summaries(
        filters={"organizer_opd": organizer_opd, "field": field, "kecamatan_code": kecamatan_code},
        limit=limit, offset=offset,
    )
    return {"items": [course_view(r) for r in rows], "total": total, "limit": limit, "offset": offset}
