"""Courses, enrolments, completions, drop-outs and job placements (training.events)."""

from typing import Any

from berdaya_contracts import Envelope

from .batch import Handler, StatementBatch
from .fact import Fact

# A course's dates and capacity come from its CourseScheduled and any CourseRescheduled: the event that occurred
# last wins (ties by event id), whatever the order they arrive or are replayed in; what only CourseScheduled carries
# (organizer, field, place, sessions) fills in when it arrives, even after a reschedule made the row.
_LATER = "(EXCLUDED.dates_as_of, EXCLUDED.dates_event) > (courses.dates_as_of, courses.dates_event)"
_DATES = ", ".join(f"{c} = CASE WHEN courses.dates_as_of IS NULL OR {_LATER} THEN EXCLUDED.{c} ELSE courses.{c} END"
                   for c in ("starts_on", "ends_on", "capacity", "dates_as_of", "dates_event"))
COURSES = Fact("courses", "course_ref organizer_opd field kecamatan_code starts_on ends_on sessions capacity"
               " dates_as_of dates_event",
               "(course_ref) DO UPDATE SET " + ", ".join(
                   f"{c} = COALESCE(courses.{c}, EXCLUDED.{c})"
                   for c in ("organizer_opd", "field", "kecamatan_code", "sessions")) + ", " + _DATES)
# An enrolment reported twice keeps its earliest date.
ENROLMENTS = Fact("enrolments", "course_ref person_ref enrolled_on",
                  "(course_ref, person_ref) DO UPDATE SET enrolled_on = LEAST(enrolments.enrolled_on,"
                  " EXCLUDED.enrolled_on)")
COMPLETIONS = Fact("completions", "course_ref person_ref completed_on attendance_rate certified")
DROPOUTS = Fact("dropouts", "course_ref person_ref dropped_on reason")
PLACEMENTS = Fact("placements", "placement_ref person_ref course_ref sector formal monthly_wage_idr placed_on")


async def scheduled(batch: StatementBatch, p: Any, env: Envelope) -> None:
    await COURSES.store(batch, p.course_ref, p.organizer_opd, p.field, p.kecamatan_code, p.starts_on, p.ends_on,
                        p.sessions, p.capacity, env.occurred_at, env.event_id)


async def rescheduled(batch: StatementBatch, p: Any, env: Envelope) -> None:
    """New dates and capacity: they move the course's completion rate to its new start month."""
    await COURSES.store(batch, p.course_ref, None, None, None, p.starts_on, p.ends_on, None, p.capacity,
                        env.occurred_at, env.event_id)


async def ignored(batch: StatementBatch, p: Any, env: Envelope) -> None:
    """Attendance feeds no indicator of BRIEF.md; completions carry the attendance rate."""


HANDLERS: dict[str, Handler] = {
    "training.CourseScheduled": scheduled,
    "training.CourseRescheduled": rescheduled,
    "training.ParticipantEnrolled": ENROLMENTS.copy,
    "training.TrainingCompleted": COMPLETIONS.copy,
    "training.ParticipantDropped": DROPOUTS.copy,
    "training.JobPlaced": PLACEMENTS.copy,
    "training.AttendanceRecorded": ignored,
}
