"""Bulk import of women from an OPD's CSV/XLSX list, as a background job with progress and a row report.

``open_file`` reads the whole file first (``adapters.spreadsheets``): a file that cannot be used as a whole is
refused before anything is recorded. ``start`` records the job; ``run`` (in the background) reads the rows in
chunks (``import_rows``, in worker processes for large files), and commits each chunk in one transaction: new women
by COPY with their WomanRegistered (and baseline WelfareAssessed) in the outbox, the rows held for confirmation
(sealed), the report lines, the job's counts. Every data row ends in exactly one count: registered,
already_registered, rejected, held or reported — none is dropped.

- A NIK already registered counts as already registered only when the stored woman has the same name and birth
  date; otherwise the row is reported (a NIK damaged by Excel's rounding belongs to someone else).
- A NIK written on several rows: the same woman (same name and birth date) is registered once and the other rows
  reported as repeats; different women are all reported — the NIK is damaged and nobody can tell whose it is.
- The report never repeats a NIK or a name: row, column as the sheet names it, outcome, problem, fix.
"""

import asyncio
import logging
import re
from collections import Counter, deque
from collections.abc import Callable, Iterable
from contextlib import AbstractAsyncContextManager
from typing import Any
from uuid import UUID, uuid4

from berdaya_shared import errors

from ..adapters import crypto, spreadsheets
from ..adapters.repository.imports import COUNTS, ReportRow
from ..adapters.spreadsheets_columns import DISPLAY, SheetError
from ..domain import women as rules
from .import_rows import Context, Outcome
from .import_workers import RowReaders
from .unit_of_work import RegistryUnitOfWork

log = logging.getLogger(__name__)
Transaction = Callable[[], AbstractAsyncContextManager[RegistryUnitOfWork]]
"""Opens one transaction and gives its unit of work (the import commits chunk by chunk)."""
KINDS = {"refused": "ditolak", "held": "ditahan: perlu konfirmasi", "reported": "dilaporkan: tidak didaftarkan",
         "warning": "peringatan: tetap didaftarkan"}
EXCEL_FIX = ("Periksa NIK pada KTP/KK. NIK yang pernah tersimpan sebagai angka di Excel bisa berubah angka "
             "terakhirnya: format kolom NIK sebagai Teks lalu ketik ulang")


def open_file(data: bytes, filename: str, max_rows: int) -> spreadsheets.Sheet:
    """The list read whole; raises Invalid (field ``file``) when it cannot be used, TooLarge over ``max_rows``."""
    try:
        return spreadsheets.read(data, filename, max_rows=max_rows, too_many=_too_many(max_rows))
    except SheetError as err:
        raise errors.Invalid(err.pesan, err.detail, field="file") from None


def _too_many(max_rows: int) -> errors.TooLarge:
    return errors.TooLarge(f"Berkas terlalu besar: maksimal {max_rows} baris data per impor",
                           f"more than import_max_rows ({max_rows}) data rows", field="file")


async def start(uow: RegistryUnitOfWork, *, sheet: spreadsheets.Sheet, filename: str, opd: str) -> UUID:
    """Record a new job (status running) for ``sheet``; returns its ref."""
    import_ref = uuid4()
    await uow.imports.start(
        import_ref=import_ref, registered_by_opd=opd, filename="".join(ch for ch in filename if ch.isprintable())[:200],
        rows_total=len(sheet.rows), sheet_name=sheet.sheet_name, header_row=sheet.header_row, encoding=sheet.encoding,
        columns=sheet.headers)
    return import_ref


def _digits(cell: Any) -> str:
    return re.sub(r"\D", "", str(int(cell)) if isinstance(cell, float) and cell.is_integer() else str(cell or ""))


class _Job:
    """One running import: its counts and where each outcome goes."""

    def __init__(self, sheet: spreadsheets.Sheet, ctx: Context) -> None:
        self.ctx = ctx
        self.headers = sheet.headers
        self.counts = dict.fromkeys(COUNTS, 0)
        self.counts["rows_total"] = len(sheet.rows)
        nik_column = next(i for i, c in sheet.columns.items() if c.field == "nik")
        written = Counter(_digits(cells[nik_column]) for _, cells in sheet.rows if nik_column < len(cells))
        self.repeated = {nik for nik, n in written.items() if n > 1 and nik}
        self.nik_column = nik_column
        self.deferred: list[Outcome] = []

    def column(self, name: str) -> str:
        return self.headers.get(name) or DISPLAY.get(name, name)

    def lines(self, o: Outcome, kind: str, problems: Iterable[tuple[str, str, str]]) -> list[ReportRow]:
        return [(o.row_no, self.column(f), KINDS[kind], problem, fix) for f, problem, fix in problems]

    def sort(self, outcomes: list[Outcome], cells: dict[int, list[Any]]) -> tuple[list[Outcome], list[ReportRow]]:
        """Refused rows to the report; rows whose NIK is written more than once set aside for the end."""
        keep: list[Outcome] = []
        report: list[ReportRow] = []
        for o in outcomes:
            self.counts["rows_read"] += 1
            if o.status == "refused":
                self.counts["rejected"] += 1
                report += self.lines(o, "refused", o.problems)
            elif _digits(cells[o.row_no][self.nik_column]) in self.repeated:
                self.deferred.append(o)
            else:
                keep.append(o)
        return keep, report

    def settle_repeats(self) -> tuple[list[Outcome], list[ReportRow]]:
        """The rows sharing a NIK: one woman registered once, different women all reported."""
        groups: dict[bytes, list[Outcome]] = {}
        for o in sorted(self.deferred, key=lambda o: o.row_no):
            groups.setdefault(o.nik_hmac or b"", []).append(o)
        keep: list[Outcome] = []
        report: list[ReportRow] = []
        for group in groups.values():
            rows = [o.row_no for o in group]
            if len({o.identity for o in group}) == 1:
                keep.append(group[0])
                for o in group[1:]:
                    self.counts["reported"] += 1
                    report += self.lines(o, "reported", [("nik", f"Baris ini sama dengan baris {group[0].row_no} "
                                                          "(NIK, nama dan tanggal lahir sama)",
                                                          "Hapus baris ganda; perempuan ini didaftarkan sekali")])
                continue
            for o in group:
                others = ", ".join(str(n) for n in rows if n != o.row_no)
                self.counts["reported"] += 1
                report += self.lines(o, "reported", [("nik", f"NIK sama dengan baris {others} tetapi nama atau "
                                                      "tanggal lahirnya berbeda: NIK kemungkinan rusak", EXCEL_FIX)])
        return keep, report


async def run(begin: Transaction, *, readers: RowReaders, sheet: spreadsheets.Sheet, ctx: Context,
              chunk_size: int, parallel: bool) -> None:
    """The job, start to end (a background task); its state is in the job's record. Never raises: a failure
    is recorded (status failed) with what had been committed."""
    job = _Job(sheet, ctx)
    try:
        async with begin() as uow:
            ctx.lines = await uow.welfare.lines()
        cells = dict(sheet.rows)
        fields = {i: c.field for i, c in sheet.columns.items() if c.field}
        chunks = [[(n, {f: row[i] if i < len(row) else None for i, f in fields.items()})
                   for n, row in sheet.rows[start:start + chunk_size]]
                  for start in range(0, len(sheet.rows), chunk_size)]
        ahead: deque[asyncio.Future[list[Outcome]]] = deque()
        depth = max(readers.processes, 1) + 1 if parallel else 1
        for chunk in chunks:
            ahead.append(asyncio.ensure_future(readers.read(chunk, ctx, parallel=parallel)))
            if len(ahead) >= depth:
                await _commit(begin, job, *job.sort(await ahead.popleft(), cells))
        while ahead:
            await _commit(begin, job, *job.sort(await ahead.popleft(), cells))
        await _commit(begin, job, *job.settle_repeats(), status="done")
    except Exception as exc:  # noqa: BLE001 (recorded on the job for the workspace; the service goes on)
        log.exception("import %s failed", ctx.import_ref)
        async with begin() as uow:
            await uow.imports.progress(ctx.import_ref, job.counts, status="failed", failure=type(exc).__name__)


def _same_woman(uow: RegistryUnitOfWork, stored: tuple[UUID, Any, bytes | None], o: Outcome) -> bool:
    _, birth, name = stored
    clear = uow.cipher.decrypt(name, context=crypto.NAME) if name else None
    return o.identity is not None and (rules.name_key(clear or ""), birth) == o.identity


async def _commit(begin: Transaction, job: _Job, outcomes: list[Outcome], report: list[ReportRow], *,
                  status: str | None = None) -> None:
    """One chunk in one transaction: new women and their events, held rows, report lines, the job's counts."""
    counts = job.counts
    async with begin() as uow:
        known = await uow.imports.known([o.nik_hmac for o in outcomes if o.nik_hmac])
        fresh, held = [], []
        for o in outcomes:
            stored = known.get(o.nik_hmac or b"")
            if stored is None:
                (held if o.status == "held" else fresh).append(o)
            elif _same_woman(uow, stored, o):
                counts["already_registered"] += 1
            else:
                counts["reported"] += 1
                report += job.lines(o, "reported", [("nik", "NIK ini sudah terdaftar untuk perempuan dengan nama "
                                                     "atau tanggal lahir lain", EXCEL_FIX)])
        stored_refs = await uow.imports.add_women([o.woman for o in fresh if o.woman])
        done = [o for o in fresh if o.woman and o.woman.person_ref in stored_refs]
        counts["already_registered"] += len(fresh) - len(done)  # registered by another request meanwhile
        counts["registered"] += len(done)
        await uow.imports.add_assessments([o.assessment for o in done if o.assessment])
        counts["assessed"] += sum(1 for o in done if o.assessment)
        await uow.verification.flag([(o.woman.person_ref, why) for o in done if o.woman for why in o.verify])
        counts["possible_duplicates"] += len(await uow.women.flag_duplicates([o.woman.person_ref for o in done
                                                                              if o.woman]))
        await uow.imports.stage_events([row for o in done for row in o.outbox])
        for o in done:
            if o.warnings:
                counts["with_warnings"] += 1
                report += job.lines(o, "warning", o.warnings)
        await uow.imports.hold(job.ctx.import_ref, [(o.row_no, [f for f, _, _ in o.problems], o.sealed)
                                                    for o in held if o.sealed])
        counts["held"] += len(held)
        for o in held:
            report += job.lines(o, "held", o.problems) + job.lines(o, "warning", o.warnings)
        await uow.imports.add_report(job.ctx.import_ref, report)
        await uow.imports.progress(job.ctx.import_ref, counts, status=status)
