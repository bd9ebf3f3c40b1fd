"""The outbox writer: an event row committed in the same transaction as the state change.

Beside the envelope, each row keeps what the relay sends as Kafka headers: the envelope's correlation id and the
``traceparent`` of the span that wrote it (the HTTP request's, so the trace continues through Kafka).
"""

from collections.abc import Iterable

import asyncpg
from berdaya_contracts import Envelope, lookup

from ..observability.tracing import current_traceparent

NOTIFY_CHANNEL = "berdaya_outbox"
_COLUMNS = ("event_id", "topic", "key", "event_type", "envelope", "correlation_id", "traceparent")
_STAGE_AND_NOTIFY = f"""
WITH staged AS (
    INSERT INTO outbox ({", ".join(_COLUMNS)})
    SELECT e, t, k, y, v, c, p
    FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::bytea[], $6::text[], $7::text[])
        WITH ORDINALITY AS staged_rows (e, t, k, y, v, c, p, n)
    ORDER BY n  -- ids in the order given: the relay publishes a key's events in id order
)
SELECT pg_notify('{NOTIFY_CHANNEL}', '')
"""


async def add(conn: asyncpg.Connection, *envelopes: Envelope) -> None:
    """Stage events for publishing. Must run inside the caller's transaction."""
    await add_many(conn, envelopes)


async def add_many(conn: asyncpg.Connection, envelopes: Iterable[Envelope], *, topic: str | None = None) -> None:
    """Stage events on their contract topic, or on ``topic`` when given (test and replay tooling)."""
    traceparent = current_traceparent()
    rows = [
        (e.event_id, topic or lookup(e.event_type, e.event_version).topic, e.aggregate_id, e.event_type, e.to_bytes(),
         e.correlation_id, traceparent)
        for e in envelopes
    ]
    if not rows:
        return
    if not conn.is_in_transaction():
        raise RuntimeError("outbox.add must run inside the transaction that changes the state")
    # NOTIFY is delivered on commit only, so the relay never wakes for a rolled-back change.
    if len(rows) > 20:
        await conn.copy_records_to_table("outbox", records=rows, columns=_COLUMNS)
        await conn.execute(f"NOTIFY {NOTIFY_CHANNEL}")
    else:  # the rows and the notification in one statement: one round trip per command
        await conn.execute(_STAGE_AND_NOTIFY, *(list(column) for column in zip(*rows, strict=True)))
