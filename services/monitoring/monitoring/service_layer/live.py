"""The live feed (SSE) in its two faces, and IndicatorChanged for other agencies.

Browsers without the internal scope get the public headline, which changes only when a release is made (a fixed
cadence over closed months, so two messages differ by a whole release, never by a few records). The evaluation
team's stream (``figures:internal``) is recomputed from the live projection after applied batches.
``IndicatorChanged`` goes out once per published month cell, from the release that publishes it
(``release_events``), in the release's own transaction.

Past one instance: the instances of monitoring share one consumer group (each applies the batches of its own
partitions) and one database. Whatever instance applies a batch or makes a release sends ``NOTIFY`` on
``CHANNEL`` inside that transaction (``notify``): PostgreSQL delivers it to every listening session when the
transaction commits and drops it on rollback, so every instance's feed (``LiveFeed.listen``, a reconnecting
``LISTEN`` on a connection of its own) recomputes after a change that is already visible, never before it, and
never for one that did not happen. NOTIFY, rather than a polled change sequence, because it costs nothing while
nothing changes and wakes a feed within a round trip of the commit; while the listener is down the feed falls back
to its own instance's batches and a recompute every ``throttle_s`` (reconnecting, it recomputes once, since
notifications sent meanwhile are lost).
"""

import asyncio
import contextlib
import functools
import json
import logging
import time
from typing import Any

import asyncpg

from ..adapters import publication as pub
from ..domain.events import IndicatorChanged
from ..domain.indicators import CATALOG
from . import public_views
from .indicators import headline, snapshot

log = logging.getLogger(__name__)
HEADLINE = [i.name for i in CATALOG if i.headline]
CHANNEL = "monitoring_figures"  # NOTIFY channel; payload APPLIED or RELEASED
APPLIED, RELEASED = "applied", "released"
LISTENER = "monitoring-live-feed"  # the LISTEN connection's application_name (pg_stat_activity)


async def notify(conn: asyncpg.Connection, what: str) -> None:
    """Tell every instance's feed, when the caller's transaction commits, that figures changed (``APPLIED``: a
    batch reached the projection; ``RELEASED``: a release was made). Identical notifications of one transaction
    are delivered once (PostgreSQL folds them)."""
    await conn.execute("SELECT pg_notify($1, $2)", CHANNEL, what)


class LiveFeed:
    def __init__(self, pool_getter: Any, *, throttle_s: float = 2.0, tick_s: float = 0.1) -> None:
        self._pool_getter = pool_getter
        self.throttle_s = throttle_s
        self.tick_s = tick_s
        self._rounds = 1  # compute once at start
        self._wake = asyncio.Event()
        self.subscribers: dict[asyncio.Queue[str], bool] = {}
        self.last: dict[bool, str | None] = {True: None, False: None}
        self._release: int | None = None
        self.listening = False  # a LISTEN connection is open: every instance's commits wake this feed
        self.notified = 0  # notifications received
        self.connects = 0  # LISTEN connections opened (1 + reconnections)

    def mark(self, _applied: int = 0) -> None:
        # Called inside this instance's applying transaction, before its commit: recompute on a few following ticks.
        # Needed only while not listening (the commit's notification then does it, once the change is visible).
        if not self.listening:
            self._rounds = 3
            self._wake.set()

    def changed(self) -> None:
        """A committed change (any instance's): recompute the internal message on the next tick."""
        self._rounds = max(self._rounds, 1)
        self._wake.set()

    def _on_notify(self, _conn: object, _pid: int, _channel: str, payload: str) -> None:
        self.notified += 1
        if payload == RELEASED:
            self.released()
        else:
            self.changed()

    async def listen(self, dsn: str, *, retry_s: float = 1.0) -> None:
        """LISTEN on ``CHANNEL`` for ever, on a connection of its own, opened again whenever it is lost (a database
        restart); on every (re)connection both faces are recomputed once, for the notifications missed meanwhile."""
        while True:
            conn: asyncpg.Connection | None = None
            lost = asyncio.Event()
            try:
                async with asyncio.timeout(10):
                    conn = await asyncpg.connect(dsn, server_settings={"application_name": LISTENER})
                conn.add_termination_listener(functools.partial(_set, lost))
                await conn.add_listener(CHANNEL, self._on_notify)
                self.listening = True
                self.connects += 1
                self.changed()
                self.released()
                while not lost.is_set() and not conn.is_closed():
                    with contextlib.suppress(TimeoutError):
                        async with asyncio.timeout(5):
                            await lost.wait()
                    if not lost.is_set():  # a silent half-open socket shows only when used
                        async with asyncio.timeout(5):
                            await conn.fetchval("SELECT 1")
            except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                log.warning("live feed: LISTEN %s lost (%s); again in %.1f s", CHANNEL, exc, retry_s)
            finally:
                self.listening = False
                if conn is not None:
                    conn.terminate()
            task = asyncio.current_task()
            if task is not None and task.cancelling():  # a cancellation absorbed by a timeout above: stop anyway
                raise asyncio.CancelledError
            await asyncio.sleep(retry_s)

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
        """Recompute on every wake, at most once per ``tick_s`` (a burst of commits costs one recompute per tick;
        the first change after a quiet spell is recomputed at once, as its notification comes after the commit)."""
        last = -self.tick_s
        while True:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.throttle_s):
                    await self._wake.wait()
            task = asyncio.current_task()
            if task is not None and task.cancelling():  # a cancellation absorbed by the timeout: stop anyway
                raise asyncio.CancelledError
            self._wake.clear()
            if not self.listening:  # other instances' commits cannot wake it: poll every throttle_s meanwhile
                self._rounds = max(self._rounds, 1)
            await asyncio.sleep(max(0.0, last + self.tick_s - time.monotonic()))
            last = time.monotonic()
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


def _set(event: asyncio.Event, *_: object) -> None:
    event.set()


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
