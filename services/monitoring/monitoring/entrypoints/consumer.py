"""The inbox consumer's apply: dispatch each event to its projection through one explicit dict."""

from collections.abc import Callable

import asyncpg
from berdaya_contracts import Event

from ..adapters import LIVE_SCHEMA
from ..projections import Handler, StatementBatch, business, coops, market, people, training, welfare

EVENT_HANDLERS: dict[str, Handler] = {
    **people.HANDLERS,
    **welfare.HANDLERS,
    **business.HANDLERS,
    **coops.HANDLERS,
    **training.HANDLERS,
    **market.HANDLERS,
}

# Live batches hold this lock shared; the rebuild's final catch-up and schema swap hold it exclusive.
SWAP_LOCK = 7_064_020_004


async def apply_to(conn: asyncpg.Connection, events: list[Event], schema: str) -> None:
    """Apply ``events`` to the projection tables in ``schema``; the caller owns the transaction."""
    batch = StatementBatch()
    for event in events:
        handler = EVENT_HANDLERS.get(event.event_type)
        if handler is not None:
            await handler(batch, event.payload, event.envelope)
    await conn.execute(f"SET LOCAL search_path TO {schema}, public")
    await batch.flush(conn)
    await conn.execute("SET LOCAL search_path TO public")


def make_apply(on_applied: Callable[[int], None] | None = None) -> Callable[[asyncpg.Connection, list[Event]], object]:
    async def apply(conn: asyncpg.Connection, events: list[Event]) -> None:
        await conn.execute("SELECT pg_advisory_xact_lock_shared($1)", SWAP_LOCK)
        await apply_to(conn, events, LIVE_SCHEMA)
        if on_applied is not None:
            on_applied(len(events))

    return apply
