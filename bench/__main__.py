"""python -m bench — the rebuild benchmark, side by side with the machine's limits in the same run.

Preloads a realistic event history (BENCH_EVENTS, default 100,000) into a private topic namespace, then measures:
(a) a bare aiokafka consumer reading it and doing nothing (the ceiling), (b) a naive FastStream consumer applying each
event in its own transaction (on a sample of BENCH_NAIVE_SAMPLE events, default 5,000), and (c) the monitoring
service's own rebuild (`python -m monitoring rebuild` as a separate process: its wall time and peak RSS). Prints a table
and writes bench-results/<timestamp>.json. Topics and databases it created are removed at the end.
"""

import asyncio
import json
import os
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime

from berdaya_shared.topics import EVENT_TOPICS

from . import commands, consume, target
from .env import RESULTS, Run, kafka_bootstrap, machine, versions
from .history import preload


def rebuild_in_process(run: Run, database_url: str) -> dict[str, object]:
    env = {**os.environ, "MONITORING_DATABASE_URL": database_url, "TOPIC_NAMESPACE": run.namespace,
           "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap()}
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

        if os.environ.get("BENCH_COMMANDS", "1") == "1":
            print("(d) command path: registry POST /women vs bare FastAPI+asyncpg insert, 32 in flight ...", flush=True)
            try:
                results["commands"] = await commands.measure(run)
            except Exception as exc:  # noqa: BLE001 - report it, keep the other figures
                results["commands"] = {"error": repr(exc)[:500]}
    finally:
        await run.delete_topics()
        await run.drop_databases()

    raw_rate = results["raw"]["events_per_s"]  # type: ignore[index]
    naive_rate = results["naive"]["events_per_s"]  # type: ignore[index]
    rebuild_rate = results["rebuild"]["events_per_s"]  # type: ignore[index]
    decode_rate = results["raw_decode"]["events_per_s"]  # type: ignore[index]
    results["ratios"] = {
        "rebuild_over_raw_decode": round(rebuild_rate / decode_rate, 3) if decode_rate else None,
        "rebuild_over_raw": round(rebuild_rate / raw_rate, 3) if raw_rate else None,
        "rebuild_over_naive": round(rebuild_rate / naive_rate, 1) if naive_rate else None,
    }
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    out.write_text(json.dumps(results, indent=2, default=str))
    rows = [
        ("bare aiokafka consume (ceiling)", f"{raw_rate:,} ev/s", ""),
        ("bare aiokafka consume + decode", f"{decode_rate:,} ev/s", "pydantic decode of every envelope"),
        ("naive: one transaction per event", f"{naive_rate:,} ev/s", f"sample {sample:,}"),
        ("monitoring rebuild (whole process)", f"{rebuild_rate:,} ev/s",
         f"{results['rebuild']['wall_s']} s, peak RSS {results['rebuild']['peak_rss_mb']} MB"),  # type: ignore[index]
        ("rebuild ÷ raw (target ≥ 0.5)", str(results["ratios"]["rebuild_over_raw"]), ""),  # type: ignore[index]
        ("rebuild ÷ naive (target ≥ 20)", str(results["ratios"]["rebuild_over_naive"]), ""),  # type: ignore[index]
    ]
    cmd = results.get("commands") or {}
    if "ratio" in cmd:  # type: ignore[operator]
        rows += [
            ("bare FastAPI+asyncpg insert", f"{cmd['bare_per_s']:,} req/s",  # type: ignore[index]
             f"p50 {cmd['bare_p50_ms']} ms, p99 {cmd['bare_p99_ms']} ms"),  # type: ignore[index]
            ("registry POST /women (row+outbox)", f"{cmd['registry_per_s']:,} req/s",  # type: ignore[index]
             f"p50 {cmd['registry_p50_ms']} ms, p99 {cmd['registry_p99_ms']} ms"),  # type: ignore[index]
            ("command ÷ bare (target ≥ 0.8)", str(cmd["ratio"]), ""),  # type: ignore[index]
        ]
    elif cmd:
        rows.append(("command path", "failed", str(cmd.get("error"))[:80]))  # type: ignore[union-attr]
    print(f"\n{total:,} events on {results['machine']}")
    for name, value, extra in rows:
        print(f"  {name:<38} {value:>14}  {extra}")
    print(f"\nwritten: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
