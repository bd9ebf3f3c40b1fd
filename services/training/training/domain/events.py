"""The training domain's own events. They stay inside the service; a translator maps them to contracts."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID


@dataclass(frozen=True)
class CourseScheduled:
    course_ref: UUID
    organizer_opd: str
    field: str
    kecamatan_code: str
    starts_on: date
    ends_on: date
    sessions: int
    capacity: int


@dataclass(frozen=True)
class CourseRescheduled:
    course_ref: UUID
    starts_on: date
    ends_on: date
    capacity: int


@dataclass(frozen=True)
class ParticipantEnrolled:
    course_ref: UUID
    person_ref: UUID
    enrolled_on: date


@dataclass(frozen=True)
class AttendanceRecorded:
    course_ref: UUID
    person_ref: UUID
    session_no: int
    present: bool


@dataclass(frozen=True)
class TrainingCompleted:
    course_ref: UUID
    person_ref: UUID
    completed_on: date
    attendance_rate: Decimal
    certified: bool


@dataclass(frozen=True)
class ParticipantDropped:
    course_ref: UUID
    person_ref: UUID
    dropped_on: date
    reason: str


@dataclass(frozen=True)
class JobPlaced:
    placement_ref: UUID
    person_ref: UUID
    course_ref: UUID | None
    sector: str
    formal: bool
    monthly_wage_idr: int
    placed_on: date


DomainEvent = (
    CourseScheduled | ParticipantEnrolled | AttendanceRecorded | TrainingCompleted | ParticipantDropped | JobPlaced
)
