"""Each woman's journey across OPDs (training and marketplace events), kept by the registry's consumer.

Every write is an idempotent upsert keyed by the event's own refs, and an enrolment's status only moves forward
(enrolled -> completed | dropped), so replays and redeliveries give the same tables. Reads return plain dicts.
"""

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

import asyncpg

_COURSE = """
INSERT INTO journey_courses (course_ref, organizer_opd, field, kecamatan_code, starts_on, ends_on, sessions, capacity)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
ON CONFLICT (course_ref) DO UPDATE SET organizer_opd = EXCLUDED.organizer_opd, field = EXCLUDED.field,
    kecamatan_code = EXCLUDED.kecamatan_code, starts_on = EXCLUDED.starts_on, ends_on = EXCLUDED.ends_on,
    sessions = EXCLUDED.sessions, capacity = EXCLUDED.capacity
"""
_ENROLLED = """
INSERT INTO journey_enrolments (course_ref, person_ref, status, enrolled_on) VALUES ($1, $2, 'enrolled', $3)
ON CONFLICT (course_ref, person_ref) DO UPDATE SET enrolled_on = EXCLUDED.enrolled_on
"""
_COMPLETED = """
INSERT INTO journey_enrolments (course_ref, person_ref, status, completed_on, attendance_rate, certified)
VALUES ($1, $2, 'completed', $3, $4, $5)
ON CONFLICT (course_ref, person_ref) DO UPDATE SET status = 'completed', completed_on = EXCLUDED.completed_on,
    attendance_rate = EXCLUDED.attendance_rate, certified = EXCLUDED.certified
"""
_DROPPED = """
INSERT INTO journey_enrolments (course_ref, person_ref, status, dropped_on, drop_reason)
VALUES ($1, $2, 'dropped', $3, $4)
ON CONFLICT (course_ref, person_ref) DO UPDATE SET
    status = CASE WHEN journey_enrolments.status = 'completed' THEN 'completed' ELSE 'dropped' END,
    dropped_on = EXCLUDED.dropped_on, drop_reason = EXCLUDED.drop_reason
"""
_PLACED = """
INSERT INTO journey_placements (placement_ref, person_ref, course_ref, sector, formal, monthly_wage_idr, placed_on)
VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (placement_ref) DO NOTHING
"""
_MARKET = """
INSERT INTO journey_market (market_key, kind, person_ref, business_ref, fair_ref, channel, amount_idr, quantity,
                            on_date)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (market_key) DO NOTHING
"""


async def course_scheduled(conn: asyncpg.Connection, *, course_ref: UUID, organizer_opd: str, field: str,
                           kecamatan_code: str, starts_on: date, ends_on: date, sessions: int, capacity: int) -> None:
    await conn.execute(_COURSE, course_ref, organizer_opd, field, kecamatan_code, starts_on, ends_on, sessions,
                       capacity)


async def course_rescheduled(conn: asyncpg.Connection, *, course_ref: UUID, starts_on: date, ends_on: date,
                             capacity: int) -> None:
    """New dates and capacity of a course already scheduled (training publishes both on the course's partition, so
    its CourseScheduled came first); for a course not known here nothing changes."""
    await conn.execute("UPDATE journey_courses SET starts_on = $2, ends_on = $3, capacity = $4 WHERE course_ref = $1",
                       course_ref, starts_on, ends_on, capacity)


async def enrolled(conn: asyncpg.Connection, *, course_ref: UUID, person_ref: UUID, enrolled_on: date) -> None:
    await conn.execute(_ENROLLED, course_ref, person_ref, enrolled_on)


async def completed(conn: asyncpg.Connection, *, course_ref: UUID, person_ref: UUID, completed_on: date,
                    attendance_rate: float, certified: bool) -> None:
    await conn.execute(_COMPLETED, course_ref, person_ref, completed_on, Decimal(str(round(attendance_rate, 4))),
                       certified)


async def dropped(conn: asyncpg.Connection, *, course_ref: UUID, person_ref: UUID, dropped_on: date,
                  reason: str) -> None:
    await conn.execute(_DROPPED, course_ref, person_ref, dropped_on, reason)


async def placed(conn: asyncpg.Connection, *, placement_ref: UUID, person_ref: UUID, course_ref: UUID | None,
                 sector: str, formal: bool, monthly_wage_idr: int, placed_on: date) -> None:
    await conn.execute(_PLACED, placement_ref, person_ref, course_ref, sector, formal, monthly_wage_idr, placed_on)


async def market(conn: asyncpg.Connection, *, key: str, kind: str, person_ref: UUID, business_ref: UUID,
                 fair_ref: UUID | None = None, channel: str | None = None, amount_idr: int | None = None,
                 quantity: int | None = None, on_date: date | None = None) -> None:
    await conn.execute(_MARKET, key, kind, person_ref, business_ref, fair_ref, channel, amount_idr, quantity, on_date)


async def of_woman(conn: asyncpg.Connection, person_ref: UUID) -> dict[str, Any]:
    """Her courses (with their organizer and outcome), placements, and market activity summed by kind."""
    courses = await conn.fetch(
        "SELECT e.course_ref, c.organizer_opd, c.field, c.kecamatan_code, c.starts_on, c.ends_on, e.status,"
        " e.enrolled_on, e.completed_on, e.attendance_rate::float8 AS attendance_rate, e.certified, e.dropped_on,"
        " e.drop_reason FROM journey_enrolments e LEFT JOIN journey_courses c USING (course_ref)"
        " WHERE e.person_ref = $1 ORDER BY COALESCE(e.enrolled_on, e.completed_on, e.dropped_on), e.course_ref",
        person_ref)
    placements = await conn.fetch(
        "SELECT placement_ref, course_ref, sector, formal, monthly_wage_idr, placed_on FROM journey_placements"
        " WHERE person_ref = $1 ORDER BY placed_on, placement_ref", person_ref)
    market_rows = await conn.fetch(
        "SELECT kind, count(*) AS n, COALESCE(sum(amount_idr), 0) AS amount_idr FROM journey_market"
        " WHERE person_ref = $1 GROUP BY kind", person_ref)
    by_kind = {r["kind"]: r for r in market_rows}
    return {
        "person_ref": person_ref,
        "courses": [dict(r) for r in courses],
        "placements": [dict(r) for r in placements],
        "booths": by_kind["booth"]["n"] if "booth" in by_kind else 0,
        "listings": by_kind["listing"]["n"] if "listing" in by_kind else 0,
        "sales": by_kind["sale"]["n"] if "sale" in by_kind else 0,
        "sales_idr": int(by_kind["sale"]["amount_idr"]) if "sale" in by_kind else 0,
    }


async def market_lines(conn: asyncpg.Connection, person_ref: UUID) -> list[dict[str, Any]]:
    """Her booths, listings and sales one by one (kind, business_ref, fair_ref, channel, amount_idr, quantity,
    on_date), oldest first; a booth assigned before its date was kept has ``on_date`` None and comes last."""
    rows = await conn.fetch(
        "SELECT kind, business_ref, fair_ref, channel, amount_idr, quantity, on_date FROM journey_market"
        " WHERE person_ref = $1 ORDER BY on_date NULLS LAST, kind, market_key", person_ref)
    return [dict(r) for r in rows]


async def enrolled_with_opd(conn: asyncpg.Connection, person_refs: list[UUID], opd: str) -> list[UUID]:
    """Those of ``person_refs`` enrolled (whatever the outcome since) in a course organized by ``opd``."""
    rows = await conn.fetch(
        "SELECT DISTINCT e.person_ref FROM journey_enrolments e JOIN journey_courses c USING (course_ref)"
        " WHERE e.person_ref = ANY($1::uuid[]) AND c.organizer_opd = $2", person_refs, opd)
    return [r["person_ref"] for r in rows]


async def course_organizer(conn: asyncpg.Connection, course_ref: UUID) -> str | None:
    """The OPD organizing the course (from its CourseScheduled), None while the registry has not received it."""
    return await conn.fetchval("SELECT organizer_opd FROM journey_courses WHERE course_ref = $1", course_ref)  # type: ignore[no-any-return]
