"""python -m bench.soak — the four services as processes under a steady command rate for a long time (an hour by
default), watching what a slow leak or a stuck pipeline would show:

* resident memory of each service process (``/proc/<pid>/status`` VmRSS every ``SAMPLE_S``): after the warm-up it
  must grow less than ``SOAK_RSS_GROWTH`` (10 %) — the median of the first samples after warm-up against the
  median of the last ones;
* the consumer lag of training, marketplace and monitoring (their ``/ready``): after the warm-up never above
  ``SOAK_LAG_LIMIT`` events (1,000: one consumer batch, the ``lagging`` threshold and the alert's);
* the outbox: once the load stops, every service's backlog and every consumer's lag reach 0 within ``DRAIN_S``.

The load is the demo scenario's real mix (registrations with welfare assessments, courses with enrolments,
attendance and completions, businesses, fairs, sales) through the public APIs, paced to ``SOAK_RATE`` commands per
second in total (default 20) by one shared pacer over ``LANES`` concurrent scenario rounds. Settings:
SOAK_SECONDS (3600), SOAK_RATE (20), SOAK_WARMUP_S (a third of the run, at most 600). Prints a table, writes
bench-results/soak-<timestamp>.json, exits 1 when a check fails. ``make soak`` runs it; ``make test`` runs three
minutes of it (tests/ops/test_soak.py). It uses the test suite's platform (its own topic namespace, databases and
Kafka principals on the local stack), so nothing of a running installation is touched.
"""

import asyncio
import contextlib
import json
import os
import statistics
import sys
import time
from collections.abc import Mapping
from contextlib import ExitStack
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from deploy.demo.driver import Driver, load
from deploy.demo.scenario import generate

SAMPLE_S = 5.0
DRAIN_S = 90.0
LANES = 3
ROUND_WOMEN = 6
CONSUMERS = ("training", "marketplace", "monitoring")
RESULTS = Path(__file__).resolve().parents[1] / "bench-results"


class Pacer:
    """One command every 1/rate seconds on a fixed schedule (no burst catches up after a pause longer than 1 s)."""

    def __init__(self, rate: float) -> None:
        self.interval = 1.0 / rate
        self.next = time.monotonic()

    async def wait(self) -> None:
        now = time.monotonic()
        self.next = max(self.next + self.interval, now - 1.0)
        if self.next > now:
            await asyncio.sleep(self.next - now)


class PacedDriver(Driver):
    def __init__(self, *args: Any, pacer: Pacer, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pacer = pacer

    async def post(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        await self.pacer.wait()
        return await super().post(*args, **kwargs)


@dataclass
class Sample:
    t: float  # seconds since the load started
    rss_mb: dict[str, float]
    lag: dict[str, int | None]
    backlog: dict[str, int | None]


@dataclass
class SoakResult:
    seconds: float
    warmup_s: float
    target_rate: float
    commands: int = 0
    samples: list[Sample] = field(default_factory=list)
    drain_s: float | None = None
    failures: list[str] = field(default_factory=list)  # load errors (a command refused or a 5xx)

    @property
    def achieved_rate(self) -> float:
        return self.commands / self.seconds if self.seconds else 0.0

    def rss_growth(self) -> dict[str, float]:
        """Per service: median RSS of the last samples over the median of the first samples after warm-up, - 1."""
        after = [s for s in self.samples if s.t >= self.warmup_s]
        window = max(3, len(after) // 10)
        first, last = after[:window], after[-window:]
        return {name: statistics.median(s.rss_mb[name] for s in last) / statistics.median(s.rss_mb[name] for s in first)
                - 1 for name in after[0].rss_mb} if len(after) >= 2 * window else {}

    def max_lag(self) -> dict[str, int]:
        after = [s for s in self.samples if s.t >= self.warmup_s]
        return {c: max((s.lag.get(c) or 0) for s in after) for c in CONSUMERS} if after else {}

    def problems(self, *, growth_limit: float = 0.10, lag_limit: int = 1000) -> list[str]:
        out = list(self.failures[:5])
        growth = self.rss_growth()
        if not growth:
            out.append("too few samples after the warm-up to judge memory")
        out += [f"{s}: resident memory grew {g:.1%} after warm-up (limit {growth_limit:.0%})"
                for s, g in growth.items() if g >= growth_limit]
        out += [f"{c}: consumer lag reached {lag} events after warm-up (limit {lag_limit})"
                for c, lag in self.max_lag().items() if lag > lag_limit]
        if self.drain_s is None:
            out.append(f"the outbox and the consumers did not drain within {DRAIN_S:.0f} s of the load stopping")
        if self.achieved_rate < 0.8 * self.target_rate:
            out.append(f"the load reached {self.achieved_rate:.1f} commands/s of {self.target_rate:.0f}")
        return out

    def summary(self) -> dict[str, Any]:
        after = [s for s in self.samples if s.t >= self.warmup_s]
        return {
            "seconds": round(self.seconds), "warmup_s": self.warmup_s, "commands": self.commands,
            "rate_per_s": round(self.achieved_rate, 1), "target_rate_per_s": self.target_rate,
            "rss_mb_after_warmup": {n: round(after[0].rss_mb[n], 1) for n in after[0].rss_mb} if after else {},
            "rss_mb_end": {n: round(self.samples[-1].rss_mb[n], 1) for n in self.samples[-1].rss_mb}
            if self.samples else {},
            "rss_growth_after_warmup": {n: round(g, 4) for n, g in self.rss_growth().items()},
            "max_lag_after_warmup": self.max_lag(), "drain_s": self.drain_s, "failures": len(self.failures),
        }


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for pid {pid}")


async def _ready(client: httpx.AsyncClient, url: str) -> dict[str, Any]:
    try:
        return (await client.get(url + "/ready")).json()
    except (httpx.HTTPError, ValueError):
        return {}


async def sample(platform: Any, client: httpx.AsyncClient, t: float) -> Sample:
    ready = {s: await _ready(client, platform.url(s)) for s in platform.processes}
    lag = {c: ready[c].get("consumer", {}).get("lag") for c in CONSUMERS}
    return Sample(t=round(t, 1), rss_mb={s: rss_mb(p.pid) for s, p in platform.processes.items()},
                  lag={c: v if isinstance(v, int) else None for c, v in lag.items()},
                  backlog={s: r.get("outbox_backlog") for s, r in ready.items()})


async def _lane(lane: int, platform: Any, headers: Mapping[str, dict[str, str]], pacer: Pacer, stop: asyncio.Event,
                result: SoakResult) -> None:
    round_no = 0
    while not stop.is_set():
        round_no += 1
        seed = 7919 * lane + round_no
        driver = PacedDriver(platform.endpoints, namespace=f"soak-{lane}-{round_no}", concurrency=4, headers=headers,
                             pacer=pacer)
        try:
            await load(driver, generate(ROUND_WOMEN, seed=seed), progress=lambda line: None)
        except Exception as exc:  # noqa: BLE001 (counted and reported; the soak goes on)
            result.failures.append(f"lane {lane} round {round_no}: {exc}"[:300])
        finally:
            result.commands += driver.sent
            result.failures += driver.server_errors
            await driver.close()


async def run(platform: Any, headers: Mapping[str, dict[str, str]], *, seconds: float, rate: float, warmup_s: float,
              progress: Any = None) -> SoakResult:
    """Load ``platform`` at ``rate`` commands/s for ``seconds``, sampling memory, lag and backlog; then wait for
    the outbox and the consumers to drain."""
    result = SoakResult(seconds=seconds, warmup_s=warmup_s, target_rate=rate)
    pacer, stop = Pacer(rate), asyncio.Event()
    began = time.monotonic()
    lanes = [asyncio.create_task(_lane(n, platform, headers, pacer, stop, result)) for n in range(LANES)]
    async with httpx.AsyncClient(timeout=10) as client:
        next_report = 60.0
        while (elapsed := time.monotonic() - began) < seconds:
            result.samples.append(await sample(platform, client, elapsed))
            if progress and elapsed >= next_report:
                progress(f"{elapsed:6.0f} s  {result.commands} commands  " + json.dumps(asdict(result.samples[-1])))
                next_report += 60.0
            await asyncio.sleep(SAMPLE_S)
        stop.set()
        for task in lanes:  # the rounds in flight finish (a round is a few dozen commands)
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait_for(task, 120)
        result.seconds = time.monotonic() - began
        stopped = time.monotonic()
        while time.monotonic() - stopped < DRAIN_S:
            last = await sample(platform, client, time.monotonic() - began)
            if all(v == 0 for v in last.backlog.values()) and all(v == 0 for v in last.lag.values()):
                result.drain_s = round(time.monotonic() - stopped, 1)
                break
            await asyncio.sleep(1.0)
    return result


async def _main() -> int:
    from tests.support import auth, infra
    from tests.support.platform import running_platform

    seconds = float(os.environ.get("SOAK_SECONDS", 3600))
    rate = float(os.environ.get("SOAK_RATE", 20))
    warmup = float(os.environ.get("SOAK_WARMUP_S", min(seconds / 3, 600)))
    infra.install_kafka_env()
    with ExitStack() as stack:
        bootstrap, server = infra.resolve(stack)
        print(f"soak: {seconds:.0f} s at {rate:.0f} commands/s, warm-up {warmup:.0f} s", flush=True)
        # A realm of its own on the stack's Keycloak: the services trust it, its machine clients' tokens renew.
        async with auth.keycloak_processes() as (env, tokens, _realm), \
                running_platform(bootstrap, server, log_dir=RESULTS / "soak-logs", extra_env=env) as platform:
            result = await run(platform, tokens, seconds=seconds, rate=rate, warmup_s=warmup,
                               progress=lambda line: print(line, flush=True))
    summary = result.summary()
    problems = result.problems()
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"soak-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    out.write_text(json.dumps({"summary": summary, "problems": problems,
                               "samples": [asdict(s) for s in result.samples]}, indent=1))
    print(json.dumps(summary, indent=2))
    print("\n".join(f"FAIL: {p}" for p in problems) or "soak passed", f"\n(samples in {out})")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(_main()))
