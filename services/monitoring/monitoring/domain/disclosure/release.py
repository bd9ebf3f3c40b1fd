"""What a release publishes: which months it freezes, and the cells it adds (counts and sums as protected,
ratios and medians derived from them). Pure functions over the cell spaces of ``cells``."""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date
from statistics import median

from . import periods as p
from .cells import CellKey, Row, Space, memberships, periods_of
from .tables import MIN_CELL, RATIOS, Family

Stored = tuple[str, str, str, str, float | None, float | None, int, str]  # pub_cells row without its release


def due(family: Family, start: str, today: date, grace_days: int, frozen: Iterable[str]) -> list[str]:
    """The months from ``start`` that are closed on ``today`` for ``family`` and not frozen yet."""
    done = set(frozen)
    out = []
    y, m = int(start[:4]), int(start[5:7])
    while (y, m) <= (today.year, today.month):
        month = f"{y:04d}-{m:02d}"
        if month not in done and p.closed(month, today, grace_days=grace_days, lag_days=family.lag_days):
            out.append(month)
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def new_cells(space: Space, status: Mapping[CellKey, str], old: Mapping[CellKey, str]) -> list[Stored]:
    """The counted and summed cells of ``space`` that no earlier release stored, with their status."""
    return [(*key, cell.value, None, cell.people, status[key]) for key, cell in space.cells.items() if key not in old]


def ratio_cells(space: Space, status: Mapping[CellKey, str], old: Mapping[CellKey, str]) -> list[Stored]:
    """Each ratio of the family, cell by cell: published only where its numerator and denominator both are (the
    denominator then travels with it); 4 decimals; no value where the denominator is 0."""
    out: list[Stored] = []
    names = {t.name for t in space.family.tables}
    for r in RATIOS:
        if r.den not in names:
            continue
        for key, den in space.cells.items():
            if key[0] != r.den or key in old:
                continue
            num = space.cells[(r.num, *key[1:])]
            shown = status[key] == "published" and status[num.key] == "published"
            value = (round(num.value / den.value, 4) if den.value else None) if shown else None
            out.append((r.name, *key[1:], value, den.value if shown else None, den.people,
                        "published" if shown else "secondary"))
    return out


def median_cells(family: Family, space: Space, rows: list[Row], frozen_months: Iterable[str],
                 old: Mapping[CellKey, str]) -> list[Stored]:
    """Medians of the records' amounts, cell by cell, published where at least ``MIN_CELL`` people contribute."""
    _, spans = periods_of(family, frozen_months)
    amounts: dict[CellKey, list[float]] = defaultdict(list)
    for r in rows:
        for key in memberships(family, r, spans):
            amounts[key].append(float(r.amount or 0))
    out: list[Stored] = []
    for key, cell in space.cells.items():
        if key in old:
            continue
        few = 0 < cell.people < MIN_CELL
        value = None if few or not amounts.get(key) else float(median(amounts[key]))
        out.append((*key, value, None, cell.people, "primary" if few else "published"))
    return out
