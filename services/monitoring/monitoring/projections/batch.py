"""The write seam of the projections: handlers add statements to a ``StatementBatch``, which runs them together.

Statements are collected and run once per statement text, so a batch of thousands of events costs a handful
of round trips. An ``INSERT ... VALUES (...)`` with many rows runs as one set-based statement over ``unnest`` of
its parameter arrays (PostgreSQL plans and executes it once instead of once per row); the rest run with
``executemany``. That reordering is safe only
because every upsert is idempotent and order-independent (facts keyed by refs, no counters) — the property
test holds the projections to exactly that.
"""

import re
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any

import asyncpg
from berdaya_contracts import Envelope

SET_MIN_ROWS = 8  # below this, executemany is as cheap

_INSERT_VALUES = re.compile(
    r"^\s*(?P<head>INSERT\s+INTO\s+[\w.]+\s*(?:\([^()]*\))?)\s*VALUES\s*\((?P<values>[^()]*)\)(?P<tail>.*)$",
    re.S | re.I,
)
_PARAM = re.compile(r"\$(\d+)")
_SET_FORMS: dict[str, str | None] = {}


async def set_form(conn: asyncpg.Connection, sql: str) -> str | None:
    """``sql`` rewritten to insert a set of rows from parameter arrays, or None when it has another shape.

    ``INSERT INTO t (a, b, c) VALUES ($1, $2, 'x') ON CONFLICT ...`` becomes
    ``INSERT INTO t (a, b, c) SELECT u.p1, u.p2, 'x' FROM unnest($1::uuid[], $2::date[]) AS u(p1, p2) ON CONFLICT ...``
    with the parameter types PostgreSQL infers for the original statement (cached per text)."""
    if sql in _SET_FORMS:
        return _SET_FORMS[sql]
    form = None
    match = _INSERT_VALUES.match(sql)
    if match and not _PARAM.search(match["tail"]):
        params = (await conn.prepare(sql)).get_parameters()
        numbers = sorted({int(n) for n in _PARAM.findall(match["values"])})
        if params and numbers == list(range(1, len(params) + 1)) and all(p.kind == "scalar" for p in params):
            values = _PARAM.sub(lambda m: f"u.p{m[1]}", match["values"])
            arrays = ", ".join(f"${i}::{p.schema}.{p.name}[]" for i, p in enumerate(params, 1))
            names = ", ".join(f"p{i}" for i in range(1, len(params) + 1))
            form = f"{match['head']} SELECT {values} FROM unnest({arrays}) AS u({names}){match['tail']}"
    _SET_FORMS[sql] = form
    return form


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
            form = await set_form(conn, sql) if len(rows) >= SET_MIN_ROWS else None
            if form is None:
                await conn.executemany(sql, rows)
            elif not re.search(r"DO\s+UPDATE", sql, re.I):
                # DO NOTHING (or no conflict clause): a key repeated within the set behaves as row by row.
                await conn.execute(form, *(list(column) for column in zip(*rows, strict=True)))
            else:
                # DO UPDATE cannot touch one row twice in a statement: a batch repeating a key (a registration
                # and its correction) falls back to row by row, inside a savepoint.
                try:
                    async with conn.transaction():
                        await conn.execute(form, *(list(column) for column in zip(*rows, strict=True)))
                except asyncpg.CardinalityViolationError:
                    await conn.executemany(sql, rows)
        self.statements.clear()


Handler = Callable[[StatementBatch, Any, Envelope], Awaitable[None]]
"""A projection handler: (batch, the event's payload, its envelope) -> the batch holds the event's statements."""
