"""The figures computed straight from their definitions over the fact tables (every read aggregates the whole
history): the reference the maintained read models are held to (``tests/monitoring/test_readmodel.py``) and the
"before" of the scale bench. The API reads the read models (``indicators.compute``)."""

from typing import Any

import asyncpg

from ..adapters.indicator_sql import AGGREGATE, BASE_SQL, FIRST, FUNNEL, GROUP_COLUMN
from ..domain.indicators import BY_NAME, exact_value
from .indicators import FUNNEL_STEPS, Filters


def _base(name: str) -> str:
    """The indicator's records, each counted subject once (its first occurrence); Rupiah sums keep every record."""
    return BASE_SQL[name] if BY_NAME[name].kind == "sum_idr" else FIRST.format(base=BASE_SQL[name])


async def compute(conn: asyncpg.Connection, name: str, filters: Filters, group_by: str | None) -> list[dict[str, Any]]:
    """``indicators.compute``'s answer, aggregated from the facts (search_path on the projection schema)."""
    indicator = BY_NAME[name]
    cells = []
    for row in await conn.fetch(AGGREGATE.format(group=GROUP_COLUMN[group_by], base=_base(name)), *filters.args()):
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


async def funnel_stock(conn: asyncpg.Connection, filters: Filters) -> list[dict[str, Any]]:
    """The funnel's stock values (each step counted on its own over registered women), from the facts."""
    row = await conn.fetchrow(FUNNEL, filters.kecamatan, filters.pekka_category, filters.age_band)
    return [{"step": key, "label": label, "value": int(row[key]), "suppressed": False} for key, label in FUNNEL_STEPS]
