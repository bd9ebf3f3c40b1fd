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

from ..adapters import LIVE_SCHEMA
from ..adapters.indicator_sql import AGGREGATE, BASE_SQL, FIRST, FUNNEL, GROUP_COLUMN
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

    def args(self) -> tuple[str | None, ...]:
        return (self.kecamatan, self.period_from, self.period_to, self.opd, self.field, self.pekka_category,
                self.age_band)


T = TypeVar("T")


@asynccontextmanager
async def snapshot_on(conn: asyncpg.Connection) -> AsyncIterator[asyncpg.Connection]:
    """``conn`` in a read-only, repeatable-read transaction on the live projection (no transaction may be open)."""
    async with conn.transaction(isolation="repeatable_read", readonly=True):
        # JIT compilation costs more than these sub-second aggregates gain from it (measured: 0.3 s of a 1.7 s funnel)
        await conn.execute(f"SET LOCAL search_path TO {LIVE_SCHEMA}, public; SET LOCAL jit = off")
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


def _base(name: str) -> str:
    """The indicator's records, each counted subject once (its first occurrence); Rupiah sums keep every record."""
    return BASE_SQL[name] if BY_NAME[name].kind == "sum_idr" else FIRST.format(base=BASE_SQL[name])


async def compute(conn: asyncpg.Connection, name: str, filters: Filters, group_by: str | None) -> list[dict[str, Any]]:
    indicator = BY_NAME[name]
    sql = AGGREGATE.format(group=GROUP_COLUMN[group_by], base=_base(name))
    cells = []
    for row in await conn.fetch(sql, *filters.args()):
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


async def report(conn: asyncpg.Connection, names: list[str], filters: Filters,
                 group_by: str | None) -> list[dict[str, Any]]:
    """The named indicators (each: indicator, label, kind, group, cells) under ``filters``, grouped by ``group_by``."""
    out = []
    for name in names:
        ind = BY_NAME[name]
        out.append({"indicator": name, "label": ind.label, "kind": ind.kind, "group": ind.group,
                    "cells": await compute(conn, name, filters, group_by)})
    return out


async def report_view(conn: asyncpg.Connection, names: list[str] | None, filters: Filters,
                      group_by: str | None) -> dict[str, Any]:
    """The answer of ``GET /api/indicators``: group_by, the filters applied, the indicators (all when ``names`` is
    empty)."""
    chosen = list(names) if names else [i.name for i in CATALOG]
    return {"group_by": group_by, "filters": asdict(filters), "face": "internal",
            "indicators": await report(conn, chosen, filters, group_by)}


async def headline(conn: asyncpg.Connection) -> dict[str, Any]:
    """Regency totals of the headline indicators plus the funnel: the live feed's message."""
    figures = {}
    for ind in CATALOG:
        if ind.headline:
            cell = (await compute(conn, ind.name, Filters(), None))[0]
            figures[ind.name] = {"value": cell["value"], "suppressed": cell["suppressed"]}
    return {"figures": figures, "funnel": await funnel(conn, Filters())}


FUNNEL_STEPS = (
    ("registered", "Terdaftar"),
    ("trained", "Terlatih"),
    ("business", "Punya usaha"),
    ("market", "Akses pasar"),
    ("above_poverty_line", "Di atas garis kemiskinan"),
)


async def funnel(conn: asyncpg.Connection, filters: Filters) -> list[dict[str, Any]]:
    row = await conn.fetchrow(FUNNEL, filters.kecamatan, filters.pekka_category, filters.age_band)
    steps = []
    for key, label in FUNNEL_STEPS:
        steps.append({"step": key, "label": label, "value": int(row[key]), "suppressed": False})
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
