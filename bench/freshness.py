"""Freshness: how long after the registry's HTTP 201 a registration shows in the monitoring projection.

Open loop at a fixed rate (requests leave on schedule whatever the answers do, so a slow server builds a
queue instead of slowing the client down): registry ``POST /women`` with its outbox relay running, a monitoring
service process consuming the same topic namespace. A watcher polls monitoring's database every ~20 ms with one
query for the person_refs answered with 201 and not yet seen in ``proj.women`` (that row commits in the same
transaction as the inbox row); each ref's freshness is the time it was first seen minus the time of its 201.
The resolution is the poll interval plus the query's own time.

Beside it, to the live feed (``bench/feed.py``): an SSE client on monitoring's internal stream, and per ref the
time from its 201 to the first feed message that counts it (``feed_p50_ms``, ``feed_p99_ms``). Run this stage alone
with ``python -m bench.freshness`` (``BENCH_FRESH_RATE``, ``BENCH_FRESH_SECONDS``).
"""

import asyncio
import contextlib
import json
import os
import statistics
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import aiohttp
import asyncpg

from . import auth, feed
from .commands import bodies
from .env import RESULTS, Run, cpu_seconds, install_kafka_env, load_average, served

POLL_S = 0.02
WARMUP_S = 2.0  # samples sent in the first seconds are reported apart (connections, caches, group join)


def _pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000, 1)


class Watcher:
    """Polls the projection for pending refs; records when each first became visible."""

    def __init__(self, database_url: str) -> None:
        self.database_url = database_url
        self.pending: dict[uuid.UUID, float] = {}
        self.delays: dict[uuid.UUID, float] = {}
        self.answered: dict[uuid.UUID, float] = {}  # ref -> time of its 201
        self.seen: dict[uuid.UUID, int] = {}  # ref -> women in the projection in the snapshot that first saw it
        self.polls = 0
        self.poll_s: list[float] = []
        self._stop = asyncio.Event()

    def created(self, ref: uuid.UUID, at: float) -> None:
        self.pending[ref] = at
        self.answered[ref] = at

    async def run(self) -> None:
        conn = await asyncpg.connect(self.database_url)
        try:
            while not self._stop.is_set():
                if self.pending:
                    asked = time.perf_counter()
                    rows = await conn.fetch("SELECT person_ref, (SELECT count(*) FROM proj.women) AS total "
                                            "FROM proj.women WHERE person_ref = ANY($1::uuid[])", list(self.pending))
                    self.polls += 1
                    self.poll_s.append(time.perf_counter() - asked)
                    for row in rows:
                        at = self.pending.pop(row["person_ref"], None)
                        if at is not None:
                            # The query's snapshot was taken when it was sent: the row committed before that.
                            self.delays[row["person_ref"]] = max(0.0, asked - at)
                            self.seen[row["person_ref"]] = row["total"]
                await asyncio.sleep(POLL_S)
        finally:
            await conn.close()

    async def drain(self, timeout_s: float) -> None:
        deadline = time.perf_counter() + timeout_s
        while self.pending and time.perf_counter() < deadline:  # noqa: ASYNC110 (the watcher empties it)
            await asyncio.sleep(0.05)

    def stop(self) -> None:
        self._stop.set()


async def open_loop(url: str | list[str], payloads: list[dict[str, Any]], *, rate: float, seconds: float,
                    watcher: Watcher | None, max_backlog_s: float = 1.0) -> dict[str, Any]:
    """Send ``rate`` requests per second for ``seconds`` on schedule (over the registry processes ``url`` in turn,
    when several); returns rates and latencies.

    A server that cannot keep up would queue requests without end; once more than ``max_backlog_s`` seconds'
    worth of requests are unanswered the schedule stops early (``stopped_at_s``): the rate is not sustained."""
    headers = auth.headers("dp3a")
    count = min(len(payloads), int(rate * seconds))
    sent_at: dict[uuid.UUID, float] = {}
    latencies: list[float] = []
    errors: dict[str, int] = {}
    done_at: list[float] = []
    # aiohttp, not httpx, for the load itself: httpcore's pool matches every queued request against every connection
    # on each request and each answer, so once a backlog opens a few hundred connections the generator spent most of
    # a core there and fell seconds behind its own schedule (py-spy, 2026-12-01), which read as a slow registry.
    connector = aiohttp.TCPConnector(limit=256, limit_per_host=0, keepalive_timeout=30)
    timeout = aiohttp.ClientTimeout(total=150.0, connect=120.0, sock_read=30.0)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as client:

        urls = [url] if isinstance(url, str) else url

        async def one(body: dict[str, Any], due: float, base: str) -> None:
            try:
                async with client.post(base + "/women", json=body, headers=headers) as response:
                    status = response.status
                    answer = await response.json() if status == 201 else None
            except (aiohttp.ClientError, TimeoutError) as exc:
                errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
                return
            now = time.perf_counter()
            if answer is None:
                errors[str(status)] = errors.get(str(status), 0) + 1
                return
            ref = uuid.UUID(answer["person_ref"])
            latencies.append(now - due)
            done_at.append(now)
            sent_at[ref] = due
            if watcher is not None:
                watcher.created(ref, now)

        started = time.perf_counter()
        tasks: list[asyncio.Task[None]] = []
        late = 0.0
        stopped_at = None
        for i in range(count):
            if i - len(done_at) - sum(errors.values()) > max_backlog_s * rate:
                stopped_at = time.perf_counter() - started
                break
            due = started + i / rate
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            else:
                late = max(late, -delay)
            tasks.append(asyncio.create_task(one(payloads[i], due, urls[i % len(urls)])))
        last_sent = time.perf_counter()
        await asyncio.gather(*tasks)
        finished = time.perf_counter()
    ok = len(latencies)
    # Throughput over the scheduled window: answers that came back while requests were still leaving.
    window = stopped_at or seconds
    in_window = sum(1 for t in done_at if t <= started + window)
    return {
        "offered_per_s": rate, "requests": len(tasks), "ok": ok, "errors": errors,
        "stopped_at_s": round(stopped_at, 2) if stopped_at else None,
        "send_s": round(last_sent - started, 2), "client_max_late_ms": round(late * 1000, 1),
        "wall_s": round(finished - started, 2), "achieved_per_s": round(ok / (finished - started), 1),
        "answered_in_window_per_s": round(in_window / window, 1),
        "http_p50_ms": _pct(latencies, 0.5), "http_p99_ms": _pct(latencies, 0.99),
        "http_mean_ms": round(statistics.fmean(latencies) * 1000, 1) if latencies else None,
        "_sent_at": sent_at, "_started": started,
    }


def _cpu(pids: dict[str, list[int]]) -> dict[str, float]:
    return {name: sum(cpu_seconds(pid) for pid in group) for name, group in pids.items()}


async def _one_rate(registry_url: str | list[str], watcher: Watcher, payloads: list[dict[str, Any]], rate: float,
                    seconds: float, sse: feed.FeedWatcher, pids: dict[str, list[int]]) -> dict[str, Any]:
    load_before = load_average()
    cpu_before = _cpu(pids)
    result = await open_loop(registry_url, payloads, rate=rate, seconds=seconds, watcher=watcher,
                             max_backlog_s=float(os.environ.get("BENCH_FRESH_MAX_BACKLOG_S", "1")))
    await watcher.drain(60.0)
    await sse.settle(max(watcher.seen.values(), default=0), 60.0)
    # CPU seconds each process spent from the first request until the last command reached the feed (the
    # services' idle polling in that window included), per 1,000 commands answered 201.
    cpu_used = {name: used - cpu_before[name] for name, used in _cpu(pids).items()}
    result["cpu_s_per_1000"] = {name: round(used * 1000 / max(result["ok"], 1), 2) for name, used in cpu_used.items()}
    sent_at: dict[uuid.UUID, float] = result.pop("_sent_at")
    started: float = result.pop("_started")
    steady = [d for ref, d in watcher.delays.items() if ref in sent_at and sent_at[ref] >= started + WARMUP_S]
    every = [d for ref, d in watcher.delays.items() if ref in sent_at]
    missing = sum(1 for ref in sent_at if ref not in watcher.delays)
    to_feed, feed_missed = feed.feed_delays(watcher.seen, watcher.answered, sse.messages)
    feed_steady = [d for ref, d in to_feed.items() if ref in sent_at and sent_at[ref] >= started + WARMUP_S]
    result.update(feed.summary(feed_steady, _pct), feed_not_reached=feed_missed, feed_messages=sum(
        1 for at, _ in sse.messages if at >= started), **sse.bytes_per_message(started + WARMUP_S),
        load_average_before=load_before,
        load_average_after=load_average())
    watcher.delays.clear()
    watcher.pending.clear()
    watcher.seen.clear()
    watcher.answered.clear()
    # A schedule stopped early (backlog) may leave no sample after the warm-up: then every sample counts.
    basis = "after warm-up" if len(steady) >= 50 else "all"
    samples = steady if basis == "after warm-up" else every
    return {**result, "seen": len(every), "not_seen_within_60s": missing, "samples": len(samples),
            "samples_basis": basis, "fresh_p50_ms": _pct(samples, 0.5), "fresh_p90_ms": _pct(samples, 0.9),
            "fresh_p99_ms": _pct(samples, 0.99), "fresh_max_ms": _pct(samples, 1.0), "fresh_p99_all_ms": _pct(every, 0.99)}


async def measure(capacity_per_s: float | None, *, rate: float = 500.0, seconds: float = 16.0,
                  registries: int = 1) -> dict[str, Any]:
    """Freshness at ``rate``; if the registry cannot keep that rate, also at a rate it can sustain
    (40% of its closed-loop capacity measured by the command stage, when known). ``registries`` > 1 spreads the
    commands over that many registry processes on the same database (one outbox, relays sharing it by SKIP
    LOCKED), as a registry scaled out would run."""
    run = Run()  # empty topics: the monitoring process starts with nothing to catch up on
    out: dict[str, Any] = {"rate_target": rate, "seconds": seconds, "poll_ms": POLL_S * 1000,
                           "registries": registries}
    try:
        await run.create_topics()
        registry_db = await run.create_database("fresh_reg")
        monitoring_db = await run.create_database("fresh_mon")
        payloads = bodies(int(rate * seconds) * 2 + 2000, seed=11)
        async with contextlib.AsyncExitStack() as stack:
            registry = [await stack.enter_async_context(served(f"fresh-registry-{i}", ["bench.serve", "registry"], {
                "REGISTRY_DATABASE_URL": registry_db, "TOPIC_NAMESPACE": run.namespace})) for i in range(registries)]
            urls = [r.url for r in registry]
            monitoring = await stack.enter_async_context(served("fresh-monitoring", ["bench.serve", "monitoring"], {
                "MONITORING_DATABASE_URL": monitoring_db, "TOPIC_NAMESPACE": run.namespace}))
            pids = {"registry": [r.popen.pid for r in registry], "monitoring": [monitoring.popen.pid],
                    "bench_client": [os.getpid()]}
            watcher = Watcher(monitoring_db)
            sse = feed.FeedWatcher(monitoring.url)
            watch = asyncio.create_task(watcher.run())
            listen = asyncio.create_task(sse.run())
            try:
                # Warm-up: the first registrations wait for monitoring's consumer group to form.
                warm = await open_loop(urls, payloads[:20], rate=20, seconds=1.0, watcher=watcher)
                await watcher.drain(60.0)
                out["warmup"] = {"ok": warm["ok"], "seen": len(watcher.delays), "still_pending": len(watcher.pending),
                                 "feed_caught_up": await sse.settle(max(watcher.seen.values(), default=0), 60.0)}
                watcher.delays.clear()
                watcher.seen.clear()
                watcher.answered.clear()
                offset = 20
                main = await _one_rate(urls, watcher, payloads[offset:], rate, seconds, sse, pids)
                offset += main["requests"]
                out["at_target"] = main
                sustained = (main["achieved_per_s"] >= 0.95 * rate and not main["errors"]
                             and main["stopped_at_s"] is None)
                out["sustained"] = sustained
                if not sustained:
                    lower = round(min(rate / 2, 0.4 * (capacity_per_s or main["achieved_per_s"])))
                    lower = max(lower, 10)
                    out["at_lower"] = await _one_rate(urls, watcher, payloads[offset:], lower, seconds, sse, pids)
            finally:
                watcher.stop()
                await watch
                listen.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await listen
            out["monitoring_peak_rss_mb"] = monitoring.peak_rss_mb()
            out["registry_peak_rss_mb"] = max(r.peak_rss_mb() or 0 for r in registry)
    finally:
        await run.delete_topics()
        await run.drop_databases()
    return out


if __name__ == "__main__":
    install_kafka_env()
    fresh_rate = float(os.environ.get("BENCH_FRESH_RATE", "500"))
    fresh_seconds = float(os.environ.get("BENCH_FRESH_SECONDS", "16"))
    spread = int(os.environ.get("BENCH_FRESH_REGISTRIES", "1"))
    figures = json.dumps(asyncio.run(measure(None, rate=fresh_rate, seconds=fresh_seconds, registries=spread)),
                         indent=2, default=str)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"freshness-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json").write_text(figures)
    print(figures)
