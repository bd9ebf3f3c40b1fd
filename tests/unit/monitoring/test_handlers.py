"""Each monitoring command handler on the in-memory unit of work: what it stores, answers, publishes and refuses."""

from datetime import date
from typing import Any
from uuid import uuid4

import pytest
from berdaya_contracts import monitoring_v1 as v1
from berdaya_shared.errors import Conflict, Forbidden, NotFound
from monitoring.domain import events
from monitoring.service_layer import rounds, targets
from monitoring.service_layer.indicators import PeriodFigures

from .fakes import FakeMonitoringUnitOfWork

FROZEN = PeriodFigures(
    [{"indicator": "women_registered", "kecamatan_code": None, "value": 8.0, "suppressed": False},
     {"indicator": "women_registered", "kecamatan_code": "64.02.09", "value": 6.0, "suppressed": False},
     {"indicator": "women_registered", "kecamatan_code": "64.02.10", "value": None, "suppressed": True}],
    [{"year": 2025, "kecamatan_code": "all", "indicator": "women_registered", "label": "Perempuan terdaftar",
      "target": 40.0, "actual": 8.0, "suppressed": False, "progress": 0.2}],
)
# The same period as the publication shows it: the kecamatan of 6 women is withheld to protect the one of 2.
PUBLISHED = PeriodFigures(
    [{"indicator": "women_registered", "kecamatan_code": None, "value": 8.0, "suppressed": False},
     {"indicator": "women_registered", "kecamatan_code": "64.02.09", "value": None, "suppressed": True},
     {"indicator": "women_registered", "kecamatan_code": "64.02.10", "value": None, "suppressed": True}],
    [{"year": 2025, "kecamatan_code": "all", "indicator": "women_registered", "label": "Perempuan terdaftar",
      "target": 40.0, "actual": None, "suppressed": True, "progress": None}],
)
APPROVAL_DAY = date(2025, 4, 14)


async def opened(uow: FakeMonitoringUnitOfWork, period: str = "2025-Q1", kind: Any = "quarter") -> dict[str, Any]:
    return await rounds.open_round(uow, kind=kind, period=period, title="", opd="dp3a", frozen=FROZEN)


async def test_opening_a_round_stores_the_frozen_figures_under_a_default_title() -> None:
    uow = FakeMonitoringUnitOfWork()
    r = await opened(uow)
    assert (r["title"], r["status"], r["opened_by_opd"]) == ("Evaluasi 2025-Q1", "open", "dp3a")
    assert r["figures"] == FROZEN.figures and r["targets"] == FROZEN.targets
    assert r["notes"] == r["obstacles"] == r["actions"] == [] and uow.published == []
    assert (await rounds.get(uow, round_ref=r["round_ref"]))["figures"] == FROZEN.figures


@pytest.mark.parametrize("opd", [None, "bappeda"])
async def test_only_a_program_opd_opens_a_round(opd: str | None) -> None:
    uow = FakeMonitoringUnitOfWork()
    with pytest.raises(Forbidden):
        await rounds.open_round(uow, kind="month", period="2025-03", title="x", opd=opd, frozen=FROZEN)
    assert uow.rounds.rounds == {}


async def test_each_opd_writes_only_its_own_note_and_rewrites_it() -> None:
    uow = FakeMonitoringUnitOfWork()
    ref = (await opened(uow))["round_ref"]
    with pytest.raises(Forbidden) as refused:
        await rounds.put_note(uow, round_ref=ref, opd="diskop_ukm", acting_opd="disperindag", note="x")
    assert refused.value.field == "opd"
    await rounds.put_note(uow, round_ref=ref, opd="disperindag", acting_opd="disperindag", note="Pameran terlaksana")
    answer = await rounds.put_note(uow, round_ref=ref, opd="disperindag", acting_opd="disperindag", note="Dua pameran")
    assert answer == {"round_ref": ref, "opd": "disperindag", "progress_note": "Dua pameran"}
    assert (await rounds.get(uow, round_ref=ref))["notes"] == [{"opd": "disperindag", "progress_note": "Dua pameran"}]
    with pytest.raises(NotFound):
        await rounds.put_note(uow, round_ref=uuid4(), opd="dp3a", acting_opd="dp3a", note="x")


async def test_an_obstacle_is_recorded_by_its_own_opd() -> None:
    uow = FakeMonitoringUnitOfWork()
    ref = (await opened(uow))["round_ref"]
    entry = {"opd": "disperindag", "category": "budget", "description": "Anggaran terlambat", "severity": "high"}
    with pytest.raises(Forbidden):
        await rounds.add_obstacle(uow, round_ref=ref, acting_opd="dp3a", **entry)
    answer = await rounds.add_obstacle(uow, round_ref=ref, acting_opd="disperindag", **entry)
    assert answer["round_ref"] == ref and {k: answer[k] for k in entry} == entry
    [stored] = (await rounds.get(uow, round_ref=ref))["obstacles"]
    assert stored == {"obstacle_ref": answer["obstacle_ref"], **entry}


async def test_an_action_opens_in_its_round_and_is_listed_there() -> None:
    uow = FakeMonitoringUnitOfWork()
    ref = (await opened(uow))["round_ref"]
    entry = {"opd": "disperindag", "owner_opd": "diskop_ukm", "description": "Fasilitasi NIB",
             "due_on": date(2025, 5, 31)}
    with pytest.raises(Forbidden):
        await rounds.add_action(uow, round_ref=ref, acting_opd="dp3a", **entry)
    answer = await rounds.add_action(uow, round_ref=ref, acting_opd="disperindag", **entry)
    assert (answer["status"], answer["opened_round_ref"]) == ("open", ref)
    [listed] = (await rounds.get(uow, round_ref=ref))["actions"]
    assert (listed["status_in_round"], listed["carried_over"], listed["opened_period"]) == ("open", False, "2025-Q1")


async def test_an_action_is_reviewed_by_its_recorder_or_owner_and_carried_over_until_done() -> None:
    uow = FakeMonitoringUnitOfWork()
    q1 = (await opened(uow))["round_ref"]
    action = (await rounds.add_action(uow, round_ref=q1, acting_opd="disperindag", opd="disperindag",
                                      owner_opd="diskop_ukm", description="Fasilitasi NIB",
                                      due_on=date(2025, 5, 31)))["action_ref"]
    april = (await opened(uow, "2025-04", "month"))["round_ref"]
    [carried] = (await rounds.get(uow, round_ref=april))["actions"]
    assert (carried["carried_over"], carried["status_in_round"]) == (True, None)
    with pytest.raises(Forbidden):
        await rounds.review_action(uow, round_ref=april, action_ref=action, acting_opd="distransnaker",
                                   status="done", note="")
    done = await rounds.review_action(uow, round_ref=april, action_ref=action, acting_opd="diskop_ukm",
                                      status="done", note="120 NIB")
    assert done == {"action_ref": action, "round_ref": april, "status": "done", "note": "120 NIB"}
    assert uow.rounds.actions[action].closed_round_ref == april
    may = (await opened(uow, "2025-05", "month"))["round_ref"]
    assert (await rounds.get(uow, round_ref=may))["actions"] == []  # closed in April: no longer carried
    with pytest.raises(Conflict, match="already closed"):
        await rounds.review_action(uow, round_ref=may, action_ref=action, acting_opd="diskop_ukm",
                                   status="in_progress", note="")
    later = (await rounds.add_action(uow, round_ref=may, acting_opd="dp3a", opd="dp3a", owner_opd="dp3a",
                                     description="Rekap data", due_on=date(2025, 6, 30)))["action_ref"]
    with pytest.raises(Conflict, match="later round"):
        await rounds.review_action(uow, round_ref=april, action_ref=later, acting_opd="dp3a", status="done",
                                   note="")
    with pytest.raises(NotFound):
        await rounds.review_action(uow, round_ref=april, action_ref=uuid4(), acting_opd="dp3a", status="done",
                                   note="")


async def test_approval_by_dp3a_publishes_the_period_s_public_figures_once_and_closes_the_round() -> None:
    """Other agencies receive the publication's cells of the period, never the exact frozen figures."""
    uow = FakeMonitoringUnitOfWork(public=PUBLISHED)
    ref = (await opened(uow))["round_ref"]
    with pytest.raises(Forbidden):
        await rounds.approve(uow, round_ref=ref, acting_opd="disperindag", today=APPROVAL_DAY)
    with pytest.raises(Forbidden):  # refused before looking the round up: no one learns which rounds exist
        await rounds.approve(uow, round_ref=uuid4(), acting_opd="disperindag", today=APPROVAL_DAY)
    approved = await rounds.approve(uow, round_ref=ref, acting_opd="dp3a", today=APPROVAL_DAY)
    assert (approved["status"], approved["approved_on"], approved["approved_by_opd"]) == (
        "approved", APPROVAL_DAY, "dp3a")
    assert uow.published == [events.RoundApproved(ref, "quarter", "2025-Q1", APPROVAL_DAY, "dp3a",
                                                  tuple(PUBLISHED.figures))]
    assert ("public figures", ("2025-01", "2025-03")) in uow.asked
    [contract] = uow.contracts
    assert isinstance(contract, v1.EvaluationRoundApproved) and contract.figures[2].suppressed
    with pytest.raises(Conflict):
        await rounds.approve(uow, round_ref=ref, acting_opd="dp3a", today=APPROVAL_DAY)
    with pytest.raises(Conflict, match="read-only"):
        await rounds.put_note(uow, round_ref=ref, opd="dp3a", acting_opd="dp3a", note="ubah")
    with pytest.raises(Conflict):
        await rounds.add_obstacle(uow, round_ref=ref, acting_opd="dp3a", opd="dp3a", category="data",
                                  description="x", severity="low")
    assert len(uow.published) == 1


async def test_late_data_is_the_difference_between_frozen_and_live_figures() -> None:
    uow = FakeMonitoringUnitOfWork()
    ref = (await opened(uow))["round_ref"]
    uow.live = PeriodFigures([{**FROZEN.figures[0], "value": 13.0}, {**FROZEN.figures[1], "value": 11.0},
                              FROZEN.figures[2]], FROZEN.targets)
    late = await rounds.late_data(uow, round_ref=ref)
    assert uow.asked == [("figures", ("2025-01", "2025-03"), 2025)]
    assert late["changed_cells"] == 2
    assert [(c["kecamatan_code"], c["frozen"], c["live"], c["change"]) for c in late["changes"]] == [
        ("64.02.09", 6.0, 11.0, 5.0), (None, 8.0, 13.0, 5.0)]


async def test_two_rounds_compare_cell_by_cell_and_list_newest_first() -> None:
    uow = FakeMonitoringUnitOfWork()
    q1 = (await opened(uow))["round_ref"]
    q2 = (await rounds.open_round(uow, kind="quarter", period="2025-Q2", title="Q2", opd="disperindag",
                                  frozen=PeriodFigures([{**FROZEN.figures[0], "value": 10.0}], [])))["round_ref"]
    cmp = await rounds.compare(uow, a=q1, b=q2)
    regency = next(c for c in cmp["indicators"] if c["kecamatan_code"] is None)
    assert (regency["a"], regency["b"], regency["change"]) == (8.0, 10.0, 2.0)
    assert cmp["targets"] == [{"indicator": "women_registered", "kecamatan_code": "all", "target": 40.0, "a": 0.2,
                               "b": None}]
    assert [r["round_ref"] for r in await rounds.list_(uow, limit=10, offset=0)] == [q2, q1]
    with pytest.raises(NotFound):
        await rounds.compare(uow, a=q1, b=uuid4())


async def test_a_target_is_stored_and_replaced() -> None:
    uow = FakeMonitoringUnitOfWork()
    body = {"year": 2026, "kecamatan_code": "all", "indicator": "women_trained", "target_value": 250.0}
    assert await targets.put(uow, **body) == body
    await targets.put(uow, **{**body, "target_value": 300.0})
    assert uow.targets.rows == {(2026, "all", "women_trained"): 300.0} and uow.published == []


async def test_targets_default_to_the_year_of_today_in_kutai_kartanegara() -> None:
    uow = FakeMonitoringUnitOfWork()
    await targets.put(uow, year=2027, kecamatan_code="all", indicator="women_trained", target_value=30.0)
    rows = await targets.progress(uow, year=None, kecamatan=None, today=date(2027, 1, 1))
    assert [r["year"] for r in rows] == [2027] and uow.asked == [("targets", 2027, None)]
    assert await targets.progress(uow, year=2026, kecamatan=None, today=date(2027, 1, 1)) == []


def test_a_changed_headline_cell_translates_to_indicator_changed() -> None:
    from monitoring.service_layer import translator

    hidden = translator.to_contract(events.IndicatorChanged("coop_women_members", None, "2026-01", None, True))
    assert isinstance(hidden, v1.IndicatorChanged) and (hidden.kecamatan_code, hidden.value) == (None, None)
    shown = translator.to_contract(events.IndicatorChanged("women_registered", "64.02.06", "2026-01", 5.0, False))
    assert (shown.kecamatan_code, shown.value, shown.suppressed) == ("64.02.06", 5.0, False)


async def test_a_round_read_by_the_public_shows_the_publication_and_no_late_data() -> None:
    """A round's public face: the period's published cells and targets instead of the frozen exact figures, and
    no late-data difference (the publication never revises a released cell)."""
    uow = FakeMonitoringUnitOfWork(public=PUBLISHED)
    ref = (await opened(uow))["round_ref"]
    uow.live = PeriodFigures([{**FROZEN.figures[0], "value": 13.0}], FROZEN.targets)
    public = await rounds.get(uow, round_ref=ref, internal=False)
    assert (public["figures"], public["targets"]) == (PUBLISHED.figures, PUBLISHED.targets)
    assert (await rounds.get(uow, round_ref=ref))["figures"] == FROZEN.figures
    late = await rounds.late_data(uow, round_ref=ref, internal=False)
    assert (late["changed_cells"], late["changes"]) == (0, [])
    assert (await rounds.late_data(uow, round_ref=ref))["changed_cells"] == 3  # exact: one changed, two gone
    cmp = await rounds.compare(uow, a=ref, b=ref, internal=False)
    assert [c["a"] for c in cmp["indicators"]] == [None, None, 8.0]
