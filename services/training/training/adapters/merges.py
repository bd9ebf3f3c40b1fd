"""The merges of registry records as training keeps them (``women_merges``), and what they do to the women each
enrolment and placement counts for (``domain.merges``).

Every write is an idempotent upsert of the merge's own columns, and the women counted are recomputed from all the
merges known for the records involved, so the same events in any order, or twice, leave the same tables."""

from collections.abc import Iterable
from datetime import date
from uuid import UUID

import asyncpg

from ..domain import merges as rules

_MERGED = """
INSERT INTO women_merges (merge_ref, surviving_ref, retired_ref, merged_on) VALUES ($1, $2, $3, $4)
ON CONFLICT (merge_ref) DO UPDATE SET merged_on = EXCLUDED.merged_on
"""
_UNMERGED = """
INSERT INTO women_merges (merge_ref, surviving_ref, retired_ref, unmerged_on) VALUES ($1, $2, $3, $4)
ON CONFLICT (merge_ref) DO UPDATE SET unmerged_on = EXCLUDED.unmerged_on
"""
# Every merge, in force or not, linked to these refs through other merges: the records whose women may change.
_COMPONENT = """
WITH RECURSIVE linked(ref) AS (
    SELECT unnest($1::uuid[])
    UNION
    SELECT CASE WHEN m.retired_ref = l.ref THEN m.surviving_ref ELSE m.retired_ref END
    FROM women_merges m JOIN linked l ON l.ref IN (m.retired_ref, m.surviving_ref)
)
SELECT m.retired_ref, m.surviving_ref, (m.merged_on IS NOT NULL AND m.unmerged_on IS NULL) AS in_force,
       (SELECT array_agg(ref) FROM linked) AS refs
FROM women_merges m WHERE m.retired_ref IN (SELECT ref FROM linked)
"""
# The merges in force above one ref (retired -> surviving), for a command naming it.
_ABOVE = f"""
WITH RECURSIVE up(ref, depth) AS (
    SELECT $1::uuid, 0
    UNION
    SELECT m.surviving_ref, up.depth + 1 FROM up JOIN women_merges m ON m.retired_ref = up.ref
    WHERE m.merged_on IS NOT NULL AND m.unmerged_on IS NULL AND up.depth < {rules.MAX_CHAIN}
)
SELECT m.retired_ref, m.surviving_ref FROM women_merges m
WHERE m.retired_ref IN (SELECT ref FROM up) AND m.merged_on IS NOT NULL AND m.unmerged_on IS NULL
"""
_ENROLMENTS = """
SELECT course_ref, person_ref, status, COALESCE(completed_on, dropped_on, enrolled_on) AS on_date
FROM enrolments WHERE person_ref = ANY($1::uuid[])
"""
# Two steps, so the one-enrolment-per-woman index never sees two counting at once: every enrolment of these records
# set aside under its new woman, then the one that counts in each course taken back.
_SET_ASIDE = """
UPDATE enrolments e SET woman_ref = n.woman_ref, set_aside = true
FROM unnest($1::uuid[], $2::uuid[], $3::uuid[]) AS n(course_ref, person_ref, woman_ref)
WHERE e.course_ref = n.course_ref AND e.person_ref = n.person_ref
"""
_COUNTS = """
UPDATE enrolments e SET set_aside = false FROM unnest($1::uuid[], $2::uuid[]) AS n(course_ref, person_ref)
WHERE e.course_ref = n.course_ref AND e.person_ref = n.person_ref
"""
_SET_PLACEMENTS = """
UPDATE placements p SET woman_ref = n.woman_ref FROM unnest($1::uuid[], $2::uuid[]) AS n(person_ref, woman_ref)
WHERE p.person_ref = n.person_ref AND p.woman_ref <> n.woman_ref
"""


async def merged(conn: asyncpg.Connection, *, merge_ref: UUID, surviving_ref: UUID, retired_ref: UUID,
                 merged_on: date) -> None:
    await conn.execute(_MERGED, merge_ref, surviving_ref, retired_ref, merged_on)
    await realias(conn, [retired_ref, surviving_ref])


async def unmerged(conn: asyncpg.Connection, *, merge_ref: UUID, surviving_ref: UUID, retired_ref: UUID,
                   unmerged_on: date) -> None:
    await conn.execute(_UNMERGED, merge_ref, surviving_ref, retired_ref, unmerged_on)
    await realias(conn, [retired_ref, surviving_ref])


async def realias(conn: asyncpg.Connection, refs: Iterable[UUID]) -> None:
    """Recompute, for every record linked to ``refs`` by merges, the woman each of its enrolments and placements
    counts for, and which overlapping enrolment is set aside."""
    rows = await conn.fetch(_COMPONENT, list(refs))
    component = list(rows[0]["refs"]) if rows else list(refs)
    survivor_of = rules.survivors((r["retired_ref"], r["surviving_ref"]) for r in rows if r["in_force"])
    woman_of = {ref: rules.canonical(ref, survivor_of) for ref in component}
    facts = [rules.EnrolmentFact(r["course_ref"], r["person_ref"], r["status"], r["on_date"])
             for r in await conn.fetch(_ENROLMENTS, component)]
    aside = rules.set_aside(facts, woman_of)
    if facts:
        await conn.execute(_SET_ASIDE, [f.course_ref for f in facts], [f.person_ref for f in facts],
                           [woman_of[f.person_ref] for f in facts])
        counting = [f for f in facts if (f.course_ref, f.person_ref) not in aside]
        await conn.execute(_COUNTS, [f.course_ref for f in counting], [f.person_ref for f in counting])
    await conn.execute(_SET_PLACEMENTS, component, [woman_of[ref] for ref in component])


async def canonical(conn: asyncpg.Connection, ref: UUID) -> UUID:
    """The woman ``ref`` counts as now: itself, or the survivor of the merges in force above it."""
    edges = await conn.fetch(_ABOVE, ref)
    return rules.canonical(ref, rules.survivors((e["retired_ref"], e["surviving_ref"]) for e in edges))
