"""Primary and secondary protection of a release, with the linear-programming audit as the arbiter.

1. Primary: a cell tied to 1..4 people is withheld (sensitive tables: under ``SENSITIVE_MIN``, zeros included).
2. Ratio coupling: a table revealed only through a ratio is withheld wherever its partner is.
3. Audit: the attacker's program (``audit.Attack``) gives every withheld cell (and every never-shown complement
   tied to few people) the range an outsider can derive. It is disclosed when fewer than two whole numbers remain
   (counts), when the range is narrower than a fifth of the value (Rupiah), or, for sensitive tables, when it
   excludes 0.
4. Secondary: for each disclosed cell, the cheapest published cell binding its range (non-zero dual; fewest
   people, finest period, a regency cell after any other, smallest value — after GaussSuppression's priority,
   Statistics Norway) is withheld too; then back to 3. Cells published by an earlier release are never withdrawn: they are
   part of what the attacker knows.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from .audit import INF, Attack, Range
from .cells import KUKAR, Cell, CellKey, Space
from .tables import FAMILY_OF_TABLE, MIN_CELL, RATIOS, Family

Status = Literal["published", "primary", "secondary", "design"]
HIDDEN = ("primary", "secondary", "design")
AMOUNT_PROTECTION = 0.2  # a withheld Rupiah sum must stay uncertain over at least a fifth of its value
_LEVEL = {"month": 0, "quarter": 1, "year": 2}


@dataclass(frozen=True)
class Finding:
    """A withheld cell an outsider can narrow down too far, with the range the attack found."""

    key: CellKey
    value: float
    low: float
    high: float


def is_primary(family: Family, cell: Cell) -> bool:
    if family.unit == "object":
        return False
    if family.sensitive:
        return cell.people < family.threshold
    return 0 < cell.people < MIN_CELL


def is_protected(family: Family, cell: Cell, status: str) -> bool:
    """A withheld cell that must not be derivable: every cell shown withheld (marked x), a ratio's part behind a
    withheld ratio, and a never-shown complement tied to few people."""
    if status == "published" or family.unit == "object":
        return False
    if status in ("primary", "secondary") or is_primary(family, cell):
        return True
    return _ratio_only(cell.key[0]) and cell.value > 0


def known_range(family: Family, cell: Cell, status: str) -> tuple[float, float]:
    """What an outsider knows of a cell from its publication: its value, or, for a withheld cell, only that it is
    not zero where zeros are published (every withheld cell carries the same mark, whatever the reason, so its
    mark says nothing of its size). Sensitive tables withhold zeros too: there a withheld cell may be 0."""
    if status == "published":
        return cell.value, cell.value
    if status == "design" or family.unit == "amount" or family.sensitive:
        return 0.0, INF
    return 1.0, INF


def disclosed(family: Family, cell: Cell, found: Range) -> bool:
    if family.unit == "amount":
        return found.high - found.low < max(1.0, AMOUNT_PROTECTION * cell.value)
    if found.integers() < 2:
        return True
    return family.sensitive and found.low > 1e-6  # a sensitive cell must not even be bounded away from 0


def initial(spaces: Sequence[Space], frozen: Mapping[CellKey, str]) -> dict[CellKey, str]:
    """Statuses before secondary protection: an earlier release's as they were, design tables withheld,
    primary cells withheld, everything else published; then ratio coupling."""
    status: dict[CellKey, str] = {}
    for space in spaces:
        fam = space.family
        tables = {t.name: t for t in fam.tables}
        for key, cell in space.cells.items():
            table = tables[key[0]]
            if key in frozen:
                status[key] = frozen[key]
            elif table.design:
                status[key] = "design"
            elif is_primary(fam, cell):
                status[key] = "design" if table.ratio_only else "primary"
            else:
                status[key] = "published"
    couple(status, frozen)
    return status


def couple(status: dict[CellKey, str], frozen: Mapping[CellKey, str]) -> None:
    """A ratio-only table is published only where its partner is (otherwise it is never seen)."""
    for r in RATIOS:
        num_only = _ratio_only(r.num)
        den_only = _ratio_only(r.den)
        for key, st in list(status.items()):
            if key[0] not in (r.num, r.den) or key in frozen:
                continue
            partner = (r.den if key[0] == r.num else r.num, *key[1:])
            mine_only = num_only if key[0] == r.num else den_only
            if mine_only and st == "published" and status.get(partner, "published") != "published":
                status[key] = "design"


def _ratio_only(table: str) -> bool:
    fam = FAMILY_OF_TABLE[table]
    return next(t.ratio_only for t in fam.tables if t.name == table)


class Model:
    """The attack on a group of spaces (a family-year, or families linked by a relation) under given statuses."""

    def __init__(self, spaces: Sequence[Space], status: Mapping[CellKey, str],
                 at_most: Iterable[tuple[str, str]] = (), same_total: Iterable[tuple[str, str]] = ()) -> None:
        self.cells: list[tuple[Family, Cell]] = []
        equal: list[tuple[list[int], list[int]]] = []
        offset, offsets = 0, {}
        for space in spaces:
            offsets[space.family.name] = (offset, space)
            equal += [([offset + i for i in a], [offset + i for i in b]) for a, b in space.links]
            self.cells += [(space.family, c) for c in space.cells.values()]
            offset += space.n
        pairs = []
        for left, right in at_most:
            if left in offsets and right in offsets:
                (lo, ls), (ro, rs) = offsets[left], offsets[right]
                pairs += [(lo + i, ro + rs.coords[c]) for c, i in ls.coords.items() if c in rs.coords]
        for left, right in same_total:
            if left in offsets and right in offsets:
                equal += _same_total(*offsets[left], *offsets[right])
        shift = {id(c): offsets[f.name][0] for f, c in self.cells}
        rows = [([shift[id(c)] + i for i in c.inner], *known_range(f, c, status[c.key])) for f, c in self.cells]
        # Inner cells under a published zero are zero: take them out before solving (most of a sparse grid).
        zero = {i for inner, low, high in rows if high == 0 for i in inner}
        for _ in range(3):
            for a, b in equal:
                for side, other in ((a, b), (b, a)):
                    if side and all(i in zero for i in side):
                        zero.update(other)
        keep = {i: k for k, i in enumerate(i for i in range(offset) if i not in zero)}

        def live(inner: Iterable[int]) -> list[int]:
            return [keep[i] for i in inner if i in keep]

        self.attack = Attack(len(keep), [(live(a), live(b)) for a, b in equal],
                             [(keep[i], keep[j]) for i, j in pairs if i in keep and j in keep],
                             [(live(inner), low, high) for inner, low, high in rows])

    def findings(self, status: Mapping[CellKey, str],
                 only: set[CellKey] | None = None) -> list[tuple[Finding, Range]]:
        out = []
        for row, (fam, cell) in enumerate(self.cells):
            if (only is None or cell.key in only) and is_protected(fam, cell, status[cell.key]):
                found = self.attack.range(row)
                if disclosed(fam, cell, found):
                    out.append((Finding(cell.key, cell.value, found.low, found.high), found))
        return out


def _same_total(lo: int, ls: Space, ro: int, rs: Space) -> list[tuple[list[int], list[int]]]:
    """Two families of the same records agree kecamatan by time unit, every core attribute summed: for each
    (kecamatan, unit) of the units both have frozen, the left inner cells sum to the right ones (an empty side: 0)."""
    def by_geo(offset: int, space: Space) -> dict[tuple, list[int]]:
        out: dict[tuple, list[int]] = {}
        for c, i in space.coords.items():
            if c[0] == "geo":
                out.setdefault((c[1], c[2]), []).append(offset + i)
        return out

    left, right = by_geo(lo, ls), by_geo(ro, rs)
    units = {u for _, u in left} & {u for _, u in right}
    return [(left.get(k, []), right.get(k, [])) for k in sorted(set(left) | set(right)) if k[1] in units]


def _cost(fam: Family, cell: Cell) -> tuple:
    return (cell.people, _LEVEL[cell.level], cell.key[2] == KUKAR, cell.value)


def protect(spaces: Sequence[Space], frozen: Mapping[CellKey, str] | None = None,
            at_most: Iterable[tuple[str, str]] = (), max_rounds: int = 60,
            same_total: Iterable[tuple[str, str]] = ()) -> dict[CellKey, str]:
    """Every cell's status for a release of ``spaces`` (linked by ``at_most`` and ``same_total``), keeping
    ``frozen`` statuses of cells an earlier release published. The audit of the result finds nothing."""
    frozen = frozen or {}
    relations = tuple(at_most)
    same = tuple(same_total)
    status = initial(spaces, frozen)
    # Withholding a cell only widens what the attacker knows, so a cell found safe stays safe: after the first
    # full audit, each round examines the cells still found disclosed and those it has just withheld.
    only: set[CellKey] | None = None
    for _ in range(max_rounds):
        model = Model(spaces, status, relations, same)
        findings = model.findings(status, only)
        if not findings:
            return status
        only = {f.key for f, _ in findings}
        eligible = {c.key: (f, c) for f, c in model.cells
                    if status[c.key] == "published" and c.key not in frozen and c.people >= f.threshold
                    and f.unit != "object"}
        chosen: set[CellKey] = set()
        for finding, found in findings:
            binding = [model.cells[b][1].key for b in found.binding]
            candidates = [k for k in binding if k in eligible]
            if not candidates:
                fam, mine = next((f, set(c.inner)) for f, c in model.cells if c.key == finding.key)
                candidates = [k for k, (f, c) in eligible.items() if f is fam and mine & set(c.inner)]
            if candidates:
                chosen.add(min(candidates, key=lambda k: _cost(*eligible[k])))
        if not chosen:
            chosen = set(eligible)
        if not chosen:
            raise RuntimeError(f"cannot protect {[f.key for f, _ in findings]}: nothing left to withhold")
        before = dict(status)
        for key in chosen:
            status[key] = "design" if _ratio_only(key[0]) else "secondary"
        couple(status, frozen)
        only |= {k for k, v in status.items() if v != before[k]}  # newly withheld cells: never examined yet
    raise RuntimeError("secondary protection did not converge")


def protect_group(spaces: Sequence[Space], frozen: Mapping[CellKey, str], at_most: Iterable[tuple[str, str]] = (),
                  same_total: Iterable[tuple[str, str]] = ()) -> dict[CellKey, str]:
    """``protect`` for a group of linked families, expendable families last: the others are protected first as if
    alone, then the expendable ones with the others' statuses fixed, so an expendable table never costs the tables
    it is linked to a cell (as when its months are released later than theirs)."""
    relations, same = tuple(at_most), tuple(same_total)
    base = [s for s in spaces if not s.family.expendable]
    status = protect(base, frozen, relations, same_total=same) if base else {}
    if not any(s.cells for s in spaces if s.family.expendable):  # none, or none of its months frozen yet
        return status
    return protect(spaces, {**frozen, **status}, relations, same_total=same)


def audit(spaces: Sequence[Space], status: Mapping[CellKey, str],
          at_most: Iterable[tuple[str, str]] = (), same_total: Iterable[tuple[str, str]] = ()) -> list[Finding]:
    """The withheld cells an outsider can still narrow down too far (empty for a safe release)."""
    return [f for f, _ in Model(spaces, status, tuple(at_most), tuple(same_total)).findings(status)]
