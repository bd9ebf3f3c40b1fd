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

from . import auth


class FeedWatcher:
    """Listens to ``/api/stream`` (internal face) and records (arrival, women_registered) of every message."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.messages: list[tuple[float, int]] = []
        self.connects = 0

    @property
    def count(self) -> int | None:
        return self.messages[-1][1] if self.messages else None

    async def run(self) -> None:
        while True:
            with contextlib.suppress(httpx.HTTPError, OSError):
                async with httpx.AsyncClient(timeout=httpx.Timeout(10, read=60)) as client, \
                        client.stream("GET", self.url + "/api/stream",
                                      headers=auth.headers("dp3a_evaluation")) as resp:
                    resp.raise_for_status()
                    self.connects += 1
                    async for line in resp.aiter_lines():
                        if line.startswith("data: "):
                            figures = json.loads(line[6:])["figures"]
                            self.messages.append((time.perf_counter(), int(figures["women_registered"]["value"])))
            await asyncio.sleep(0.2)

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
