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

What a stream sends (``GET /api/stream``): on connect one whole message (SSE event ``headline``, the shape of
``GET /api/headline``), then for each later message only what changed since the previous one (event ``change``,
``feed_delta.diff``: the headline cells and funnel steps whose value changed, and on the public face the release
and period), each with an SSE ``id`` one above the last. The change is computed once per feed, not per subscriber.
What is read to compute it: a batch's NOTIFY names the indicators whose read-model records its maintenance
rewrote (``applied``; ``projections/readmodel.py`` ``maintain`` answers them), and the feed re-reads only the
headline cells and the funnel among them, from the maintained cells, then diffs them against its last message; a
bare ``APPLIED`` (a rebuild's swap, an older instance, a payload too long) or a (re)connected listener re-reads the
whole headline. Cells re-read after different notifications come from different snapshots, so for the moment
between two commits' notifications a message may hold one commit's cell beside an older one of another indicator
(every cell one that was committed); the next notification brings it level. A subscriber too slow to take its
messages (its queue full) is sent the whole message instead of the changes it missed; a reconnecting client
(``Last-Event-ID``) gets a whole message first, as on any connect.
"""

import asyncio
import contextlib
import functools
import json
import logging
import time
from collections.abc import Iterable
from typing import Any

import asyncpg

from ..adapters import publication as pub
from ..domain.events import IndicatorChanged
from ..domain.indicators import CATALOG
from . import public_views
from .feed_delta import FULL, diff
from .indicators import Filters, funnel, headline, headline_figures, snapshot

log = logging.getLogger(__name__)
HEADLINE = [i.name for i in CATALOG if i.headline]
FUNNEL = "_funnel"  # the read models' pseudo-indicator of the funnel (projections/readmodel.py)
WATCHED = frozenset([*HEADLINE, FUNNEL])  # the read-model indicators the internal message is made of
CHANNEL = "monitoring_figures"  # NOTIFY channel; payload APPLIED[:names] or RELEASED
APPLIED, RELEASED = "applied", "released"
LISTENER = "monitoring-live-feed"  # the LISTEN connection's application_name (pg_stat_activity)
MAX_PAYLOAD = 7900  # PostgreSQL refuses NOTIFY payloads of 8000 bytes or more
Item = tuple[int, str, str]  # what a subscriber's queue holds: (SSE id, event name, data)


def applied(names: Iterable[str] | None) -> str:
    """The NOTIFY payload of a batch whose maintenance rewrote the read-model records of ``names``
    (``"applied:name,name"``; ``"applied:"`` when none): the feeds re-read only those. ``None`` (not known) or a
    payload too long gives the bare ``APPLIED``: every figure is re-read."""
    if names is None:
        return APPLIED
    payload = f"{APPLIED}:{','.join(sorted(set(names)))}"
    return payload if len(payload.encode()) < MAX_PAYLOAD else APPLIED


async def notify(conn: asyncpg.Connection, what: str) -> None:
    """Tell every instance's feed, when the caller's transaction commits, that figures changed (``APPLIED``: a
    batch reached the projection, ``applied(names)`` naming what it rewrote; ``RELEASED``: a release was made).
    Identical notifications of one transaction are delivered once (PostgreSQL folds them)."""
    await conn.execute("SELECT pg_notify($1, $2)", CHANNEL, what)


class LiveFeed:
    def __init__(self, pool_getter: Any, *, throttle_s: float = 2.0, tick_s: float = 0.1) -> None:
        self._pool_getter = pool_getter
        self.throttle_s = throttle_s
        self.tick_s = tick_s
        self._rounds = 1  # whole recomputes pending (once at start)
        self._touched: set[str] = set()  # read-model indicators named by notifications since the last recompute
        self._wake = asyncio.Event()
        self._lock = {True: asyncio.Lock(), False: asyncio.Lock()}  # one recompute of a face at a time
        self.subscribers: dict[asyncio.Queue[Item], bool] = {}
        self.state: dict[bool, dict[str, Any] | None] = {True: None, False: None}  # the last message, as sent
        self.last: dict[bool, str | None] = {True: None, False: None}  # the same as JSON (a whole message)
        # SSE ids: one above the last per message; they start at the feed's start time in milliseconds, so that a
        # restarted instance's ids stay above those its clients saw before (at fewer than 1,000 messages a second).
        start = int(time.time() * 1000)
        self.seq: dict[bool, int] = {True: start, False: start}
        self.reads: dict[str, int] = {"whole": 0, "part": 0}  # internal recomputes: whole headline or touched part
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

    def changed(self, names: Iterable[str] | None = None) -> None:
        """A committed change (any instance's): recompute the internal message on the next tick, the cells of
        ``names`` (read-model indicators; those not in the message are ignored) or, when None, all of it."""
        if names is None:
            self._rounds = max(self._rounds, 1)
        else:
            watched = WATCHED.intersection(names)
            if not watched:
                return  # nothing the message shows was rewritten
            self._touched |= watched
        self._wake.set()

    def _on_notify(self, _conn: object, _pid: int, _channel: str, payload: str) -> None:
        self.notified += 1
        if payload == RELEASED:
            self.released()
        elif payload.startswith(APPLIED + ":"):
            self.changed([n for n in payload[len(APPLIED) + 1:].split(",") if n])
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

    def subscribe(self, internal: bool = False) -> asyncio.Queue[Item]:
        """A queue of the face's messages from now on: (SSE id, ``headline`` or ``change``, JSON data)."""
        queue: asyncio.Queue[Item] = asyncio.Queue(maxsize=20)
        self.subscribers[queue] = internal
        return queue

    def unsubscribe(self, queue: asyncio.Queue[Item]) -> None:
        self.subscribers.pop(queue, None)

    async def current(self, internal: bool) -> tuple[int, str]:
        """The face's SSE id and whole message now (computed first if the feed has none yet)."""
        if self.last[internal] is None:
            await (self.refresh() if internal else self.refresh_public())
        return self.seq[internal], self.last[internal] or "{}"

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
                    self._touched.clear()
                    await self.refresh()
                elif self._touched:
                    names, self._touched = self._touched, set()
                    try:
                        await self.refresh(names)
                    except BaseException:
                        self._touched |= names  # not read: read them with the next recompute
                        raise
            except Exception:  # noqa: BLE001 - the feed must outlive a failed query
                log.exception("live feed refresh failed")
                continue  # the next wake (a notification, or throttle_s) tries again
            if self._rounds > 0 or self._touched:
                self._wake.set()

    def _push(self, internal: bool, message: dict[str, Any]) -> None:
        """Make ``message`` the face's current one and send each subscriber what changed (``change``), or the
        whole of it (``headline``) when it is the first or a change cannot say it. Computed once, not per
        subscriber; a subscriber whose queue is full gets the whole message in place of what it has not taken."""
        whole = json.dumps(message, default=str)
        message = json.loads(whole)  # as the clients hold it (dates as text)
        before = self.state[internal]
        change = FULL if before is None else diff(before, message)
        if change is None:
            return
        self.state[internal], self.last[internal] = message, whole
        self.seq[internal] += 1
        seq = self.seq[internal]
        item = (seq, "headline", whole) if change == FULL else (seq, "change", json.dumps(change, default=str))
        for queue, face in list(self.subscribers.items()):
            if face != internal:
                continue
            try:
                queue.put_nowait(item)
            except asyncio.QueueFull:
                while not queue.empty():
                    queue.get_nowait()
                queue.put_nowait((seq, "headline", whole))

    async def refresh(self, names: set[str] | None = None) -> None:
        """The evaluation team's headline, exact, from the live projection's read models: the headline cells and
        the funnel among ``names`` (read-model indicators) re-read and put in the last message, or, when
        ``names`` is None or there is no message yet, the whole headline."""
        async with self._lock[True], snapshot(self._pool_getter()) as conn:
            before = self.state[True]
            if names is None or before is None:
                self.reads["whole"] += 1
                self._push(True, await headline(conn))
                return
            self.reads["part"] += 1
            message = dict(before)
            cells = [n for n in HEADLINE if n in names]
            if cells:
                message["figures"] = {**before["figures"], **await headline_figures(conn, cells)}
            if FUNNEL in names:
                message["funnel"] = await funnel(conn, Filters())
            self._push(True, message)

    async def refresh_public(self) -> None:
        """The public headline, recomputed when the latest release changed (a change then says what the release
        changed: its id, and the cells and steps it moved)."""
        async with self._lock[False], self._pool_getter().acquire() as conn:
            latest = await pub.latest_release(conn)
            release = latest["release_id"] if latest else None
            if release == self._release and self.last[False] is not None:
                return
            self._release = release
            self._push(False, await public_views.headline(conn))


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
