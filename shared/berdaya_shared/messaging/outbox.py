"""The outbox writer: an event row committed in the same transaction as the state change."""

from collections.abc import Iterable
from importlib.resources import files

import asyncpg

from ..contracts import Envelope, lookup

NOTIFY_CHANNEL = "berdaya_outbox"
_COLUMNS = ("event_id", "topic", "key", "event_type", "envelope")


async def install(conn: asyncpg.Connection) -> None:
    """Create the runtime's tables (outbox, inbox, idempotency keys) if missing."""
    await conn.execute(files(__package__).joinpath("schema.sql").read_text())


async def add(conn: asyncpg.Connection, *envelopes: Envelope) -> None:
    """Stage events for publishing. Must run inside the caller's transaction."""
    await add_many(conn, envelopes)


async def add_many(conn: asyncpg.Connection, envelopes: Iterable[Envelope], *, topic: str | None = None) -> None:
    """Stage events on their contract topic, or on ``topic`` when given (test and replay tooling)."""
    rows = [
        (e.event_id, topic or lookup(e.event_type, e.event_version).topic, e.aggregate_id, e.event_type, e.to_bytes())
        for e in envelopes
    ]
    if not rows:
        return
    if not conn.is_in_transaction():
        raise RuntimeError("outbox.add must run inside the transaction that changes the state")
    if len(rows) > 20:
        await conn.copy_records_to_table("outbox", records=rows, columns=_COLUMNS)
    else:
        await conn.executemany(
            "INSERT INTO outbox (event_id, topic, key, event_type, envelope) VALUES ($1, $2, $3, $4, $5)", rows
        )
    # Delivered on commit only, so the relay never wakes for a rolled-back change.
    await conn.execute(f"NOTIFY {NOTIFY_CHANNEL}")
