"""Monitoring's rules on their own: the indicator catalogue, the suppression rule, and the rounds' domain."""

from datetime import UTC, date, datetime
from uuid import uuid4

import pytest
from berdaya_shared.errors import Conflict, Forbidden, Invalid
from monitoring.adapters.indicator_sql import BASE_SQL
from monitoring.domain import indicators as ind
from monitoring.domain import rounds as d


def test_every_indicator_of_the_catalogue_has_one_query_and_a_unique_name() -> None:
    names = [i.name for i in ind.CATALOG]
    assert len(names) == len(set(names)) == 35
    assert set(names) == set(BASE_SQL)
    assert all(i.label and i.group for i in ind.CATALOG)


def test_an_exact_cell_is_a_count_a_ratio_with_its_denominator_a_sum_or_a_median() -> None:
    def exact(kind: ind.Kind, **kw: float | None) -> tuple[float | None, int | None]:
        return ind.exact_value(kind, **{"num": 0, "den": 0, "total": None, "median": None, **kw})  # type: ignore[arg-type]

    assert exact("count", num=3) == (3.0, None)  # the internal face withholds nothing
    assert exact("ratio", num=3, den=8) == (0.375, 8)
    assert exact("ratio") == (None, 0)
    assert exact("sum_idr", total=900_000) == (900_000.0, None)
    assert exact("sum_idr") == (0.0, None)
    assert exact("median_idr", median=250_000.5) == (250_000.5, None)
    assert exact("median_idr") == (None, None)


@pytest.mark.parametrize(("kind", "period", "months"), [
    ("month", "2025-03", ("2025-03", "2025-03")), ("quarter", "2025-Q1", ("2025-01", "2025-03")),
    ("quarter", "2025-Q4", ("2025-10", "2025-12")), ("month", "2025-Q1", None), ("quarter", "2025-Q5", None),
    ("month", "2025-13", None), ("quarter", "2025-03", None),
])
def test_a_period_names_its_months(kind: d.PeriodKind, period: str, months: tuple[str, str] | None) -> None:
    assert d.month_range(kind, period) == months


def test_a_round_needs_a_program_opd_and_a_period_of_its_kind() -> None:
    with pytest.raises(Forbidden):
        d.Round.open(kind="month", period="2025-03", title="", opd=None, figures=[], targets=[])
    with pytest.raises(Invalid) as refused:
        d.Round.open(kind="month", period="2025-Q1", title="", opd="dp3a", figures=[], targets=[])
    assert refused.value.field == "period"
    r = d.Round.open(kind="month", period="2025-03", title="Rapat Maret", opd="diskop_ukm", figures=[], targets=[])
    assert (r.title, r.opened_by_opd, r.status) == ("Rapat Maret", "diskop_ukm", "open")


def test_only_dp3a_approves_and_an_approved_round_is_read_only() -> None:
    r = d.Round.open(kind="quarter", period="2025-Q1", title="", opd="disperindag", figures=[{"indicator": "x"}],
                     targets=[])
    with pytest.raises(Forbidden):
        r.approve("disperindag", date(2025, 4, 14))
    event = r.approve("dp3a", date(2025, 4, 14))
    assert (event.round_ref, event.approved_on, event.approved_by_opd, event.figures) == (
        r.round_ref, date(2025, 4, 14), "dp3a", ({"indicator": "x"},))
    assert r.status == "approved"
    with pytest.raises(Conflict):
        r.require_writable()
    with pytest.raises(Conflict):
        r.approve("dp3a", date(2025, 4, 15))


def rounds_at(*hours: int) -> list[d.Round]:
    out = []
    for h in hours:
        r = d.Round.open(kind="month", period=f"2025-{h:02d}", title="", opd="dp3a", figures=[], targets=[])
        r.opened_at = datetime(2025, 1, 1, h, tzinfo=UTC)
        out.append(r)
    return out


def test_an_action_is_reviewed_by_its_recorder_or_owner_in_its_round_or_a_later_one() -> None:
    first, second, third = rounds_at(1, 2, 3)
    action = d.Action.open(second, acting_opd="disperindag", opd="disperindag", owner_opd="diskop_ukm",
                           description="NIB", due_on=date(2025, 5, 31))
    with pytest.raises(Conflict, match="later round"):
        action.review(first, acting_opd="disperindag", status="done")
    with pytest.raises(Forbidden):
        action.review(second, acting_opd="dp3a", status="done")
    action.review(second, acting_opd="diskop_ukm", status="in_progress")
    assert (action.status, action.closed_round_ref) == ("in_progress", None)
    action.review(third, acting_opd="disperindag", status="done")
    assert (action.status, action.closed_round_ref) == ("done", third.round_ref)
    with pytest.raises(Conflict, match="already closed"):
        action.review(second, acting_opd="disperindag", status="open")
    action.review(third, acting_opd="disperindag", status="in_progress")  # reopened in the round that closed it
    assert action.closed_round_ref is None
    with pytest.raises(Forbidden):
        d.Action.open(first, acting_opd="dp3a", opd="disperindag", owner_opd="dp3a", description="x",
                      due_on=date(2025, 5, 31))


def test_late_data_lists_changed_and_new_cells_only() -> None:
    frozen = [{"indicator": "a", "kecamatan_code": None, "value": 8.0, "suppressed": False},
              {"indicator": "a", "kecamatan_code": "64.02.10", "value": None, "suppressed": True}]
    live = [{"indicator": "a", "kecamatan_code": None, "value": 8.0, "suppressed": False},
            {"indicator": "a", "kecamatan_code": "64.02.10", "value": 6.0, "suppressed": False},
            {"indicator": "b", "kecamatan_code": None, "value": 0.0, "suppressed": False}]
    changes = d.diff(frozen, live)
    assert [(c["indicator"], c["kecamatan_code"], c["frozen"], c["live"], c["change"]) for c in changes] == [
        ("a", "64.02.10", None, 6.0, None), ("b", None, None, 0.0, None)]


def test_two_rounds_compare_cells_targets_and_actions() -> None:
    a_ref, b_ref, action = uuid4(), uuid4(), uuid4()
    a = {"round_ref": a_ref, "period": "2025-Q1", "actions": [{"action_ref": action, "opened_round_ref": a_ref,
                                                              "closed_round_ref": b_ref}],
         "figures": [{"indicator": "x", "kecamatan_code": None, "value": 8.0}],
         "targets": [{"indicator": "x", "kecamatan_code": "all", "target": 40.0, "progress": 0.2}]}
    b = {"round_ref": b_ref, "period": "2025-04", "actions": [{"action_ref": action, "opened_round_ref": a_ref,
                                                              "closed_round_ref": b_ref}],
         "figures": [{"indicator": "x", "kecamatan_code": None, "value": None}],
         "targets": [{"indicator": "x", "kecamatan_code": "all", "target": 40.0, "progress": 0.325}]}
    cmp = d.compare(a, b)
    assert cmp["indicators"] == [{"indicator": "x", "kecamatan_code": None, "a": 8.0, "b": None, "change": None}]
    assert cmp["targets"] == [{"indicator": "x", "kecamatan_code": "all", "target": 40.0, "a": 0.2, "b": 0.325}]
    assert (cmp["a"]["actions_opened"], cmp["a"]["actions_closed"]) == ([action], [])
    assert (cmp["b"]["actions_opened"], cmp["b"]["actions_closed"]) == ([], [action])


@pytest.mark.parametrize(("text", "shown"), [("=SUM(A1)", "'=SUM(A1)"), ("+62", "'+62"), ("-", "'-"),
                                             ("@x", "'@x"), ("Anggaran", "Anggaran"), (5, 5)])
def test_free_text_never_becomes_a_spreadsheet_formula(text: object, shown: object) -> None:
    assert d.safe_text(text) == shown
