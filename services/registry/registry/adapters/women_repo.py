"""SQL for the women table: batch insert (one row or a whole import chunk), reads, search."""

from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import date
from operator import attrgetter
from typing import Any
from uuid import UUID

import asyncpg


@dataclass(frozen=True)
class WomanRow:
    person_ref: UUID
    nik_hmac: bytes
    nik_cipher: bytes
    name_cipher: bytes
    phone_cipher: bytes | None
    birth_date: date
    dup_fingerprint: bytes
    age_band: str
    kecamatan_code: str
    desa_code: str | None
    household_size: int
    pekka_category: str
    registered_by_opd: str
    registered_on: date
    import_ref: UUID | None = None


_TYPES = (
    "uuid", "bytea", "bytea", "bytea", "bytea", "date", "bytea", "text", "text", "text", "int", "text", "text",
    "date", "uuid",
)
_NAMES = [f.name for f in fields(WomanRow)]
_COLUMNS = ", ".join(_NAMES)
_VALUES = attrgetter(*_NAMES)  # dataclasses.astuple deep-copies every value: too slow for imports
_INSERT = (
    f"INSERT INTO women ({_COLUMNS}) SELECT * FROM unnest("
    + ", ".join(f"${i + 1}::{t}[]" for i, t in enumerate(_TYPES))
    + ") ON CONFLICT (nik_hmac) DO NOTHING RETURNING person_ref"
)
_INSERT_ONE = f"""
WITH new AS (
    INSERT INTO women ({_COLUMNS}) VALUES ({", ".join(f"${i + 1}" for i in range(len(_NAMES)))})
    ON CONFLICT (nik_hmac) DO NOTHING RETURNING *
), flagged AS (
    INSERT INTO possible_duplicates (person_ref, other_ref)
    SELECT new.person_ref, o.person_ref FROM new
    JOIN women o ON o.dup_fingerprint = new.dup_fingerprint AND o.erased_at IS NULL
    ON CONFLICT DO NOTHING
    RETURNING other_ref
)
SELECT new.*, ARRAY(SELECT other_ref FROM flagged) AS flagged_refs FROM new
"""
_FLAG_DUPLICATES = """
INSERT INTO possible_duplicates (person_ref, other_ref)
SELECT n.person_ref, o.person_ref FROM women n
JOIN women o ON o.dup_fingerprint = n.dup_fingerprint AND o.person_ref <> n.person_ref AND o.erased_at IS NULL
WHERE n.person_ref = ANY($1::uuid[])
ON CONFLICT DO NOTHING
RETURNING person_ref
"""
_DUPLICATES_OF = """
SELECT other_ref AS ref FROM possible_duplicates WHERE person_ref = $1 AND status = 'open'
UNION SELECT person_ref FROM possible_duplicates WHERE other_ref = $1 AND status = 'open'
"""


async def insert_many(conn: asyncpg.Connection, rows: Sequence[WomanRow]) -> set[UUID]:
    """Insert rows whose NIK is new; returns the refs actually inserted (the others' NIKs exist)."""
    if not rows:
        return set()
    columns = list(zip(*(_VALUES(r) for r in rows), strict=True))
    inserted = await conn.fetch(_INSERT, *[list(c) for c in columns])
    return {r["person_ref"] for r in inserted}


async def insert_one(conn: asyncpg.Connection, row: WomanRow) -> tuple[dict[str, Any], list[UUID]] | None:
    """Insert one woman and flag her possible duplicates in one statement: (the stored row, the refs she was
    flagged against), or None when her NIK exists. The statement's snapshot predates the new row, so she is
    never compared with herself."""
    stored = await conn.fetchrow(_INSERT_ONE, *_VALUES(row))
    if stored is None:
        return None
    state = dict(stored)
    return state, sorted(state.pop("flagged_refs"), key=str)


async def flag_duplicates(conn: asyncpg.Connection, refs: Sequence[UUID]) -> set[UUID]:
    """Flag new women who share name, birth date and desa with another (different NIK); returns them."""
    if not refs:
        return set()
    return {r["person_ref"] for r in await conn.fetch(_FLAG_DUPLICATES, list(refs))}


async def refs_by_nik(conn: asyncpg.Connection, macs: Sequence[bytes]) -> dict[bytes, UUID]:
    rows = await conn.fetch("SELECT nik_hmac, person_ref FROM women WHERE nik_hmac = ANY($1::bytea[])", list(macs))
    return {bytes(r["nik_hmac"]): r["person_ref"] for r in rows}


async def get(conn: asyncpg.Connection, ref: UUID, *, for_update: bool = False) -> asyncpg.Record | None:
    return await conn.fetchrow(
        "SELECT * FROM women WHERE person_ref = $1" + (" FOR UPDATE" if for_update else ""), ref
    )


async def duplicates_of(conn: asyncpg.Connection, ref: UUID) -> list[UUID]:
    return sorted((r["ref"] for r in await conn.fetch(_DUPLICATES_OF, ref)), key=str)


async def duplicates_of_many(conn: asyncpg.Connection, refs: Sequence[UUID]) -> dict[UUID, list[UUID]]:
    rows = await conn.fetch(
        "SELECT person_ref AS ref, other_ref AS other FROM possible_duplicates"
        " WHERE person_ref = ANY($1::uuid[]) AND status = 'open'"
        " UNION SELECT other_ref, person_ref FROM possible_duplicates WHERE other_ref = ANY($1::uuid[]) AND status = 'open'",
        list(refs),
    )
    out: dict[UUID, list[UUID]] = {ref: [] for ref in refs}
    for row in rows:
        out[row["ref"]].append(row["other"])
    return {ref: sorted(others, key=str) for ref, others in out.items()}


async def search(
    conn: asyncpg.Connection, filters: dict[str, Any], *, possible_duplicate: bool | None, limit: int, offset: int
) -> tuple[list[asyncpg.Record], int]:
    where, args = [], []
    for column, value in filters.items():
        if value is not None:
            args.append(value)
            where.append(f"{column} = ${len(args)}")
    if possible_duplicate is not None:
        where.append(
            ("" if possible_duplicate else "NOT ")
            + "EXISTS (SELECT 1 FROM possible_duplicates d WHERE d.status = 'open'"
            " AND (d.person_ref = w.person_ref OR d.other_ref = w.person_ref))"
        )
    clause = (" WHERE " + " AND ".join(where)) if where else ""
    total = await conn.fetchval(f"SELECT count(*) FROM women w{clause}", *args)
    rows = await conn.fetch(
        f"SELECT * FROM women w{clause} ORDER BY created_at, person_ref LIMIT ${len(args) + 1} OFFSET ${len(args) + 2}",
        *args, limit, offset,
    )
    return list(rows), total


async def erase(conn: asyncpg.Connection, ref: UUID) -> None:
    await conn.execute(
        "UPDATE women SET nik_hmac = NULL, nik_cipher = NULL, name_cipher = NULL, phone_cipher = NULL,"
        " birth_date = NULL, dup_fingerprint = NULL, erased_at = now(), updated_at = now() WHERE person_ref = $1",
        ref,
    )
    await conn.execute("DELETE FROM possible_duplicates WHERE person_ref = $1 OR other_ref = $1", ref)
    await conn.execute(
        "DELETE FROM aid_case_notes WHERE aid_ref IN (SELECT aid_ref FROM aid_records WHERE person_ref = $1)", ref
    )
