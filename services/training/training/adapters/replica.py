"""The replica of registered women, fed from registry.events.

Every write is an idempotent upsert, and the profile only moves forward in (occurred_at, event_id)
order, so re-applying events or applying them out of order gives the same table.
"""

from datetime import date, datetime
from uuid import UUID

import asyncpg

from ..domain.model import Woman
from . import merges

_UPSERT_PROFILE = """
INSERT INTO women_replica AS w
    (person_ref, registered, kecamatan_code, age_band, pekka_category, profile_at, profile_event_id)
VALUES ($1, true, $2, $3, $4, $5, $6)
ON CONFLICT (person_ref) DO UPDATE SET
    registered = true,
    kecamatan_code = EXCLUDED.kecamatan_code,
    age_band = EXCLUDED.age_band,
    pekka_category = EXCLUDED.pekka_category,
    profile_at = EXCLUDED.profile_at,
    profile_event_id = EXCLUDED.profile_event_id
WHERE w.profile_at IS NULL
   OR (w.profile_at, w.profile_event_id) < (EXCLUDED.profile_at, EXCLUDED.profile_event_id)
"""

# An erasure may arrive before the registration it erases (replays, partition moves): keep the flag.
_ERASE = """
INSERT INTO women_replica AS w (person_ref, erased, erased_on) VALUES ($1, true, $2)
ON CONFLICT (person_ref) DO UPDATE SET
    erased = true,
    erased_on = LEAST(COALESCE(w.erased_on, EXCLUDED.erased_on), EXCLUDED.erased_on)
"""


async def upsert_profile(conn: asyncpg.Connection, *, person_ref: UUID, kecamatan_code: str, age_band: str,
                         pekka_category: str, occurred_at: datetime, event_id: UUID) -> None:
    await conn.execute(_UPSERT_PROFILE, person_ref, kecamatan_code, age_band, pekka_category, occurred_at, event_id)


async def mark_erased(conn: asyncpg.Connection, *, person_ref: UUID, erased_on: date) -> None:
    await conn.execute(_ERASE, person_ref, erased_on)


async def get(conn: asyncpg.Connection, person_ref: UUID) -> Woman | None:
    row = await conn.fetchrow("SELECT person_ref, registered, erased FROM women_replica WHERE person_ref = $1",
                              person_ref)
    return Woman(row["person_ref"], row["registered"], row["erased"]) if row else None


class WomenReplica:
    """The replica as command handlers see it: look a woman up by ref, and resolve a ref retired by a merge to the
    woman it counts as now."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def get(self, person_ref: UUID) -> Woman | None:
        return await get(self.conn, person_ref)

    async def resolve(self, person_ref: UUID) -> UUID:
        return await merges.canonical(self.conn, person_ref)
