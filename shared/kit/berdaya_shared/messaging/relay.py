"""The outbox relay: publishes committed outbox rows to Kafka, at least once, in order per key.

Rows are claimed in batches with ``FOR UPDATE SKIP LOCKED``, sent with every send in flight at once
through the broker's idempotent producer (acks=all), and marked published only after Kafka has
acknowledged every one of them. A crash between the ack and the mark re-sends the batch on restart;
consumers' inboxes make that harmless.
"""

import asyncio
import contextlib
import logging

import asyncpg
from berdaya_contracts.topics import physical
from faststream.kafka import KafkaBroker

from .outbox import NOTIFY_CHANNEL

log = logging.getLogger(__name__)

_CLAIM = """
SELECT id, topic, key, envelope FROM outbox
WHERE published_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED
"""
_MARK = "UPDATE outbox SET published_at = now() WHERE id = ANY($1::bigint[])"


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
    ) -> None:
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
            rows = await conn.fetch(_CLAIM, self._batch_size)
            if not rows:
                return 0
            pending = [
                await self._broker.publish(
                    row["envelope"],
                    physical(row["topic"], self._namespace),
                    key=row["key"].encode(),
                    headers={"content-type": "application/json"},
                    no_confirm=True,
                )
                for row in rows
            ]
            await asyncio.gather(*pending)
            await self._mark(conn, [row["id"] for row in rows])
        self.published += len(rows)
        return len(rows)

    async def _mark(self, conn: asyncpg.Connection, ids: list[int]) -> None:
        await conn.execute(_MARK, ids)

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
                    log.warning("outbox relay: publish failed (%s), retrying in %.1fs", exc, backoff)
                    await asyncio.sleep(backoff)
                    backoff = min(backoff * 2, self._max_backoff_s)
                    continue
                if count < self._batch_size:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._wake.wait(), self._poll_interval_s)
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
