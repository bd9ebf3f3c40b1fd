"""SQL for bulk imports: the import's record, its counts, and its error rows (row, column, reason — never a value)."""

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from .base import Repository

ErrorRow = tuple[int, str, str]  # spreadsheet row number, column as written in the file, reason


class ImportRepository(Repository):
    async def start(self, *, import_ref: UUID, filename: str, registered_by_opd: str) -> None:
        await self.conn.execute(
            "INSERT INTO imports (import_ref, filename, registered_by_opd) VALUES ($1, $2, $3)",
            import_ref, filename, registered_by_opd,
        )

    async def finish(self, *, import_ref: UUID, counts: dict[str, int], errors: Sequence[ErrorRow]) -> None:
        """The import's counts (rows_total, registered, already_registered, rejected, possible_duplicates) and its
        error rows."""
        await self.conn.execute(
            "UPDATE imports SET rows_total = $2, registered = $3, already_registered = $4, rejected = $5,"
            " possible_duplicates = $6 WHERE import_ref = $1",
            import_ref, counts["rows_total"], counts["registered"], counts["already_registered"], counts["rejected"],
            counts["possible_duplicates"],
        )
        if errors:
            await self.conn.copy_records_to_table(
                "import_errors", records=[(import_ref, *e) for e in errors],
                columns=("import_ref", "row_no", "field", "reason"),
            )

    async def get(self, import_ref: UUID) -> dict[str, Any] | None:
        row = await self.conn.fetchrow("SELECT * FROM imports WHERE import_ref = $1", import_ref)
        return dict(row) if row else None

    async def errors(self, import_ref: UUID) -> list[ErrorRow]:
        rows = await self.conn.fetch(
            "SELECT row_no, field, reason FROM import_errors WHERE import_ref = $1 ORDER BY row_no, field", import_ref
        )
        return [(r["row_no"], r["field"], r["reason"]) for r in rows]
