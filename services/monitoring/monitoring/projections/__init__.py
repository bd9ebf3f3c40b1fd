"""Projections: one module per domain, each an explicit dict of event type → upsert of facts.

Handlers write through a ``StatementBatch``: their statements are collected and run with one
``executemany`` per statement text, so a batch of thousands of events costs a handful of round trips.
That reordering is safe only because every upsert is idempotent and order-independent (facts keyed by
refs, no counters) — the property test holds the projections to exactly that.
"""

from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any

import asyncpg
from berdaya_shared.contracts import Envelope


class StatementBatch:
    """Collects a batch's statements, grouped by SQL text, and runs them with executemany."""

    def __init__(self) -> None:
        self.statements: dict[str, list[Sequence[Any]]] = {}

    async def execute(self, sql: str, *args: Any) -> None:
        self.statements.setdefault(sql, []).append(args)

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        self.statements.setdefault(sql, []).extend(rows)

    async def flush(self, conn: asyncpg.Connection) -> None:
        for sql, rows in self.statements.items():
            await conn.executemany(sql, rows)
        self.statements.clear()


Handler = Callable[[StatementBatch, Any, Envelope], Awaitable[None]]
