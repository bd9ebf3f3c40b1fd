"""Participant handlers: enrolment, attendance per session, completion with certificate, drop-out.

Every mutation locks the course row first, so capacity checks and attendance-based completions see a
consistent class. A ref retired by a merge of registry records is resolved to the woman it counts as
(``domain.merges``); events about an existing enrolment name the ref it was recorded under.
"""

from datetime import date
from typing import Any
from uuid import UUID, uuid4

from berdaya_shared.errors import NotFound

from ..domain import attendance as attendance_rules
from ..domain import model
from . import courses
from .unit_of_work import TrainingUnitOfWork


def enrolment_view(row: dict[str, Any]) -> dict[str, Any]:
    view = {k: row[k] for k in (
        "course_ref", "person_ref", "status", "enrolled_on", "completed_on", "certified", "certificate_no",
        "override_reason", "dropped_on", "drop_reason", "sessions_present",
    )}
    view["course_sessions"] = row["sessions"]
    view["attendance_rate"] = round(row["sessions_present"] / row["sessions"], 4)
    return view


async def enrol(uow: TrainingUnitOfWork, *, course_ref: UUID, person_ref: UUID, enrolled_on: date) -> dict[str, Any]:
    course = await courses.require(uow, course_ref, for_update=True)
    person_ref = await uow.women.resolve(person_ref)  # a merged record's ref: the woman it counts as
    model.require_registered(await uow.women.get(person_ref), person_ref)
    event = model.enrol(
        course, person_ref=person_ref, existing=await uow.courses.get_enrolment(course_ref, person_ref),
        seats_taken=await uow.courses.seats_taken(course_ref), enrolled_on=enrolled_on,
    )
    await uow.courses.add_enrolment(model.Enrolment(course_ref, person_ref, model.ENROLLED, enrolled_on))
    await uow.publish([event])
    return await get(uow, course_ref=course_ref, person_ref=person_ref)


async def get(uow: TrainingUnitOfWork, *, course_ref: UUID, person_ref: UUID) -> dict[str, Any]:
    row = await uow.courses.enrolment_summary(course_ref, await uow.women.resolve(person_ref))
    if row is None:
        raise NotFound("Peserta tidak terdaftar di pelatihan ini", "enrolment not found", field="person_ref")
    return enrolment_view(row)


async def list_(uow: TrainingUnitOfWork, *, course_ref: UUID, status: str | None = None, limit: int = 50,
                offset: int = 0) -> dict[str, Any]:
    await courses.require(uow, course_ref)
    rows, total = await uow.courses.enrolment_summaries(course_ref, status=status, limit=limit, offset=offset)
    return {"items": [enrolment_view(r) for r in rows], "total": total, "limit": limit, "offset": offset}


async def record_attendance(uow: TrainingUnitOfWork, *, course_ref: UUID, session_no: int,
                            marks: list[tuple[UUID, bool]]) -> dict[str, Any]:
    course = await courses.require(uow, course_ref, for_update=True)
    marks = [(await uow.women.resolve(ref), present) for ref, present in marks]
    refs = [ref for ref, _ in marks]
    outcomes, raised = attendance_rules.record_session(
        course, session_no, [attendance_rules.Mark(ref, present) for ref, present in marks],
        await uow.courses.get_enrolments(course_ref, refs),
        await uow.courses.stored_attendance(course_ref, session_no, refs),
    )
    changed = [(o.person_ref, o.present) for o in outcomes if o.result != attendance_rules.UNCHANGED]
    await uow.courses.save_attendance(course_ref, session_no, changed)
    await uow.publish(raised)
    return {
        "course_ref": course_ref,
        "session_no": session_no,
        "rows": [{"person_ref": o.person_ref, "present": o.present, "result": o.result} for o in outcomes],
        "events_published": len(raised),
    }


async def session_sheet(uow: TrainingUnitOfWork, *, course_ref: UUID, session_no: int) -> dict[str, Any]:
    course = await courses.require(uow, course_ref)
    course.check_session(session_no)
    rows = await uow.courses.session_sheet(course_ref, session_no)
    return {
        "course_ref": course_ref,
        "session_no": session_no,
        "rows": [{"person_ref": r["person_ref"], "present": r["present"]} for r in rows],
        "present": sum(1 for r in rows if r["present"]),
    }


def certificate_no(course: model.Course, completed_on: date) -> str:
    return f"{course.organizer_opd.upper()}/{completed_on.year}/{uuid4().hex[:10].upper()}"


async def complete(uow: TrainingUnitOfWork, *, course_ref: UUID, person_ref: UUID, completed_on: date,
                   override_reason: str | None) -> dict[str, Any]:
    course = await courses.require(uow, course_ref, for_update=True)
    person_ref = await uow.women.resolve(person_ref)
    enrolment = await uow.courses.get_enrolment(course_ref, person_ref)
    event = model.complete(course, enrolment, person_ref=person_ref, completed_on=completed_on,
                           override_reason=override_reason)
    await uow.courses.mark_completed(
        course_ref=course_ref, person_ref=person_ref, completed_on=completed_on,
        attendance_rate=event.attendance_rate, certified=event.certified,
        certificate_no=certificate_no(course, completed_on) if event.certified else None,
        # An override is recorded only when it was needed to complete.
        override_reason=None if event.certified else override_reason,
    )
    await uow.publish([event])
    return await get(uow, course_ref=course_ref, person_ref=person_ref)


async def drop(uow: TrainingUnitOfWork, *, course_ref: UUID, person_ref: UUID, dropped_on: date, reason: str) -> dict[str, Any]:
    course = await courses.require(uow, course_ref, for_update=True)
    person_ref = await uow.women.resolve(person_ref)
    enrolment = await uow.courses.get_enrolment(course_ref, person_ref)
    event = model.drop(course, enrolment, person_ref=person_ref, dropped_on=dropped_on, reason=reason)
    await uow.courses.mark_dropped(course_ref=course_ref, person_ref=person_ref, dropped_on=dropped_on,
                                  reason=reason)
    await uow.publish([event])
    return await get(uow, course_ref=course_ref, person_ref=person_ref)
