"""The replica of registered businesses, fed from registry.events.

Writes are idempotent upserts that only move forward in (occurred_at, event_id) order, so replays and
out-of-order delivery give the same table. An owner's erasure changes nothing here: refs are not
personal data, and her sales still count. A merge of two records of one woman gives her businesses to the
surviving ref, an undo gives them back (``domain.merges``).
"""

from datetime import date, datetime
from uuid import UUID

import asyncpg

from ..domain import merges
from ..domain.model import Business

_UPSERT = """
INSERT INTO businesses_replica AS b
    (business_ref, owner_person_ref, sector, kecamatan_code, registered, profile_at, profile_event_id,
     recorded_owner_ref)
VALUES ($1, $7, $3, $4, true, $5, $6, $2)
ON CONFLICT (business_ref) DO UPDATE SET
    owner_person_ref = EXCLUDED.owner_person_ref, recorded_owner_ref = EXCLUDED.recorded_owner_ref,
    sector = EXCLUDED.sector,
    kecamatan_code = EXCLUDED.kecamatan_code, registered = true,
    profile_at = EXCLUDED.profile_at, profile_event_id = EXCLUDED.profile_event_id
WHERE b.profile_at IS NULL OR (b.profile_at, b.profile_event_id) < (EXCLUDED.profile_at, EXCLUDED.profile_event_id)
"""


_MERGED = """
INSERT INTO women_merges (merge_ref, surviving_ref, retired_ref, merged_on) VALUES ($1, $2, $3, $4)
ON CONFLICT (merge_ref) DO UPDATE SET merged_on = EXCLUDED.merged_on
"""
_UNMERGED = """
INSERT INTO women_merges (merge_ref, surviving_ref, retired_ref, unmerged_on) VALUES ($1, $2, $3, $4)
ON CONFLICT (merge_ref) DO UPDATE SET unmerged_on = EXCLUDED.unmerged_on
"""
_IN_FORCE = "SELECT retired_ref, surviving_ref FROM women_merges WHERE merged_on IS NOT NULL AND unmerged_on IS NULL"
# Businesses whose owner a merge may change or have changed: registered under a ref some merge retired, or owned
# now by another ref than the one registered.
_AFFECTED = """
SELECT business_ref, recorded_owner_ref, owner_person_ref FROM businesses_replica
WHERE recorded_owner_ref IN (SELECT retired_ref FROM women_merges) OR owner_person_ref <> recorded_owner_ref
"""


async def _survivors(conn: asyncpg.Connection) -> dict[UUID, UUID]:
    return merges.survivors((r["retired_ref"], r["surviving_ref"]) for r in await conn.fetch(_IN_FORCE))


async def upsert_business(conn: asyncpg.Connection, *, business_ref: UUID, owner_person_ref: UUID, sector: str,
                          kecamatan_code: str, occurred_at: datetime, event_id: UUID) -> None:
    """Store a registration: the owner it names (recorded) and the owner she is now (a merge in force: the
    survivor)."""
    owner = merges.owner_now(owner_person_ref, await _survivors(conn))
    await conn.execute(_UPSERT, business_ref, owner_person_ref, sector, kecamatan_code, occurred_at, event_id, owner)


async def record_merge(conn: asyncpg.Connection, *, merge_ref: UUID, surviving_ref: UUID, retired_ref: UUID,
                       merged_on: date | None = None, unmerged_on: date | None = None) -> None:
    """Store a merge (or its undo: ``unmerged_on``) and give each affected business the owner it has now. Each
    event writes only its own column and owners are recomputed from every merge known, so any arrival order and
    any repeat leave the same replica."""
    if unmerged_on is None:
        await conn.execute(_MERGED, merge_ref, surviving_ref, retired_ref, merged_on)
    else:
        await conn.execute(_UNMERGED, merge_ref, surviving_ref, retired_ref, unmerged_on)
    survivor_of = await _survivors(conn)
    changed = [(r["business_ref"], owner) for r in await conn.fetch(_AFFECTED)
               if (owner := merges.owner_now(r["recorded_owner_ref"], survivor_of)) != r["owner_person_ref"]]
    if changed:
        await conn.executemany("UPDATE businesses_replica SET owner_person_ref = $2 WHERE business_ref = $1", changed)


class BusinessReplica:
    """The replica as command handlers see it: businesses looked up by ref."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def get_many(self, refs: list[UUID]) -> dict[UUID, Business]:
        rows = await self.conn.fetch(
            "SELECT business_ref, owner_person_ref, registered FROM businesses_replica WHERE business_ref = ANY($1)",
            refs,
        )
        return {r["business_ref"]: Business(r["business_ref"], r["owner_person_ref"], r["registered"]) for r in rows}

    async def get(self, business_ref: UUID) -> Business | None:
        return (await self.get_many([business_ref])).get(business_ref)

    async def choices(self, *, limit: int = 1_000) -> list[dict[str, object]]:
        """Registered businesses (business_ref, sector, kecamatan_code) for the staff pages' choices, by sector."""
        rows = await self.conn.fetch(
            "SELECT business_ref, sector, kecamatan_code FROM businesses_replica WHERE registered"
            " ORDER BY sector, kecamatan_code, business_ref LIMIT $1", limit)
        return [dict(r) for r in rows]
