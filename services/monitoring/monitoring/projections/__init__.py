"""The projections, in one place: which event becomes which facts, and how a batch of events is applied.

- ``EVENT_HANDLERS``: event type -> handler, one module per producing domain (``people``, ``welfare``, ``business``,
  ``coops``, ``training``, ``market``); each handler turns one event into idempotent upserts of fact rows keyed by
  the event's refs (``Fact`` declares a table's upsert once).
- ``apply_to``: a batch of events into the projection tables of one schema, through a ``StatementBatch``, then
  the read models of what the batch touched (``readmodel``), in the same transaction.
- The swap lock: live batches (``apply_live``) hold it shared; a rebuild's catch-up and schema swap
  (``hold_for_swap``) hold it exclusive, so no live batch lands in a schema being swapped out.

The live consumer (``entrypoints/consumer.py``) and the rebuild (``service_layer/rebuild.py``) both call into this
package; it imports nothing above it. A new event type = a handler in its domain's module and a line in that
module's ``HANDLERS``; a new fact table = its DDL in ``adapters/projection.sql`` and a ``Fact``.
"""

from collections.abc import Iterable

import asyncpg
from berdaya_contracts import Event

from ..adapters import LIVE_SCHEMA
from . import business, coops, market, merges, people, readmodel, training, welfare
from .batch import Handler, StatementBatch

EVENT_HANDLERS: dict[str, Handler] = {
    **people.HANDLERS,
    **welfare.HANDLERS,
    **business.HANDLERS,
    **coops.HANDLERS,
    **training.HANDLERS,
    **market.HANDLERS,
    **merges.HANDLERS,
}

# A PostgreSQL advisory lock key, the same in every monitoring process sharing a database.
SWAP_LOCK = 7_064_020_004


async def collect(events: Iterable[Event]) -> StatementBatch:
    """The statements ``events`` yield, grouped by statement text, not yet run (events of other types: none)."""
    batch = StatementBatch()
    for event in events:
        handler = EVENT_HANDLERS.get(event.event_type)
        if handler is not None:
            await handler(batch, event.payload, event.envelope)
    return batch


async def apply_to(conn: asyncpg.Connection, events: list[Event], schema: str, *,
                   maintain: bool = True) -> list[str] | None:
    """Apply ``events`` to the projection tables in ``schema`` and, unless ``maintain`` is False (a rebuild's bulk
    replay, which builds the read models once at its end), the read models; the caller owns the transaction.
    Answers the read-model indicators whose records were recomputed (None when not maintained)."""
    batch = await collect(events)
    written = readmodel.written_tables(batch.statements)
    await conn.execute(f"SET LOCAL search_path TO {schema}, public")
    await batch.flush(conn)
    names = None
    if maintain:
        names = await readmodel.maintain(
            conn, readmodel.refs_of(e for e in events if e.event_type in EVENT_HANDLERS), written)
    await conn.execute("SET LOCAL search_path TO public")
    return names


async def apply_live(conn: asyncpg.Connection, events: list[Event]) -> list[str] | None:
    """Apply a live batch to the live schema; waits while a rebuild swaps the schemas (the caller's transaction).
    Answers the read-model indicators the batch rewrote."""
    await conn.execute("SELECT pg_advisory_xact_lock_shared($1)", SWAP_LOCK)
    return await apply_to(conn, events, LIVE_SCHEMA)


async def hold_for_swap(conn: asyncpg.Connection) -> None:
    """Hold the swap lock exclusively until the caller's transaction ends: live batches wait meanwhile."""
    await conn.execute("SELECT pg_advisory_xact_lock($1)", SWAP_LOCK)


__all__ = ["EVENT_HANDLERS", "SWAP_LOCK", "Handler", "StatementBatch", "apply_live", "apply_to", "collect",
           "hold_for_swap"]
