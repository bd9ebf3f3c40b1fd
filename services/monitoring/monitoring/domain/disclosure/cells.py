"""The cells of one family for one year, and the attacker's unknowns behind them.

The unknowns are the *inner cells* of the family's tables as an outsider sees them: for the geographic table,
(kecamatan, month, core attributes); for the desa table (published by year), (desa, core attributes); for each
breakdown, (value, month, core attributes). Every published cell is a sum of inner cells; the tables agree on
their shared totals (link rows). The tables of one family form a star around (month, core attributes), desa
hanging on their kecamatan: a decomposable set of margins, so these inner cells are exactly what any joint table
consistent with the margins could be (Lauritzen, Graphical Models, 1996, ch. 4): nothing an attacker could infer
from the whole joint table is missed.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import product

from . import periods as p
from .tables import Family, fits

KUKAR = "kukar"
UNKNOWN = "?"
CellKey = tuple[str, str, str, str]  # (table, period, dim, key): dim kukar|kecamatan|desa|<branch>; key '' for kukar


@dataclass(frozen=True)
class Row:
    """One counted record of a family's frozen basis (no personal data: refs, codes and bands)."""

    subject: str
    person: str | None
    month: str
    kecamatan: str | None
    desa: str | None
    branch: Mapping[str, str | None]
    core: Mapping[str, str]
    amount: float | None = None


@dataclass
class Cell:
    key: CellKey
    value: float
    people: int
    inner: tuple[int, ...]  # indices of the inner cells it sums
    level: str  # month | quarter | year (the period's)

    @property
    def table(self) -> str:
        return self.key[0]


@dataclass
class Space:
    """A family-year's cells, its inner cells (``n`` of them, by coordinate) and the link rows between tables."""

    family: Family
    year: str
    cells: dict[CellKey, Cell] = field(default_factory=dict)
    coords: dict[tuple, int] = field(default_factory=dict)
    links: list[tuple[tuple[int, ...], tuple[int, ...]]] = field(default_factory=list)  # sum(a) == sum(b)

    @property
    def n(self) -> int:
        return len(self.coords)

    def var(self, coord: tuple) -> int:
        return self.coords.setdefault(coord, len(self.coords))


def _key(value: str | None) -> str:
    return UNKNOWN if value is None else str(value)


def _cores(family: Family, rows: Iterable[Row]) -> list[tuple[tuple[str, str], ...]]:
    names = sorted(family.core)
    domains = [sorted(set(family.core[n]) | {r.core[n] for r in rows}) for n in names]
    return [tuple(zip(names, combo, strict=True)) for combo in product(*domains)]


def periods_of(family: Family, frozen_months: Iterable[str]) -> tuple[list[str], dict[str, list[str]]]:
    """The inner time units (months; quarters for sensitive tables) and every published period of the year with
    the inner units it sums: months frozen, quarters whose three months are frozen, the year when all twelve are."""
    months = sorted(set(frozen_months))
    quarters = sorted({p.quarter_of(m) for m in months if all(x in months for x in p.months_of(p.quarter_of(m)))})
    year = months[0][:4] if months else ""
    whole_year = len(months) == 12
    if family.sensitive:
        units = quarters
        spans = {q: [q] for q in quarters} | ({year: quarters} if whole_year else {})
    else:
        units = months
        spans = {m: [m] for m in months} | {q: list(p.months_of(q)) for q in quarters}
        spans |= {year: months} if whole_year else {}
    return units, spans


def build(family: Family, year: str, frozen_months: Iterable[str], rows: list[Row]) -> Space:
    """The cells of every table of ``family`` for ``year`` (its frozen months), with their values and people."""
    space = Space(family, year)
    units, spans = periods_of(family, frozen_months)
    cores = _cores(family, rows)
    if family.kecamatan:
        geos = sorted({_key(r.kecamatan) for r in rows})
    else:
        geos = [KUKAR]
    desas = sorted({(_key(r.kecamatan), _key(r.desa)) for r in rows}) if family.desa and year in spans else []
    branch_values = {b: sorted({_key(r.branch.get(b)) for r in rows}) for b in family.branches}

    def allowed(b: str, v: str, core: tuple[tuple[str, str], ...]) -> bool:
        implied = family.implies.get(b)
        return implied is None or all(dict(core).get(k) == x for k, x in implied(v).items())

    for u, core in product(units, cores):
        geo_vars = tuple(space.var(("geo", g, u, core)) for g in geos)
        for b, values in branch_values.items():
            branch_vars = tuple(space.var((b, v, u, core)) for v in values if allowed(b, v, core))
            space.links.append((geo_vars, branch_vars))
    # Desa are published by year only: their own table, agreeing with each kecamatan's year total.
    for kec, core in product(geos, cores) if desas else ():
        mine = tuple(space.var(("desa", k, d, core)) for k, d in desas if k == kec)
        space.links.append((mine, tuple(space.coords[("geo", kec, u, core)] for u in units)))

    def inner(dim: str, key: str, span: list[str], table_where: Mapping[str, str | tuple[str, ...]]) -> tuple[int, ...]:
        chosen = [c for c in cores if fits(dict(c), table_where)]
        out = []
        if dim == "desa":  # a desa code names one kecamatan's desa; '?' (no desa recorded) sums over them all
            return tuple(space.coords[("desa", k, d, core)] for k, d in desas if d == key for core in chosen)
        for u, core in product(span, chosen):
            if dim == KUKAR:
                out += [space.coords[("geo", g, u, core)] for g in geos]
            elif dim == "kecamatan":
                out.append(space.coords[("geo", key, u, core)])
            elif (dim, key, u, core) in space.coords:
                out.append(space.coords[(dim, key, u, core)])
        return tuple(out)

    dims: list[tuple[str, list[str], bool]] = [(KUKAR, [""], False)]
    if family.kecamatan:
        dims.append(("kecamatan", geos, False))
    if desas:
        dims.append(("desa", sorted({d for _, d in desas}), True))
    dims += [(b, branch_values[b], False) for b in family.branches]
    for table in family.tables:
        for period, span in spans.items():
            lvl = p.level(period) or "month"
            for dim, keys, year_only in dims:
                if year_only and lvl != "year":
                    continue
                for key in keys:
                    ck = (table.name, period, dim, key)
                    space.cells[ck] = Cell(ck, 0.0, 0, inner(dim, key, span, table.where), lvl)
    _fill(space, family, rows, spans)
    return space


def memberships(family: Family, row: Row, spans: Mapping[str, list[str]]) -> Iterable[CellKey]:
    """Every cell of the family-year ``row`` is counted in."""
    unit = p.quarter_of(row.month) if family.sensitive else row.month
    geo = [(KUKAR, "")] + ([("kecamatan", _key(row.kecamatan))] if family.kecamatan else [])
    dims = geo + [(b, _key(row.branch.get(b))) for b in family.branches]
    for period, span in spans.items():
        if unit not in span:
            continue
        keys = dims + ([("desa", _key(row.desa))] if family.desa and p.level(period) == "year" else [])
        for table in family.tables:
            if table.matches(row.core):
                for dim, key in keys:
                    yield (table.name, period, dim, key)


def _fill(space: Space, family: Family, rows: list[Row], spans: Mapping[str, list[str]]) -> None:
    values: dict[CellKey, float] = defaultdict(float)
    people: dict[CellKey, set[str]] = defaultdict(set)
    for r in rows:
        for ck in memberships(family, r, spans):
            values[ck] += (r.amount or 0) if family.unit == "amount" else 1
            if r.person:
                people[ck].add(r.person)
    for ck, cell in space.cells.items():
        cell.value = values.get(ck, 0.0)
        cell.people = len(people.get(ck, ()))
