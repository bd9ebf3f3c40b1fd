"""The outbox relay: publishes committed outbox rows to Kafka, at least once, in order per key.

Rows are claimed in batches with ``FOR UPDATE SKIP LOCKED`` and marked in the same statement, sent with every
send in flight at once through the broker's idempotent producer (acks=all); the transaction holding the claim and
the marks commits only after Kafka has acknowledged every one of them. A crash between the ack and the commit
re-sends the batch on restart; consumers' inboxes make that harmless.

Each event leaves with the headers ``correlation_id`` (the envelope's own, stored in the row) and ``traceparent``
(of a PRODUCER span that continues the trace stored in the row), and the relay's batch sizes, publish latency and
failures go to the service's metrics when it has them.
"""

import asyncio
import contextlib
import logging
import time
from typing import Any

import asyncpg
from berdaya_contracts.topics import physical
from faststream.kafka import KafkaBroker
from opentelemetry.trace import SpanKind, Status, StatusCode

from ..observability import tracing
from .outbox import NOTIFY_CHANNEL

log = logging.getLogger(__name__)

# Claim and mark in one statement (one round trip per batch, not two): the rows are locked and marked inside the
# relay's transaction, which commits only after Kafka acknowledged every one of them; a failure before that rolls
# the marks back. ``now()`` is the transaction's start, as it was when the mark was a statement of its own.
_CLAIM = """
UPDATE outbox o SET published_at = now()
FROM (SELECT id FROM outbox WHERE published_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED) c
WHERE o.id = c.id
RETURNING o.id, o.topic, o.key, o.envelope, o.event_id, o.event_type, o.correlation_id, o.traceparent,
          extract(epoch FROM o.created_at) AS created_epoch
"""


class OutboxRelay:
    def __init__(
        self,
        pool: asyncpg.Pool,
        broker: KafkaBroker,
        *,
        batch_size: int = 500,
        poll_interval_s: float = 1.0,
        max_backoff_s: float = 30.0,
        namespace: str = "",
        listen_dsn: str | None = None,
        metrics: Any = None,
    ) -> None:
        self._metrics = metrics  # berdaya_shared.observability.metrics.ServiceMetrics, or None
        self._namespace = namespace
        self._listen_dsn = listen_dsn
        self._pool = pool
        self._broker = broker
        self._batch_size = batch_size
        self._poll_interval_s = poll_interval_s
        self._max_backoff_s = max_backoff_s
        self._wake = asyncio.Event()
        self.published = 0

    async def publish_pending(self) -> int:
        """Publish one batch of unpublished rows; returns how many were published."""
        async with self._pool.acquire() as conn, conn.transaction():
            rows = sorted(await conn.fetch(_CLAIM, self._batch_size), key=lambda row: row["id"])  # in outbox order
            if not rows:
                return 0
            began = time.monotonic()
            spans = [self._span(row) for row in rows]
            try:
                pending = [
                    await self._broker.publish(
                        row["envelope"],
                        physical(row["topic"], self._namespace),
                        key=row["key"].encode(),
                        headers=tracing.inject_into({"content-type": "application/json"}, span),
                        correlation_id=row["correlation_id"],
                        no_confirm=True,
                    )
                    for row, span in zip(rows, spans, strict=True)
                ]
                await asyncio.gather(*pending)
            except BaseException as exc:
                for span in spans:
                    span.set_status(Status(StatusCode.ERROR, type(exc).__name__))
                    span.end()
                raise
            acked = time.time()
            for span in spans:
                span.end()
            await self._mark(conn, [row["id"] for row in rows])
        self.published += len(rows)
        self._observe(rows, time.monotonic() - began, acked)
        return len(rows)

    def _span(self, row: asyncpg.Record) -> Any:
        """The PRODUCER span of one event, child of the context its outbox row stored."""
        return tracing.tracer().start_span(
            f"{row['topic']} publish", context=tracing.context_from(row["traceparent"]), kind=SpanKind.PRODUCER,
            attributes={"messaging.system": "kafka", "messaging.operation.type": "send",
                        "messaging.destination.name": physical(row["topic"], self._namespace),
                        "messaging.message.id": str(row["event_id"]), "berdaya.event_type": row["event_type"]})

    def _observe(self, rows: list[asyncpg.Record], publish_s: float, acked: float) -> None:
        if self._metrics is None:
            return
        self._metrics.relay_batch.observe(len(rows))
        self._metrics.relay_publish.observe(publish_s)
        for row in rows:
            self._metrics.outbox_delay.observe(max(0.0, acked - float(row["created_epoch"])))
            self._metrics.published.labels(row["topic"]).inc()

    async def _mark(self, conn: asyncpg.Connection, ids: list[int]) -> None:
        """Kafka acknowledged the rows ``ids``: their marks, written by the claim in this transaction, commit when
        this returns (an exception here rolls them back, and the rows are published again)."""

    async def run(self) -> None:
        """Publish until cancelled: woken by NOTIFY, with a timed poll as the fallback.

        Nothing but cancellation ends this loop: a database restart or an unreachable broker only delays
        publishing (rows stay unmarked) and the LISTEN connection is opened again when it was lost.
        """
        listener: asyncpg.Connection | None = None
        backoff = 0.1
        try:
            while True:
                self._wake.clear()
                if listener is None or listener.is_closed():
                    listener = await self._listen()
                try:
                    count = await self.publish_pending()
                    backoff = 0.1
                except Exception as exc:  # noqa: BLE001 (any failure leaves the rows unmarked)
                    # Broker or database unavailable: nothing was marked, so nothing is lost. Retry.
                    if self._metrics is not None:
                        self._metrics.relay_failures.inc()
                    log.warning("outbox relay: publish failed (%s), retrying in %.1fs", exc, backoff)
                    await asyncio.sleep(backoff)
                    backoff = min(backoff * 2, self._max_backoff_s)
                    continue
                if count < self._batch_size:
                    # asyncio.timeout, not wait_for: on Python 3.11 a cancellation that arrives as wait_for's own
                    # timeout fires is swallowed (raised as TimeoutError), and the relay would never stop.
                    with contextlib.suppress(TimeoutError):
                        async with asyncio.timeout(self._poll_interval_s):
                            await self._wake.wait()
        finally:
            if listener is not None:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(listener.close(), 5)

    def _on_notify(self, *_: object) -> None:
        self._wake.set()

    async def _listen(self) -> asyncpg.Connection | None:
        """A connection of its own for LISTEN (not the pool's: the pool takes back a connection that breaks)."""
        if self._listen_dsn is None:
            return None
        conn = None
        try:
            conn = await asyncio.wait_for(asyncpg.connect(self._listen_dsn), 10)
            await conn.add_listener(NOTIFY_CHANNEL, self._on_notify)
            # Lost LISTEN connection (database restart): wake up at once to listen again and catch up.
            conn.add_termination_listener(self._on_notify)
            return conn
        except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            log.warning("outbox relay: LISTEN unavailable (%s); polling every %.1fs", exc, self._poll_interval_s)
            if conn is not None:
                conn.terminate()
            return None
