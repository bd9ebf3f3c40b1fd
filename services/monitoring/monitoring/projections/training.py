"""Courses, enrolments, completions, drop-outs and job placements."""

from typing import Any

from berdaya_contracts import Envelope

from . import Handler, StatementBatch


async def course_scheduled(conn: StatementBatch, p: Any, env: Envelope) -> None:
    await conn.execute(
        "INSERT INTO courses VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING",
        p.course_ref, p.organizer_opd, p.field, p.kecamatan_code, p.starts_on, p.ends_on, p.sessions, p.capacity,
    )


async def enrolled(conn: StatementBatch, p: Any, env: Envelope) -> None:
    await conn.execute(
        "INSERT INTO enrolments VALUES ($1, $2, $3) ON CONFLICT (course_ref, person_ref)"
        " DO UPDATE SET enrolled_on = LEAST(enrolments.enrolled_on, EXCLUDED.enrolled_on)",
        p.course_ref, p.person_ref, p.enrolled_on,
    )


async def completed(conn: StatementBatch, p: Any, env: Envelope) -> None:
    await conn.execute(
        "INSERT INTO completions VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
        p.course_ref, p.person_ref, p.completed_on, p.attendance_rate, p.certified,
    )


async def dropped(conn: StatementBatch, p: Any, env: Envelope) -> None:
    await conn.execute(
        "INSERT INTO dropouts VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
        p.course_ref, p.person_ref, p.dropped_on, p.reason,
    )


async def job_placed(conn: StatementBatch, p: Any, env: Envelope) -> None:
    await conn.execute(
        "INSERT INTO placements VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
        p.placement_ref, p.person_ref, p.course_ref, p.sector, p.formal, p.monthly_wage_idr, p.placed_on,
    )


async def ignored(conn: StatementBatch, p: Any, env: Envelope) -> None:
    """Attendance feeds no indicator of BRIEF.md; completions carry the attendance rate."""


HANDLERS: dict[str, Handler] = {
    "training.CourseScheduled": course_scheduled,
    "training.ParticipantEnrolled": enrolled,
    "training.TrainingCompleted": completed,
    "training.ParticipantDropped": dropped,
    "training.JobPlaced": job_placed,
    "training.AttendanceRecorded": ignored,
}
