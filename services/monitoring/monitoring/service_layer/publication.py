"""The public face of every figure: reads of the publication a release stored, on the public grid only.

Every answer here is a set of stored cells (a withheld cell shows no value) or a sum of published cells (a
year-to-date figure, a funnel over a period): nothing an earlier release did not already publish. A request off
the grid (another period range, two breakdowns at once, a sensitive indicator by kecamatan or by month) is
refused with ``Forbidden``: exact figures and arbitrary queries need the ``figures:internal`` scope.
"""

from dataclasses import dataclass
from typing import Any

import asyncpg
from berdaya_shared import errors

from ..adapters import publication as pub
from ..domain.disclosure import periods as p
from ..domain.disclosure.tables import FAMILY_OF_TABLE, RATIO, SENSITIVE, grid_dims
from ..domain.indicators import BY_NAME, CATALOG

MARK = "x"  # the mark of a withheld cell, whatever the reason (see the legend on the dashboard and in exports)
BREAKDOWNS = ("age_band", "pekka_category", "opd", "field")


def _refuse(field: str, pesan: str, detail: str) -> errors.Forbidden:
    return errors.Forbidden(pesan + " Angka rinci di luar kisi publik hanya untuk tim evaluasi (izin figures:internal).",
                            detail + " (exact figures need the figures:internal scope)", field=field)


@dataclass(frozen=True)
class Query:
    """A public request on the grid: a period (None: the latest released), one breakdown to list (``group_by``)
    and at most one breakdown value to pick (``dim``/``key``)."""

    period: str | None
    group_by: str | None
    dim: str | None = None
    key: str | None = None


def query_of(period: str | None, period_from: str | None, period_to: str | None, group_by: str | None,
             filters: dict[str, str | None]) -> Query:
    """The grid request a public caller's parameters name. Raises Forbidden off the grid."""
    if period is None and (period_from or period_to):
        period = p.from_range(period_from or period_to, period_to or period_from)
        if period is None:
            raise _refuse("period_from", "Publik hanya dapat memilih satu bulan, triwulan atau tahun kalender.",
                          f"{period_from}..{period_to} is not a calendar month, quarter or year")
    picked = [(k, v) for k, v in filters.items() if v is not None]
    if len(picked) > 1:
        raise _refuse(picked[1][0], "Publik hanya dapat memilih satu rincian sekaligus.",
                      "at most one of kecamatan, opd, field, pekka_category, age_band on the public grid")
    dim, key = (picked[0] if picked else (None, None))
    if dim is not None and group_by not in (None, "period") and not (dim == "kecamatan" and group_by == "desa"):
        raise _refuse(group_by or "group_by", "Rincian ini tidak dapat digabung dengan pengelompokan lain.",
                      f"{dim}={key} with group_by={group_by} is not on the public grid")
    return Query(period, group_by, dim, key)


def _allowed(name: str, q: Query, level: str | None) -> bool:
    dims = grid_dims(name)
    sensitive = name in SENSITIVE
    if sensitive and level == "month":
        return False
    if q.group_by in ("kecamatan", "desa", *BREAKDOWNS) and q.group_by not in dims:
        return False
    if q.group_by == "desa" and level != "year":
        return False
    return q.dim is None or q.dim in dims


def _cell(name: str, row: Any, by_period: bool = False) -> dict[str, Any]:
    key = row["period"] if by_period else row["key"]
    shown = row["status"] == "published"
    cell: dict[str, Any] = {"key": "total" if row["dim"] == "kukar" and key == "" else (None if key == "?" else key),
                            "value": row["value"] if shown else None, "suppressed": not shown}
    if name in RATIO:
        cell["denominator"] = int(row["denominator"]) if shown and row["denominator"] is not None else None
    return cell


async def default_period(conn: asyncpg.Connection) -> str:
    """The latest released year, else the latest released quarter, else month. Raises NotFound before any."""
    released = await pub.released_periods(conn)
    for level in ("year", "quarter", "month"):
        found = [x for x in released if p.level(x) == level]
        if found:
            return found[-1]
    raise errors.NotFound("Belum ada angka yang dirilis untuk publik", "no release yet", field="period")


async def report(conn: asyncpg.Connection, names: list[str] | None, q: Query) -> dict[str, Any]:
    """``GET /api/indicators`` for the public: the named indicators (all on the grid for the request when none)."""
    period = q.period or await default_period(conn)
    level = p.level(period)
    chosen = list(names) if names else [i.name for i in CATALOG]
    off = [n for n in chosen if not _allowed(n, q, "month" if q.group_by == "period" and n not in SENSITIVE
                                             else level)]
    if names and off:
        raise _refuse("indicator", f"Indikator {off[0]} tidak diterbitkan dengan rincian ini"
                      + (" (bantuan sensitif: hanya tingkat kabupaten, per triwulan atau tahun)." if off[0] in SENSITIVE
                         else "."), f"{off[0]} is not on the public grid for this request")
    out = []
    for name in chosen:
        if name in off:
            continue
        ind = BY_NAME[name]
        periods, dim, keys = _plan(name, q, period)
        rows = await pub.cells(conn, [name], periods, dim, keys)
        if q.group_by == "desa" and q.dim == "kecamatan":
            rows = [r for r in rows if r["key"].startswith(f"{q.key}.")]
        released = bool(rows) or bool(await pub.cells(conn, [name], periods, "kukar"))
        out.append({"indicator": name, "label": ind.label, "kind": ind.kind, "group": ind.group,
                    "released": released, "cells": [_cell(name, r, q.group_by == "period") for r in rows]})
    return {"group_by": q.group_by, "period": period, "face": "publik",
            "filters": {"period": period, **({q.dim: q.key} if q.dim else {})}, "indicators": out}


def _plan(name: str, q: Query, period: str) -> tuple[list[str], str, list[str] | None]:
    """(periods, dim, keys) of the stored cells answering ``q`` for ``name``."""
    if q.group_by == "period":
        if p.level(period) == "month":
            periods = [period]
        elif name in SENSITIVE:
            periods = sorted({p.quarter_of(m) for m in p.months_of(period)})
        else:
            periods = list(p.months_of(period))
    else:
        periods = [period]
    if q.group_by in ("kecamatan", "desa", *BREAKDOWNS):
        return periods, q.group_by, None
    if q.dim is not None:
        return periods, q.dim, [q.key or "?"]
    return periods, "kukar", None


async def cell(conn: asyncpg.Connection, name: str, period: str, dim: str = "kukar",
               key: str = "") -> dict[str, Any] | None:
    """One stored cell (None when not released)."""
    rows = await pub.cells(conn, [name], [period], dim, [key])
    return _cell(name, rows[0]) if rows else None


def family_of(name: str) -> str | None:
    fam = FAMILY_OF_TABLE.get(RATIO[name].den if name in RATIO else name)
    return fam.name if fam else None


async def released(conn: asyncpg.Connection) -> dict[str, Any]:
    """The released periods (for the dashboard's choice), the default one and the latest release."""
    periods = await pub.released_periods(conn)
    latest = await pub.latest_release(conn)
    default = None
    if periods:
        default = await default_period(conn)
    return {"periods": periods, "default": default, "release_id": latest["release_id"] if latest else None,
            "released_at": latest["made_at"].isoformat() if latest else None}
