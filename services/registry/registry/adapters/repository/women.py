"""SQL for women and their possible-duplicate flags, and the women row as stored: personal data sealed.

NIK, name and phone are stored AES-256-GCM encrypted (bound to their column); the NIK is also stored as a keyed
HMAC, the only form in which it is looked up (``crypto.PiiCipher``). Possible duplicates are found without any
new trace of a name: the block of a record (the living records with her birth date and kecamatan, stored in clear
for age bands and area counts) is selected in SQL, and only those records' names are opened, in memory, for the
matching rule (``domain.duplicates``)."""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date
from operator import attrgetter
from typing import Any
from uuid import UUID

import asyncpg

from ...domain import duplicates
from ...domain.women import Woman, name_parts
from .. import crypto
from . import names
from .base import Repository


@dataclass(frozen=True)
class WomanRow:
    person_ref: UUID
    nik_hmac: bytes
    nik_cipher: bytes
    name_cipher: bytes
    phone_cipher: bytes | None
    birth_date: date
    age_band: str
    kecamatan_code: str
    desa_code: str | None
    household_size: int
    pekka_category: str
    registered_by_opd: str
    registered_on: date
    import_ref: UUID | None = None
    name_tokens: tuple[bytes, ...] = ()  # the blind name index (table women_name_tokens, not a column of women)


COLUMNS = [f.name for f in fields(WomanRow) if f.name != "name_tokens"]
"""The columns of ``women`` a WomanRow fills, in order."""


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
        age_band=p.age_band,
        kecamatan_code=p.kecamatan_code,
        desa_code=p.desa_code,
        household_size=p.household_size,
        pekka_category=p.pekka_category,
        registered_by_opd=d.registered_by_opd,
        registered_on=woman.registered_on,
        import_ref=import_ref,
        name_tokens=cipher.name_tokens(name_parts(d.full_name)),
    )


def personal(cipher: crypto.PiiCipher, row: Mapping[str, Any]) -> dict[str, str | None]:
    """A stored row's NIK, full name and phone in clear (None once erased)."""
    return {
        "nik": cipher.decrypt(row["nik_cipher"], context=crypto.NIK),
        "full_name": cipher.decrypt(row["name_cipher"], context=crypto.NAME),
        "phone": cipher.decrypt(row["phone_cipher"], context=crypto.PHONE),
    }


_TYPES = (
    "uuid", "bytea", "bytea", "bytea", "bytea", "date", "text", "text", "text", "int", "text", "text", "date", "uuid",
)
_NAMES = COLUMNS
_COLUMNS = ", ".join(_NAMES)
_VALUES = attrgetter(*_NAMES)  # dataclasses.astuple deep-copies every value: too slow for imports
_INSERT = (
    f"INSERT INTO women ({_COLUMNS}) SELECT * FROM unnest("
    + ", ".join(f"${i + 1}::{t}[]" for i, t in enumerate(_TYPES))
    + ") ON CONFLICT (nik_hmac) DO NOTHING RETURNING person_ref"
)
# One statement, one round trip, for a registration: the row, its blind name index, and the block its duplicate
# check compares her with (``_BLOCK``'s, below: one row per other record, or one row with a NULL block_ref). Its
# snapshot predates the new row, so she is never compared with herself. No row at all: her NIK is registered.
_INSERT_ONE = f"""
WITH w AS (
    INSERT INTO women ({_COLUMNS}) VALUES ({', '.join(f'${i + 1}' for i in range(len(_NAMES)))})
    ON CONFLICT (nik_hmac) DO NOTHING RETURNING *
), t AS (
    INSERT INTO women_name_tokens (token, person_ref)
    SELECT token, w.person_ref FROM w, unnest(${len(_NAMES) + 1}::bytea[]) AS token ON CONFLICT DO NOTHING
)
SELECT w.*, o.person_ref AS block_ref, o.name_cipher AS block_name
FROM w LEFT JOIN LATERAL (
    SELECT o.person_ref, o.name_cipher FROM women o
    WHERE o.birth_date = w.birth_date AND o.kecamatan_code = w.kecamatan_code
      AND o.erased_at IS NULL AND o.merged_into IS NULL AND o.person_ref <> w.person_ref
      AND (w.desa_code IS NULL OR o.desa_code IS NULL OR o.desa_code = w.desa_code)
) o ON true
"""
_BLOCK_COLUMNS = ("block_ref", "block_name")
# The block of each given record (ref, birth date, kecamatan, desa): the other living records with her birth date
# and kecamatan whose desa agrees with hers or is missing. Which of them are possible duplicates, the names decide.
# Driven from the given keys, one index probe each (women_block): the cost follows the records matched, not the
# size of the registry. OFFSET 0 keeps the probe per key whatever the statistics say (during a large import into a
# young table they lag, and a hash of the whole table per chunk made the import quadratic).
_BLOCK = """
SELECT k.ref, o.person_ref AS other, o.name_cipher AS other_name
FROM unnest($1::uuid[], $2::date[], $3::text[], $4::text[]) AS k(ref, birth_date, kecamatan_code, desa_code)
CROSS JOIN LATERAL (
    SELECT o.person_ref, o.name_cipher FROM women o
    WHERE o.birth_date = k.birth_date AND o.kecamatan_code = k.kecamatan_code
      AND o.erased_at IS NULL AND o.merged_into IS NULL AND o.person_ref <> k.ref
      AND (k.desa_code IS NULL OR o.desa_code IS NULL OR o.desa_code = k.desa_code)
    OFFSET 0
) o
"""
# For refs whose rows this repository has not seen (a merge undone, a held row confirmed): a few refs. An import
# passes its rows to flag_duplicates instead: reading 5,000 refs back by "= ANY" per chunk grew with the table.
_KEYS = ("SELECT person_ref, birth_date, kecamatan_code, desa_code, name_cipher FROM women"
         " WHERE person_ref = ANY($1::uuid[]) AND erased_at IS NULL AND merged_into IS NULL")
# A pair already flagged (either way round, whatever was decided about it) is not flagged again.
_FLAG = """
INSERT INTO possible_duplicates (person_ref, other_ref, score)
SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::real[])
ON CONFLICT DO NOTHING
RETURNING person_ref, other_ref
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
    " age_band = $7, kecamatan_code = $8, desa_code = $9, household_size = $10, pekka_category = $11,"
    " updated_at = now() WHERE person_ref = $1"
)


@dataclass(frozen=True)
class _Key:
    """What matching needs of a record: its block and its sealed name."""

    birth_date: date
    kecamatan_code: str
    desa_code: str | None
    name_cipher: bytes


def _key(row: WomanRow) -> _Key:
    return _Key(row.birth_date, row.kecamatan_code, row.desa_code, row.name_cipher)


class WomenRepository(Repository):
    """The women table and her possible-duplicate flags. ``inserted`` keeps each row ``add`` stored, as stored,
    for the change trail (so it is not read back)."""

    def __init__(self, conn: asyncpg.Connection, cipher: crypto.PiiCipher) -> None:
        super().__init__(conn)
        self.cipher = cipher
        self.inserted: dict[UUID, dict[str, Any]] = {}
        self._keys: dict[UUID, _Key] = {}  # what matching needs of the rows stored here, so it is not read back

    async def add(self, row: WomanRow) -> list[UUID] | None:
        """Store one woman and flag her possible duplicates: the refs she was flagged against, or None when her
        NIK is already registered (nothing stored)."""
        found = await self.conn.fetch(_INSERT_ONE, *_VALUES(row), list(row.name_tokens))
        if not found:
            return None
        self.inserted[row.person_ref] = {k: v for k, v in found[0].items() if k not in _BLOCK_COLUMNS}
        self._keys[row.person_ref] = _key(row)
        block = [{"ref": row.person_ref, "other": r["block_ref"], "other_name": r["block_name"]}
                 for r in found if r["block_ref"] is not None]
        pairs = await self._flag_block(block)
        return sorted((b if a == row.person_ref else a for a, b in pairs), key=str)

    async def add_many(self, rows: Sequence[WomanRow]) -> set[UUID]:
        """Store the rows whose NIK is new; returns the refs actually stored (the others' NIKs exist)."""
        if not rows:
            return set()
        columns = list(zip(*(_VALUES(r) for r in rows), strict=True))
        stored = {r["person_ref"] for r in await self.conn.fetch(_INSERT, *[list(c) for c in columns])}
        self._keys.update((r.person_ref, _key(r)) for r in rows if r.person_ref in stored)
        await names.write(self.conn, [(r.person_ref, r.name_tokens) for r in rows if r.person_ref in stored])
        return stored

    async def flag_duplicates(self, records: Iterable[UUID | WomanRow]) -> set[UUID]:
        """Flag these women (refs, or the rows just stored: an import passes its chunk's rows, so their blocks and
        names need not be read back) against every other living record that may be the same woman
        (``domain.duplicates``), the given ones among themselves included; returns the given refs newly flagged.
        Set-based: one query for the blocks of all of them, each name opened once."""
        given = set()
        for record in records:
            if isinstance(record, WomanRow):
                self._keys[record.person_ref] = _key(record)
                given.add(record.person_ref)
            else:
                given.add(record)
        return {ref for pair in await self._flag(given) for ref in pair if ref in given}

    async def _flag(self, refs: Iterable[UUID]) -> list[tuple[UUID, UUID]]:
        """The new flags of these records, each as (the given record, the other)."""
        refs = list(refs)
        missing = [ref for ref in refs if ref not in self._keys]
        if missing:
            self._keys.update((r["person_ref"], _Key(r["birth_date"], r["kecamatan_code"], r["desa_code"],
                                                     r["name_cipher"])) for r in await self.conn.fetch(_KEYS, missing))
        keys = [(ref, self._keys[ref]) for ref in refs if ref in self._keys]
        if not keys:
            return []
        rows = await self.conn.fetch(_BLOCK, [ref for ref, _ in keys], [k.birth_date for _, k in keys],
                                     [k.kecamatan_code for _, k in keys], [k.desa_code for _, k in keys])
        return await self._flag_block(rows)

    async def _flag_block(self, rows: Iterable[Mapping[str, Any]]) -> list[tuple[UUID, UUID]]:
        """Flag the pairs of ``rows`` (``_BLOCK``'s: ref, other, other_name; ``ref`` known to ``_keys``) whose names
        match (``domain.duplicates``); the new flags, each as (the given record, the other)."""
        names: dict[UUID, list[str]] = {}  # each name opened and reduced once, for this call only

        def name(ref: UUID, sealed: bytes) -> list[str]:
            if ref not in names:
                names[ref] = duplicates.tokens(self.cipher.decrypt(sealed, context=crypto.NAME) or "")
            return names[ref]

        found: dict[frozenset[UUID], tuple[UUID, UUID, float]] = {}
        for r in rows:
            pair = frozenset((r["ref"], r["other"]))
            if pair in found:
                continue  # two given records of one block: compared once
            value = duplicates.name_score(name(r["ref"], self._keys[r["ref"]].name_cipher),
                                          name(r["other"], r["other_name"]))
            if value is not None:
                found[pair] = (r["ref"], r["other"], value)
        if not found:
            return []
        columns = list(zip(*found.values(), strict=True))
        flagged = await self.conn.fetch(_FLAG, list(columns[0]), list(columns[1]), list(columns[2]))
        return [(f["person_ref"], f["other_ref"]) for f in flagged]

    async def refs_by_nik(self, macs: Sequence[bytes]) -> dict[bytes, UUID]:
        rows = await self.conn.fetch("SELECT nik_hmac, person_ref FROM women WHERE nik_hmac = ANY($1::bytea[])",
                                     list(macs))
        return {bytes(r["nik_hmac"]): r["person_ref"] for r in rows}

    async def get(self, ref: UUID, *, for_update: bool = False) -> dict[str, Any] | None:
        row = await self.conn.fetchrow(
            "SELECT * FROM women WHERE person_ref = $1" + (" FOR UPDATE" if for_update else ""), ref)
        return dict(row) if row else None

    async def living(self, refs: Sequence[UUID]) -> set[UUID]:
        """Those of ``refs`` that are registered, not erased and not merged into another record."""
        rows = await self.conn.fetch(
            "SELECT person_ref FROM women WHERE person_ref = ANY($1::uuid[]) AND erased_at IS NULL"
            " AND merged_into IS NULL", list(refs))
        return {r["person_ref"] for r in rows}

    async def duplicates_of(self, refs: Sequence[UUID]) -> dict[UUID, list[UUID]]:
        """Each ref's open possible-duplicate flags (either side), sorted."""
        out: dict[UUID, list[UUID]] = {ref: [] for ref in refs}
        for row in await self.conn.fetch(_DUPLICATES_OF, list(refs)):
            out[row["ref"]].append(row["other"])
        return {ref: sorted(others, key=str) for ref, others in out.items()}

    async def search(self, filters: dict[str, Any], *, possible_duplicate: bool | None, limit: int,
                     offset: int, areas: list[str] | None = None,
                     name_tokens: Sequence[bytes] | None = None) -> tuple[list[dict[str, Any]], int]:
        """A page of women by column equality (``filters``, None = any), whether a duplicate flag is open,
        (``areas``) living in one of those kecamatan, and (``name_tokens``) whose name has every one of these
        blind-index tokens. Records merged into another are not listed: each woman once."""
        given: dict[str, Any] = {column: value for column, value in filters.items() if value is not None}
        where = [f"{column} = ${n}" for n, column in enumerate(given, start=1)] + ["merged_into IS NULL"]
        if areas is not None:
            given["areas"] = areas
            where.append(f"kecamatan_code = ANY(${len(given)}::text[])")
        if name_tokens is not None:
            given["name_tokens"] = list(name_tokens)
            where.append(names.MATCHING.format(n=len(given)))
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
        """Store a corrected record; ``reflag`` replaces her open and dismissed flags (what the matching compares
        changed: name, birth date, kecamatan or desa)."""
        await self.conn.execute(_UPDATE, *_VALUES(row)[:11])  # person_ref … pekka_category
        self._keys[row.person_ref] = _key(row)
        await names.forget(self.conn, row.person_ref)
        await names.write(self.conn, [(row.person_ref, row.name_tokens)])
        if reflag:
            await self.conn.execute("DELETE FROM possible_duplicates WHERE (person_ref = $1 OR other_ref = $1)"
                                    " AND status <> 'merged'", row.person_ref)
            await self.flag_duplicates([row.person_ref])

    async def erase(self, ref: UUID) -> None:
        """Personal data, duplicate flags and case notes go; the ref, area, band, household and counts stay."""
        await self.conn.execute(
            "UPDATE women SET nik_hmac = NULL, nik_cipher = NULL, name_cipher = NULL, phone_cipher = NULL,"
            " birth_date = NULL, dup_fingerprint = NULL, erased_at = now(), updated_at = now() WHERE person_ref = $1",
            ref,
        )
        await self.conn.execute("DELETE FROM possible_duplicates WHERE person_ref = $1 OR other_ref = $1", ref)
        await names.forget(self.conn, ref)
        await self.conn.execute(
            "DELETE FROM aid_case_notes WHERE aid_ref IN (SELECT aid_ref FROM aid_records WHERE person_ref = $1)", ref
        )

    async def dismiss_duplicate(self, ref: UUID, other_ref: UUID, *, opd: str | None = None) -> bool:
        """Close the open flag between the two (either way round); False when there is none."""
        done = await self.conn.execute(
            "UPDATE possible_duplicates SET status = 'dismissed', decided_at = now(), decided_by_opd = $3"
            " WHERE status = 'open' AND ((person_ref = $1 AND other_ref = $2) OR (person_ref = $2 AND other_ref = $1))",
            ref, other_ref, opd,
        )
        return done != "UPDATE 0"

    async def decide_pair(self, ref: UUID, other_ref: UUID, status: str, *, opd: str | None) -> None:
        """Record what was decided about the pair (``merged``, or ``dismissed`` when a merge is undone), flagged
        before or not."""
        await self.conn.execute(
            "INSERT INTO possible_duplicates (person_ref, other_ref, status, decided_at, decided_by_opd)"
            " VALUES ($1, $2, $3, now(), $4)"
            " ON CONFLICT ((LEAST(person_ref, other_ref)), (GREATEST(person_ref, other_ref)))"
            " DO UPDATE SET status = EXCLUDED.status, decided_at = now(), decided_by_opd = EXCLUDED.decided_by_opd",
            ref, other_ref, status, opd,
        )

    async def get_many(self, refs: Sequence[UUID]) -> dict[UUID, dict[str, Any]]:
        rows = await self.conn.fetch("SELECT * FROM women WHERE person_ref = ANY($1::uuid[])", list(refs))
        return {r["person_ref"]: dict(r) for r in rows}

    async def pairs(self, *, status: str, kecamatan_code: str | None, limit: int,
                    offset: int) -> tuple[list[dict[str, Any]], int]:
        """A page of flagged pairs with this status (oldest flag first), optionally of one kecamatan."""
        where = ("d.status = $1 AND ($2::text IS NULL OR EXISTS (SELECT 1 FROM women w WHERE w.person_ref IN"
                 " (d.person_ref, d.other_ref) AND w.kecamatan_code = $2))")
        total = await self.conn.fetchval(f"SELECT count(*) FROM possible_duplicates d WHERE {where}", status,
                                         kecamatan_code)
        rows = await self.conn.fetch(
            f"SELECT d.* FROM possible_duplicates d WHERE {where} ORDER BY d.flagged_at, d.person_ref, d.other_ref"
            " LIMIT $3 OFFSET $4", status, kecamatan_code, limit, offset)
        return [dict(r) for r in rows], total
