"""The live feed (SSE) in its two faces, and IndicatorChanged for other agencies.

Browsers without the internal scope get the public headline, which changes only when a release is made (a fixed
cadence over closed months, so two messages differ by a whole release, never by a few records). The evaluation
team's stream (``figures:internal``) is recomputed from the live projection after applied batches.
``IndicatorChanged`` goes out once per published month cell, from the release that publishes it
(``release_events``), in the release's own transaction.
"""

import asyncio
import contextlib
import json
import logging
from typing import Any

import asyncpg

from ..adapters import publication as pub
from ..domain.events import IndicatorChanged
from ..domain.indicators import CATALOG
from . import public_views
from .indicators import headline, snapshot

log = logging.getLogger(__name__)
HEADLINE = [i.name for i in CATALOG if i.headline]


class LiveFeed:
    def __init__(self, pool_getter: Any, *, throttle_s: float = 2.0, tick_s: float = 0.3) -> None:
        self._pool_getter = pool_getter
        self.throttle_s = throttle_s
        self.tick_s = tick_s
        self._rounds = 1  # compute once at start
        self._wake = asyncio.Event()
        self.subscribers: dict[asyncio.Queue[str], bool] = {}
        self.last: dict[bool, str | None] = {True: None, False: None}
        self._release: int | None = None

    def mark(self, _applied: int = 0) -> None:
        # Called inside the applying transaction, before its commit: recompute on a few following ticks.
        self._rounds = 3
        self._wake.set()

    def released(self) -> None:
        """A release was made: the public message changes now."""
        self._release = None
        self._wake.set()

    def subscribe(self, internal: bool = False) -> asyncio.Queue[str]:
        queue: asyncio.Queue[str] = asyncio.Queue(maxsize=20)
        self.subscribers[queue] = internal
        return queue

    def unsubscribe(self, queue: asyncio.Queue[str]) -> None:
        self.subscribers.pop(queue, None)

    async def current(self, internal: bool) -> str:
        if self.last[internal] is None:
            await (self.refresh() if internal else self.refresh_public())
        return self.last[internal] or "{}"

    async def run(self) -> None:
        while True:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.throttle_s)
            self._wake.clear()
            await asyncio.sleep(self.tick_s)
            try:
                await self.refresh_public()
                if self._rounds > 0:
                    self._rounds -= 1
                    await self.refresh()
            except Exception:  # noqa: BLE001 - the feed must outlive a failed query
                log.exception("live feed refresh failed")
            if self._rounds > 0:
                self._wake.set()

    def _push(self, internal: bool, message: str) -> None:
        if message == self.last[internal]:
            return
        self.last[internal] = message
        for queue, face in list(self.subscribers.items()):
            if face == internal:
                with contextlib.suppress(asyncio.QueueFull):
                    queue.put_nowait(message)

    async def refresh(self) -> None:
        """The evaluation team's headline, exact, from the live projection."""
        async with snapshot(self._pool_getter()) as conn:
            self._push(True, json.dumps(await headline(conn)))

    async def refresh_public(self) -> None:
        """The public headline, recomputed when the latest release changed."""
        async with self._pool_getter().acquire() as conn:
            latest = await pub.latest_release(conn)
            release = latest["release_id"] if latest else None
            if release == self._release and self.last[False] is not None:
                return
            self._release = release
            self._push(False, json.dumps(await public_views.headline(conn), default=str))


async def release_events(conn: asyncpg.Connection, release_id: int) -> list[IndicatorChanged]:
    """IndicatorChanged for every headline cell a release published by month, regency and by kecamatan (withheld
    cells go out as suppressed, without value). Each cell is published once: releases never revise a cell."""
    out = []
    for r in await pub.release_cells(conn, release_id, HEADLINE):
        shown = r["status"] == "published"
        kec = None if r["dim"] == "kukar" else (None if r["key"] == "?" else r["key"])
        if r["dim"] == "kecamatan" and kec is None:
            continue  # records with no kecamatan: no contract cell for them
        out.append(IndicatorChanged(r["indicator"], kec, r["period"], r["value"] if shown else None, not shown))
    return out
