"""``Fact``: the idempotent upsert of one fact table, declared once and used by the projection handlers."""

from operator import attrgetter
from typing import Any

from berdaya_contracts import Envelope

from .batch import StatementBatch


class Fact:
    """One fact table's upsert: ``INSERT INTO <table> (<columns>) VALUES ($1, ...) ON CONFLICT <on_conflict>``.

    ``columns`` is a space-separated list of column names. ``on_conflict`` says what a row whose key is already
    stored does (default ``DO NOTHING``); whatever it says must stay idempotent and independent of arrival order,
    which ``tests/monitoring/test_projection_properties.py`` checks for every fact.

    ``copy`` is a ready projection handler when the payload's fields carry the columns' names; ``store`` takes the
    values explicitly (a column derived from the envelope, a constant, a renamed field).
    """

    def __init__(self, table: str, columns: str, on_conflict: str = "DO NOTHING") -> None:
        self.table = table
        self.columns = tuple(columns.split())
        if len(self.columns) < 2:
            raise ValueError("a fact has a key and at least one more column")
        placeholders = ", ".join(f"${i}" for i in range(1, len(self.columns) + 1))
        self.sql = (f"INSERT INTO {table} ({', '.join(self.columns)}) VALUES ({placeholders})"
                    f" ON CONFLICT {on_conflict}")
        self._fields = attrgetter(*self.columns)

    async def copy(self, batch: StatementBatch, p: Any, env: Envelope) -> None:
        """Store the payload's fields named like the columns."""
        await batch.execute(self.sql, *self._fields(p))

    async def store(self, batch: StatementBatch, *values: Any) -> None:
        """Store one row of ``values``, in the order of the columns."""
        await batch.execute(self.sql, *values)

    def __repr__(self) -> str:
        return f"Fact({self.table!r}, {' '.join(self.columns)!r})"
