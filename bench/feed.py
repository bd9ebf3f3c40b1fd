"""Freshness to the live feed: when did the evaluation team's SSE stream first show a registration?

An SSE client (``FeedWatcher``) holds ``GET /api/stream`` open with the evaluation team's token (``figures:internal``)
and records each ``headline`` message's arrival time and its ``women_registered`` count. A message is computed from
one snapshot of the projection, so its count ``C`` includes exactly the first ``C - baseline`` registrations in the
projection's commit order. The projection watcher (``freshness.Watcher``) gives that order: the time each ref was
first seen in ``proj.women`` (polled every 20 ms; refs first seen by the same poll are taken in any order, an
uncertainty of one poll interval). A ref's feed time is then the arrival of the first message whose count reaches
the ref's rank; its freshness is that time minus the time of its HTTP 201.
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


def feed_delays(seen_at: dict[uuid.UUID, float], answered_at: dict[uuid.UUID, float],
                messages: list[tuple[float, int]], baseline: int) -> tuple[dict[uuid.UUID, float], int]:
    """Per ref: seconds from its 201 (``answered_at``) to the first feed message counting it. ``seen_at``: when
    the projection first showed each ref (rank = commit order). Answers the delays and how many refs no message
    reached."""
    order = sorted(seen_at, key=seen_at.__getitem__)
    counts, times = [], []
    best = -1
    for at, count in messages:  # running maximum: a later message never counts fewer
        if count > best:
            best = count
            counts.append(count)
            times.append(at)
    out: dict[uuid.UUID, float] = {}
    missed = 0
    for rank, ref in enumerate(order, start=1):
        i = bisect_left(counts, baseline + rank)
        if i == len(counts) or ref not in answered_at:
            missed += ref in answered_at
            continue
        out[ref] = max(0.0, times[i] - answered_at[ref])
    return out, missed


def summary(delays: list[float], pct: Any) -> dict[str, Any]:
    return {"feed_samples": len(delays), "feed_p50_ms": pct(delays, 0.5), "feed_p90_ms": pct(delays, 0.9),
            "feed_p99_ms": pct(delays, 0.99), "feed_max_ms": pct(delays, 1.0)}
