"""The replica of registered businesses, fed from registry.events.

Writes are idempotent upserts that only move forward in (occurred_at, event_id) order, so replays and
out-of-order delivery give the same table. An owner's erasure changes nothing here: refs are not
personal data, and her sales still count.
"""

from datetime import datetime
from uuid import UUID

import asyncpg

from ..domain.model import Business

_UPSERT = """
INSERT INTO businesses_replica AS b
    (business_ref, owner_person_ref, sector, kecamatan_code, registered, profile_at, profile_event_id)
VALUES ($1, $2, $3, $4, true, $5, $6)
ON CONFLICT (business_ref) DO UPDATE SET
    owner_person_ref = EXCLUDED.owner_person_ref, sector = EXCLUDED.sector,
    kecamatan_code = EXCLUDED.kecamatan_code, registered = true,
    profile_at = EXCLUDED.profile_at, profile_event_id = EXCLUDED.profile_event_id
WHERE b.profile_at IS NULL OR (b.profile_at, b.profile_event_id) < (EXCLUDED.profile_at, EXCLUDED.profile_event_id)
"""


async def upsert_business(conn: asyncpg.Connection, *, business_ref: UUID, owner_person_ref: UUID, sector: str,
                          kecamatan_code: str, occurred_at: datetime, event_id: UUID) -> None:
    await conn.execute(_UPSERT, business_ref, owner_person_ref, sector, kecamatan_code, occurred_at, event_id)


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
