"""The public funnel, headline, target progress and a round's figures, each made of published cells only."""

from typing import Any

import asyncpg

from ..adapters import publication as pub
from ..domain.disclosure import periods as p
from ..domain.disclosure.tables import SENSITIVE
from ..domain.indicators import BY_NAME, CATALOG
from . import publication

# The public funnel over a period: women reaching each step for the first time in it (the published flows).
FUNNEL_STEPS = (
    ("registered", "Terdaftar", "women_registered"),
    ("trained", "Terlatih", "women_trained"),
    ("business", "Memulai usaha", "women_first_business"),
    ("market", "Akses pasar", "women_first_market"),
    ("poverty_exit", "Keluar dari kemiskinan", "poverty_exits"),
)


async def funnel(conn: asyncpg.Connection, period: str | None, dim: str | None, key: str | None) -> dict[str, Any]:
    period = period or await publication.default_period(conn)
    steps = []
    for step, label, table in FUNNEL_STEPS:
        c = await publication.cell(conn, table, period, dim or "kukar", key or "" if dim is None else key or "?")
        value = c["value"] if c else None
        steps.append({"step": step, "label": label, "value": int(value) if value is not None else None,
                      "suppressed": bool(c and c["suppressed"])})
    return {"period": period, "steps": steps}


async def headline(conn: asyncpg.Connection) -> dict[str, Any]:
    """The regency's headline figures and funnel for the latest released period: the public live message."""
    release = await pub.latest_release(conn)
    try:
        period = await publication.default_period(conn)
    except Exception:  # noqa: BLE001 - nothing released yet: an empty message
        return {"period": None, "release_id": None, "figures": {}, "funnel": []}
    figures = {}
    for ind in CATALOG:
        if ind.headline:
            c = await publication.cell(conn, ind.name, period)
            figures[ind.name] = {"value": c["value"] if c else None, "suppressed": bool(c and c["suppressed"])}
    return {"period": period, "release_id": release["release_id"] if release else None, "figures": figures,
            "funnel": (await funnel(conn, period, None, None))["steps"]}


async def year_to_date(conn: asyncpg.Connection, name: str, year: int, kecamatan: str | None) -> dict[str, Any]:
    """An indicator over ``year`` as far as released: the year cell once released, else the sum of the coarsest
    published cells tiling the released months (withheld when one of them is); ratios and medians only by year."""
    dim, key = ("kukar", "") if kecamatan is None else ("kecamatan", kecamatan)
    whole = await publication.cell(conn, name, str(year), dim, key)
    if whole is not None:
        return whole
    if BY_NAME[name].kind in ("ratio", "median_idr"):
        return {"value": None, "suppressed": True}
    months = [x for x in await pub.released_periods(conn, name) if p.level(x) == "month" and x.startswith(str(year))]
    if not months:
        return {"value": None, "suppressed": True}
    total = 0.0
    for part in p.covering(months[0], months[-1]):
        c = await publication.cell(conn, name, part, dim, key)
        if c is None and kecamatan is not None:
            continue  # no record of the kecamatan in that period: zero
        if c is None or c["suppressed"]:
            return {"value": None, "suppressed": True}
        total += c["value"] or 0.0
    return {"value": total, "suppressed": False}


async def targets(conn: asyncpg.Connection, year: int, kecamatan: str | None) -> list[dict[str, Any]]:
    rows = await conn.fetch(
        "SELECT kecamatan_code, indicator, target_value FROM public.targets WHERE year = $1"
        " AND ($2::text IS NULL OR kecamatan_code = $2) ORDER BY indicator, kecamatan_code", year, kecamatan)
    out = []
    for row in rows:
        kec = None if row["kecamatan_code"] == "all" else row["kecamatan_code"]
        if kec is not None and row["indicator"] in SENSITIVE:
            actual = {"value": None, "suppressed": True}
        else:
            actual = await year_to_date(conn, row["indicator"], year, kec)
        target = float(row["target_value"])
        value = actual["value"]
        out.append({"year": year, "kecamatan_code": row["kecamatan_code"], "indicator": row["indicator"],
                    "label": BY_NAME[row["indicator"]].label, "target": target, "actual": value,
                    "suppressed": actual["suppressed"],
                    "progress": None if value is None or target == 0 else round(value / target, 4)})
    return out


async def round_figures(conn: asyncpg.Connection, months: tuple[str, str]) -> list[dict[str, Any]]:
    """A round's figures as the public sees them: the published cells of its period (regency, and by kecamatan
    where the grid has it); an indicator not released for the period is left out."""
    period = p.from_range(*months)
    out: list[dict[str, Any]] = []
    for ind in CATALOG:
        regency = await publication.cell(conn, ind.name, period) if period else None
        if regency is None:
            continue  # not released for this period (yet): nothing to show
        out.append({"indicator": ind.name, "kecamatan_code": None, "value": regency["value"],
                    "suppressed": regency["suppressed"]})
        if period and ind.name not in SENSITIVE:
            for r in await pub.cells(conn, [ind.name], [period], "kecamatan"):
                c = publication._cell(ind.name, r)  # noqa: SLF001 - the same cell shape
                if c["key"] is not None:
                    out.append({"indicator": ind.name, "kecamatan_code": c["key"], "value": c["value"],
                                "suppressed": c["suppressed"]})
    return out
