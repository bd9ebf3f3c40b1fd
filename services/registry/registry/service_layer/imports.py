"""Bulk import of women from an OPD's CSV/XLSX list.

Every row is validated exactly like the API. Valid rows are registered in chunks, one transaction per
chunk, events staged with the outbox's COPY path. A NIK already in the registry counts as "already
registered", so re-running the same file registers nothing twice. Invalid rows go to an error report
(row, column, reason) that never repeats the row's values: it holds no NIK or name.
"""

import asyncio
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID, uuid4

import asyncpg
from berdaya_contracts import Envelope
from berdaya_shared import errors
from berdaya_shared.http import field_errors
from berdaya_shared.messaging import outbox
from pydantic import ValidationError

from ..adapters import spreadsheets
from ..adapters import women_repo as repo
from ..adapters.crypto import PiiCipher
from ..clock import today
from ..domain import kukar, model, nik
from . import translator
from .women import NewWoman, prepare

_PEKKA_ALIASES = {
    "": "none", "tidak": "none", "bukan": "none", "bukan pekka": "none", "produktif": "productive",
    "rawan perkawinan anak": "child_marriage_risk", "perkawinan anak": "child_marriage_risk", "lansia": "elderly",
}


@dataclass
class ImportResult:
    import_ref: UUID
    rows_total: int = 0
    registered: int = 0
    already_registered: int = 0
    rejected: int = 0
    possible_duplicates: int = 0
    errors: list[tuple[int, str, str]] = field(default_factory=list)


def _raw_fields(values: dict[str, Any], opd: str) -> dict[str, Any]:
    out: dict[str, Any] = {"registered_by_opd": opd}
    for key, value in values.items():
        if key == "birth_date":
            value = spreadsheets.cell_date(value)
        else:
            value = spreadsheets.cell_text(value)
        if key == "kecamatan_code" and value is not None:
            value = kukar.kecamatan_code(value)
        if key == "pekka_category":
            text = " ".join((value or "").replace("_", " ").casefold().split())
            value = _PEKKA_ALIASES.get(text, value if value is None else value.strip().casefold())
        if value is not None:
            out[key] = value
    return out


def validate_row(values: dict[str, Any], opd: str, headers: dict[str, str]) -> NewWoman | list[tuple[str, str]]:
    """A valid NewWoman, or the (column, reason) list of what is wrong with the row."""
    from ..entrypoints.schemas_women import WomanCreate  # the API's own validation, row by row

    try:
        data = WomanCreate.model_validate(_raw_fields(values, opd))
    except ValidationError as exc:
        return [(headers.get(e["field"], e["field"]), e["pesan"]) for e in field_errors(exc.errors())]
    return NewWoman(**data.model_dump(exclude={"registered_on"}))


def check_file(data: bytes, filename: str, max_rows: int) -> int:
    """Read the whole file once without registering anything: its data row count, or why it is refused."""
    _, records = spreadsheets.read_rows(data, filename)
    count = 0
    for _ in records:
        count += 1
        if count > max_rows:
            raise errors.TooLarge(f"Berkas terlalu besar: maksimal {max_rows} baris data per impor",
                                  f"more than import_max_rows ({max_rows}) data rows", field="file")
    if count == 0:
        raise spreadsheets.SheetError("Berkas tidak berisi data: hanya baris judul, tanpa baris data",
                                      "no data rows below the header")
    return count


async def run(
    pool: asyncpg.Pool, *, cipher: PiiCipher, data: bytes, filename: str, opd: str, chunk_size: int,
    max_rows: int, correlation_id: str | None,
) -> ImportResult:
    try:
        # A file is refused as a whole before anything is registered: a first pass reads it through (structure,
        # row count), so an unreadable row or one too many cannot stop an import half-way.
        await asyncio.to_thread(check_file, data, filename, max_rows)
        mapping, records = await asyncio.to_thread(spreadsheets.read_rows, data, filename)
    except spreadsheets.SheetError as err:
        raise errors.Invalid(err.pesan, err.detail, field="file") from None
    headers = dict(mapping.values())
    result = ImportResult(import_ref=uuid4())
    on = today()
    seen: dict[bytes, int] = {}

    def next_chunk() -> tuple[list[tuple[repo.WomanRow, Envelope]], bool]:
        """Parse, validate, encrypt and wrap the next chunk: CPU work kept off the event loop."""
        pending = []
        for number, values in records:
            result.rows_total += 1
            if result.rows_total > max_rows:
                raise errors.TooLarge(f"Berkas terlalu besar: maksimal {max_rows} baris data per impor",
                                      f"more than import_max_rows ({max_rows}) data rows", field="file")
            row = _prepare_row(cipher, values, opd, headers, on, result, number)
            if row is None:
                continue
            if row.nik_hmac in seen:
                result.errors.append((number, headers["nik"], f"NIK sama dengan baris {seen[row.nik_hmac]}"))
                continue
            seen[row.nik_hmac] = number
            pending.append((row, translator.envelope(translator.woman_registered(row), correlation_id)))
            if len(pending) >= chunk_size:
                return pending, False
        return pending, True

    async with pool.acquire() as conn:
        await conn.execute(
            "INSERT INTO imports (import_ref, filename, registered_by_opd) VALUES ($1, $2, $3)",
            result.import_ref, "".join(ch for ch in filename if ch.isprintable())[:200], opd,
        )
        try:
            done = False
            while not done:
                pending, done = await asyncio.to_thread(next_chunk)
                await _register_chunk(conn, pending, result)
        except spreadsheets.SheetError as err:
            raise errors.Invalid(err.pesan, err.detail, field="file") from None
        finally:
            result.rejected = len({n for n, _, _ in result.errors})
            await _save(conn, result)
    return result


def _prepare_row(
    cipher: PiiCipher, values: dict[str, Any], opd: str, headers: dict[str, str], on: date, result: ImportResult,
    number: int,
) -> repo.WomanRow | None:
    checked = validate_row(values, opd, headers)
    if isinstance(checked, list):
        result.errors.extend((number, column, reason) for column, reason in checked)
        return None
    try:
        return prepare(cipher, checked, on=on, import_ref=result.import_ref)
    except (nik.NikError, model.RuleBroken) as err:
        result.errors.append((number, headers.get(err.field, err.field), err.pesan))
        return None


async def _register_chunk(
    conn: asyncpg.Connection, pending: list[tuple[repo.WomanRow, Envelope]], result: ImportResult
) -> None:
    if not pending:
        return
    async with conn.transaction():
        existing = await repo.refs_by_nik(conn, [row.nik_hmac for row, _ in pending])
        fresh = [(row, event) for row, event in pending if row.nik_hmac not in existing]
        inserted = await repo.insert_many(conn, [row for row, _ in fresh])
        result.already_registered += len(pending) - len(inserted)
        result.registered += len(inserted)
        result.possible_duplicates += len(await repo.flag_duplicates(conn, list(inserted)))
        await outbox.add_many(conn, [event for row, event in fresh if row.person_ref in inserted])


async def _save(conn: asyncpg.Connection, result: ImportResult) -> None:
    async with conn.transaction():
        await conn.execute(
            "UPDATE imports SET rows_total = $2, registered = $3, already_registered = $4, rejected = $5,"
            " possible_duplicates = $6 WHERE import_ref = $1",
            result.import_ref, result.rows_total, result.registered, result.already_registered, result.rejected,
            result.possible_duplicates,
        )
        if result.errors:
            await conn.copy_records_to_table(
                "import_errors", records=[(result.import_ref, *e) for e in result.errors],
                columns=("import_ref", "row_no", "field", "reason"),
            )


def summary(row: asyncpg.Record) -> dict[str, Any]:
    ref = row["import_ref"]
    return {
        "import_ref": ref,
        "filename": row["filename"],
        "registered_by_opd": row["registered_by_opd"],
        "rows_total": row["rows_total"],
        "registered": row["registered"],
        "already_registered": row["already_registered"],
        "rejected": row["rejected"],
        "possible_duplicates": row["possible_duplicates"],
        "error_report": {
            "csv": f"/women/imports/{ref}/errors.csv",
            "xlsx": f"/women/imports/{ref}/errors.xlsx",
        },
    }


async def get(conn: asyncpg.Connection, ref: UUID) -> dict[str, Any]:
    row = await conn.fetchrow("SELECT * FROM imports WHERE import_ref = $1", ref)
    if row is None:
        raise errors.NotFound("Impor dengan referensi ini tidak ditemukan", f"import {ref} not found",
                              field="import_ref")
    return summary(row)


async def error_rows(conn: asyncpg.Connection, ref: UUID) -> list[tuple[int, str, str]]:
    await get(conn, ref)
    rows = await conn.fetch(
        "SELECT row_no, field, reason FROM import_errors WHERE import_ref = $1 ORDER BY row_no, field", ref
    )
    return [(r["row_no"], r["field"], r["reason"]) for r in rows]
