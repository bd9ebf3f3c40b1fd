"""Handlers for cooperatives (koperasi): formation, membership, RAT, and capital disbursements."""

from datetime import date
from typing import Any
from uuid import UUID, uuid4

import asyncpg
from berdaya_contracts import registry_v1 as v1
from berdaya_shared import errors
from berdaya_shared.messaging import outbox

from ..clock import today
from . import translator


def _not_future(on: date, field: str) -> None:
    if on > today():
        raise errors.Invalid("Tanggal tidak boleh di masa depan", f"{field} is in the future", field=field)


async def _require_women(conn: asyncpg.Connection, refs: list[UUID], field: str) -> None:
    rows = await conn.fetch(
        "SELECT person_ref FROM women WHERE person_ref = ANY($1::uuid[]) AND erased_at IS NULL", refs
    )
    missing = set(refs) - {r["person_ref"] for r in rows}
    if missing:
        raise errors.Invalid(
            "Ada anggota yang tidak terdaftar sebagai perempuan di registri (atau datanya telah dihapus)",
            "unknown or erased person_ref", field=field, unknown_refs=sorted(str(m) for m in missing),
        )


async def form(
    conn: asyncpg.Connection, *, name: str, kecamatan_code: str, kind: str, formed_on: date, has_legal_entity: bool,
    legal_entity_number: str | None, founding_member_refs: list[UUID], correlation_id: str | None,
) -> dict[str, Any]:
    _not_future(formed_on, "formed_on")
    if len(set(founding_member_refs)) != len(founding_member_refs):
        raise errors.Invalid("Anggota pendiri tidak boleh ganda", "duplicate founding member",
                             field="founding_member_refs")
    await _require_women(conn, founding_member_refs, "founding_member_refs")
    coop_ref = uuid4()
    await conn.execute(
        "INSERT INTO coops (coop_ref, name, kecamatan_code, kind, formed_on, has_legal_entity, legal_entity_number)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7)",
        coop_ref, name, kecamatan_code, kind, formed_on, has_legal_entity, legal_entity_number,
    )
    await conn.executemany(
        "INSERT INTO coop_memberships (coop_ref, person_ref, joined_on, founding) VALUES ($1, $2, $3, true)",
        [(coop_ref, ref, formed_on) for ref in founding_member_refs],
    )
    payload = v1.CoopFormed(
        coop_ref=coop_ref, kecamatan_code=kecamatan_code, kind=kind, founding_member_refs=founding_member_refs,  # type: ignore[arg-type]
        formed_on=formed_on, has_legal_entity=has_legal_entity,
    )
    await outbox.add(conn, translator.envelope(payload, correlation_id))
    return await get(conn, ref=coop_ref)


async def _require_coop(conn: asyncpg.Connection, ref: UUID, *, for_update: bool = False) -> asyncpg.Record:
    row = await conn.fetchrow("SELECT * FROM coops WHERE coop_ref = $1" + (" FOR UPDATE" if for_update else ""), ref)
    if row is None:
        raise errors.NotFound("Koperasi dengan referensi ini tidak terdaftar", f"coop {ref} not found",
                              field="coop_ref")
    return row


async def get(conn: asyncpg.Connection, *, ref: UUID) -> dict[str, Any]:
    coop = dict(await _require_coop(conn, ref))
    coop.pop("created_at")
    members = await conn.fetch(
        "SELECT person_ref, joined_on, left_on, founding FROM coop_memberships WHERE coop_ref = $1 ORDER BY id", ref
    )
    meetings = await conn.fetch(
        "SELECT fiscal_year, held_on FROM coop_annual_meetings WHERE coop_ref = $1 ORDER BY fiscal_year", ref
    )
    return {
        **coop,
        "members": [dict(m) for m in members],
        "active_members": sum(1 for m in members if m["left_on"] is None),
        "annual_meetings": [dict(m) for m in meetings],
    }


async def join(
    conn: asyncpg.Connection, *, ref: UUID, person_ref: UUID, joined_on: date, correlation_id: str | None
) -> dict[str, Any]:
    coop = await _require_coop(conn, ref, for_update=True)
    _not_future(joined_on, "joined_on")
    if joined_on < coop["formed_on"]:
        raise errors.Invalid("Tanggal bergabung sebelum koperasi dibentuk", "joined_on before formed_on",
                             field="joined_on")
    await _require_women(conn, [person_ref], "person_ref")
    if await conn.fetchval(
        "SELECT 1 FROM coop_memberships WHERE coop_ref = $1 AND person_ref = $2 AND left_on IS NULL", ref, person_ref
    ):
        raise errors.Conflict("Perempuan ini sudah menjadi anggota koperasi", "already an active member",
                              field="person_ref")
    await conn.execute(
        "INSERT INTO coop_memberships (coop_ref, person_ref, joined_on) VALUES ($1, $2, $3)", ref, person_ref, joined_on
    )
    payload = v1.CoopMemberJoined(coop_ref=ref, person_ref=person_ref, joined_on=joined_on)
    await outbox.add(conn, translator.envelope(payload, correlation_id))
    return payload.model_dump()


async def leave(
    conn: asyncpg.Connection, *, ref: UUID, person_ref: UUID, left_on: date, correlation_id: str | None
) -> dict[str, Any]:
    await _require_coop(conn, ref, for_update=True)
    _not_future(left_on, "left_on")
    membership = await conn.fetchrow(
        "SELECT id, joined_on FROM coop_memberships WHERE coop_ref = $1 AND person_ref = $2 AND left_on IS NULL",
        ref, person_ref,
    )
    if membership is None:
        raise errors.Conflict("Perempuan ini bukan anggota aktif koperasi", "not an active member",
                              field="person_ref")
    if left_on < membership["joined_on"]:
        raise errors.Invalid("Tanggal keluar sebelum tanggal bergabung", "left_on before joined_on",
                             field="left_on")
    await conn.execute("UPDATE coop_memberships SET left_on = $2 WHERE id = $1", membership["id"], left_on)
    payload = v1.CoopMemberLeft(coop_ref=ref, person_ref=person_ref, left_on=left_on)
    await outbox.add(conn, translator.envelope(payload, correlation_id))
    return payload.model_dump()


async def annual_meeting(
    conn: asyncpg.Connection, *, ref: UUID, fiscal_year: int, held_on: date, correlation_id: str | None
) -> dict[str, Any]:
    await _require_coop(conn, ref, for_update=True)
    _not_future(held_on, "held_on")
    if held_on.year < fiscal_year:
        raise errors.Invalid("RAT tahun buku ini belum bisa diadakan sebelum tahun bukunya berjalan",
                             "held_on before the fiscal year", field="held_on")
    if await conn.fetchval(
        "SELECT 1 FROM coop_annual_meetings WHERE coop_ref = $1 AND fiscal_year = $2", ref, fiscal_year
    ):
        raise errors.Conflict(f"RAT tahun buku {fiscal_year} sudah tercatat", "RAT already recorded",
                              field="fiscal_year")
    await conn.execute(
        "INSERT INTO coop_annual_meetings (coop_ref, fiscal_year, held_on) VALUES ($1, $2, $3)",
        ref, fiscal_year, held_on,
    )
    payload = v1.CoopAnnualMeetingHeld(coop_ref=ref, fiscal_year=fiscal_year, held_on=held_on)
    await outbox.add(conn, translator.envelope(payload, correlation_id))
    return payload.model_dump()


_RECIPIENT_TABLE = {"woman": ("women", "person_ref"), "business": ("businesses", "business_ref"),
                    "coop": ("coops", "coop_ref")}


async def disburse(
    conn: asyncpg.Connection, *, recipient_type: str, recipient_ref: UUID, source: str, amount_idr: int,
    disbursed_on: date, provider_opd: str, correlation_id: str | None,
) -> dict[str, Any]:
    _not_future(disbursed_on, "disbursed_on")
    table, key = _RECIPIENT_TABLE[recipient_type]
    extra = " AND erased_at IS NULL" if table == "women" else ""
    if not await conn.fetchval(f"SELECT 1 FROM {table} WHERE {key} = $1{extra}", recipient_ref):
        raise errors.Invalid("Penerima modal tidak terdaftar di registri", f"unknown {recipient_type}",
                             field="recipient_ref")
    disbursement_ref = uuid4()
    await conn.execute(
        "INSERT INTO capital_disbursements (disbursement_ref, recipient_type, recipient_ref, source, amount_idr,"
        " disbursed_on, provider_opd) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        disbursement_ref, recipient_type, recipient_ref, source, amount_idr, disbursed_on, provider_opd,
    )
    payload = v1.CapitalDisbursed(
        disbursement_ref=disbursement_ref, recipient_type=recipient_type, recipient_ref=recipient_ref,  # type: ignore[arg-type]
        source=source, amount_idr=amount_idr, disbursed_on=disbursed_on,  # type: ignore[arg-type]
    )
    await outbox.add(conn, translator.envelope(payload, correlation_id))
    return {**payload.model_dump(), "provider_opd": provider_opd}
