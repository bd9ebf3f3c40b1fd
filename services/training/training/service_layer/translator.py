"""Domain events → v1 contracts (the unit of work stages them in the outbox)."""

from collections.abc import Callable
from typing import Any

from berdaya_contracts import training_v1 as v1
from berdaya_contracts.common import Payload

from ..domain import events

_TRANSLATE: dict[type[Any], Callable[[Any], Payload]] = {
    events.CourseScheduled: lambda e: v1.CourseScheduled(
        course_ref=e.course_ref, organizer_opd=e.organizer_opd, field=e.field, kecamatan_code=e.kecamatan_code,
        starts_on=e.starts_on, ends_on=e.ends_on, sessions=e.sessions, capacity=e.capacity,
    ),
    events.CourseRescheduled: lambda e: v1.CourseRescheduled(
        course_ref=e.course_ref, starts_on=e.starts_on, ends_on=e.ends_on, capacity=e.capacity,
    ),
    events.ParticipantEnrolled: lambda e: v1.ParticipantEnrolled(
        course_ref=e.course_ref, person_ref=e.person_ref, enrolled_on=e.enrolled_on
    ),
    events.AttendanceRecorded: lambda e: v1.AttendanceRecorded(
        course_ref=e.course_ref, person_ref=e.person_ref, session_no=e.session_no, present=e.present
    ),
    events.TrainingCompleted: lambda e: v1.TrainingCompleted(
        course_ref=e.course_ref, person_ref=e.person_ref, completed_on=e.completed_on,
        attendance_rate=float(e.attendance_rate), certified=e.certified,
    ),
    events.ParticipantDropped: lambda e: v1.ParticipantDropped(
        course_ref=e.course_ref, person_ref=e.person_ref, dropped_on=e.dropped_on, reason=e.reason
    ),
    events.JobPlaced: lambda e: v1.JobPlaced(
        placement_ref=e.placement_ref, person_ref=e.person_ref, course_ref=e.course_ref, sector=e.sector,
        formal=e.formal, monthly_wage_idr=e.monthly_wage_idr, placed_on=e.placed_on,
    ),
}


def to_contract(event: Any) -> Payload:
    return _TRANSLATE[type(event)](event)
