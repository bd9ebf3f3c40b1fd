"""Bulk import of women from an OPD's CSV/XLSX list.

Every row is validated exactly like ``POST /women`` (``validation.WomanFields``, then the registration rules).
Valid rows are registered in chunks, one transaction per chunk, their events staged with the outbox's COPY path.
A NIK already in the registry counts as "already registered", so re-running the same file registers nothing
twice. Invalid rows go to an error report (row, column, reason) that never repeats the row's values: it holds no
NIK or name. Parsing, validation and sealing run in a worker thread, one chunk at a time, so the service keeps
answering during a large import.
"""

import asyncio
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID, uuid4

from berdaya_shared import errors
from berdaya_shared.schemas import field_errors
from pydantic import ValidationError

from ..adapters import spreadsheets
from ..adapters.crypto import PiiCipher
from ..adapters.repository import WomanRow
from ..adapters.repository.women import seal
from ..domain import events, kukar
from ..domain import women as rules
from ..domain.women import NewWoman
from .unit_of_work import RegistryUnitOfWork
from .validation import WomanFields

Transaction = Callable[[], AbstractAsyncContextManager[RegistryUnitOfWork]]
"""Opens one transaction and gives its unit of work (the import commits chunk by chunk)."""

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

    def counts(self) -> dict[str, int]:
        return {"rows_total": self.rows_total, "registered": self.registered,
                "already_registered": self.already_registered, "rejected": self.rejected,
                "possible_duplicates": self.possible_duplicates}


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
    """A valid NewWoman, or the (column as written, reason) list of what is wrong with the row."""
    try:
        return WomanFields.model_validate(_raw_fields(values, opd)).new_woman()
    except ValidationError as exc:
        return [(headers.get(e["field"], e["field"]), e["pesan"]) for e in field_errors(exc.errors())]


def check_file(data: bytes, filename: str, max_rows: int) -> int:
    """Read the whole file once without registering anything: its data row count, or why it is refused."""
    _, records = spreadsheets.read_rows(data, filename)
    count = 0
    for _ in records:
        count += 1
        if count > max_rows:
            raise _too_many(max_rows)
    if count == 0:
        raise spreadsheets.SheetError("Berkas tidak berisi data: hanya baris judul, tanpa baris data",
                                      "no data rows below the header")
    return count


def _too_many(max_rows: int) -> errors.TooLarge:
    return errors.TooLarge(f"Berkas terlalu besar: maksimal {max_rows} baris data per impor",
                           f"more than import_max_rows ({max_rows}) data rows", field="file")


def _unreadable(err: spreadsheets.SheetError) -> errors.Invalid:
    return errors.Invalid(err.pesan, err.detail, field="file")


Pending = list[tuple[WomanRow, events.WomanRegistered]]


async def run(begin: Transaction, *, cipher: PiiCipher, data: bytes, filename: str, opd: str, chunk_size: int,
              max_rows: int, today: date) -> ImportResult:
    """Import a file: the result with its counts and error rows (both stored). Raises Invalid (field ``file``)
    for a file that cannot be read whole, TooLarge over ``max_rows``; then nothing is registered."""
    try:
        # A file is refused as a whole before anything is registered: a first pass reads it through (structure,
        # row count), so an unreadable row or one too many cannot stop an import half-way.
        await asyncio.to_thread(check_file, data, filename, max_rows)
        mapping, records = await asyncio.to_thread(spreadsheets.read_rows, data, filename)
    except spreadsheets.SheetError as err:
        raise _unreadable(err) from None
    headers = dict(mapping.values())
    result = ImportResult(import_ref=uuid4())
    seen: dict[bytes, int] = {}

    def next_chunk() -> tuple[Pending, bool]:
        """Parse, validate and seal the next chunk: CPU work kept off the event loop."""
        pending: Pending = []
        for number, values in records:
            result.rows_total += 1
            if result.rows_total > max_rows:
                raise _too_many(max_rows)
            prepared = _prepare_row(cipher, values, opd, headers, today, result, number)
            if prepared is None:
                continue
            row = prepared[0]
            if row.nik_hmac in seen:
                result.errors.append((number, headers["nik"], f"NIK sama dengan baris {seen[row.nik_hmac]}"))
                continue
            seen[row.nik_hmac] = number
            pending.append(prepared)
            if len(pending) >= chunk_size:
                return pending, False
        return pending, True

    async with begin() as uow:
        await uow.imports.start(import_ref=result.import_ref, registered_by_opd=opd,
                                filename="".join(ch for ch in filename if ch.isprintable())[:200])
    try:
        done = False
        while not done:
            pending, done = await asyncio.to_thread(next_chunk)
            if pending:
                async with begin() as uow:
                    await _register_chunk(uow, pending, result)
    except spreadsheets.SheetError as err:
        raise _unreadable(err) from None
    finally:
        result.rejected = len({n for n, _, _ in result.errors})
        async with begin() as uow:
            await uow.imports.finish(import_ref=result.import_ref, counts=result.counts(), errors=result.errors)
    return result


def _prepare_row(cipher: PiiCipher, values: dict[str, Any], opd: str, headers: dict[str, str], today: date,
                 result: ImportResult, number: int) -> tuple[WomanRow, events.WomanRegistered] | None:
    checked = validate_row(values, opd, headers)
    if isinstance(checked, list):
        result.errors.extend((number, column, reason) for column, reason in checked)
        return None
    try:
        woman, event = rules.register(checked, person_ref=uuid4(), today=today)
    except errors.Refusal as err:
        column = str(err.field)
        result.errors.append((number, headers.get(column, column), err.pesan))
        return None
    return seal(cipher, woman, import_ref=result.import_ref), event


async def _register_chunk(uow: RegistryUnitOfWork, pending: Pending, result: ImportResult) -> None:
    existing = await uow.women.refs_by_nik([row.nik_hmac for row, _ in pending])
    fresh = [(row, event) for row, event in pending if row.nik_hmac not in existing]
    inserted = await uow.women.add_many([row for row, _ in fresh])
    result.already_registered += len(pending) - len(inserted)
    result.registered += len(inserted)
    result.possible_duplicates += len(await uow.women.flag_duplicates(list(inserted)))
    await uow.publish([event for row, event in fresh if row.person_ref in inserted])


async def get(uow: RegistryUnitOfWork, *, import_ref: UUID) -> dict[str, Any]:
    """An import's counts and where its error report is."""
    row = await uow.imports.get(import_ref)
    if row is None:
        raise errors.NotFound("Impor dengan referensi ini tidak ditemukan", f"import {import_ref} not found",
                              field="import_ref")
    keys = ("import_ref", "filename", "registered_by_opd", "rows_total", "registered", "already_registered",
            "rejected", "possible_duplicates")
    return {**{k: row[k] for k in keys}, "error_report": {
        "csv": f"/women/imports/{import_ref}/errors.csv",
        "xlsx": f"/women/imports/{import_ref}/errors.xlsx",
    }}


async def error_rows(uow: RegistryUnitOfWork, *, import_ref: UUID) -> list[tuple[int, str, str]]:
    await get(uow, import_ref=import_ref)
    return await uow.imports.errors(import_ref)
