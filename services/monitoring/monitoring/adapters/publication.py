"""SQL of the publication: the frozen basis of each family, the cells releases computed, and the public reads.

A family's basis query yields one row per counted subject (its first occurrence for counts of distinct subjects),
with the month it is counted in, its dimensions and core attributes; a release copies the rows of the months it
freezes into ``pub_basis`` and never touches them again.
"""

import json
from collections.abc import Iterable, Sequence
from typing import Any

import asyncpg

from ..domain.disclosure.cells import Row
from ..domain.disclosure.tables import FAMILIES
from .indicator_sql import BASE_SQL, LEGALITY


def _basis(base: str, core: str = "'{}'::jsonb", where: str = "num", first: bool = True) -> str:
    head = "SELECT DISTINCT ON (subject)" if first else "SELECT"
    order = " ORDER BY subject, period, opd NULLS LAST, field NULLS LAST, kecamatan_code NULLS LAST" if first else ""
    return (f"{head} subject, person_ref, period AS month, kecamatan_code, desa_code, opd, field, age_band,"
            f" pekka_category, {core} AS core, amount::float8 AS amount FROM ({base}) f"
            f" WHERE period IS NOT NULL AND {where}{order}")


def _flag(name: str) -> str:
    return f"jsonb_build_object('{name}', num::int::text)"


# The cohort's records are the women family's frozen records (same subjects, month and kecamatan: its stages add up
# to the published registrations, ``tables.SAME_TOTAL``), each with the last step she had reached in order when the
# cohort month is frozen, from the funnel's read model (``_funnel`` records: four step flags, '1' = reached).
COHORT_BASIS = """SELECT w.subject, w.person_ref, w.month, w.kecamatan_code, w.desa_code, w.opd, NULL::text AS field,
  w.age_band, w.pekka_category, jsonb_build_object('stage', CASE WHEN f.field = '1111' THEN '4'
    WHEN f.field LIKE '111%' THEN '3' WHEN f.field LIKE '11%' THEN '2' WHEN f.field LIKE '1%' THEN '1' ELSE '0' END)
    AS core, NULL::float8 AS amount
FROM public.pub_basis w LEFT JOIN (SELECT DISTINCT ON (subject) subject, field FROM rm_contrib
  WHERE indicator = '_funnel' ORDER BY subject, field DESC) f ON f.subject = w.subject
WHERE w.family = 'women'"""
BASIS_SQL: dict[str, str] = {f.name: _basis(BASE_SQL[f.tables[0].name]) for f in FAMILIES
                             if f.tables[0].name in BASE_SQL}
BASIS_SQL |= {
    "women": _basis(BASE_SQL["women_registered"], "jsonb_build_object('pekka', CASE WHEN pekka_category IS NULL"
                    " OR pekka_category = 'none' THEN '0' ELSE '1' END)"),
    "completion_cohort": _basis(BASE_SQL["completion_rate"], _flag("completed"), "true"),
    "startup": _basis(BASE_SQL["business_startups"], _flag("started"), "true"),
    "ukm": _basis(LEGALITY, "jsonb_build_object('nib', substr(num, 1, 1), 'pirt', substr(num, 2, 1),"
                  " 'halal', substr(num, 3, 1))", "true"),
    "revenue": _basis(BASE_SQL["revenue_change_median"]),
    "capital_disbursed_idr": _basis(BASE_SQL["capital_disbursed_idr"], first=False),
    "sales": _basis(BASE_SQL["sales_total_idr"], "jsonb_build_object('channel', channel)", first=False),
    "poverty_cohort": _basis(BASE_SQL["poverty_exit_rate"], _flag("exited"), "true"),
    "cohort": COHORT_BASIS,
}
assert set(BASIS_SQL) == {f.name for f in FAMILIES}, "every family needs its basis query"


async def frozen_months(conn: asyncpg.Connection) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for r in await conn.fetch("SELECT family, month FROM public.pub_months"):
        out.setdefault(r["family"], set()).add(r["month"])
    return out


async def new_release(conn: asyncpg.Connection, as_of: Any) -> int:
    return await conn.fetchval("INSERT INTO public.pub_releases (as_of, frozen, cells, withheld, seconds)"
                               " VALUES ($1, '{}', 0, 0, 0) RETURNING release_id", as_of)


async def finish_release(conn: asyncpg.Connection, release_id: int, frozen: dict[str, list[str]], cells: int,
                         withheld: int, seconds: float) -> None:
    await conn.execute("UPDATE public.pub_releases SET frozen = $2::jsonb, cells = $3, withheld = $4, seconds = $5"
                       " WHERE release_id = $1", release_id, json.dumps(frozen), cells, withheld, seconds)


async def freeze(conn: asyncpg.Connection, family: str, months: Sequence[str], release_id: int) -> int:
    """Copy ``family``'s records of ``months`` from the live projection (the caller's snapshot) into the basis;
    subjects already frozen in an earlier month stay where they are. Returns the rows added."""
    await conn.executemany("INSERT INTO public.pub_months VALUES ($1, $2, $3)",
                           [(family, m, release_id) for m in months])
    status = await conn.execute(
        "INSERT INTO public.pub_basis (family, subject, person_ref, month, kecamatan_code, desa_code, opd, field,"
        " age_band, pekka_category, core, amount, release_id)"
        f" SELECT $1, b.*, $3 FROM ({BASIS_SQL[family]}) b WHERE b.month = ANY($2::text[])"
        " ON CONFLICT (family, subject) DO NOTHING", family, list(months), release_id)
    return int(status.split()[-1])


async def basis(conn: asyncpg.Connection, family: str, year: str) -> list[Row]:
    rows = await conn.fetch(
        "SELECT subject, person_ref, month, kecamatan_code, desa_code, opd, field, age_band, pekka_category, core,"
        " amount FROM public.pub_basis WHERE family = $1 AND month LIKE $2", family, f"{year}-%")
    return [Row(r["subject"], str(r["person_ref"]) if r["person_ref"] else None, r["month"], r["kecamatan_code"],
                r["desa_code"], {"age_band": r["age_band"], "pekka_category": r["pekka_category"], "opd": r["opd"],
                                 "field": r["field"]}, json.loads(r["core"]), r["amount"]) for r in rows]


async def statuses(conn: asyncpg.Connection, tables: Iterable[str], year: str) -> dict[tuple, str]:
    """The status of every stored cell of ``tables`` in ``year`` (its months, quarters and the year)."""
    rows = await conn.fetch("SELECT indicator, period, dim, key, status FROM public.pub_cells"
                            " WHERE indicator = ANY($1::text[]) AND left(period, 4) = $2", list(tables), year)
    return {(r["indicator"], r["period"], r["dim"], r["key"]): r["status"] for r in rows}


async def store(conn: asyncpg.Connection, cells: Iterable[tuple], release_id: int) -> int:
    """Store new cells: (indicator, period, dim, key, value, denominator, people, status)."""
    rows = [(*c, release_id) for c in cells]
    await conn.executemany("INSERT INTO public.pub_cells VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
                           " ON CONFLICT DO NOTHING", rows)
    return len(rows)


_CELL = "SELECT indicator, period, dim, key, value, denominator, status FROM public.pub_cells"


async def cells(conn: asyncpg.Connection, indicators: Sequence[str], periods: Sequence[str],
                dim: str, keys: Sequence[str] | None = None) -> list[asyncpg.Record]:
    """Stored cells of ``indicators`` for ``periods`` along ``dim`` (only ``keys`` when given)."""
    return await conn.fetch(
        _CELL + " WHERE indicator = ANY($1::text[]) AND period = ANY($2::text[]) AND dim = $3"
        " AND ($4::text[] IS NULL OR key = ANY($4::text[])) ORDER BY indicator, period, key",
        list(indicators), list(periods), dim, list(keys) if keys is not None else None)


async def released_periods(conn: asyncpg.Connection, table: str = "women_registered") -> list[str]:
    """Every period with published cells of ``table``, oldest first."""
    rows = await conn.fetch("SELECT DISTINCT period FROM public.pub_cells WHERE indicator = $1 AND dim = 'kukar'",
                            table)
    return sorted(r["period"] for r in rows)


async def latest_release(conn: asyncpg.Connection) -> asyncpg.Record | None:
    return await conn.fetchrow("SELECT release_id, made_at, as_of FROM public.pub_releases"
                               " ORDER BY release_id DESC LIMIT 1")


async def release_cells(conn: asyncpg.Connection, release_id: int, indicators: Sequence[str]) -> list[asyncpg.Record]:
    """The cells a release added for ``indicators``, regency and by kecamatan, by month (the live feed's)."""
    return await conn.fetch(_CELL + " WHERE release_id = $1 AND indicator = ANY($2::text[])"
                            " AND dim IN ('kukar', 'kecamatan') AND period ~ '^[0-9]{4}-[0-9]{2}$'"
                            " ORDER BY indicator, period, key", release_id, list(indicators))
