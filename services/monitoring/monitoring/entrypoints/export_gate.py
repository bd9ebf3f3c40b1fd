"""Exports bounded so they cannot exhaust the service (issue 24: twenty concurrent public XLSX exports slowed
``/api/headline`` to about 3 s, each rendering on the event loop).

``ExportGate.run`` makes an export (its figures read, its file rendered in a worker thread so the event loop keeps
answering), at most ``concurrent`` at a time; identical requests share one making while it runs (single flight) and
a public export is kept for the next caller (the publication changes only with a release: the key names the latest
release); when more than ``max_waiting`` exports wait, the request is refused with 503 and ``Retry-After`` instead
of queueing without end. ``LiveLimit`` caps the live feed's subscribers the same way.
"""

import asyncio
import hashlib
import json
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import Any, TypeVar

from berdaya_shared import errors

T = TypeVar("T")


def digest(value: Any) -> str:
    """A digest of JSON-able ``value`` (the figures an export renders), for its cache key."""
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()


def _busy(what: str, retry_s: int) -> errors.Unavailable:
    refusal = errors.Unavailable(f"Layanan sedang sibuk melayani {what}; coba lagi dalam {retry_s} detik",
                                 f"too many {what} at once", retry_after_s=retry_s)
    refusal.headers = {"Retry-After": str(retry_s)}  # type: ignore[attr-defined]
    return refusal


class ExportGate:
    def __init__(self, *, concurrent: int = 2, max_waiting: int = 32, keep: int = 64) -> None:
        self._slots = asyncio.Semaphore(concurrent)
        self.max_waiting = max_waiting
        self.keep = keep
        self.waiting = 0
        self.renderings = 0  # exports made (not taken from the cache or a making under way)
        self._kept: OrderedDict[Hashable, Any] = OrderedDict()
        self._running: dict[Hashable, asyncio.Future[Any]] = {}

    async def run(self, key: Hashable | None, make: Callable[[], Awaitable[T]]) -> T:
        """What ``await make()`` returns; ``key`` None: not shared or kept (exact figures, per caller)."""
        if key is not None:
            if key in self._kept:
                self._kept.move_to_end(key)
                return self._kept[key]
            if key in self._running:
                return await asyncio.shield(self._running[key])
        if self.waiting >= self.max_waiting:
            raise _busy("ekspor", 5)
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        if key is not None:
            self._running[key] = future
        self.waiting += 1
        try:
            async with self._slots:
                data = await make()
                self.renderings += 1
            future.set_result(data)
            if key is not None:
                self._kept[key] = data
                while len(self._kept) > self.keep:
                    self._kept.popitem(last=False)
            return data
        except BaseException as exc:
            if not future.done():
                future.set_exception(exc)
                future.exception()  # retrieved: nobody else may be waiting
            raise
        finally:
            self.waiting -= 1
            if key is not None:
                self._running.pop(key, None)


class LiveLimit:
    """At most ``most`` live-feed subscribers at once; the next is refused with 503 and ``Retry-After``."""

    def __init__(self, most: int = 500) -> None:
        self.most = most
        self.open = 0

    def enter(self) -> None:
        if self.open >= self.most:
            raise _busy("siaran langsung", 30)
        self.open += 1

    def leave(self) -> None:
        self.open -= 1
