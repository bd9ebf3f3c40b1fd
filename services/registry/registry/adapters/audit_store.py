"""The registry's two audit records: stored state before/after a change (personal data only as keyed
fingerprints, removed when the woman's personal data is erased) and the log of personal-data reads with their
stated purpose."""

from collections.abc import Awaitable, Callable, Iterable, Mapping
from datetime import date, datetime
from typing import Any
from uuid import UUID

import asyncpg
from berdaya_shared.audit import fingerprint
from berdaya_shared.auth import Principal

# ref name (path parameter or answer field) -> (table, key column)
_ENTITIES = {
    "person_ref": ("women", "person_ref"),
    "other_ref": ("women", "person_ref"),
    "business_ref": ("businesses", "business_ref"),
    "coop_ref": ("coops", "coop_ref"),
    "aid_ref": ("aid_records", "aid_ref"),
    "assessment_ref": ("welfare_assessments", "assessment_ref"),
    "disbursement_ref": ("capital_disbursements", "disbursement_ref"),
    "import_ref": ("imports", "import_ref"),
}
_FINGERPRINT = r'"(hmac|sha256):[0-9a-f]+"'  # a fingerprint as the trail's JSON holds it
_PERSONAL_PLAIN = {"birth_date"}  # stored in clear for the age band, but personal: fingerprint in the trail


def safe_state(row: Mapping[str, Any], fingerprint_key: bytes) -> dict[str, Any]:
    """A stored row for the trail: bytes (ciphertexts, HMACs) and personal plain columns as keyed fingerprints."""
    out: dict[str, Any] = {}
    for key, value in row.items():
        if isinstance(value, bytes | bytearray | memoryview):
            out[key] = fingerprint(bytes(value), fingerprint_key)
        elif key in _PERSONAL_PLAIN and value is not None:
            out[key] = fingerprint(f"{key}|{value}".encode(), fingerprint_key)
        elif isinstance(value, UUID | date | datetime):
            out[key] = str(value)
        else:
            out[key] = value
    return out


def snapshotter(fingerprint_key: bytes) -> Callable[[asyncpg.Connection, str, str], Awaitable[dict[str, Any] | None]]:
    """The trail's snapshot function (berdaya_shared.audit.install) with the fingerprints' key."""

    async def snap(conn: asyncpg.Connection, name: str, ref: str) -> dict[str, Any] | None:
        return await snapshot(conn, name, ref, fingerprint_key)

    return snap


async def snapshot(conn: asyncpg.Connection, name: str, ref: str, fingerprint_key: bytes) -> dict[str, Any] | None:
    entity = _ENTITIES.get(name)
    if entity is None:
        return None
    try:
        key = UUID(ref)
    except ValueError:
        return None
    table, column = entity
    row = await conn.fetchrow(f"SELECT * FROM {table} WHERE {column} = $1", key)  # names from the table above
    if row is None:
        return None
    state = safe_state(row, fingerprint_key)
    if table == "coops":
        state["members"] = [safe_state(r, fingerprint_key) for r in await conn.fetch(
            "SELECT * FROM coop_memberships WHERE coop_ref = $1 ORDER BY id", key)]
    return state


async def erase_traces(conn: asyncpg.Connection, person_ref: UUID) -> int:
    """Remove the fingerprints from the trail of a woman whose personal data is erased (her rows keep who changed
    what and when); returns the rows changed. Idempotent."""
    result = await conn.execute(
        "UPDATE audit_log SET before = regexp_replace(before::text, $2, 'null', 'g')::jsonb,"
        " after = regexp_replace(after::text, $2, 'null', 'g')::jsonb"
        " WHERE entity_ref = $1 AND (before::text ~ $2 OR after::text ~ $2)",
        f"person_ref={person_ref}", _FINGERPRINT)
    return int(result.split()[-1])


async def record_reads(
    conn: asyncpg.Connection, principal: Principal, person_refs: Iterable[UUID | str | None], *, what: str,
    purpose: str,
) -> None:
    refs = [UUID(str(r)) if r is not None else None for r in person_refs]
    await conn.executemany(
        "INSERT INTO pii_access_log (client_id, opd, person_ref, what, purpose) VALUES ($1, $2, $3, $4, $5)",
        [(principal.client_id, principal.opd, ref, what, purpose) for ref in refs],
    )


async def reads(
    conn: asyncpg.Connection, *, person_ref: UUID | None, client_id: str | None, since: datetime | None,
    until: datetime | None, limit: int, offset: int,
) -> dict[str, Any]:
    where = ("($1::uuid IS NULL OR person_ref = $1) AND ($2::text IS NULL OR client_id = $2)"
             " AND ($3::timestamptz IS NULL OR at >= $3) AND ($4::timestamptz IS NULL OR at < $4)")
    args = (person_ref, client_id, since, until)
    total = await conn.fetchval(f"SELECT count(*) FROM pii_access_log WHERE {where}", *args)
    rows = await conn.fetch(
        f"SELECT at, client_id, opd, person_ref, what, purpose FROM pii_access_log WHERE {where}"
        " ORDER BY id DESC LIMIT $5 OFFSET $6", *args, limit, offset)
    return {"total": total, "limit": limit, "offset": offset, "items": [dict(r) for r in rows]}
