"""The command path: registrations per second and latency through the registry's HTTP API, beside the bare
FastAPI + asyncpg insert, both real uvicorn processes on free ports with fresh databases, at fixed concurrency."""

import asyncio
import random
import statistics
import time
from datetime import date
from typing import Any

import httpx

from deploy.demo.scenario import POPULATION_WEIGHT, _desa_codes

from . import auth
from .env import Run, cpu_seconds, served

FIRST = ["Siti", "Nur", "Sri", "Dewi", "Rina", "Ani", "Wati", "Yuli", "Fitri", "Lestari", "Rahma", "Aminah"]
LAST = ["Aminah", "Rahayu", "Hasanah", "Wulandari", "Sari", "Handayani", "Pertiwi", "Kusuma", "Lestari", "Nurjanah"]


def bodies(count: int, seed: int = 3) -> list[dict[str, Any]]:
    """Valid, distinct registrations (women's NIKs: day + 40, serials from 9000: never issued)."""
    rng = random.Random(seed)
    desa = _desa_codes()
    kec = list(POPULATION_WEIGHT)
    out = []
    for i in range(count):
        k = kec[i % len(kec)]
        birth = date(1965 + (i // 336) % 38, 1 + (i // 28) % 12, 1 + i % 28)
        serial = 1000 + (i // (336 * 38)) % 9000
        nik = f"6402{k[-2:]}{birth.day + 40:02d}{birth.month:02d}{birth.year % 100:02d}{serial:04d}"
        out.append({"nik": nik, "full_name": f"{rng.choice(FIRST)} {rng.choice(LAST)} {i}".replace("0", "o")
                    .replace("1", "l").replace("2", "z").replace("3", "e").replace("4", "a").replace("5", "s")
                    .replace("6", "g").replace("7", "t").replace("8", "b").replace("9", "q"),
                    "birth_date": birth.isoformat(), "phone": "081234567890", "kecamatan_code": k,
                    "desa_code": rng.choice(desa[k]), "household_size": rng.randint(1, 7), "pekka_category": "none",
                    "registered_by_opd": "dp3a", "registered_on": "2025-03-01"})
    return out


async def closed_loop(url: str, payloads: list[dict[str, Any]], *, concurrency: int, seconds: float) -> dict[str, Any]:
    headers = auth.headers("dp3a")  # the bare app ignores it; the registry verifies it on every request
    latencies: list[float] = []
    errors = 0
    it = iter(payloads)
    deadline = time.perf_counter() + seconds

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal errors
        while time.perf_counter() < deadline:
            body = next(it, None)
            if body is None:
                return
            t0 = time.perf_counter()
            try:
                response = await client.post(url + "/women", json=body, headers=headers)
            except httpx.TransportError:  # a dropped connection counts as a failed command, not a crash
                errors += 1
                continue
            if response.status_code == 201:
                latencies.append(time.perf_counter() - t0)
            else:
                errors += 1

    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(timeout=30.0, limits=limits) as client:
        started, cpu_started = time.perf_counter(), time.process_time()
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
        client_cpu = time.process_time() - cpu_started
    latencies.sort()
    pick = (lambda q: round(latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000, 1)) if latencies \
        else (lambda q: None)
    return {"ok": len(latencies), "errors": errors, "seconds": round(elapsed, 2),
            "per_s": round(len(latencies) / elapsed, 1), "p50_ms": pick(0.5), "p99_ms": pick(0.99),
            "client_cpu_pct": round(100 * client_cpu / elapsed),  # 100 = the load generator used a whole core
            "mean_ms": round(statistics.fmean(latencies) * 1000, 1) if latencies else None}


async def measure(run: Run, *, concurrency: int = 32, seconds: float = 8.0, rounds: int = 2) -> dict[str, Any]:
    payloads = bodies(int(rounds * seconds * 1500) + 2000)
    results: dict[str, list[dict[str, Any]]] = {"bare": [], "registry": []}
    bare_db = await run.create_database("bare")
    registry_db = await run.create_database("cmd")
    offset = 0
    async with served("bare", ["bench.bare_app"], {"BENCH_DATABASE_URL": bare_db}) as bare, \
            served("registry", ["bench.serve", "registry"], {"REGISTRY_DATABASE_URL": registry_db,
                                                             "TOPIC_NAMESPACE": run.namespace}) as registry:
        for _ in range(rounds):  # alternate, so a burst of load from elsewhere hits both alike
            for name, proc in (("bare", bare), ("registry", registry)):
                chunk = payloads[offset:]
                await closed_loop(proc.url, chunk[:200], concurrency=concurrency, seconds=1.0)  # warm-up
                cpu_before = cpu_seconds(proc.popen.pid)
                result = await closed_loop(proc.url, chunk[200:], concurrency=concurrency, seconds=seconds)
                # Server CPU per command: unlike req/s, it does not depend on how much CPU the load generator and
                # the rest of the machine leave to the server.
                result["server_cpu_ms"] = round((cpu_seconds(proc.popen.pid) - cpu_before) * 1000
                                                / max(1, result["ok"] + result["errors"]), 2)
                offset += 200 + result["ok"] + result["errors"] + concurrency
                results[name].append(result)
    best = {k: max(r["per_s"] for r in v) for k, v in results.items()}
    return {"concurrency": concurrency, "rounds": results, "bare_per_s": best["bare"],
            "registry_per_s": best["registry"],
            "ratio": round(best["registry"] / best["bare"], 3) if best["bare"] else None,
            "registry_p50_ms": results["registry"][-1]["p50_ms"], "registry_p99_ms": results["registry"][-1]["p99_ms"],
            "bare_p50_ms": results["bare"][-1]["p50_ms"], "bare_p99_ms": results["bare"][-1]["p99_ms"],
            "bare_client_cpu_pct": max(r["client_cpu_pct"] for r in results["bare"]),
            "bare_cpu_ms": min(r["server_cpu_ms"] for r in results["bare"]),
            "registry_cpu_ms": min(r["server_cpu_ms"] for r in results["registry"])}
