"""Exact indicator figures, the funnel and targets, computed from the live projection: the internal face.

Only DP3A's evaluation team sees these (scope ``figures:internal``): every other caller gets the publication
(``publication.py``), protected at release. Every function here takes a connection that already sees one
consistent state of the live projection (``snapshot`` from the pool, ``snapshot_on`` a connection, or
``on_snapshot`` around a read).
"""

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass
from typing import Any, NamedTuple, TypeVar

import asyncpg

from ..adapters import LIVE_SCHEMA, readmodel_reads
from ..domain.indicators import BY_NAME, CATALOG, exact_value


@dataclass(frozen=True)
class Filters:
    kecamatan: str | None = None
    period_from: str | None = None
    period_to: str | None = None
    opd: str | None = None
    field: str | None = None
    pekka_category: str | None = None
    age_band: str | None = None

    def fine(self) -> bool:
        """A filter beyond kecamatan and period is set (the reads then need the cells of every dimension)."""
        return any(v is not None for v in (self.opd, self.field, self.pekka_category, self.age_band))

    def args(self) -> tuple[str | None, ...]:
        return (self.kecamatan, self.period_from, self.period_to, self.opd, self.field, self.pekka_category,
                self.age_band)


T = TypeVar("T")


@asynccontextmanager
async def snapshot_on(conn: asyncpg.Connection) -> AsyncIterator[asyncpg.Connection]:
    """``conn`` in a read-only, repeatable-read transaction on the live projection (no transaction may be open)."""
    async with conn.transaction(isolation="repeatable_read", readonly=True):
        # JIT compilation costs more than these sub-second aggregates gain from it (measured: 0.3 s of a 1.7 s funnel).
        # A plan per execution: the reads' filters are parameters that are each NULL (any) or a value, and the
        # plan PostgreSQL would cache after five executions cannot use the value (measured, the median per month:
        # 3.4 ms with its own plan, 16 ms with the cached generic one).
        await conn.execute(f"SET LOCAL search_path TO {LIVE_SCHEMA}, public; SET LOCAL jit = off;"
                           " SET LOCAL plan_cache_mode = force_custom_plan")
        yield conn


@asynccontextmanager
async def snapshot(pool: asyncpg.Pool) -> AsyncIterator[asyncpg.Connection]:
    """A pooled connection seeing one consistent state of the live projection."""
    async with pool.acquire() as conn, snapshot_on(conn):
        yield conn


def on_snapshot(read: Callable[[asyncpg.Connection], Awaitable[T]]) -> Callable[[asyncpg.Connection], Awaitable[T]]:
    """``read`` run inside ``snapshot_on`` the connection it is given (the shape the entrypoint kit's query takes)."""

    async def run(conn: asyncpg.Connection) -> T:
        async with snapshot_on(conn):
            return await read(conn)

    return run


def catalog() -> list[dict[str, Any]]:
    """The indicators: name, label (Indonesian), kind, group, headline."""
    return [asdict(i) for i in CATALOG]


def _cells(name: str, rows: list[Any], group_by: str | None) -> list[dict[str, Any]]:
    indicator = BY_NAME[name]
    cells = []
    for row in rows:
        value, denominator = exact_value(indicator.kind, num=row["num"], den=row["den"], total=row["total"],
                                         median=row["median"])
        cell: dict[str, Any] = {"key": row["key"], "value": value, "suppressed": False}
        if indicator.kind == "ratio":
            cell["denominator"] = denominator
        cells.append(cell)
    if group_by is None and not cells:
        cells = [{"key": "total", "value": None if indicator.kind in ("ratio", "median_idr") else 0.0,
                  "suppressed": False, **({"denominator": 0} if indicator.kind == "ratio" else {})}]
    return cells


async def compute(conn: asyncpg.Connection, name: str, filters: Filters, group_by: str | None) -> list[dict[str, Any]]:
    """One indicator's exact cells under ``filters``, grouped by ``group_by``, read from the maintained read models
    (``projections/readmodel.py``): the same figures as aggregating its definition over the facts."""
    if BY_NAME[name].kind == "median_idr":
        sql = readmodel_reads.median_sql(group_by, kecamatan=filters.kecamatan is not None, fine=filters.fine(),
                                         period=filters.period_from is not None or filters.period_to is not None)
    else:
        sql = readmodel_reads.indicator_sql(BY_NAME[name].kind, group_by, filters.fine())
    return _cells(name, await conn.fetch(sql, *filters.args(), name), group_by)


async def report(conn: asyncpg.Connection, names: list[str], filters: Filters,
                 group_by: str | None) -> list[dict[str, Any]]:
    """The named indicators (each: indicator, label, kind, group, cells) under ``filters``, grouped by ``group_by``.
    Additive indicators are read together in one pass over their cells; medians and desa from their records."""
    together = [n for n in names if BY_NAME[n].kind != "median_idr"] if not (group_by == "desa" and filters.fine()) else []
    rows: dict[str, list[Any]] = {n: [] for n in together}
    if together:
        for row in await conn.fetch(readmodel_reads.many_sql(group_by, filters.fine()), *filters.args(), together):
            rows[row["indicator"]].append(row)
    out = []
    for name in names:
        ind = BY_NAME[name]
        cells = (_cells(name, rows[name], group_by) if name in rows
                 else await compute(conn, name, filters, group_by))
        out.append({"indicator": name, "label": ind.label, "kind": ind.kind, "group": ind.group, "cells": cells})
    return out


async def report_view(conn: asyncpg.Connection, names: list[str] | None, filters: Filters,
                      group_by: str | None) -> dict[str, Any]:
    """The answer of ``GET /api/indicators``: group_by, the filters applied, the indicators (all when ``names`` is
    empty)."""
    chosen = list(names) if names else [i.name for i in CATALOG]
    return {"group_by": group_by, "filters": asdict(filters), "face": "internal",
            "indicators": await report(conn, chosen, filters, group_by)}


async def headline_figures(conn: asyncpg.Connection, names: list[str]) -> dict[str, dict[str, Any]]:
    """The regency totals of ``names``, as the headline carries them: name -> {value, suppressed}."""
    return {r["indicator"]: {"value": r["cells"][0]["value"], "suppressed": r["cells"][0]["suppressed"]}
            for r in await report(conn, names, Filters(), None)}


async def headline(conn: asyncpg.Connection) -> dict[str, Any]:
    """Regency totals of the headline indicators plus the funnel: the live feed's message."""
    names = [ind.name for ind in CATALOG if ind.headline]
    return {"figures": await headline_figures(conn, names), "funnel": await funnel(conn, Filters())}


FUNNEL_STEPS = (
    ("registered", "Terdaftar"),
    ("trained", "Terlatih"),
    ("business", "Punya usaha"),
    ("market", "Akses pasar"),
    ("above_poverty_line", "Di atas garis kemiskinan"),
)


async def funnel(conn: asyncpg.Connection, filters: Filters) -> list[dict[str, Any]]:
    """The funnel of the women registered (in the period's months, when given) under the filters: per step,
    ``value`` = those who reached it (each step on its own: the stock), ``cohort`` = those who reached it and
    every step before it (of the registered, the trained; of those, with a business; ...), so each cohort step is
    a subset of the one before. Read from the cohort cells, not the history."""
    row = await conn.fetchrow(readmodel_reads.FUNNEL, filters.kecamatan, filters.period_from, filters.period_to,
                              filters.pekka_category, filters.age_band)
    steps = []
    for key, label in FUNNEL_STEPS:
        cohort = int(row["registered" if key == "registered" else f"c_{key}"])
        steps.append({"step": key, "label": label, "value": int(row[key]), "suppressed": False, "cohort": cohort})
    return steps


async def targets_progress(conn: asyncpg.Connection, year: int, kecamatan: str | None) -> list[dict[str, Any]]:
    """Each target of ``year`` (of one kecamatan, ``all``, or every one when None) with the indicator's exact value
    over that year's months and progress = actual / target."""
    rows = await conn.fetch(
        "SELECT kecamatan_code, indicator, target_value FROM public.targets WHERE year = $1"
        " AND ($2::text IS NULL OR kecamatan_code = $2) ORDER BY indicator, kecamatan_code", year, kecamatan,
    )
    out = []
    for row in rows:
        kec = None if row["kecamatan_code"] == "all" else row["kecamatan_code"]
        filters = Filters(kecamatan=kec, period_from=f"{year}-01", period_to=f"{year}-12")
        cell = (await compute(conn, row["indicator"], filters, None))[0]
        target = float(row["target_value"])
        progress = None if cell["value"] is None or target == 0 else round(cell["value"] / target, 4)
        out.append({"year": year, "kecamatan_code": row["kecamatan_code"], "indicator": row["indicator"],
                    "label": BY_NAME[row["indicator"]].label, "target": target, "actual": cell["value"],
                    "suppressed": cell["suppressed"], "progress": progress})
    return out


class PeriodFigures(NamedTuple):
    """What an evaluation round freezes: every indicator's cells for a period (regency total, kecamatan_code None,
    and by kecamatan: indicator, kecamatan_code, value, suppressed) and the year's target progress."""

    figures: list[dict[str, Any]]
    targets: list[dict[str, Any]]


async def period_figures(conn: asyncpg.Connection, months: tuple[str, str], year: int) -> PeriodFigures:
    """Every indicator over ``months`` (first, last YYYY-MM), regency and by kecamatan, and ``year``'s targets for
    the regency: exact (the round's internal face; the public sees the publication of the period)."""
    f = Filters(period_from=months[0], period_to=months[1])
    figures: list[dict[str, Any]] = []
    for ind in CATALOG:
        for group in (None, "kecamatan"):
            for c in await compute(conn, ind.name, f, group):
                figures.append({"indicator": ind.name, "kecamatan_code": None if group is None else c["key"],
                                "value": c["value"], "suppressed": c["suppressed"]})
    return PeriodFigures(figures, await targets_progress(conn, year, "all"))
