"""Attendance for one session, entered for the whole class at once.

Rule for re-recording: the latest entry for (course, person, session) wins. A row that changes the
stored value is a correction and publishes a new AttendanceRecorded with the new value; a row equal to
what is stored publishes nothing (no event claims a change that did not happen). Consumers therefore
keep the latest AttendanceRecorded per (course_ref, person_ref, session_no).
"""

from collections import Counter
from dataclasses import dataclass
from uuid import UUID

from berdaya_shared.errors import Invalid

from . import events
from .model import ENROLLED, Course, Enrolment

RECORDED, CORRECTED, UNCHANGED = "recorded", "corrected", "unchanged"


@dataclass(frozen=True)
class Mark:
    person_ref: UUID
    present: bool


@dataclass(frozen=True)
class Outcome:
    person_ref: UUID
    present: bool
    result: str  # recorded | corrected | unchanged


def record_session(course: Course, session_no: int, marks: list[Mark],
                   enrolments: dict[UUID, Enrolment], stored: dict[UUID, bool]) -> tuple[list[Outcome],
                                                                                    list[events.AttendanceRecorded]]:
    """Validate the whole batch (all or nothing) and say what each row changes."""
    course.check_session(session_no)
    counts = Counter(m.person_ref for m in marks)
    twice = sorted(str(ref) for ref, n in counts.items() if n > 1)
    if twice:
        raise Invalid(
            "Satu peserta muncul lebih dari sekali dalam daftar hadir",
            "a person_ref appears more than once in the batch",
            field="records", person_refs=twice,
        )
    unknown = sorted(str(m.person_ref) for m in marks if m.person_ref not in enrolments)
    if unknown:
        raise Invalid(
            f"{len(unknown)} orang dalam daftar hadir tidak terdaftar di pelatihan ini",
            "some person_refs are not enrolled in this course",
            field="records", person_refs=unknown,
        )
    inactive = sorted(str(m.person_ref) for m in marks if enrolments[m.person_ref].status != ENROLLED)
    if inactive:
        raise Invalid(
            f"{len(inactive)} peserta sudah selesai atau keluar; kehadiran mereka tidak bisa diubah lagi",
            "some participants already completed or dropped out; their attendance is closed",
            field="records", person_refs=inactive,
        )
    outcomes, raised = [], []
    for mark in marks:
        before = stored.get(mark.person_ref)
        if before is None:
            result = RECORDED
        elif before != mark.present:
            result = CORRECTED
        else:
            result = UNCHANGED
        outcomes.append(Outcome(mark.person_ref, mark.present, result))
        if result != UNCHANGED:
            raised.append(events.AttendanceRecorded(course.course_ref, enrolments[mark.person_ref].event_ref, session_no,
                                                    mark.present))
    return outcomes, raised
