"""The public grid: which tables are published, from which family of records, with which breakdowns.

A *family* is one set of counted records (one row per subject: a woman, an enrolment, a sale, ...) from which
several published tables are cut. Every table of a family is additive: each record falls in exactly one cell of
every breakdown, so the cells of a breakdown sum to their total, months sum to quarters and quarters to years,
desa to kecamatan and kecamatan to the regency. Tables of one family are linked through *core* attributes: the
women family's ``pekka`` flag cuts ``pekka_registered`` out of ``women_registered``, the sales family's
``channel`` splits ``sales_total_idr`` into the three channels; the complement of a flag (women who are not PEKKA,
UKM without NIB) is a *design* table: never published, but protected, because it is derivable by subtraction.

Published grid of every non-sensitive table: regency and kecamatan by month, quarter and year; desa by year
(registrations); each breakdown of ``branches`` at regency level by month, quarter and year. Sensitive tables
(aid to women facing violence, and social aid): regency only, by quarter and year, threshold ``SENSITIVE_MIN``.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal

MIN_CELL = 5  # a published cell tied to 1..4 people is withheld (UU PDP No. 27/2022; BRIEF.md)
SENSITIVE_MIN = 10  # aid to women facing violence and social aid: cells under 10 people, zeros included, withheld
Unit = Literal["person", "record", "amount", "object", "median"]
BRANCHES = ("age_band", "pekka_category", "opd", "field")
TRAINING = ("age_band", "pekka_category", "opd", "field")
BUSINESS = ("field", "age_band", "pekka_category")


@dataclass(frozen=True)
class Table:
    """One table cut from a family: the records whose core attributes match ``where``.

    ``ratio_only``: revealed only as a ratio's numerator or denominator, never as a count of its own.
    ``design``: never published (a flag's complement); protected like a published cell."""

    name: str
    where: Mapping[str, str | tuple[str, ...]] = field(default_factory=dict)
    ratio_only: bool = False
    design: bool = False

    def matches(self, core: Mapping[str, str]) -> bool:
        return fits(core, self.where)


def fits(core: Mapping[str, str], where: Mapping[str, str | tuple[str, ...]]) -> bool:
    """Whether core attributes ``core`` satisfy ``where`` (a value, or a tuple of allowed values, per attribute)."""
    return all(core.get(k) in v if isinstance(v, tuple) else core.get(k) == v for k, v in where.items())


@dataclass(frozen=True)
class Family:
    """One set of counted records and the tables published from it.

    ``unit``: person (one record per woman: value = people), record (enrolments, businesses, sales: value >=
    people), amount (Rupiah), object (cooperatives: not people, never withheld), median (only the median is
    published). ``lag_days``: a month is frozen this long after it closes (the outcome's follow-up window).
    ``expendable``: protected after the families it is linked to, their statuses fixed, so publishing it never
    costs their cells (``protect.protect_group``: the cohort never withholds a registration)."""

    name: str
    unit: Unit
    tables: tuple[Table, ...]
    branches: tuple[str, ...] = ()
    kecamatan: bool = True
    desa: bool = False
    sensitive: bool = False
    core: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    implies: Mapping[str, Callable[[str], Mapping[str, str]]] = field(default_factory=dict)
    lag_days: int = 0
    expendable: bool = False

    @property
    def threshold(self) -> int:
        return SENSITIVE_MIN if self.sensitive else MIN_CELL

    @property
    def time_levels(self) -> tuple[str, ...]:
        return ("quarter", "year") if self.sensitive else ("month", "quarter", "year")


@dataclass(frozen=True)
class Ratio:
    """A published ratio: numerator table ÷ denominator table, cell by cell."""

    name: str
    num: str
    den: str


def _flag(name: str, yes: str) -> tuple[Table, Table]:
    return Table(yes, {name: "1"}, ratio_only=True), Table(f"~no_{name}", {name: "0"}, design=True)


def _cohort() -> tuple[Table, ...]:
    """The cohort funnel as a table of differences: ``stage`` is the last step a woman reached in order
    (0 registered only, 1 trained, 2 + a business, 3 + market access, 4 + above the poverty line); each published
    step sums the stages from it on; the women who stopped at a step (a difference between two steps) are design
    tables: never shown, protected like a shown cell."""
    steps = tuple(Table(name, {"stage": STAGES[i:]} if i < 4 else {"stage": "4"})
                  for i, name in enumerate(COHORT_STEPS[1:], start=1))
    stops = tuple(Table(f"~cohort_stop_{i}", {"stage": STAGES[i]}, design=True) for i in range(4))
    return steps + stops


STAGES = ("0", "1", "2", "3", "4")
# The cohort's steps; the first, registration, is the women family's ``women_registered`` (the same records).
COHORT_STEPS = ("women_registered", "cohort_trained", "cohort_business", "cohort_market", "cohort_above_poverty")


def _pekka(category: str) -> Mapping[str, str]:
    return {"pekka": "0" if category in ("none", "?") else "1"}


_SENSITIVE = {"legal_aid_recipients", "counselling_recipients", "shelter_recipients", "social_aid_recipients"}
_CHANNELS = ("trade_fair", "modern_retail", "digital")

FAMILIES: tuple[Family, ...] = (
    Family("women", "person", (Table("women_registered"), Table("pekka_registered", {"pekka": "1"}),
                               Table("~women_not_pekka", {"pekka": "0"}, design=True)),
           branches=("age_band", "pekka_category", "opd"), desa=True, core={"pekka": ("0", "1")},
           implies={"pekka_category": _pekka}),
    Family("enrolments", "record", (Table("enrolments"),), branches=TRAINING),
    Family("completions", "record", (Table("completions"),), branches=TRAINING),
    Family("dropouts", "record", (Table("dropouts"),), branches=TRAINING),
    Family("women_trained", "person", (Table("women_trained"),), branches=TRAINING),
    Family("completion_cohort", "record",
           (Table("completion_rate_den", ratio_only=True), *_flag("completed", "completion_rate_num")),
           branches=TRAINING, core={"completed": ("0", "1")}, lag_days=120),
    Family("startup", "person",
           (Table("business_startups", {"started": "1"}), Table("business_startup_den", ratio_only=True),
            Table("~no_started", {"started": "0"}, design=True)),
           branches=("age_band", "pekka_category"), core={"started": ("0", "1")}, lag_days=180),
    Family("ukm", "record", (Table("ukm_registered"), *_flag("nib", "ukm_nib"), *_flag("pirt", "ukm_pirt"),
                             *_flag("halal", "ukm_halal")),
           branches=BUSINESS, core={"nib": ("0", "1"), "pirt": ("0", "1"), "halal": ("0", "1")}),
    Family("revenue", "median", (Table("revenue_change_median"),), branches=BUSINESS),
    Family("coops_formed", "object", (Table("coops_formed"),), branches=("field",)),
    Family("coops_rat_compliant", "object", (Table("coops_rat_compliant"),), branches=("field",)),
    Family("coop_women_members", "person", (Table("coop_women_members"),), branches=BUSINESS),
    Family("capital_recipients", "record", (Table("capital_recipients"),), branches=("opd", *BUSINESS)),
    Family("capital_disbursed_idr", "amount", (Table("capital_disbursed_idr"),), branches=("opd", *BUSINESS)),
    *(Family(f"market_{c}", "record", (Table(f"market_{c}"),), branches=BUSINESS) for c in _CHANNELS),
    Family("sales", "amount", (Table("sales_total_idr"), *(Table(f"sales_{c}_idr", {"channel": c}) for c in _CHANNELS)),
           branches=BUSINESS, core={"channel": _CHANNELS}),
    Family("formal_placements", "record", (Table("formal_placements"),), branches=TRAINING),
    Family("poverty_exits", "person", (Table("poverty_exits"),), branches=("opd", "age_band", "pekka_category")),
    Family("poverty_cohort", "person",
           (Table("poverty_exit_rate_den", ratio_only=True), *_flag("exited", "poverty_exit_rate_num")),
           branches=("opd", "age_band", "pekka_category"), core={"exited": ("0", "1")}, lag_days=365),
    *(Family(n, "person", (Table(n),), kecamatan=False, sensitive=True) for n in sorted(_SENSITIVE)),
    Family("women_first_business", "person", (Table("women_first_business"),), branches=("age_band", "pekka_category")),
    Family("women_first_market", "person", (Table("women_first_market"),), branches=("age_band", "pekka_category")),
    # The cohort funnel of the women registered in a month: the steps each had reached when the month was frozen
    # for the cohort, 180 days (the start-up window) after the women family froze it. Regency and kecamatan only.
    Family("cohort", "person", _cohort(), core={"stage": STAGES}, lag_days=180, expendable=True),
)
FAMILY: dict[str, Family] = {f.name: f for f in FAMILIES}
FAMILY_OF_TABLE: dict[str, Family] = {t.name: f for f in FAMILIES for t in f.tables}

RATIOS: tuple[Ratio, ...] = (
    Ratio("completion_rate", "completion_rate_num", "completion_rate_den"),
    Ratio("business_startup_rate", "business_startups", "business_startup_den"),
    Ratio("ukm_nib_share", "ukm_nib", "ukm_registered"),
    Ratio("ukm_pirt_share", "ukm_pirt", "ukm_registered"),
    Ratio("ukm_halal_share", "ukm_halal", "ukm_registered"),
    Ratio("poverty_exit_rate", "poverty_exit_rate_num", "poverty_exit_rate_den"),
)
RATIO: dict[str, Ratio] = {r.name: r for r in RATIOS}
# Relations between families that hold cell by cell (left <= right): a woman's first completion is a completion.
AT_MOST: tuple[tuple[str, str], ...] = (("women_trained", "completions"),)
# Families made of the same records, kecamatan by month (every core attribute summed): the cohort's records are the
# women family's frozen records of the month (``adapters/publication.py``), so its stages add up to registrations.
SAME_TOTAL: tuple[tuple[str, str], ...] = (("cohort", "women"),)
SENSITIVE: frozenset[str] = frozenset(_SENSITIVE)
COHORT: frozenset[str] = frozenset(t.name for t in _cohort() if not t.design)


def linked(family: str) -> tuple[str, ...]:
    """The families audited together with ``family`` (those it shares a relation with), itself included."""
    group = {family}
    for left, right in (*AT_MOST, *SAME_TOTAL):
        if family in (left, right):
            group |= {left, right}
    return tuple(sorted(group))


def grid_dims(indicator: str) -> tuple[str, ...]:
    """The breakdowns of an indicator on the public grid: ``kecamatan``, ``desa`` and its regency breakdowns."""
    fam = FAMILY_OF_TABLE.get(RATIO[indicator].den if indicator in RATIO else indicator)
    if fam is None:
        return ()
    return (("kecamatan",) if fam.kecamatan else ()) + (("desa",) if fam.desa else ()) + fam.branches
