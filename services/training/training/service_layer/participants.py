"""Participant handlers: enrolment, attendance per session, completion with certificate, drop-out.

Every mutation locks the course row first, so capacity checks and attendance-based completions see a
consistent class.
"""

from datetime import date
from typing import Any
from uuid import UUID, uuid4

import asyncpg

from ..adapters import replica, repository
from ..domain import attendance as attendance_rules
from ..domain import model
from ..domain.errors import NotFound
from . import courses, translator


def enrolment_view(row: asyncpg.Record) -> dict[str, Any]:
    view = {k: row[k] for k in (
        "course_ref", "person_ref", "status", "enrolled_on", "completed_on", "certified", "certificate_no",
        "override_reason", "dropped_on", "drop_reason", "sessions_present",
    )}
    view["course_sessions"] = row["sessions"]
    view["attendance_rate"] = round(row["sessions_present"] / row["sessions"], 4)
    return view


async def enrol(conn: asyncpg.Connection, *, course_ref: UUID, person_ref: UUID, enrolled_on: date,
                correlation_id: str | None = None) -> dict[str, Any]:
    course = await courses.require(conn, course_ref, for_update=True)
    model.require_registered(await replica.get(conn, person_ref), person_ref)
    event = model.enrol(
        course, person_ref=person_ref, existing=await repository.get_enrolment(conn, course_ref, person_ref),
        seats_taken=await repository.seats_taken(conn, course_ref), enrolled_on=enrolled_on,
    )
    await repository.add_enrolment(conn, model.Enrolment(course_ref, person_ref, model.ENROLLED, enrolled_on))
    await translator.publish(conn, [event], correlation_id=correlation_id)
    return await get(conn, course_ref=course_ref, person_ref=person_ref)


async def get(conn: asyncpg.Connection, *, course_ref: UUID, person_ref: UUID) -> dict[str, Any]:
    row = await repository.enrolment_row(conn, course_ref, person_ref)
    if row is None:
        raise NotFound("Peserta tidak terdaftar di pelatihan ini", "enrolment not found", field="person_ref")
    return enrolment_view(row)


async def list_(conn: asyncpg.Connection, *, course_ref: UUID, status: str | None = None, limit: int = 50,
                offset: int = 0) -> dict[str, Any]:
    await courses.require(conn, course_ref)
    rows, total = await repository.list_enrolments(conn, course_ref, status=status, limit=limit, offset=offset)
    return {"items": [enrolment_view(r) for r in rows], "total": total, "limit": limit, "offset": offset}


async def record_attendance(conn: asyncpg.Connection, *, course_ref: UUID, session_no: int,
                            marks: list[tuple[UUID, bool]], correlation_id: str | None = None) -> dict[str, Any]:
    course = await courses.require(conn, course_ref, for_update=True)
    refs = [ref for ref, _ in marks]
    outcomes, raised = attendance_rules.record_session(
        course, session_no, [attendance_rules.Mark(ref, present) for ref, present in marks],
        await repository.get_enrolments(conn, course_ref, refs),
        await repository.stored_attendance(conn, course_ref, session_no, refs),
    )
    changed = [(o.person_ref, o.present) for o in outcomes if o.result != attendance_rules.UNCHANGED]
    await repository.save_attendance(conn, course_ref, session_no, changed)
    await translator.publish(conn, raised, correlation_id=correlation_id)
    return {
        "course_ref": course_ref,
        "session_no": session_no,
        "rows": [{"person_ref": o.person_ref, "present": o.present, "result": o.result} for o in outcomes],
        "events_published": len(raised),
    }


async def session_sheet(conn: asyncpg.Connection, *, course_ref: UUID, session_no: int) -> dict[str, Any]:
    course = await courses.require(conn, course_ref)
    course.check_session(session_no)
    rows = await repository.session_sheet(conn, course_ref, session_no)
    return {
        "course_ref": course_ref,
        "session_no": session_no,
        "rows": [{"person_ref": r["person_ref"], "present": r["present"]} for r in rows],
        "present": sum(1 for r in rows if r["present"]),
    }


def certificate_no(course: model.Course, completed_on: date) -> str:
    return f"{course.organizer_opd.upper()}/{completed_on.year}/{uuid4().hex[:10].upper()}"


async def complete(conn: asyncpg.Connection, *, course_ref: UUID, person_ref: UUID, completed_on: date,
                   override_reason: str | None, correlation_id: str | None = None) -> dict[str, Any]:
    course = await courses.require(conn, course_ref, for_update=True)
    enrolment = await repository.get_enrolment(conn, course_ref, person_ref)
    event = model.complete(course, enrolment, person_ref=person_ref, completed_on=completed_on,
                           override_reason=override_reason)
    await repository.mark_completed(
        conn, course_ref=course_ref, person_ref=person_ref, completed_on=completed_on,
        attendance_rate=event.attendance_rate, certified=event.certified,
        certificate_no=certificate_no(course, completed_on) if event.certified else None,
        # An override is recorded only when it was needed to complete.
        override_reason=None if event.certified else override_reason,
    )
    await translator.publish(conn, [event], correlation_id=correlation_id)
    return await get(conn, course_ref=course_ref, person_ref=person_ref)


async def drop(conn: asyncpg.Connection, *, course_ref: UUID, person_ref: UUID, dropped_on: date, reason: str,
               correlation_id: str | None = None) -> dict[str, Any]:
    course = await courses.require(conn, course_ref, for_update=True)
    enrolment = await repository.get_enrolment(conn, course_ref, person_ref)
    event = model.drop(course, enrolment, person_ref=person_ref, dropped_on=dropped_on, reason=reason)
    await repository.mark_dropped(conn, course_ref=course_ref, person_ref=person_ref, dropped_on=dropped_on,
                                  reason=reason)
    await translator.publish(conn, [event], correlation_id=correlation_id)
    return await get(conn, course_ref=course_ref, person_ref=person_ref)
