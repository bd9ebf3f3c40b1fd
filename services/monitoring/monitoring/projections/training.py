"""Courses, enrolments, completions, drop-outs and job placements (training.events)."""

from typing import Any

from berdaya_contracts import Envelope

from .batch import Handler, StatementBatch
from .fact import Fact

COURSES = Fact("courses", "course_ref organizer_opd field kecamatan_code starts_on ends_on sessions capacity")
# An enrolment reported twice keeps its earliest date.
ENROLMENTS = Fact("enrolments", "course_ref person_ref enrolled_on",
                  "(course_ref, person_ref) DO UPDATE SET enrolled_on = LEAST(enrolments.enrolled_on,"
                  " EXCLUDED.enrolled_on)")
COMPLETIONS = Fact("completions", "course_ref person_ref completed_on attendance_rate certified")
DROPOUTS = Fact("dropouts", "course_ref person_ref dropped_on reason")
PLACEMENTS = Fact("placements", "placement_ref person_ref course_ref sector formal monthly_wage_idr placed_on")


async def ignored(batch: StatementBatch, p: Any, env: Envelope) -> None:
    """Attendance feeds no indicator of BRIEF.md; completions carry the attendance rate."""


HANDLERS: dict[str, Handler] = {
    "training.CourseScheduled": COURSES.copy,
    "training.ParticipantEnrolled": ENROLMENTS.copy,
    "training.TrainingCompleted": COMPLETIONS.copy,
    "training.ParticipantDropped": DROPOUTS.copy,
    "training.JobPlaced": PLACEMENTS.copy,
    "training.AttendanceRecorded": ignored,
}
