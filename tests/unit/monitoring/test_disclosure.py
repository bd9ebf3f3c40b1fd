"""The disclosure policy on its own: primary and secondary protection, ratios, sensitive tables, successive releases,
and the two attacks of issue 18 as named regression tests (no database: cells built from records in memory)."""

from datetime import date

from monitoring.domain.disclosure import cells, periods, release
from monitoring.domain.disclosure.audit import Attack
from monitoring.domain.disclosure.protect import Model, audit, protect, protect_group
from monitoring.domain.disclosure.tables import FAMILY

YEAR = [f"2025-{m:02d}" for m in range(1, 13)]
KEC = "64.02.18"


def row(i: int, *, month: str = "2025-03", kec: str = "64.02.06", core: dict[str, str] | None = None,
        **branch: str) -> cells.Row:
    return cells.Row(f"s{i}", f"p{i}", month, kec, None, branch, core or {})


def women(n: int, start: int = 0, **kw: str) -> list[cells.Row]:
    pekka = kw.get("pekka_category", "none")
    return [row(start + i, core={"pekka": "0" if pekka == "none" else "1"}, **kw) for i in range(n)]


def attack_range(spaces: list[cells.Space], status: dict, key: tuple) -> tuple[float, float]:
    model = Model(spaces, status)
    r = next(i for i, (_, c) in enumerate(model.cells) if c.key == key)
    found = model.attack.range(r)
    return found.low, found.high


def test_total_minus_visible_breakdown_no_longer_gives_the_hidden_cell() -> None:
    """Issue 18: registered women 600 - 599 visible across age bands gave exactly one woman aged 65+."""
    rows = (women(300, **{"age_band": "25-34", "pekka_category": "none", "opd": "dp3a"})
            + women(299, 300, **{"age_band": "35-44", "pekka_category": "none", "opd": "dp3a"})
            + women(1, 599, **{"age_band": "65+", "pekka_category": "none", "opd": "dp3a"}))
    space = cells.build(FAMILY["women"], "2025", YEAR, rows)
    status = protect([space])
    old = ("women_registered", "2025", "age_band", "65+")
    assert status[old] == "primary"
    assert [k for k, v in status.items() if k[2] == "age_band" and k[1] == "2025" and v == "secondary"
            and k[0] == "women_registered"], "a second age band must be withheld beside the one woman"
    low, high = attack_range([space], status, old)
    assert high - low >= 1 and low <= 1 <= high
    assert audit([space], status) == []


def test_poverty_exits_total_minus_pekka_categories_no_longer_gives_the_hidden_cell() -> None:
    """Issue 18: poverty exits 74 - 71 across PEKKA categories gave 3 child-marriage-risk exits."""
    rows = (women(50, **{"pekka_category": "none", "age_band": "25-34", "opd": "dp3a"})
            + women(21, 50, **{"pekka_category": "productive", "age_band": "25-34", "opd": "dp3a"})
            + women(3, 71, **{"pekka_category": "child_marriage_risk", "age_band": "25-34", "opd": "dp3a"}))
    space = cells.build(FAMILY["poverty_exits"], "2025", YEAR, rows)
    status = protect([space])
    hidden = ("poverty_exits", "2025", "pekka_category", "child_marriage_risk")
    low, high = attack_range([space], status, hidden)
    assert status[hidden] == "primary" and high - low >= 1
    assert audit([space], status) == []


def test_rate_times_denominator_no_longer_gives_the_hidden_count() -> None:
    """Issue 18: poverty_exit_rate 0.5 published with its denominator 8 gave the 4 hidden exits; completion_rate
    0.6 x 5 gave 3 hidden completions in 64.02.18. A ratio is published only where its numerator, its
    denominator and their difference are all publishable."""
    cohort = [row(i, kec=KEC, core={"exited": "1" if i < 4 else "0"}, opd="dp3a", age_band="25-34",
                  pekka_category="none") for i in range(8)]
    cohort += [row(100 + i, kec="64.02.06", core={"exited": "1" if i < 10 else "0"}, opd="dp3a",
                   age_band="25-34", pekka_category="none") for i in range(20)]
    space = cells.build(FAMILY["poverty_cohort"], "2025", YEAR, cohort)
    status = protect([space])
    rates = {c[:4]: c for c in release.ratio_cells(space, status, {})}
    assert rates[("poverty_exit_rate", "2025", "kecamatan", KEC)][4:6] == (None, None)  # no value, no denominator
    assert rates[("poverty_exit_rate", "2025", "kukar", "")][4:6] == (0.5, 28.0)  # 14 of 28: the regency is shown
    assert audit([space], status) == []

    courses = [row(i, kec=KEC, core={"completed": "1" if i < 3 else "0"}, opd="dp3a", field="kuliner",
                   age_band="25-34", pekka_category="none") for i in range(5)]
    courses += [row(100 + i, core={"completed": "1" if i < 12 else "0"}, opd="dp3a", field="kuliner",
                    age_band="25-34", pekka_category="none") for i in range(20)]
    space = cells.build(FAMILY["completion_cohort"], "2025", YEAR, courses)
    status = protect([space])
    rates = {c[:4]: c for c in release.ratio_cells(space, status, {})}
    assert rates[("completion_rate", "2025-03", "kecamatan", KEC)][4:6] == (None, None)
    assert audit([space], status) == []


def test_rounding_and_small_cells_alone_would_pin_a_hidden_cell_the_audit_catches_it() -> None:
    """The lead's example, as a linear program: a total known in [18, 22], two siblings in [5, 7], and a hidden
    sibling known to be 1..4 pin the hidden one to 4. The audit's program finds exactly that."""
    attack = Attack(3, [], [], [([0, 1, 2], 18, 22), ([0], 5, 7), ([1], 5, 7), ([2], 1, 4)])
    found = attack.range(3)
    assert (found.low, found.high, found.integers()) == (4.0, 4.0, 1)
    assert set(found.binding) >= {0}  # the total binds it: the cell to withhold next


def test_a_sensitive_table_hides_zeros_and_never_bounds_a_withheld_quarter_away_from_zero() -> None:
    """Legal assistance for 22 women, all in the second quarter: every other quarter is 0, withheld like a small
    one, and the second quarter is withheld too, or the year minus it would pin the others to 0."""
    rows = [row(i, month="2025-06") for i in range(22)]
    space = cells.build(FAMILY["legal_aid_recipients"], "2025", YEAR, rows)
    assert {k[1] for k in space.cells} == {"2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4", "2025"}  # no months
    assert {k[2] for k in space.cells} == {"kukar"}  # no kecamatan, no breakdown
    status = protect([space])
    assert status[("legal_aid_recipients", "2025", "kukar", "")] == "published"
    for q in ("2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"):
        key = ("legal_aid_recipients", q, "kukar", "")
        assert status[key] != "published"
        low, high = attack_range([space], status, key)
        assert low == 0 and high >= 1, q
    assert audit([space], status) == []


def test_a_later_release_keeps_what_an_earlier_one_published_and_protects_around_it() -> None:
    """Releases never withdraw a published cell: the year cell added by December's release is withheld when it
    would give away a month withheld in March."""
    march = women(3, month="2025-03", **{"age_band": "25-34", "pekka_category": "none", "opd": "dp3a"})
    rest = women(40, 10, month="2025-05", **{"age_band": "25-34", "pekka_category": "none", "opd": "dp3a"})
    first = cells.build(FAMILY["women"], "2025", YEAR[:6], march + rest)
    before = protect([first])
    whole = cells.build(FAMILY["women"], "2025", YEAR, march + rest)
    after = protect([whole], before)
    assert all(after[k] == v for k, v in before.items())
    assert audit([whole], after) == []
    low, high = attack_range([whole], after, ("women_registered", "2025-03", "kukar", ""))
    assert high - low >= 1


def test_a_month_is_released_after_its_grace_days_and_its_follow_up_window() -> None:
    assert periods.closed("2025-10", date(2025, 11, 11), grace_days=10)
    assert not periods.closed("2025-10", date(2025, 11, 10), grace_days=10)
    assert release.due(FAMILY["startup"], "2025-01", date(2025, 11, 30), 10, ()) == [
        "2025-01", "2025-02", "2025-03", "2025-04"]  # 180 days of follow-up after the month, plus 10
    assert periods.from_range("2025-04", "2025-06") == "2025-Q2"
    assert periods.from_range("2025-02", "2025-05") is None
    assert periods.covering("2025-01", "2025-08") == ["2025-Q1", "2025-Q2", "2025-07", "2025-08"]


def cohort(n: int, stage: str, start: int, kec: str) -> list[cells.Row]:
    return [row(start + i, kec=kec, core={"stage": stage}) for i in range(n)]


def test_the_cohort_funnel_cannot_be_undone_by_differencing_two_published_steps() -> None:
    """12 women registered in a kecamatan, 10 of them trained: publishing both gives the 2 who stopped at
    registration. The stops are protected cells; registrations are the women family's, linked by SAME_TOTAL."""
    stages = {"64.02.06": {"0": 2, "1": 0, "2": 4, "3": 0, "4": 6}, "64.02.07": {"0": 9, "1": 7, "2": 5, "3": 6, "4": 8}}
    women_rows, cohort_rows, i = [], [], 0
    for kec, by_stage in stages.items():
        for stage, n in by_stage.items():
            women_rows += women(n, i, kec=kec, age_band="25-34", pekka_category="none", opd="dp3a")
            cohort_rows += cohort(n, stage, i, kec)
            i += n
    spaces = [cells.build(FAMILY["women"], "2025", YEAR, women_rows),
              cells.build(FAMILY["cohort"], "2025", YEAR, cohort_rows)]
    link = (("cohort", "women"),)
    status = protect(spaces, same_total=link)
    stop = ("~cohort_stop_0", "2025-03", "kecamatan", "64.02.06")
    assert status[stop] == "design"
    pair = [status[("women_registered", "2025-03", "kecamatan", "64.02.06")],
            status[("cohort_trained", "2025-03", "kecamatan", "64.02.06")]]
    assert pair != ["published", "published"], pair  # at least one of the two steps withheld
    assert audit(spaces, status, same_total=link) == []
    # Had every step and registration been published, the audit would find the 2 who stopped, through the link.
    shown = {k: "design" if v == "design" else "published" for k, v in status.items()}
    assert any(f.key == stop for f in audit(spaces, shown, same_total=link))
    assert not any(f.key == stop for f in audit(spaces, shown))


def test_publishing_the_cohort_never_withholds_a_registration() -> None:
    """The cohort is protected after registrations, theirs fixed: the women family's statuses are the same as if
    the cohort were not published (and the whole is still safe)."""
    by_stage = {"64.02.06": "0000144", "64.02.07": "001112234444", "64.02.12": "0123"}
    women_rows, cohort_rows = [], []
    for kec, stages in by_stage.items():
        for stage in stages:
            i = len(women_rows)
            women_rows += women(1, i, kec=kec, age_band="25-34", pekka_category="none", opd="dp3a")
            cohort_rows += cohort(1, stage, i, kec)
    spaces = [cells.build(FAMILY["women"], "2025", YEAR, women_rows),
              cells.build(FAMILY["cohort"], "2025", YEAR, cohort_rows)]
    link = (("cohort", "women"),)
    alone = protect([spaces[0]])
    grouped = protect_group(spaces, {}, same_total=link)
    assert {k: grouped[k] for k in alone} == alone
    assert audit(spaces, grouped, same_total=link) == []
