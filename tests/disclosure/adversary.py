"""The outsider: everything the public channels publish, gathered without a token, and the linear program an
attacker solves over it (HiGHS through highspy; the constraints are built here from the published cells alone,
independently of the service's own audit code).

What the attacker knows of the structure is what services/monitoring/README.md publishes: every count and sum is
additive over months -> quarters -> years, kecamatan -> regency, desa -> kecamatan and each breakdown -> regency;
PEKKA registrations are a part of registrations; the three channels' sales add up to total sales; a woman's first
completion is a completion; a ratio's numerator is its value times its denominator, its numerator a part of its
denominator (the UKM shares' denominator is ``ukm_registered``, the start-up rate's numerator ``business_startups``);
the cohort funnel's first step is ``women_registered`` and each later step a part of the one before, kecamatan by
month (the README's "Cohort funnel").
A withheld count is at least 1 (zeros are published), except in the sensitive tables, which withhold zeros too.
"""

import csv
import io
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

import httpx
import numpy as np

SENSITIVE = {"legal_aid_recipients", "counselling_recipients", "shelter_recipients", "social_aid_recipients"}
SKIP = {"revenue_change_median"}  # a median is no linear function of the records
SUMS = {"capital_disbursed_idr", "sales_trade_fair_idr", "sales_modern_retail_idr", "sales_digital_idr",
        "sales_total_idr"}
RATIOS = {"completion_rate": ("completion_rate#num", "completion_rate#den"),
          "business_startup_rate": ("business_startups", "business_startup_rate#den"),
          "ukm_nib_share": ("ukm_nib_share#num", "ukm_registered"),
          "ukm_pirt_share": ("ukm_pirt_share#num", "ukm_registered"),
          "ukm_halal_share": ("ukm_halal_share#num", "ukm_registered"),
          "poverty_exit_rate": ("poverty_exit_rate#num", "poverty_exit_rate#den")}
COHORT = ("women_registered", "cohort_trained", "cohort_business", "cohort_market", "cohort_above_poverty")
PARTS = [("pekka_registered", "women_registered"), ("women_trained", "completions")] + [
    (num, den) for num, den in RATIOS.values()] + list(zip(COHORT[1:], COHORT, strict=False))
Key = tuple[str, str, str, str]  # (table, period, dim, key)


class Publication:
    """Every cell seen on any channel; a cell seen twice must read the same everywhere."""

    def __init__(self) -> None:
        self.cells: dict[Key, float | None] = {}
        self.conflicts: list[tuple[Key, Any, Any]] = []

    def see(self, key: Key, value: float | None) -> None:
        if key in self.cells and self.cells[key] != value:
            self.conflicts.append((key, self.cells[key], value))
        self.cells.setdefault(key, value)

    def see_indicator(self, ind: dict[str, Any], period: str, dim: str, by_period: bool = False) -> None:
        name = ind["indicator"]
        if name in SKIP:
            return
        for c in ind["cells"]:
            p = c["key"] if by_period else period
            key = "" if dim == "kukar" else ("?" if c["key"] is None else c["key"])
            value = None if c["suppressed"] else c["value"]
            if name in RATIOS:
                num, den = RATIOS[name]
                if not c["suppressed"]:
                    self.see((den, p, dim, key), float(c["denominator"]))
                    self.see((num, p, dim, key), float(round((value or 0.0) * c["denominator"])))
                elif "#" in num:  # a ratio-only numerator: withheld with its ratio (business_startups has its own)
                    self.see((num, p, dim, key), None)
                continue
            self.see((name, p, dim, key), value)


async def gather(client: httpx.AsyncClient, pub: Publication | None = None) -> Publication:
    """Walk the whole public grid of every released period through the API, the exports and the headline."""
    pub = pub or Publication()
    periods = (await client.get("/api/periods")).json()["periods"]
    for period in periods:
        for group_by in (None, "kecamatan", "desa", "age_band", "pekka_category", "opd", "field"):
            params = {"period": period, **({"group_by": group_by} if group_by else {})}
            resp = await client.get("/api/indicators", params=params)
            assert resp.status_code in (200, 403), resp.text
            if resp.status_code == 200:
                for ind in resp.json()["indicators"]:
                    pub.see_indicator(ind, period, group_by or "kukar")
        await see_cohort(client, pub, period)
        export = await client.get("/api/export", params={"period": period, "format": "csv"})
        # Excel in the Indonesian locale: ';' between fields, decimal commas; the kecamatan's name beside its code
        for row in list(csv.reader(io.StringIO(export.content.decode("utf-8-sig")), delimiter=";"))[1:]:
            if row[0] not in RATIOS and row[0] not in SKIP:
                pub.see((row[0], period, "kecamatan", row[3] or "?"),
                        None if row[5] == "x" else float(row[5].replace(",", ".")))
    return pub


async def see_cohort(client: httpx.AsyncClient, pub: Publication, period: str) -> None:
    """The cohort funnel of ``period`` (when released), the regency's and each kecamatan's: every step a cell, a
    rate only beside its two published counts."""
    kecs = sorted({k[3] for k in pub.cells if k[:3] == ("women_registered", period, "kecamatan") and k[3] != "?"})
    for kec in (None, *kecs):
        resp = await client.get("/api/cohort", params={"period": period, **({"kecamatan": kec} if kec else {})})
        if resp.status_code == 404:
            return  # the cohort of this period is not released (its follow-up window)
        assert resp.status_code == 200, resp.text
        steps = resp.json()["steps"]
        for i, (table, step) in enumerate(zip(COHORT, steps, strict=True)):
            pub.see((table, period, "kukar" if kec is None else "kecamatan", kec or ""),
                    None if step["suppressed"] else float(step["value"]))
            shown = i > 0 and not step["suppressed"] and not steps[i - 1]["suppressed"] and steps[i - 1]["value"]
            assert (step["rate_of_previous"] is not None) == bool(shown), step  # count ÷ count, both shown


def see_headline(pub: Publication, message: dict[str, Any]) -> None:
    for name, fig in message.get("figures", {}).items():
        if fig["value"] is None and not fig["suppressed"]:
            continue  # not released yet
        if name not in RATIOS and name not in SKIP:
            pub.see((name, message["period"], "kukar", ""), None if fig["suppressed"] else fig["value"])


def see_round(pub: Publication, body: dict[str, Any], period: str) -> None:
    for f in body["figures"]:
        if f["indicator"] not in RATIOS and f["indicator"] not in SKIP:
            dim, key = ("kukar", "") if f["kecamatan_code"] is None else ("kecamatan", f["kecamatan_code"])
            pub.see((f["indicator"], period, dim, key), None if f["suppressed"] else f["value"])


def see_changes(pub: Publication, payloads: Iterable[dict[str, Any]]) -> None:
    for p in payloads:
        dim, key = ("kukar", "") if p["kecamatan_code"] is None else ("kecamatan", p["kecamatan_code"])
        pub.see((p["indicator"], p["period"], dim, key), None if p["suppressed"] else p["value"])


def _level(period: str) -> str:
    return "year" if len(period) == 4 else ("quarter" if "Q" in period else "month")


def _units(period: str, sensitive: bool) -> list[str]:
    y = period[:4]
    if _level(period) == "month":
        return [period]
    qs = [f"{y}-Q{q}" for q in range(1, 5)] if _level(period) == "year" else [period]
    if sensitive:
        return qs
    return [f"{y}-{m:02d}" for q in qs for m in range(3 * int(q[-1]) - 2, 3 * int(q[-1]) + 1)]


class Program:
    """The attacker's linear program over everything published."""

    def __init__(self, pub: Publication) -> None:
        self.pub = pub
        self.vars: dict[tuple, int] = {}
        self.rows: list[tuple[list[int], float, float]] = []
        self.links: list[tuple[list[int], list[int]]] = []
        self.le: list[tuple[int, int]] = []
        self.cell_rows: dict[Key, int] = {}
        by_table: dict[str, list[Key]] = defaultdict(list)
        for k in pub.cells:
            by_table[k[0]].append(k)
        for table, keys in by_table.items():
            self._table(table, keys)
        for part, whole in PARTS:
            for coord, i in list(self.vars.items()):
                if coord[0] == part and (whole, *coord[1:]) in self.vars:
                    self.le.append((i, self.vars[(whole, *coord[1:])]))
        for coord, i in list(self.vars.items()):
            if coord[0] == "sales_total_idr":
                parts = [self.vars.get((f"sales_{c}_idr", *coord[1:])) for c in ("trade_fair", "modern_retail", "digital")]
                self.links.append(([i], [p for p in parts if p is not None]))

    def v(self, coord: tuple) -> int:
        return self.vars.setdefault(coord, len(self.vars))

    def _table(self, table: str, keys: list[Key]) -> None:
        base = table.split("#")[0]
        sensitive = base in SENSITIVE
        years = {k[1][:4] for k in keys}
        for year in years:
            mine = [k for k in keys if k[1][:4] == year]
            units = sorted({u for k in mine for u in _units(k[1], sensitive)})
            kecs = sorted({k[3] for k in mine if k[2] == "kecamatan"})
            desas = sorted({k[3] for k in mine if k[2] == "desa"})
            branches: dict[str, set[str]] = defaultdict(set)
            for k in mine:
                if k[2] not in ("kukar", "kecamatan", "desa"):
                    branches[k[2]].add(k[3])
            geo = kecs or ["kukar"]
            for u in units:
                g = [self.v((table, "geo", x, u)) for x in geo]
                for b, values in branches.items():
                    self.links.append((g, [self.v((table, b, x, u)) for x in sorted(values)]))
            for kec in kecs if desas else ():
                own = [d for d in desas if d.startswith(kec + ".")] + (["?"] if "?" in desas else [])
                self.links.append(([self.v((table, "desa", kec, d)) for d in own],
                                   [self.v((table, "geo", kec, u)) for u in units]))
            for k in mine:
                self._cell(table, k, units, geo, sensitive)

    def _cell(self, table: str, k: Key, units: list[str], geo: list[str], sensitive: bool) -> None:
        _, period, dim, key = k
        span = [u for u in _units(period, sensitive) if u in units]
        if dim == "kukar":
            inner = [self.vars[(table, "geo", x, u)] for x in geo for u in span]
        elif dim == "kecamatan":
            inner = [self.vars[(table, "geo", key, u)] for u in span]
        elif dim == "desa":
            inner = [i for c, i in self.vars.items() if c[:2] == (table, "desa") and c[3] == key]
        else:
            inner = [self.vars[(table, dim, key, u)] for u in span]
        value = self.pub.cells[k]
        if value is not None:
            low = high = value
        elif sensitive or table in SUMS or "#" in table:
            low, high = 0.0, np.inf
        else:
            low, high = 1.0, np.inf
        self.cell_rows[k] = len(self.rows)
        self.rows.append((inner, low, high))

    def _model(self) -> Any:
        """The program in HiGHS (highspy), built once: inner cells under a published zero are dropped first; each
        cell's bounds then only change the objective (warm-started primal simplex)."""
        import highspy

        zero = {i for inner, low, high in self.rows if high == 0 for i in inner}
        keep = {i: k for k, i in enumerate(i for i in range(len(self.vars)) if i not in zero)}
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        h.setOptionValue("presolve", "off")
        h.setOptionValue("simplex_strategy", 4)
        n = len(keep)
        h.addVars(n, np.zeros(n), np.full(n, highspy.kHighsInf))
        rows = [(inner, [1.0] * len(inner), low, high) for inner, low, high in self.rows]
        rows += [([*a, *b], [1.0] * len(a) + [-1.0] * len(b), 0.0, 0.0) for a, b in self.links]
        rows += [([i, j], [1.0, -1.0], -np.inf, 0.0) for i, j in self.le]
        starts, index, value, lower, upper = [], [], [], [], []
        for inner, coef, low, high in rows:
            pairs = [(keep[i], c) for i, c in zip(inner, coef, strict=True) if i in keep]
            starts.append(len(index))
            index += [i for i, _ in pairs]
            value += [c for _, c in pairs]
            lower.append(-highspy.kHighsInf if low == -np.inf else low)
            upper.append(highspy.kHighsInf if high == np.inf else high)
        h.addRows(len(starts), np.array(lower), np.array(upper), len(index), np.array(starts, np.int32),
                  np.array(index, np.int32), np.array(value))
        return h, keep

    def bounds(self, key: Key) -> tuple[float, float]:
        """(least, greatest) value of a cell consistent with everything published."""
        import highspy

        if not hasattr(self, "_h"):
            self._h, self._keep, self._costed = *self._model(), []
        h, keep = self._h, self._keep
        inner = [keep[i] for i in self.rows[self.cell_rows[key]][0] if i in keep]
        if self._costed:
            h.changeColsCost(len(self._costed), np.array(self._costed, np.int32), np.zeros(len(self._costed)))
        self._costed = inner
        if not inner:
            return 0.0, 0.0
        h.changeColsCost(len(inner), np.array(inner, np.int32), np.ones(len(inner)))
        out = []
        for sense in (highspy.ObjSense.kMinimize, highspy.ObjSense.kMaximize):
            h.changeObjectiveSense(sense)
            h.run()
            status = h.getModelStatus()
            if status not in (highspy.HighsModelStatus.kOptimal, highspy.HighsModelStatus.kUnbounded):
                h.setOptionValue("presolve", "on")  # from scratch, in case a warm start stalled
                h.clearSolver()
                h.run()
                h.setOptionValue("presolve", "off")
                status = h.getModelStatus()
            if status == highspy.HighsModelStatus.kUnbounded:
                out.append(np.inf)
                continue
            assert status == highspy.HighsModelStatus.kOptimal, f"the published figures admit no table: {status}"
            out.append(h.getInfo().objective_function_value)
        return out[0], out[1]


def _groups(pub: Publication) -> list[set[str]]:
    """Tables linked by a relation the attacker knows are attacked together; the others one by one (smaller
    programs, and Rupiah never mixed with counts)."""
    tables = {k[0] for k in pub.cells}
    sales = {t for t in tables if t.startswith("sales_")}
    groups: list[set[str]] = [sales] if sales else []
    for part, whole in PARTS:
        linked = {part, whole} & tables
        joined = [g for g in groups if g & linked]
        merged = set().union(linked, *joined)
        groups = [g for g in groups if g not in joined] + [merged]
    seen = set().union(*groups) if groups else set()
    return [g for g in groups if g] + [{t} for t in sorted(tables - seen)]


def findings(pub: Publication) -> list[tuple[Key, float, float]]:
    """Every withheld cell an outsider pins to one whole number (other than a 0 that identifies no one, outside
    the sensitive tables), or, sensitive, bounds away from 0."""
    out = []
    for group in _groups(pub):
        part = Publication()
        part.cells = {k: v for k, v in pub.cells.items() if k[0] in group}
        program = Program(part)
        for key, value in part.cells.items():
            if value is not None:
                continue
            low, high = program.bounds(key)
            table = key[0].split("#")[0]
            if table in SUMS:
                pinned = high - low < 1.0
            else:
                pinned = np.floor(high + 1e-6) - np.ceil(low - 1e-6) < 1
            # Pinned to 0 outside the sensitive tables reveals no one, as a published zero does (a withheld
            # ratio whose numerator is 0, e.g. no UKM with PIRT in a small kecamatan).
            pinned = pinned and (table in SENSITIVE or high > 1e-6)
            if pinned or (table in SENSITIVE and low > 1e-6):
                out.append((key, low, high))
    return out
