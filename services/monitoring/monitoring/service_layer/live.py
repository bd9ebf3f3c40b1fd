"""The live feed: after applied batches, recompute the headline figures, push them to browsers (SSE)
and publish IndicatorChanged for other agencies through the outbox — throttled and suppressed."""

import asyncio
import contextlib
import json
import logging
from typing import Any

import asyncpg

from ..domain.events import IndicatorChanged
from ..domain.indicators import CATALOG
from .indicators import Filters, compute, headline, snapshot
from .unit_of_work import MonitoringUnitOfWork

log = logging.getLogger(__name__)

_CHANGED = """SELECT indicator, kecamatan_code, period, value, suppressed, published_at > now() - make_interval(secs => $1)
  AS recent FROM published_indicators"""


class LiveFeed:
    def __init__(self, pool_getter: Any, *, throttle_s: float = 2.0, tick_s: float = 0.3) -> None:
        self._pool_getter = pool_getter
        self.throttle_s = throttle_s
        self.tick_s = tick_s
        self._rounds = 1  # compute once at start
        self._wake = asyncio.Event()
        self.subscribers: set[asyncio.Queue[str]] = set()
        self.last_message: str | None = None

    def mark(self, _applied: int = 0) -> None:
        # Called inside the applying transaction, before its commit: recompute on a few following ticks.
        self._rounds = 3
        self._wake.set()

    def subscribe(self) -> asyncio.Queue[str]:
        queue: asyncio.Queue[str] = asyncio.Queue(maxsize=20)
        self.subscribers.add(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[str]) -> None:
        self.subscribers.discard(queue)

    async def run(self) -> None:
        while True:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.throttle_s)
            self._wake.clear()
            await asyncio.sleep(self.tick_s)
            if self._rounds <= 0:
                continue
            self._rounds -= 1
            try:
                await self.refresh()
            except Exception:  # noqa: BLE001 - the feed must outlive a failed query
                log.exception("live feed refresh failed")
            if self._rounds > 0:
                self._wake.set()

    async def refresh(self) -> None:
        pool: asyncpg.Pool = self._pool_getter()
        async with snapshot(pool) as conn:
            message = json.dumps(await headline(conn))
        if message != self.last_message:
            self.last_message = message
            for queue in list(self.subscribers):
                with contextlib.suppress(asyncio.QueueFull):
                    queue.put_nowait(message)
        if await self.publish_changes(pool):
            self._rounds = max(self._rounds, 1)  # throttled cells still owe a publication

    async def publish_changes(self, pool: asyncpg.Pool) -> bool:
        """Publish changed cells; returns True when some were held back by the throttle."""
        current: dict[tuple[str, str, str], tuple[float | None, bool]] = {}
        async with snapshot(pool) as conn:
            for ind in CATALOG:
                if not ind.headline:
                    continue
                for group, kec_of in (("period", lambda k: ("all", k)), ("kecamatan_period", _split)):
                    for cell in await compute(conn, ind.name, Filters(), group):
                        if cell["key"] is None or cell["key"] == "total":
                            continue
                        kec, period = kec_of(cell["key"])
                        if period:
                            current[(ind.name, kec, period)] = (cell["value"], cell["suppressed"])
        held = False
        async with pool.acquire() as conn, conn.transaction():
            published = {(r["indicator"], r["kecamatan_code"], r["period"]): r
                         for r in await conn.fetch(_CHANGED, self.throttle_s)}
            changed, rows = [], []
            for key, (value, hidden) in current.items():
                before = published.get(key)
                if before is not None and (before["value"], before["suppressed"]) == (value, hidden):
                    continue
                if before is not None and before["recent"]:
                    held = True
                    continue
                indicator, kec, period = key
                changed.append(IndicatorChanged(indicator, None if kec == "all" else kec, period, value, hidden))
                rows.append((indicator, kec, period, value, hidden))
            if rows:
                await conn.executemany(
                    "INSERT INTO published_indicators VALUES ($1, $2, $3, $4, $5, now()) ON CONFLICT"
                    " (indicator, kecamatan_code, period) DO UPDATE SET value = EXCLUDED.value,"
                    " suppressed = EXCLUDED.suppressed, published_at = now()", rows)
                await MonitoringUnitOfWork(conn).publish(changed)  # the outbox, in this transaction
        return held


def _split(key: str) -> tuple[str, str | None]:
    kec, _, period = key.partition("|")
    return (kec or "", period or None)
