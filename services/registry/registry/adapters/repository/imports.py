"""SQL for bulk imports: the job's record and progress, its row report (row, column, outcome, problem, fix — never
a value), its held rows (cells sealed), and the bulk writes of a chunk: women by COPY, their baseline assessments,
verification flags, and their events into the outbox by COPY."""

import json
from collections.abc import Sequence
from dataclasses import fields
from datetime import date
from operator import attrgetter
from typing import Any
from uuid import UUID

import asyncpg
from berdaya_shared.messaging.outbox import NOTIFY_CHANNEL

from .base import Repository
from .women import WomanRow

ReportRow = tuple[int, str, str, str, str]  # row number, column as the sheet names it, kind, problem, fix
COUNTS = ("rows_total", "rows_read", "registered", "already_registered", "rejected", "held", "reported",
          "with_warnings", "possible_duplicates", "assessed")
_WOMAN_COLUMNS = [f.name for f in fields(WomanRow)]
_WOMAN_VALUES = attrgetter(*_WOMAN_COLUMNS)
_OUTBOX_COLUMNS = ("event_id", "topic", "key", "event_type", "envelope")
_ASSESSMENT_COLUMNS = ("assessment_ref", "person_ref", "assessed_on", "household_size", "monthly_household_income_idr",
                       "per_capita_income_idr", "poverty_line_idr", "poverty_line_valid_from", "below_poverty_line",
                       "is_baseline")
_INSERT_WOMEN = (
    f"INSERT INTO women ({', '.join(_WOMAN_COLUMNS)}) SELECT * FROM unnest("
    + ", ".join(f"${i + 1}::{t}[]" for i, t in enumerate((
        "uuid", "bytea", "bytea", "bytea", "bytea", "date", "bytea", "text", "text", "text", "int", "text", "text",
        "date", "uuid")))
    + ") ON CONFLICT (nik_hmac) DO NOTHING RETURNING person_ref"
)


class ImportRepository(Repository):
    async def start(self, *, import_ref: UUID, filename: str, registered_by_opd: str, rows_total: int,
                    sheet_name: str | None, header_row: int, encoding: str | None, columns: dict[str, str]) -> None:
        await self.conn.execute(
            "INSERT INTO imports (import_ref, filename, registered_by_opd, rows_total, status, sheet_name, header_row,"
            " encoding, columns) VALUES ($1, $2, $3, $4, 'running', $5, $6, $7, $8::jsonb)",
            import_ref, filename, registered_by_opd, rows_total, sheet_name, header_row, encoding,
            json.dumps(columns),
        )

    async def progress(self, import_ref: UUID, counts: dict[str, int], *, status: str | None = None,
                       failure: str | None = None) -> None:
        """The job's counts so far (``COUNTS``); with ``status`` (done, failed) the job ends."""
        await self.conn.execute(
            "UPDATE imports SET " + ", ".join(f"{c} = ${i + 2}" for i, c in enumerate(COUNTS))
            + f", updated_at = now(), status = coalesce(${len(COUNTS) + 2}, status),"
            f" failure = coalesce(${len(COUNTS) + 3}, failure),"
            f" finished_at = CASE WHEN ${len(COUNTS) + 2}::text IS NULL THEN finished_at ELSE now() END"
            " WHERE import_ref = $1",
            import_ref, *(counts[c] for c in COUNTS), status, failure,
        )

    async def add_report(self, import_ref: UUID, rows: Sequence[ReportRow]) -> None:
        if rows:
            await self.conn.copy_records_to_table(
                "import_errors", records=[(import_ref, *r) for r in rows],
                columns=("import_ref", "row_no", "field", "kind", "reason", "fix"))

    async def get(self, import_ref: UUID, *, for_update: bool = False) -> dict[str, Any] | None:
        row = await self.conn.fetchrow(
            "SELECT *, updated_at < now() - interval '2 minutes' AS stale FROM imports WHERE import_ref = $1"
            + (" FOR UPDATE" if for_update else ""), import_ref)
        if row is None:
            return None
        return {**dict(row), "columns": json.loads(row["columns"] or "{}")}

    async def report(self, import_ref: UUID) -> list[ReportRow]:
        rows = await self.conn.fetch(
            "SELECT row_no, field, kind, reason, fix FROM import_errors WHERE import_ref = $1"
            " ORDER BY row_no, kind, field", import_ref)
        return [(r["row_no"], r["field"], r["kind"], r["reason"], r["fix"]) for r in rows]

    # held rows

    async def hold(self, import_ref: UUID, rows: Sequence[tuple[int, list[str], bytes]]) -> None:
        if rows:
            await self.conn.copy_records_to_table(
                "import_held_rows", records=[(import_ref, *r) for r in rows],
                columns=("import_ref", "row_no", "reasons", "cells"))

    async def held(self, import_ref: UUID) -> list[dict[str, Any]]:
        rows = await self.conn.fetch(
            "SELECT * FROM import_held_rows WHERE import_ref = $1 ORDER BY row_no", import_ref)
        return [dict(r) for r in rows]

    async def held_row(self, import_ref: UUID, row_no: int) -> dict[str, Any] | None:
        row = await self.conn.fetchrow(
            "SELECT * FROM import_held_rows WHERE import_ref = $1 AND row_no = $2 FOR UPDATE", import_ref, row_no)
        return dict(row) if row else None

    async def resolve(self, import_ref: UUID, row_no: int, *, status: str, person_ref: UUID | None) -> None:
        await self.conn.execute(
            "UPDATE import_held_rows SET status = $3, person_ref = $4, cells = NULL, resolved_at = now()"
            " WHERE import_ref = $1 AND row_no = $2", import_ref, row_no, status, person_ref)

    async def count(self, import_ref: UUID, **changes: int) -> None:
        """Move a resolved held row between the job's counts (held -1, registered +1 …)."""
        sets = ", ".join(f"{name} = {name} + ${i + 2}" for i, name in enumerate(changes))
        await self.conn.execute(f"UPDATE imports SET {sets}, updated_at = now() WHERE import_ref = $1",
                                import_ref, *changes.values())

    # the bulk writes of a chunk

    async def known(self, macs: Sequence[bytes]) -> dict[bytes, tuple[UUID, date | None, bytes | None]]:
        """NIK HMAC -> (person_ref, birth date, sealed name) of those already registered."""
        rows = await self.conn.fetch(
            "SELECT nik_hmac, person_ref, birth_date, name_cipher FROM women WHERE nik_hmac = ANY($1::bytea[])",
            list(macs))
        return {bytes(r["nik_hmac"]): (r["person_ref"], r["birth_date"], r["name_cipher"]) for r in rows}

    async def add_women(self, rows: Sequence[WomanRow]) -> set[UUID]:
        """Store women whose NIKs were new when checked: by COPY, or — when another request registered one of those
        NIKs meanwhile — row by row, skipping the taken NIKs. Returns the refs stored."""
        if not rows:
            return set()
        try:
            async with self.conn.transaction():  # a savepoint: a taken NIK undoes only the COPY
                await self.conn.copy_records_to_table("women", records=[_WOMAN_VALUES(r) for r in rows],
                                                      columns=_WOMAN_COLUMNS)
            return {r.person_ref for r in rows}
        except asyncpg.UniqueViolationError:
            columns = list(zip(*(_WOMAN_VALUES(r) for r in rows), strict=True))
            return {r["person_ref"] for r in await self.conn.fetch(_INSERT_WOMEN, *[list(c) for c in columns])}

    async def add_assessments(self, rows: Sequence[tuple[Any, ...]]) -> None:
        if rows:
            await self.conn.copy_records_to_table("welfare_assessments", records=rows, columns=_ASSESSMENT_COLUMNS)

    async def stage_events(self, rows: Sequence[tuple[UUID, str, str, str, bytes]]) -> None:
        """The chunk's events into the outbox (same transaction as the rows), then wake the relay on commit."""
        if rows:
            await self.conn.copy_records_to_table("outbox", records=rows, columns=_OUTBOX_COLUMNS)
            await self.conn.execute(f"NOTIFY {NOTIFY_CHANNEL}")
