"""The maintained read models give exactly the figures of the definitions aggregated over the facts, whatever
the order and batching of the events, and the rebuild's bulk build gives the same tables as event-by-event
maintenance."""

import random
from typing import Any

import asyncpg
from berdaya_contracts import Event, decode
from monitoring.adapters import LIVE_SCHEMA
from monitoring.domain.indicators import CATALOG
from monitoring.projections import readmodel, readmodel_build
from monitoring.service_layer import definitions, indicators
from monitoring.service_layer.indicators import Filters

from tests.monitoring.scenario import program
from tests.monitoring.test_projection_properties import feed, pool, reset  # noqa: F401 - the module's pool

EVENTS: list[Event] = [decode(e.to_bytes()) for e in program(seed=11, women=30)]
GROUPS = (None, "kecamatan", "period", "opd", "field", "pekka_category", "age_band", "desa", "kecamatan_period")
FILTERS = (Filters(), Filters(kecamatan="64.02.06"), Filters(period_from="2025-03", period_to="2025-09"),
           Filters(pekka_category="productive"), Filters(age_band="25-34", opd="dp3a"))


async def _shuffled(p: asyncpg.Pool, seed: int) -> None:
    order = list(EVENTS)
    random.Random(seed).shuffle(order)
    await reset(p)
    await feed(p, order, [random.Random(seed).randrange(len(order)) for _ in range(8)])


async def _tables(conn: asyncpg.Connection) -> dict[str, Any]:
    out = {"rm_contrib": sorted(tuple(map(str, r.values())) for r in await conn.fetch("SELECT * FROM rm_contrib"))}
    for table in (*readmodel.CELL_TABLES, *readmodel.HIST_TABLES):
        out[table] = sorted(tuple(map(str, r.values())) for r in await conn.fetch(f"SELECT * FROM {table} WHERE n <> 0"))
    return out


async def test_read_models_equal_the_definitions_for_every_indicator_grouping_and_filter(pool: asyncpg.Pool) -> None:  # noqa: F811
    await _shuffled(pool, 1)
    async with indicators.snapshot(pool) as conn:
        nonzero = 0
        for ind in CATALOG:
            for group in GROUPS:
                for f in FILTERS:
                    got = await indicators.compute(conn, ind.name, f, group)
                    assert got == await definitions.compute(conn, ind.name, f, group), (ind.name, group, f)
                    nonzero += any(c["value"] for c in got)
        for group in GROUPS:
            for f in FILTERS:  # every indicator read in one pass gives the same cells
                together = await indicators.report(conn, [i.name for i in CATALOG], f, group)
                for r in together:
                    assert r["cells"] == await definitions.compute(conn, r["indicator"], f, group), (r, group, f)
        assert nonzero > len(CATALOG) * len(GROUPS)  # the figures are not all empty
        for f in FILTERS:
            got = await indicators.funnel(conn, f if f.opd is None else Filters(age_band=f.age_band))
            stock = [{k: v for k, v in s.items() if k != "cohort"} for s in got]
            if f.period_from is None:  # the definitions' funnel has no registration period
                assert stock == await definitions.funnel_stock(conn, f)
            cohort = [s["cohort"] for s in got]
            assert cohort == sorted(cohort, reverse=True), "each cohort step is a subset of the one before"
            assert all(s["cohort"] <= s["value"] for s in got)


async def test_bulk_build_equals_maintenance_event_by_event(pool: asyncpg.Pool) -> None:  # noqa: F811
    await _shuffled(pool, 2)
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute(f"SET LOCAL search_path TO {LIVE_SCHEMA}, public")
        maintained = await _tables(conn)
        assert len(maintained["rm_contrib"]) > 100
        await readmodel_build.build(conn)
        assert await _tables(conn) == maintained


async def test_the_rebuilds_parallel_build_equals_maintenance(pool: asyncpg.Pool) -> None:  # noqa: F811
    """The rebuild's form of the build (records inserted by two connections at once, each in its own transaction)
    gives the same tables as batch-by-batch maintenance, and the figures stay those of the definitions."""
    await _shuffled(pool, 6)
    async with pool.acquire() as conn:
        await conn.execute(f"SET search_path TO {LIVE_SCHEMA}, public")
        maintained = await _tables(conn)
        await conn.execute("RESET search_path")
    await readmodel_build.build_in_parallel(pool, LIVE_SCHEMA, workers=2)
    async with pool.acquire() as conn:
        await conn.execute(f"SET search_path TO {LIVE_SCHEMA}, public")
        assert await _tables(conn) == maintained
        indexes = {r["indexname"] for r in await conn.fetch(
            "SELECT indexname FROM pg_indexes WHERE schemaname = $1 AND tablename = 'rm_contrib'", LIVE_SCHEMA)}
        await conn.execute("RESET search_path")
    assert {"rm_contrib_anchor", "rm_contrib_indicator", "rm_contrib_median"} <= indexes  # created again


async def test_another_order_gives_the_same_read_models(pool: asyncpg.Pool) -> None:  # noqa: F811
    await _shuffled(pool, 3)
    async with pool.acquire() as conn:
        await conn.execute(f"SET search_path TO {LIVE_SCHEMA}, public")
        first = await _tables(conn)
        await conn.execute("RESET search_path")
    await _shuffled(pool, 4)
    async with pool.acquire() as conn:
        await conn.execute(f"SET search_path TO {LIVE_SCHEMA}, public")
        assert await _tables(conn) == first
        await conn.execute("RESET search_path")


async def test_event_by_event_delivery_recomputes_only_what_each_event_changes(pool: asyncpg.Pool) -> None:  # noqa: F811
    """One event per batch, in a shuffled order: each batch recomputes only the indicators computed from the fact
    tables it wrote, and the result still equals the bulk build and the definitions."""
    events = [decode(e.to_bytes()) for e in program(seed=5, women=8)]
    random.Random(5).shuffle(events)
    await reset(pool)
    await feed(pool, events, list(range(1, len(events))))
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute(f"SET LOCAL search_path TO {LIVE_SCHEMA}, public")
        maintained = await _tables(conn)
        for ind in CATALOG:
            for group in (None, "kecamatan", "period"):
                assert (await indicators.compute(conn, ind.name, Filters(), group)
                        == await definitions.compute(conn, ind.name, Filters(), group)), (ind.name, group)
        await readmodel_build.build(conn)
        assert await _tables(conn) == maintained
