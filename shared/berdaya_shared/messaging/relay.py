"""The outbox relay: publishes committed outbox rows to Kafka, at least once, in order per key.

Rows are claimed in batches with ``FOR UPDATE SKIP LOCKED``, sent with every send in flight at once
through the broker's idempotent producer (acks=all), and marked published only after Kafka has
acknowledged every one of them. A crash between the ack and the mark re-sends the batch on restart;
consumers' inboxes make that harmless.
"""

import asyncio
import logging

import asyncpg
from faststream.kafka import KafkaBroker

from ..topics import physical
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
    ) -> None:
        self._namespace = namespace
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
        """Publish until cancelled: woken by NOTIFY, with a timed poll as the fallback."""
        listener = await self._listen()
        backoff = 0.1
        try:
            while True:
                self._wake.clear()
                try:
                    count = await self.publish_pending()
                    backoff = 0.1
                except Exception as exc:  # noqa: BLE001 (any failure leaves the rows unmarked)
                    # Broker or database unavailable: nothing was marked, so nothing is lost. Retry.
                    log.warning("outbox relay: publish failed (%s), retrying in %.1fs", exc, backoff)
                    await asyncio.sleep(backoff)
                    backoff = min(backoff * 2, self._max_backoff_s)
                    listener = await self._relisten(listener)
                    continue
                if count < self._batch_size:
                    try:
                        await asyncio.wait_for(self._wake.wait(), self._poll_interval_s)
                    except TimeoutError:
                        pass
        finally:
            if listener is not None:
                await self._unlisten(listener)

    def _on_notify(self, *_: object) -> None:
        self._wake.set()

    async def _unlisten(self, conn: asyncpg.Connection) -> None:
        if not conn.is_closed():
            await conn.remove_listener(NOTIFY_CHANNEL, self._on_notify)
        await self._pool.release(conn)

    async def _listen(self) -> asyncpg.Connection | None:
        try:
            conn = await self._pool.acquire()
            await conn.add_listener(NOTIFY_CHANNEL, self._on_notify)
            return conn
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            log.warning("outbox relay: LISTEN unavailable (%s); polling", exc)
            return None

    async def _relisten(self, listener: asyncpg.Connection | None) -> asyncpg.Connection | None:
        if listener is not None and not listener.is_closed():
            return listener
        if listener is not None:
            await self._unlisten(listener)
        return await self._listen()
