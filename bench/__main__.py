"""python -m bench — every DESIGN.md §7 figure, each beside its yardstick measured in the same run.

Preloads a realistic event history (BENCH_EVENTS, default 100,000) into a private topic namespace, then measures:
(a) a bare aiokafka consumer reading it and doing nothing (the ceiling), and the same decoding every event,
(b) a naive FastStream consumer applying each event in its own transaction (on a sample of BENCH_NAIVE_SAMPLE events,
default 5,000), (c) the monitoring service's own rebuild (`python -m monitoring rebuild` as a separate process: its
wall time and peak RSS), (d) the command path (registry POST /women vs a bare FastAPI+asyncpg insert), (e) the bulk
import of BENCH_IMPORT_ROWS women (default 100,000) vs a raw COPY of the same rows, (f) freshness from HTTP 201 to the
monitoring projection and to its live feed (an SSE client) at BENCH_FRESH_RATE commands/s (default 500; over
BENCH_FRESH_REGISTRIES registry processes, default 1), (g) stages (a) and (c) with SASL on beside off on two private
brokers (BENCH_SASL=0 skips it). Prints a table and writes bench-results/<timestamp>.json. Topics
and databases it created are removed at the end. Kafka clients connect as the local installation's admin principal
(bench/env.py), the rebuilds of stage (g) as the namespace's monitoring principal.
"""

import asyncio
import json
import os
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime

from berdaya_contracts.topics import EVENT_TOPICS

from . import commands, consume, dashboard, freshness, imports, report, sasl, scale, target
from .env import RESULTS, Run, install_kafka_env, kafka_bootstrap, load_average, machine, versions
from .history import preload


def rebuild_in_process(run: Run, database_url: str, kafka_env: dict[str, str] | None = None) -> dict[str, object]:
    """``kafka_env``: how the rebuild connects (KAFKA_* variables); the benchmark's own connection by default."""
    env = {**os.environ, "MONITORING_DATABASE_URL": database_url, "TOPIC_NAMESPACE": run.namespace,
           "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap(), **(kafka_env or {})}
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "monitoring", "rebuild"], env=env, capture_output=True, text=True,
                          timeout=1800)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"monitoring rebuild failed:\n{done.stderr[-2000:]}")
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {"wall_s": round(wall, 2), "peak_rss_mb": round(max(peak_kb, before) / 1024, 1),
            "output": done.stdout.strip().splitlines()[-1:] }


async def main() -> int:
    install_kafka_env()
    total = int(os.environ.get("BENCH_EVENTS", "100000"))
    sample = int(os.environ.get("BENCH_NAIVE_SAMPLE", "5000"))
    run = Run()
    results: dict[str, object] = {"machine": machine(), "versions": await versions(), "events": total}
    try:
        await run.create_topics()
        topics = [run.topic(t) for t in EVENT_TOPICS]
        print(f"preloading {total:,} events into namespace {run.namespace} ...", flush=True)
        results["preload"] = await asyncio.to_thread(preload, total, run.namespace, kafka_bootstrap())
        loaded = int(results["preload"]["events"])  # type: ignore[index]

        print("(a) bare aiokafka consumer ...", flush=True)
        results["raw"] = await consume.raw(topics, loaded)
        print("(a2) bare aiokafka consumer + contract decode of every event ...", flush=True)
        results["raw_decode"] = await consume.raw(topics, loaded, decode_each=True)

        print(f"(b) naive per-event-transaction consumer on {sample:,} events ...", flush=True)
        naive_db = await run.create_database("naive")
        await target.prepare_database(naive_db)
        results["naive"] = await consume.naive(topics, naive_db, target.apply_function(), sample)

        print("(c) monitoring rebuild (python -m monitoring rebuild) ...", flush=True)
        rebuild_db = await run.create_database("rebuild")
        rebuild = await asyncio.to_thread(rebuild_in_process, run, rebuild_db)
        rebuild["events_per_s"] = round(loaded / rebuild["wall_s"])  # type: ignore[operator]
        results["rebuild"] = rebuild
        print("(c2) dashboard reads on the rebuilt projection ...", flush=True)
        try:
            results["dashboard"] = await dashboard.measure(rebuild_db)
        except Exception as exc:  # noqa: BLE001 - report it, keep the other figures
            results["dashboard"] = {"error": repr(exc)[:500]}
        if os.environ.get("BENCH_SCALE", "0") == "1":
            print("(s) scale: dashboard reads at a regency-sized history and a tenth of it ...", flush=True)
            try:
                results["scale"] = await scale.run(run.create_database)
            except Exception as exc:  # noqa: BLE001 - report it, keep the other figures
                results["scale"] = {"error": repr(exc)[:500]}

        if os.environ.get("BENCH_SASL", "1") == "1":
            print("(g) raw consume and rebuild with SASL off, then on (two private brokers) ...", flush=True)
            try:
                results["sasl"] = await sasl.measure(run, topics, loaded, rebuild_in_process)
            except Exception as exc:  # noqa: BLE001 - report it, keep the other figures
                results["sasl"] = {"error": repr(exc)[:500]}

        if os.environ.get("BENCH_COMMANDS", "1") == "1":
            print("(d) command path: registry POST /women vs bare FastAPI+asyncpg insert, 32 in flight ...", flush=True)
            try:
                results["commands"] = await commands.measure(run)
            except Exception as exc:  # noqa: BLE001 - report it, keep the other figures
                results["commands"] = {"error": repr(exc)[:500]}
        if os.environ.get("BENCH_IMPORT", "1") == "1":
            rows = int(os.environ.get("BENCH_IMPORT_ROWS", "100000"))
            print(f"(e) bulk import: {rows:,}-row CSV through POST /women/imports vs raw COPY of the same rows ...",
                  flush=True)
            try:
                results["import"] = await imports.measure(run, rows)
            except Exception as exc:  # noqa: BLE001
                results["import"] = {"error": repr(exc)[:500]}
    finally:
        await run.delete_topics()
        await run.drop_databases()

    if os.environ.get("BENCH_FRESHNESS", "1") == "1":
        rate = float(os.environ.get("BENCH_FRESH_RATE", "500"))
        seconds = float(os.environ.get("BENCH_FRESH_SECONDS", "16"))
        print(f"(f) freshness: HTTP 201 -> projection and live feed, open loop at {rate:g} commands/s for {seconds:g} s ...",
              flush=True)
        capacity = (results.get("commands") or {}).get("registry_per_s")  # type: ignore[union-attr]
        try:
            results["freshness"] = await freshness.measure(
                capacity, rate=rate, seconds=seconds, registries=int(os.environ.get("BENCH_FRESH_REGISTRIES", "1")))
        except Exception as exc:  # noqa: BLE001
            results["freshness"] = {"error": repr(exc)[:500]}

    results["machine"]["load_average_at_end"] = load_average()  # type: ignore[index]
    results["ratios"] = ratios(results)
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    out.write_text(json.dumps(results, indent=2, default=str))
    print(f"\n{total:,} events; {results['machine']}")
    print(report.table(results))
    print(f"\nwritten: {out}")
    return 0


def ratios(results: dict[str, object]) -> dict[str, object]:
    raw_rate = results["raw"]["events_per_s"]  # type: ignore[index]
    naive_rate = results["naive"]["events_per_s"]  # type: ignore[index]
    rebuild_rate = results["rebuild"]["events_per_s"]  # type: ignore[index]
    decode_rate = results["raw_decode"]["events_per_s"]  # type: ignore[index]
    out: dict[str, object] = {
        "rebuild_over_raw_decode": round(rebuild_rate / decode_rate, 3) if decode_rate else None,
        "rebuild_over_raw": round(rebuild_rate / raw_rate, 3) if raw_rate else None,
        "rebuild_over_naive": round(rebuild_rate / naive_rate, 1) if naive_rate else None,
    }
    cmd = results.get("commands") or {}
    if "ratio" in cmd:  # type: ignore[operator]
        out["command_over_bare"] = cmd["ratio"]  # type: ignore[index]
    imp = results.get("import") or {}
    if "ratio" in imp:  # type: ignore[operator]
        out["import_over_copy"] = imp["ratio"]  # type: ignore[index]
    return out

if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
