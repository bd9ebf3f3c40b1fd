"""Handlers for welfare assessments (poverty line in force on the date) and aid with private case notes."""

from datetime import date
from typing import Any
from uuid import UUID, uuid4

import asyncpg
from berdaya_contracts import registry_v1 as v1
from berdaya_shared import errors
from berdaya_shared.messaging import outbox

from ..adapters import crypto
from ..adapters.crypto import PiiCipher
from ..clock import today
from ..domain import model
from . import translator
from .women import require_active, rule_error


async def poverty_lines(conn: asyncpg.Connection) -> list[model.PovertyLine]:
    rows = await conn.fetch("SELECT valid_from, idr FROM poverty_lines ORDER BY valid_from")
    return [model.PovertyLine(r["valid_from"], r["idr"]) for r in rows]


async def set_poverty_line(conn: asyncpg.Connection, *, valid_from: date, idr: int, source: str) -> dict[str, Any]:
    await conn.execute(
        "INSERT INTO poverty_lines (valid_from, idr, source) VALUES ($1, $2, $3)"
        " ON CONFLICT (valid_from) DO UPDATE SET idr = excluded.idr, source = excluded.source",
        valid_from, idr, source,
    )
    return {"valid_from": valid_from, "idr": idr, "source": source}


async def list_poverty_lines(conn: asyncpg.Connection) -> list[dict[str, Any]]:
    return [dict(r) for r in await conn.fetch("SELECT valid_from, idr, source FROM poverty_lines ORDER BY valid_from")]


async def assess(
    conn: asyncpg.Connection, *, ref: UUID, assessed_on: date, household_size: int, monthly_income_idr: int,
    correlation_id: str | None,
) -> dict[str, Any]:
    await require_active(conn, ref, for_update=True)
    try:
        model.check_not_future(assessed_on, today(), "assessed_on")
        result = model.assess(household_size, monthly_income_idr, model.line_in_force(await poverty_lines(conn),
                                                                                     assessed_on))
    except model.RuleBroken as err:
        raise rule_error(err) from None
    is_baseline = not await conn.fetchval("SELECT exists(SELECT 1 FROM welfare_assessments WHERE person_ref = $1)", ref)
    assessment = {
        "assessment_ref": uuid4(),
        "person_ref": ref,
        "assessed_on": assessed_on,
        "household_size": household_size,
        "monthly_household_income_idr": monthly_income_idr,
        "per_capita_income_idr": result.per_capita_income_idr,
        "poverty_line_idr": result.poverty_line.idr,
        "below_poverty_line": result.below_poverty_line,
        "is_baseline": is_baseline,
    }
    await conn.execute(
        "INSERT INTO welfare_assessments (assessment_ref, person_ref, assessed_on, household_size,"
        " monthly_household_income_idr, per_capita_income_idr, poverty_line_idr, poverty_line_valid_from,"
        " below_poverty_line, is_baseline) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        *list(assessment.values())[:7], result.poverty_line.valid_from, *list(assessment.values())[7:],
    )
    await outbox.add(conn, translator.envelope(v1.WelfareAssessed(**assessment), correlation_id))
    return {**assessment, "poverty_line_valid_from": result.poverty_line.valid_from}


async def list_assessments(conn: asyncpg.Connection, *, ref: UUID) -> list[dict[str, Any]]:
    rows = await conn.fetch(
        "SELECT * FROM welfare_assessments WHERE person_ref = $1 ORDER BY assessed_on, created_at", ref
    )
    return [{k: v for k, v in dict(r).items() if k != "created_at"} for r in rows]


async def provide_aid(
    conn: asyncpg.Connection, *, cipher: PiiCipher, ref: UUID, kind: str, provider_opd: str, provided_on: date,
    case_note: str | None, correlation_id: str | None,
) -> dict[str, Any]:
    await require_active(conn, ref)
    if provided_on > today():
        raise errors.Invalid("Tanggal tidak boleh di masa depan", "provided_on is in the future", field="provided_on")
    aid_ref = uuid4()
    await conn.execute(
        "INSERT INTO aid_records (aid_ref, person_ref, kind, provider_opd, provided_on) VALUES ($1, $2, $3, $4, $5)",
        aid_ref, ref, kind, provider_opd, provided_on,
    )
    if case_note:
        await add_case_note(conn, cipher=cipher, aid_ref=aid_ref, note=case_note, written_by_opd=provider_opd)
    payload = v1.AidProvided(
        aid_ref=aid_ref, person_ref=ref, kind=kind, provider_opd=provider_opd, provided_on=provided_on  # type: ignore[arg-type]
    )
    await outbox.add(conn, translator.envelope(payload, correlation_id))
    return {**payload.model_dump(), "case_notes": 1 if case_note else 0}


async def list_aid(conn: asyncpg.Connection, *, ref: UUID) -> list[dict[str, Any]]:
    rows = await conn.fetch(
        "SELECT a.aid_ref, a.person_ref, a.kind, a.provider_opd, a.provided_on,"
        " (SELECT count(*) FROM aid_case_notes n WHERE n.aid_ref = a.aid_ref) AS case_notes"
        " FROM aid_records a WHERE a.person_ref = $1 ORDER BY a.provided_on, a.created_at", ref,
    )
    return [dict(r) for r in rows]


async def _require_aid(conn: asyncpg.Connection, aid_ref: UUID) -> asyncpg.Record:
    row = await conn.fetchrow("SELECT aid_ref, person_ref FROM aid_records WHERE aid_ref = $1", aid_ref)
    if row is None:
        raise errors.NotFound("Catatan bantuan tidak ditemukan", f"aid {aid_ref} not found", field="aid_ref")
    return row


async def add_case_note(
    conn: asyncpg.Connection, *, cipher: PiiCipher, aid_ref: UUID, note: str, written_by_opd: str
) -> dict[str, Any]:
    aid = await _require_aid(conn, aid_ref)
    await require_active(conn, aid["person_ref"])
    row = await conn.fetchrow(
        "INSERT INTO aid_case_notes (aid_ref, note_cipher, written_by_opd) VALUES ($1, $2, $3)"
        " RETURNING note_id, created_at",
        aid_ref, cipher.encrypt(note, context=crypto.CASE_NOTE), written_by_opd,
    )
    return {"note_id": row["note_id"], "aid_ref": aid_ref, "note": note, "written_by_opd": written_by_opd,
            "created_at": row["created_at"]}


async def case_notes(conn: asyncpg.Connection, *, cipher: PiiCipher, aid_ref: UUID) -> list[dict[str, Any]]:
    await _require_aid(conn, aid_ref)
    rows = await conn.fetch(
        "SELECT note_id, aid_ref, note_cipher, written_by_opd, created_at FROM aid_case_notes"
        " WHERE aid_ref = $1 ORDER BY note_id", aid_ref,
    )
    return [
        {"note_id": r["note_id"], "aid_ref": r["aid_ref"], "note": cipher.decrypt(r["note_cipher"],
                                                                                  context=crypto.CASE_NOTE),
         "written_by_opd": r["written_by_opd"], "created_at": r["created_at"]}
        for r in rows
    ]
