"""Freshness to the live feed: when did the evaluation team's SSE stream first show a registration?

An SSE client (``FeedWatcher``) holds ``GET /api/stream`` open with the evaluation team's token (``figures:internal``)
and records each ``headline`` message's arrival time and its ``women_registered`` count. The projection watcher
(``freshness.Watcher``) reads, in the snapshot in which it first sees a ref in ``proj.women``, how many women the
projection holds (``N``). Registrations only add women, so the projection's successive states are nested: a feed
message counting ``N`` women or more was computed from a state that includes the ref. A ref's feed time is the
arrival of the first such message; its freshness is that time minus the time of its HTTP 201. An upper bound: an
earlier message with a smaller count may already include the ref when the poll saw it late (by up to one 20 ms poll
interval plus the poll's own time), so the feed's figure can even come out below the projection's for one ref.
"""

import asyncio
import contextlib
import json
import time
import uuid
from bisect import bisect_left
from typing import Any

import httpx
from httpx_sse import aconnect_sse
from monitoring.service_layer import feed_delta

from . import auth


class FeedWatcher:
    """Listens to ``/api/stream`` (internal face) and records (arrival, women_registered) of every message, the
    whole message a ``headline`` event carries or the one a ``change`` event gives folded into the previous one
    (``feed_delta.merge``), and the size of each message's data (``sizes``: arrival, event, bytes)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.messages: list[tuple[float, int]] = []
        self.sizes: list[tuple[float, str, int]] = []
        self.connects = 0
        self.state: dict[str, Any] | None = None

    @property
    def count(self) -> int | None:
        return self.messages[-1][1] if self.messages else None

    def received(self, event: str, data: str) -> None:
        """One SSE message: ``event`` (``headline`` or ``change``) with its ``data``."""
        self.sizes.append((time.perf_counter(), event, len(data.encode())))
        body = json.loads(data)
        if event == "change" and self.state is not None:
            self.state = feed_delta.merge(self.state, body)
        elif event == "headline":
            self.state = body
        else:
            return
        figures = self.state["figures"]
        self.messages.append((time.perf_counter(), int(figures["women_registered"]["value"])))

    async def run(self) -> None:
        while True:
            with contextlib.suppress(httpx.HTTPError, OSError):
                async with httpx.AsyncClient(timeout=httpx.Timeout(10, read=60)) as client, \
                        aconnect_sse(client, "GET", self.url + "/api/stream",
                                     headers=auth.headers("dp3a_evaluation")) as source:
                    source.response.raise_for_status()
                    self.connects += 1
                    self.state = None
                    async for sse in source.aiter_sse():
                        if sse.data:  # not a keep-alive comment
                            self.received(sse.event, sse.data)
            await asyncio.sleep(0.2)

    def bytes_per_message(self, since: float = 0.0) -> dict[str, Any]:
        """The messages that arrived after ``since`` (perf_counter): how many, and their mean data size in bytes,
        by event (``headline``: a whole message; ``change``: only what changed) and over all of them."""
        out: dict[str, Any] = {}
        recent = [(event, size) for at, event, size in self.sizes if at >= since]
        for event in sorted({e for e, _ in recent}):
            sizes = [size for e, size in recent if e == event]
            out[f"feed_{event}_messages"] = len(sizes)
            out[f"feed_{event}_mean_bytes"] = round(sum(sizes) / len(sizes), 1)
        if recent:
            out["feed_mean_bytes"] = round(sum(size for _, size in recent) / len(recent), 1)
        return out

    async def settle(self, want: int, timeout_s: float = 60.0) -> bool:
        """Wait until the feed shows at least ``want`` registrations; False after ``timeout_s``."""
        deadline = time.perf_counter() + timeout_s
        while time.perf_counter() < deadline:
            if (self.count or 0) >= want:
                return True
            await asyncio.sleep(0.05)
        return False


def feed_delays(seen: dict[uuid.UUID, int], answered_at: dict[uuid.UUID, float],
                messages: list[tuple[float, int]]) -> tuple[dict[uuid.UUID, float], int]:
    """Per ref: seconds from its 201 (``answered_at``) to the first feed message counting at least ``seen[ref]``
    women (the projection's size when it first showed the ref). Answers the delays and how many refs no message
    reached."""
    counts, times = [], []
    best = -1
    for at, count in messages:  # running maximum: the first message reaching each count
        if count > best:
            best = count
            counts.append(count)
            times.append(at)
    out: dict[uuid.UUID, float] = {}
    missed = 0
    for ref, total in seen.items():
        if ref not in answered_at:
            continue
        i = bisect_left(counts, total)
        if i == len(counts):
            missed += 1
            continue
        out[ref] = max(0.0, times[i] - answered_at[ref])
    return out, missed


def summary(delays: list[float], pct: Any) -> dict[str, Any]:
    return {"feed_samples": len(delays), "feed_p50_ms": pct(delays, 0.5), "feed_p90_ms": pct(delays, 0.9),
            "feed_p99_ms": pct(delays, 0.99), "feed_max_ms": pct(delays, 1.0)}
