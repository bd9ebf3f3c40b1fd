"""Version 1 payloads published by the training service on ``training.events``."""

from datetime import date
from typing import Literal
from uuid import UUID

from pydantic import Field

from .common import OPD, KecamatanCode, Payload, Rupiah, Sector

TrainingField = Literal[
    "kerajinan_tangan",
    "industri_kreatif",
    "kuliner",
    "teknologi_informasi",
    "manufaktur",
    "jasa",
    "manajemen_usaha",
]


class CourseScheduled(Payload):
    course_ref: UUID
    organizer_opd: OPD
    field: TrainingField
    kecamatan_code: KecamatanCode
    starts_on: date
    ends_on: date
    sessions: int = Field(ge=1, le=365)
    capacity: int = Field(ge=1, le=10_000)


class CourseRescheduled(Payload):
    """A course's dates and capacity as changed by its organizer: the whole new state of those three, not a delta.
    The latest by ``occurred_at`` holds; its field, place, sessions and organizer are the CourseScheduled's."""

    course_ref: UUID
    starts_on: date
    ends_on: date
    capacity: int = Field(ge=1, le=10_000)


class ParticipantEnrolled(Payload):
    course_ref: UUID
    person_ref: UUID
    enrolled_on: date


class AttendanceRecorded(Payload):
    course_ref: UUID
    person_ref: UUID
    session_no: int = Field(ge=1, le=365)
    present: bool


class TrainingCompleted(Payload):
    course_ref: UUID
    person_ref: UUID
    completed_on: date
    attendance_rate: float = Field(ge=0, le=1)
    certified: bool


class ParticipantDropped(Payload):
    course_ref: UUID
    person_ref: UUID
    dropped_on: date
    reason: Literal["pekerjaan", "keluarga", "kesehatan", "pindah", "biaya", "lainnya"]


class JobPlaced(Payload):
    placement_ref: UUID
    person_ref: UUID
    course_ref: UUID | None = None
    sector: Sector | Literal["manufaktur", "pertambangan", "perkebunan", "pemerintahan"]
    formal: bool
    monthly_wage_idr: Rupiah
    placed_on: date
