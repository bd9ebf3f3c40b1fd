"""The training repositories: SQL for courses (with their enrolments and attendance) and for job placements.

Reads return plain dicts, the same shape the unit tests' in-memory fakes return. Enrolments and placements are
looked up by the woman they count for (``woman_ref``: a merged record's ref already resolved to its survivor) and
shown under her; the ref they were recorded under (``person_ref``) is what their events name. An enrolment set
aside by a merge (the overlapping one) holds no seat and is not listed."""

from typing import Any
from uuid import UUID

import asyncpg

from ..domain.model import DROPPED, Course, Enrolment

_COURSE_COLUMNS = (
    "course_ref, organizer_opd, field, kecamatan_code, title, starts_on, ends_on, sessions, capacity, "
    "completion_threshold"
)
# Seats are held by enrolled and completed participants; a drop-out frees hers.
_COUNTS = f"""
SELECT c.*, coalesce(n.enrolled, 0) AS enrolled, coalesce(n.completed, 0) AS completed,
       coalesce(n.certified, 0) AS certified, coalesce(n.dropped, 0) AS dropped
FROM courses c
LEFT JOIN LATERAL (
    SELECT count(*) FILTER (WHERE status = 'enrolled') AS enrolled,
           count(*) FILTER (WHERE status = 'completed') AS completed,
           count(*) FILTER (WHERE certified) AS certified,
           count(*) FILTER (WHERE status = '{DROPPED}') AS dropped
    FROM enrolments e WHERE e.course_ref = c.course_ref AND NOT e.set_aside
) n ON true
"""


_ENROLMENT_READ = """
SELECT e.course_ref, e.woman_ref AS person_ref, e.person_ref AS recorded_ref, e.status, e.enrolled_on,
       e.completed_on, e.attendance_rate, e.certified, e.certificate_no, e.override_reason, e.dropped_on,
       e.drop_reason, c.sessions,
       (SELECT count(*) FROM attendance a
        WHERE a.course_ref = e.course_ref AND a.person_ref = e.person_ref AND a.present) AS sessions_present
FROM enrolments e JOIN courses c USING (course_ref)
"""


def _course(row: asyncpg.Record) -> Course:
    return Course(**{k: row[k] for k in _COURSE_COLUMNS.split(", ")})


class CourseRepository:
    """Courses with their enrolments and attendance: the course row is the aggregate's lock."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def add(self, course: Course) -> None:
        await self.conn.execute(
            f"INSERT INTO courses ({_COURSE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            course.course_ref, course.organizer_opd, course.field, course.kecamatan_code, course.title,
            course.starts_on, course.ends_on, course.sessions, course.capacity, course.completion_threshold,
        )

    async def update_schedule(self, course: Course) -> None:
        """Store the course's dates and capacity (a reschedule)."""
        await self.conn.execute("UPDATE courses SET starts_on = $2, ends_on = $3, capacity = $4 WHERE course_ref = $1",
                                course.course_ref, course.starts_on, course.ends_on, course.capacity)

    async def get(self, course_ref: UUID, *, for_update: bool = False) -> Course | None:
        lock = " FOR UPDATE" if for_update else ""
        row = await self.conn.fetchrow(f"SELECT {_COURSE_COLUMNS} FROM courses WHERE course_ref = $1{lock}",
                                       course_ref)
        return _course(row) if row else None

    async def summary(self, course_ref: UUID) -> dict[str, Any] | None:
        """The course with its counts (enrolled, completed, certified, dropped)."""
        row = await self.conn.fetchrow(_COUNTS + " WHERE c.course_ref = $1", course_ref)
        return dict(row) if row else None

    async def summaries(self, *, filters: dict[str, Any], limit: int,
                        offset: int) -> tuple[list[dict[str, Any]], int]:
        where, args = [], []
        for column, value in filters.items():
            if value is not None:
                args.append(value)
                where.append(f"c.{column} = ${len(args)}")
        clause = (" WHERE " + " AND ".join(where)) if where else ""
        total = await self.conn.fetchval(f"SELECT count(*) FROM courses c{clause}", *args)
        rows = await self.conn.fetch(
            f"{_COUNTS}{clause} ORDER BY c.starts_on DESC, c.course_ref LIMIT ${len(args) + 1} OFFSET ${len(args) + 2}",
            *args, limit, offset,
        )
        return [dict(r) for r in rows], total

    async def seats_taken(self, course_ref: UUID) -> int:
        return await self.conn.fetchval(
            f"SELECT count(*) FROM enrolments WHERE course_ref = $1 AND status <> '{DROPPED}' AND NOT set_aside",
            course_ref,
        )

    async def get_enrolment(self, course_ref: UUID, person_ref: UUID) -> Enrolment | None:
        found = await self.get_enrolments(course_ref, [person_ref])
        return found.get(person_ref)

    async def get_enrolments(self, course_ref: UUID, person_refs: list[UUID]) -> dict[UUID, Enrolment]:
        """The enrolments that count for these women in the course, by woman (each knows its recorded ref)."""
        rows = await self.conn.fetch(
            """
            SELECT e.woman_ref, e.person_ref, e.status, e.enrolled_on,
                   coalesce(array_agg(a.session_no) FILTER (WHERE a.present), '{}') AS present
            FROM enrolments e
            LEFT JOIN attendance a ON a.course_ref = e.course_ref AND a.person_ref = e.person_ref
            WHERE e.course_ref = $1 AND e.woman_ref = ANY($2::uuid[]) AND NOT e.set_aside
            GROUP BY e.woman_ref, e.person_ref, e.status, e.enrolled_on
            """,
            course_ref, person_refs,
        )
        return {
            r["woman_ref"]: Enrolment(course_ref, r["woman_ref"], r["status"], r["enrolled_on"], set(r["present"]),
                                      recorded_ref=r["person_ref"])
            for r in rows
        }

    async def add_enrolment(self, enrolment: Enrolment) -> None:
        await self.conn.execute(
            "INSERT INTO enrolments (course_ref, person_ref, woman_ref, status, enrolled_on) VALUES ($1, $2, $2, $3, $4)",
            enrolment.course_ref, enrolment.person_ref, enrolment.status, enrolment.enrolled_on,
        )

    async def enrolment_summary(self, course_ref: UUID, person_ref: UUID) -> dict[str, Any] | None:
        """The enrolment that counts for her in the course, with its session count and the sessions attended."""
        row = await self.conn.fetchrow(
            _ENROLMENT_READ + " WHERE e.course_ref = $1 AND e.woman_ref = $2 AND NOT e.set_aside",
            course_ref, person_ref)
        return dict(row) if row else None

    async def enrolment_summaries(self, course_ref: UUID, *, status: str | None, limit: int,
                                  offset: int) -> tuple[list[dict[str, Any]], int]:
        total = await self.conn.fetchval(
            "SELECT count(*) FROM enrolments WHERE course_ref = $1 AND ($2::text IS NULL OR status = $2)"
            " AND NOT set_aside", course_ref, status,
        )
        rows = await self.conn.fetch(
            _ENROLMENT_READ + " WHERE e.course_ref = $1 AND ($2::text IS NULL OR e.status = $2) AND NOT e.set_aside"
            " ORDER BY e.created_at, e.person_ref LIMIT $3 OFFSET $4",
            course_ref, status, limit, offset,
        )
        return [dict(r) for r in rows], total

    async def stored_attendance(self, course_ref: UUID, session_no: int,
                                person_refs: list[UUID]) -> dict[UUID, bool]:
        """The session's stored marks of these women (on the enrolment that counts for each), by woman."""
        rows = await self.conn.fetch(
            "SELECT e.woman_ref, a.present FROM attendance a JOIN enrolments e"
            " ON e.course_ref = a.course_ref AND e.person_ref = a.person_ref AND NOT e.set_aside"
            " WHERE a.course_ref = $1 AND a.session_no = $2 AND e.woman_ref = ANY($3::uuid[])",
            course_ref, session_no, person_refs,
        )
        return {r["woman_ref"]: r["present"] for r in rows}

    async def save_attendance(self, course_ref: UUID, session_no: int,
                              marks: list[tuple[UUID, bool]]) -> None:
        """Store marks given by woman on the enrolment that counts for each (under its recorded ref)."""
        if not marks:
            return
        await self.conn.execute(
            """
            INSERT INTO attendance (course_ref, person_ref, session_no, present)
            SELECT e.course_ref, e.person_ref, $2, m.present
            FROM unnest($3::uuid[], $4::bool[]) AS m(woman_ref, present)
            JOIN enrolments e ON e.course_ref = $1 AND e.woman_ref = m.woman_ref AND NOT e.set_aside
            ON CONFLICT (course_ref, person_ref, session_no)
            DO UPDATE SET present = EXCLUDED.present, recorded_at = now()
            """,
            course_ref, session_no, [ref for ref, _ in marks], [present for _, present in marks],
        )

    async def session_sheet(self, course_ref: UUID, session_no: int) -> list[dict[str, Any]]:
        return [dict(r) for r in await self.conn.fetch(
            "SELECT e.woman_ref AS person_ref, a.present, a.recorded_at FROM attendance a JOIN enrolments e"
            " ON e.course_ref = a.course_ref AND e.person_ref = a.person_ref AND NOT e.set_aside"
            " WHERE a.course_ref = $1 AND a.session_no = $2 ORDER BY e.woman_ref",
            course_ref, session_no,
        )]

    async def mark_completed(self, *, course_ref: UUID, person_ref: UUID, completed_on: Any,
                             attendance_rate: Any, certified: bool, certificate_no: str | None,
                             override_reason: str | None) -> None:
        await self.conn.execute(
            """
            UPDATE enrolments SET status = 'completed', completed_on = $3, attendance_rate = $4, certified = $5,
                   certificate_no = $6, override_reason = $7
            WHERE course_ref = $1 AND woman_ref = $2 AND NOT set_aside
            """,
            course_ref, person_ref, completed_on, attendance_rate, certified, certificate_no, override_reason,
        )

    async def mark_dropped(self, *, course_ref: UUID, person_ref: UUID, dropped_on: Any, reason: str) -> None:
        await self.conn.execute(
            "UPDATE enrolments SET status = 'dropped', dropped_on = $3, drop_reason = $4"
            " WHERE course_ref = $1 AND woman_ref = $2 AND NOT set_aside",
            course_ref, person_ref, dropped_on, reason,
        )


_PLACEMENT_COLUMNS = (
    "placement_ref, person_ref, course_ref, sector, formal, monthly_wage_idr, placed_on, recorded_by_opd"
)
# A placement read shows the woman it counts for now.
_PLACEMENT_READ = "SELECT placement_ref, woman_ref AS person_ref, person_ref AS recorded_ref, course_ref, sector," \
                  " formal, monthly_wage_idr, placed_on, recorded_by_opd FROM placements"


class PlacementRepository:
    """Job placements (Distransnaker)."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def add(self, values: dict[str, Any]) -> None:
        cols = _PLACEMENT_COLUMNS.split(", ")
        await self.conn.execute(
            f"INSERT INTO placements ({_PLACEMENT_COLUMNS}, woman_ref)"
            f" VALUES ({', '.join(f'${i + 1}' for i in range(len(cols)))}, $2)",
            *(values[c] for c in cols),
        )

    async def get(self, placement_ref: UUID) -> dict[str, Any] | None:
        row = await self.conn.fetchrow(_PLACEMENT_READ + " WHERE placement_ref = $1", placement_ref)
        return dict(row) if row else None

    async def page(self, *, person_ref: UUID | None, course_ref: UUID | None, limit: int,
                   offset: int) -> tuple[list[dict[str, Any]], int]:
        """A page of placements, of one woman (all her records) and/or one course."""
        where = "($1::uuid IS NULL OR woman_ref = $1) AND ($2::uuid IS NULL OR course_ref = $2)"
        total = await self.conn.fetchval(f"SELECT count(*) FROM placements WHERE {where}", person_ref, course_ref)
        rows = await self.conn.fetch(
            f"{_PLACEMENT_READ} WHERE {where} ORDER BY placed_on DESC, placement_ref LIMIT $3 OFFSET $4",
            person_ref, course_ref, limit, offset,
        )
        return [dict(r) for r in rows], total
