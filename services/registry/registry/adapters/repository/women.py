"""SQL for women and their possible-duplicate flags, and the women row as stored: personal data sealed.

NIK, name and phone are stored AES-256-GCM encrypted (bound to their column); the NIK and the duplicate key are
also stored as keyed HMACs, the only form in which they are looked up (``crypto.PiiCipher``)."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date
from operator import attrgetter
from typing import Any
from uuid import UUID

import asyncpg

from ...domain.women import Woman
from .. import crypto
from .base import Repository


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


def seal(cipher: crypto.PiiCipher, woman: Woman, *, import_ref: UUID | None = None) -> WomanRow:
    """The row to store for ``woman``: CPU only (an import seals its rows in a worker thread)."""
    d, p = woman.details, woman.profile
    return WomanRow(
        person_ref=woman.person_ref,
        nik_hmac=cipher.nik_mac(d.nik.value),
        nik_cipher=cipher.encrypt(d.nik.value, context=crypto.NIK),  # type: ignore[arg-type]
        name_cipher=cipher.encrypt(d.full_name, context=crypto.NAME),  # type: ignore[arg-type]
        phone_cipher=cipher.encrypt(d.phone, context=crypto.PHONE),
        birth_date=d.birth_date,
        dup_fingerprint=cipher.mac(woman.duplicate_key),
        age_band=p.age_band,
        kecamatan_code=p.kecamatan_code,
        desa_code=p.desa_code,
        household_size=p.household_size,
        pekka_category=p.pekka_category,
        registered_by_opd=d.registered_by_opd,
        registered_on=woman.registered_on,
        import_ref=import_ref,
    )


def personal(cipher: crypto.PiiCipher, row: Mapping[str, Any]) -> dict[str, str | None]:
    """A stored row's NIK, full name and phone in clear (None once erased)."""
    return {
        "nik": cipher.decrypt(row["nik_cipher"], context=crypto.NIK),
        "full_name": cipher.decrypt(row["name_cipher"], context=crypto.NAME),
        "phone": cipher.decrypt(row["phone_cipher"], context=crypto.PHONE),
    }


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
# One statement for the row and its duplicate flags. Its snapshot predates the new row, so she is never compared
# with herself.
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
SELECT person_ref AS ref, other_ref AS other FROM possible_duplicates
WHERE person_ref = ANY($1::uuid[]) AND status = 'open'
UNION SELECT other_ref, person_ref FROM possible_duplicates WHERE other_ref = ANY($1::uuid[]) AND status = 'open'
"""
_FLAGGED = ("EXISTS (SELECT 1 FROM possible_duplicates d WHERE d.status = 'open'"
            " AND (d.person_ref = w.person_ref OR d.other_ref = w.person_ref))")
_UPDATE = (
    "UPDATE women SET nik_hmac = $2, nik_cipher = $3, name_cipher = $4, phone_cipher = $5, birth_date = $6,"
    " dup_fingerprint = $7, age_band = $8, kecamatan_code = $9, desa_code = $10, household_size = $11,"
    " pekka_category = $12, updated_at = now() WHERE person_ref = $1"
)


class WomenRepository(Repository):
    """The women table and her possible-duplicate flags. ``inserted`` keeps each row ``add`` stored, as stored,
    for the change trail (so it is not read back)."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        super().__init__(conn)
        self.inserted: dict[UUID, dict[str, Any]] = {}

    async def add(self, row: WomanRow) -> list[UUID] | None:
        """Store one woman and flag her possible duplicates: the refs she was flagged against, or None when her
        NIK is already registered (nothing stored)."""
        stored = await self.conn.fetchrow(_INSERT_ONE, *_VALUES(row))
        if stored is None:
            return None
        state = dict(stored)
        flagged = sorted(state.pop("flagged_refs"), key=str)
        self.inserted[row.person_ref] = state
        return flagged

    async def add_many(self, rows: Sequence[WomanRow]) -> set[UUID]:
        """Store the rows whose NIK is new; returns the refs actually stored (the others' NIKs exist)."""
        if not rows:
            return set()
        columns = list(zip(*(_VALUES(r) for r in rows), strict=True))
        return {r["person_ref"] for r in await self.conn.fetch(_INSERT, *[list(c) for c in columns])}

    async def flag_duplicates(self, refs: Sequence[UUID]) -> set[UUID]:
        """Flag these women against any other (not erased) woman with their duplicate key; returns the flagged."""
        if not refs:
            return set()
        return {r["person_ref"] for r in await self.conn.fetch(_FLAG_DUPLICATES, list(refs))}

    async def refs_by_nik(self, macs: Sequence[bytes]) -> dict[bytes, UUID]:
        rows = await self.conn.fetch("SELECT nik_hmac, person_ref FROM women WHERE nik_hmac = ANY($1::bytea[])",
                                     list(macs))
        return {bytes(r["nik_hmac"]): r["person_ref"] for r in rows}

    async def get(self, ref: UUID, *, for_update: bool = False) -> dict[str, Any] | None:
        row = await self.conn.fetchrow(
            "SELECT * FROM women WHERE person_ref = $1" + (" FOR UPDATE" if for_update else ""), ref)
        return dict(row) if row else None

    async def living(self, refs: Sequence[UUID]) -> set[UUID]:
        """Those of ``refs`` that are registered and not erased."""
        rows = await self.conn.fetch(
            "SELECT person_ref FROM women WHERE person_ref = ANY($1::uuid[]) AND erased_at IS NULL", list(refs))
        return {r["person_ref"] for r in rows}

    async def duplicates_of(self, refs: Sequence[UUID]) -> dict[UUID, list[UUID]]:
        """Each ref's open possible-duplicate flags (either side), sorted."""
        out: dict[UUID, list[UUID]] = {ref: [] for ref in refs}
        for row in await self.conn.fetch(_DUPLICATES_OF, list(refs)):
            out[row["ref"]].append(row["other"])
        return {ref: sorted(others, key=str) for ref, others in out.items()}

    async def search(self, filters: dict[str, Any], *, possible_duplicate: bool | None, limit: int,
                     offset: int, areas: list[str] | None = None) -> tuple[list[dict[str, Any]], int]:
        """A page of women by column equality (``filters``, None = any), whether a duplicate flag is open, and
        (``areas``) living in one of those kecamatan."""
        given: dict[str, Any] = {column: value for column, value in filters.items() if value is not None}
        where = [f"{column} = ${n}" for n, column in enumerate(given, start=1)]
        if areas is not None:
            given["areas"] = areas
            where.append(f"kecamatan_code = ANY(${len(given)}::text[])")
        if possible_duplicate is not None:
            where.append(("" if possible_duplicate else "NOT ") + _FLAGGED)
        clause = (" WHERE " + " AND ".join(where)) if where else ""
        args, n = list(given.values()), len(given)
        total = await self.conn.fetchval(f"SELECT count(*) FROM women w{clause}", *args)
        rows = await self.conn.fetch(
            f"SELECT * FROM women w{clause} ORDER BY created_at, person_ref LIMIT ${n + 1} OFFSET ${n + 2}",
            *args, limit, offset,
        )
        return [dict(r) for r in rows], total

    async def update(self, row: WomanRow, *, reflag: bool) -> None:
        """Store a corrected record; ``reflag`` replaces her duplicate flags (her duplicate key changed)."""
        await self.conn.execute(_UPDATE, *_VALUES(row)[:12])  # person_ref … pekka_category
        if reflag:
            await self.conn.execute("DELETE FROM possible_duplicates WHERE person_ref = $1 OR other_ref = $1",
                                    row.person_ref)
            await self.flag_duplicates([row.person_ref])

    async def erase(self, ref: UUID) -> None:
        """Personal data, duplicate flags and case notes go; the ref, area, band, household and counts stay."""
        await self.conn.execute(
            "UPDATE women SET nik_hmac = NULL, nik_cipher = NULL, name_cipher = NULL, phone_cipher = NULL,"
            " birth_date = NULL, dup_fingerprint = NULL, erased_at = now(), updated_at = now() WHERE person_ref = $1",
            ref,
        )
        await self.conn.execute("DELETE FROM possible_duplicates WHERE person_ref = $1 OR other_ref = $1", ref)
        await self.conn.execute(
            "DELETE FROM aid_case_notes WHERE aid_ref IN (SELECT aid_ref FROM aid_records WHERE person_ref = $1)", ref
        )

    async def dismiss_duplicate(self, ref: UUID, other_ref: UUID) -> bool:
        """Close the open flag between the two (either way round); False when there is none."""
        done = await self.conn.execute(
            "UPDATE possible_duplicates SET status = 'dismissed' WHERE status = 'open'"
            " AND ((person_ref = $1 AND other_ref = $2) OR (person_ref = $2 AND other_ref = $1))",
            ref, other_ref,
        )
        return done != "UPDATE 0"
