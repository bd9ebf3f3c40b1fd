"""Courses and their participants: the rules of enrolment, attendance, completion and drop-out.

Pure: no I/O. Each rule takes the state the service layer loaded and returns the domain events to
record, or raises a ``Refused``.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from uuid import UUID

from berdaya_shared.errors import Conflict, Invalid

from . import events

ENROLLED, COMPLETED, DROPPED = "enrolled", "completed", "dropped"


@dataclass(frozen=True)
class Woman:
    """The replica's view of a registered woman: nothing personal."""

    person_ref: UUID
    registered: bool
    erased: bool


@dataclass
class Course:
    course_ref: UUID
    organizer_opd: str
    field: str
    kecamatan_code: str
    title: str
    starts_on: date
    ends_on: date
    sessions: int
    capacity: int
    completion_threshold: Decimal

    def schedule(self) -> events.CourseScheduled:
        if self.ends_on < self.starts_on:
            raise Invalid(
                "Tanggal selesai tidak boleh sebelum tanggal mulai",
                "ends_on is before starts_on",
                field="ends_on",
            )
        return events.CourseScheduled(
            self.course_ref, self.organizer_opd, self.field, self.kecamatan_code,
            self.starts_on, self.ends_on, self.sessions, self.capacity,
        )

    def reschedule(self, *, starts_on: date, ends_on: date, capacity: int, seats_taken: int,
                   today: date) -> events.CourseRescheduled | None:
        """New dates and capacity for this course (it changes in place); None when nothing changes.

        Rules (decided for issue 17): a finished course — its current end date before ``today`` (WITA) — is not
        edited, so the record of what happened stays as it happened (Conflict, field ``ends_on``); the end is not
        before the start (Invalid, field ``ends_on``); the capacity is not below the seats already taken by
        enrolled and completed participants (Conflict, field ``capacity``, with ``seats_taken``). Sessions, field,
        place and organizer are not changed here."""
        if self.ends_on < today:
            raise Conflict(
                "Pelatihan yang sudah selesai tidak dapat diubah jadwal atau kapasitasnya",
                f"the course ended on {self.ends_on}, before today {today}",
                field="ends_on",
            )
        if ends_on < starts_on:
            raise Invalid(
                "Tanggal selesai tidak boleh sebelum tanggal mulai",
                "ends_on is before starts_on",
                field="ends_on",
            )
        if capacity < seats_taken:
            raise Conflict(
                f"Kapasitas tidak boleh kurang dari {seats_taken} peserta yang sudah terdaftar",
                f"capacity {capacity} is below the {seats_taken} seats taken",
                field="capacity",
                seats_taken=seats_taken,
            )
        if (starts_on, ends_on, capacity) == (self.starts_on, self.ends_on, self.capacity):
            return None
        self.starts_on, self.ends_on, self.capacity = starts_on, ends_on, capacity
        return events.CourseRescheduled(self.course_ref, starts_on, ends_on, capacity)

    def check_session(self, session_no: int) -> None:
        if not 1 <= session_no <= self.sessions:
            raise Invalid(
                f"Sesi {session_no} tidak ada: pelatihan ini punya {self.sessions} sesi",
                f"session {session_no} is outside 1..{self.sessions}",
                field="session_no",
            )


@dataclass
class Enrolment:
    course_ref: UUID
    person_ref: UUID  # the woman it counts for
    status: str
    enrolled_on: date
    present_sessions: set[int] = field(default_factory=set)
    recorded_ref: UUID | None = None  # the ref it was recorded under, when a merge made it hers (domain.merges)

    @property
    def event_ref(self) -> UUID:
        """The ref the enrolment's events name: the one it was recorded under."""
        return self.recorded_ref or self.person_ref

    def require_active(self) -> None:
        if self.status == COMPLETED:
            raise Conflict(
                "Peserta ini sudah dinyatakan selesai pada pelatihan ini",
                "participant already completed this course",
                field="person_ref",
            )
        if self.status == DROPPED:
            raise Conflict(
                "Peserta ini sudah keluar (drop-out) dari pelatihan ini",
                "participant already dropped out of this course",
                field="person_ref",
            )


def require_registered(woman: Woman | None, person_ref: UUID) -> None:
    """A command about a woman needs her in the registry replica, and not erased."""
    if woman is None or not woman.registered:
        raise Invalid(
            "Perempuan dengan person_ref ini belum terdaftar di registri, atau data registri belum sampai ke "
            "layanan pelatihan. Daftarkan dulu di registri, atau coba lagi beberapa saat lagi.",
            f"person_ref {person_ref} is unknown: not registered in the registry, "
            "or the registry's events have not arrived yet",
            field="person_ref",
        )
    if woman.erased:
        raise Invalid(
            "Data pribadi perempuan ini telah dihapus atas permintaannya; kegiatan baru tidak dapat dicatat",
            f"person_ref {person_ref} has had her personal data erased; no new records are accepted",
            field="person_ref",
        )


def enrol(course: Course, *, person_ref: UUID, existing: Enrolment | None, seats_taken: int,
          enrolled_on: date) -> events.ParticipantEnrolled:
    if existing is not None:
        raise Conflict(
            "Perempuan ini sudah terdaftar di pelatihan ini",
            "person is already enrolled in this course",
            field="person_ref",
            status=existing.status,
        )
    if seats_taken >= course.capacity:
        raise Conflict(
            f"Kuota pelatihan sudah penuh ({course.capacity} peserta)",
            f"course is full: capacity {course.capacity}",
            field="course_ref",
        )
    if enrolled_on > course.ends_on:
        raise Invalid(
            "Tanggal pendaftaran setelah pelatihan berakhir",
            "enrolled_on is after the course's ends_on",
            field="enrolled_on",
        )
    return events.ParticipantEnrolled(course.course_ref, person_ref, enrolled_on)


def attendance_rate(course: Course, enrolment: Enrolment) -> Decimal:
    """Sessions present ÷ sessions of the course, rounded to 4 decimals (the certificate rule uses exact figures)."""
    return (Decimal(len(enrolment.present_sessions)) / Decimal(course.sessions)).quantize(
        Decimal("0.0001"), rounding=ROUND_HALF_UP
    )


def reaches_threshold(course: Course, enrolment: Enrolment) -> bool:
    return Decimal(len(enrolment.present_sessions)) >= course.completion_threshold * course.sessions


def complete(course: Course, enrolment: Enrolment | None, *, person_ref: UUID, completed_on: date,
             override_reason: str | None) -> events.TrainingCompleted:
    """Completion with a certificate when attendance reaches the threshold.

    Below the threshold a completion needs an explicit ``override_reason`` and is recorded WITHOUT a
    certificate: the certificate attests attendance, which the override does not change.
    """
    if enrolment is None:
        raise Invalid(
            "Perempuan ini tidak pernah terdaftar di pelatihan ini, jadi tidak bisa dinyatakan selesai",
            "person was never enrolled in this course",
            field="person_ref",
        )
    enrolment.require_active()
    if completed_on < course.starts_on:
        raise Invalid(
            "Tanggal selesai sebelum pelatihan dimulai",
            "completed_on is before the course's starts_on",
            field="completed_on",
        )
    rate = attendance_rate(course, enrolment)
    certified = reaches_threshold(course, enrolment)
    if not certified and not override_reason:
        threshold_pct = (course.completion_threshold * 100).normalize()
        raise Invalid(
            f"Kehadiran {len(enrolment.present_sessions)} dari {course.sessions} sesi ({rate * 100:.1f} %) di bawah "
            f"batas {threshold_pct:f} %; isi override_reason bila tetap dinyatakan selesai (tanpa sertifikat)",
            f"attendance rate {rate} is below the course threshold {course.completion_threshold}; "
            "an override_reason is required",
            field="override_reason",
            attendance_rate=float(rate),
            threshold=float(course.completion_threshold),
        )
    return events.TrainingCompleted(course.course_ref, enrolment.event_ref, completed_on, rate, certified)


def drop(course: Course, enrolment: Enrolment | None, *, person_ref: UUID, dropped_on: date,
         reason: str) -> events.ParticipantDropped:
    if enrolment is None:
        raise Invalid(
            "Perempuan ini tidak terdaftar di pelatihan ini",
            "person is not enrolled in this course",
            field="person_ref",
        )
    enrolment.require_active()
    if dropped_on < enrolment.enrolled_on:
        raise Invalid(
            "Tanggal keluar sebelum tanggal pendaftaran",
            "dropped_on is before enrolled_on",
            field="dropped_on",
        )
    return events.ParticipantDropped(course.course_ref, enrolment.event_ref, dropped_on, reason)
