"""An import job as the workspace sees it: its progress, its row report, its held rows — and the officer's decision
on a held row (confirm it into the same job, or discard it).

A held row is read again from its sealed cells with the officer's confirmations (``import_rows.read_row``): the
same rules as the first reading, so a confirmation can only lift what it names. Confirming registers her (with her
events) and moves the row from ``held`` to ``registered`` in the job's counts, in one transaction.
"""

from datetime import date
from typing import Any
from uuid import UUID

from berdaya_shared import errors
from berdaya_shared.errors import FieldError

from ..adapters import spreadsheets_cells as cells
from ..adapters.repository.imports import COUNTS, ReportRow
from ..adapters.spreadsheets_columns import DISPLAY
from ..domain import nik
from .import_rows import Context, Outcome, open_cells, read_row
from .imports import KINDS
from .unit_of_work import RegistryUnitOfWork


def _links(import_ref: UUID) -> dict[str, Any]:
    base = f"/women/imports/{import_ref}"
    return {"error_report": {"csv": f"{base}/errors.csv", "xlsx": f"{base}/errors.xlsx"}, "held_rows": f"{base}/held"}


async def _job(uow: RegistryUnitOfWork, import_ref: UUID, *, for_update: bool = False) -> dict[str, Any]:
    row = await uow.imports.get(import_ref, for_update=for_update)
    if row is None:
        raise errors.NotFound("Impor dengan referensi ini tidak ditemukan", f"import {import_ref} not found",
                              field="import_ref")
    return row


async def get(uow: RegistryUnitOfWork, *, import_ref: UUID) -> dict[str, Any]:
    """The job's state and counts (``ImportRead``). A job still marked running whose progress stopped more than
    two minutes ago lost its process (a restart): it is shown as ``interrupted``; uploading the file again
    registers only the rows it had not reached (already registered NIKs are recognised)."""
    row = await _job(uow, import_ref)
    status = "interrupted" if row["status"] == "running" and row["stale"] else row["status"]
    return {"import_ref": import_ref, "filename": row["filename"], "registered_by_opd": row["registered_by_opd"],
            "status": status, **{k: row[k] for k in COUNTS}, "sheet_name": row["sheet_name"],
            "header_row": row["header_row"], "encoding": row["encoding"], "columns": row["columns"] or {},
            "started_at": row["created_at"], "finished_at": row["finished_at"], **_links(import_ref)}


async def report(uow: RegistryUnitOfWork, *, import_ref: UUID) -> list[ReportRow]:
    await _job(uow, import_ref)
    return await uow.imports.report(import_ref)


async def _context(uow: RegistryUnitOfWork, job: dict[str, Any], today: date) -> Context:
    return Context(opd=job["registered_by_opd"], today=today, import_ref=job["import_ref"],
                   lines=await uow.welfare.lines(), correlation_id=uow.correlation_id)


def _title(job: dict[str, Any], name: str) -> str:
    return (job["columns"] or {}).get(name) or DISPLAY.get(name, name)


async def held(uow: RegistryUnitOfWork, *, import_ref: UUID, today: date) -> dict[str, Any]:
    """The job's rows waiting for a decision, each with what to confirm and the values to check it against (her
    name, masked NIK, the birth date written and the one in the NIK, the income written): a personal-data read."""
    job = await _job(uow, import_ref)
    ctx = await _context(uow, job, today)
    items = []
    for row in await uow.imports.held(import_ref):
        if row["status"] != "held":
            continue
        values = open_cells(uow.cipher, row["cells"])
        outcome = read_row(row["row_no"], values, ctx, uow.cipher)
        parsed = _nik(values.get("nik"), today)
        items.append({
            "row_no": row["row_no"],
            "confirm": [{"field": f, "column": _title(job, f), "problem": p, "fix": fix}
                        for f, p, fix in outcome.problems],
            "full_name": str(values.get("full_name") or ""),
            "nik_masked": nik.mask(parsed.value) if parsed else None,
            "birth_date_in_nik": parsed.birth_date if parsed else None,
            "birth_date": outcome.identity[1] if outcome.identity else None,
            "monthly_household_income_idr": _income(values),
        })
    return {"import_ref": import_ref, "items": items}


def _nik(value: Any, today: date) -> nik.Nik | None:
    try:
        return nik.parse(str(value), today=today)
    except errors.Refusal:
        return None


def _income(values: dict[str, Any]) -> int | None:
    try:
        return cells.rupiah(values.get("monthly_household_income_idr"))
    except cells.CellProblem:
        return None


async def decide(uow: RegistryUnitOfWork, *, import_ref: UUID, row_no: int, confirm: set[str],
                 income_idr: int | None, discard: bool, today: date) -> dict[str, Any]:
    """Confirm a held row (``confirm``: the confirmations given; ``income_idr``: a corrected income instead) or
    discard it. Raises NotFound (no such held row), Conflict (already decided), Invalid (still not registrable:
    what remains to confirm or fix)."""
    job = await _job(uow, import_ref, for_update=True)
    row = await uow.imports.held_row(import_ref, row_no)
    if row is None:
        raise errors.NotFound(f"Baris {row_no} tidak ditahan pada impor ini", "no such held row", field="row_no")
    if row["status"] != "held":
        raise errors.Conflict(f"Baris {row_no} sudah diputuskan ({row['status']})", "held row already decided",
                              field="row_no", status=row["status"])
    if discard:
        await uow.imports.resolve(import_ref, row_no, status="discarded", person_ref=None)
        await uow.imports.count(import_ref, held=-1, rejected=1)
        await uow.imports.add_report(import_ref, [(row_no, "", KINDS["refused"], "Dibatalkan petugas", "")])
        return {"import_ref": import_ref, "row_no": row_no, "status": "discarded", "person_ref": None}
    values = open_cells(uow.cipher, row["cells"])
    if income_idr is not None:
        values["monthly_household_income_idr"] = income_idr
    outcome = read_row(row_no, values, await _context(uow, job, today), uow.cipher, confirmed=frozenset(confirm))
    if outcome.status != "ready":
        raise _still(outcome, job)
    return await _register(uow, import_ref, outcome)


def _still(outcome: Outcome, job: dict[str, Any]) -> errors.Invalid:
    problems = [FieldError(f, f"{_title(job, f)}: {p}", fix or p) for f, p, fix in outcome.problems]
    what = "masih perlu konfirmasi" if outcome.status == "held" else "tidak bisa didaftarkan"
    return errors.Invalid(f"Baris {outcome.row_no} {what}: " + "; ".join(e.pesan for e in problems),
                          f"held row is still {outcome.status}", errors=problems)


async def _register(uow: RegistryUnitOfWork, import_ref: UUID, o: Outcome) -> dict[str, Any]:
    assert o.woman is not None and o.nik_hmac is not None
    known = await uow.imports.known([o.nik_hmac])
    if known:
        raise errors.Conflict("NIK ini sudah terdaftar", "a woman with this NIK is already registered", field="nik",
                              person_ref=str(known[o.nik_hmac][0]))
    await uow.imports.add_women([o.woman])
    ref = o.woman.person_ref
    if o.assessment:
        await uow.imports.add_assessments([o.assessment])
    await uow.verification.flag([(ref, why) for why in o.verify])
    flagged = await uow.women.flag_duplicates([ref])
    await uow.imports.stage_events(o.outbox)
    await uow.imports.resolve(import_ref, o.row_no, status="registered", person_ref=ref)
    await uow.imports.count(import_ref, held=-1, registered=1, assessed=1 if o.assessment else 0,
                            possible_duplicates=len(flagged))
    return {"import_ref": import_ref, "row_no": o.row_no, "status": "registered", "person_ref": ref}
