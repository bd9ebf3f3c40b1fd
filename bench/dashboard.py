"""Dashboard reads on the rebuilt projection: what a browser and the live feed wait for at the history's size.

Runs the monitoring service's own read functions (``monitoring.service_layer.indicators``) against the database
stage (c) rebuilt, each inside the same read-only snapshot the API uses: the live feed's headline (with the funnel),
the funnel alone, and every indicator of the catalogue for the regency total, per kecamatan and per month. Each is
timed twice and the faster run counts (the first warms PostgreSQL's caches).
"""

import time
from typing import Any

import asyncpg
from monitoring.domain.indicators import CATALOG
from monitoring.service_layer import indicators


async def _best_of_two(call: Any) -> float:
    times = []
    for _ in range(2):
        started = time.perf_counter()
        await call()
        times.append(time.perf_counter() - started)
    return round(min(times) * 1000, 1)


async def measure(database_url: str) -> dict[str, Any]:
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=1)
    try:
        async with indicators.snapshot(pool) as conn:
            women = await conn.fetchval("SELECT count(*) FROM women")
            out: dict[str, Any] = {
                "women": women,
                "headline_ms": await _best_of_two(lambda: indicators.headline(conn)),
                "funnel_ms": await _best_of_two(lambda: indicators.funnel(conn, indicators.Filters())),
            }
            names = [ind.name for ind in CATALOG]
            for group in (None, "kecamatan", "period"):
                out[f"all_indicators_by_{group or 'total'}_ms"] = await _best_of_two(
                    lambda g=group: indicators.report(conn, names, indicators.Filters(), g))
            out["indicators"] = len(names)
    finally:
        await pool.close()
    return out
