"""The possible-duplicate rule (domain.duplicates) and the merge rules (domain.merges), without I/O."""

from datetime import date
from uuid import UUID, uuid4

import pytest
from berdaya_shared.errors import Conflict, Invalid, NotFound
from registry.domain import duplicates, merges
from registry.domain.duplicates import Record

from tests.registry.helpers import nik_for

BIRTH = date(1978, 3, 9)
TODAY = date(2026, 11, 28)


def record(name: str, *, birth: date = BIRTH, kecamatan: str = "64.02.06", desa: str | None = "64.02.06.1004") -> Record:
    return Record(uuid4(), name, birth, kecamatan, desa)


@pytest.mark.parametrize(("a", "b"), [
    ("Hj. Siti Rahmawati", "Siti Rahmawati"),  # the pair
    ("Hajah Siti Rahmawati", "SITI RAHMAWATY"),  # a title written out; y for i
    ("Ny. Sri Wahyuni", "Sri Wahjuni"),  # Nyonya; the old spelling j for y
    ("Ibu Nur'aini", "Nuraini"),
    ("Bu Dewi Lestari", "Dewi  Lestari"),
    ("Siti Aminah, S.Pd", "St. Aminah"),  # a degree after a comma; St. for Siti
    ("Dra. Marlina Hartati", "Marlina Hartati A.Md"),
    ("Siti Rahma Wati", "SITI RAHMAWATTI"),  # spacing and a doubled letter
    ("Soeharti", "Suharti"), ("Djuwita Sari", "Juwita Sari"),
    ("Hj.Siti Zubaidah", "Siti Zubaedah"),  # no space after the title; one letter typed wrong
    ("Nur Hasanah", "Hasanah Nur"),  # the same words in another order
])
def test_titles_spelling_spacing_and_small_typos_do_not_hide_a_duplicate(a: str, b: str) -> None:
    assert duplicates.score(record(a), record(b)) is not None
    assert duplicates.similarity(a, b) == duplicates.similarity(b, a)


@pytest.mark.parametrize(("a", "b"), [
    ("Siti Aminah", "Siti Aisyah"), ("Siti Aminah", "Sri Aminah"), ("Dewi Lestari", "Dewi Kartika"),
    ("Wulan Sari", "Wulan Sari Dewi"), ("Hj. Siti Rahmawati", "Hj. Nur Rahmawati"),
])
def test_another_first_or_last_name_is_another_woman(a: str, b: str) -> None:
    assert duplicates.score(record(a), record(b)) is None


def test_a_missing_desa_is_compared_within_the_kecamatan_and_two_desa_are_two_places() -> None:
    name = "Hj. Siti Rahmawati"
    assert duplicates.score(record(name, desa=None), record("Siti Rahmawati")) == 100
    assert duplicates.score(record(name, desa=None), record(name, desa=None)) == 100
    assert duplicates.score(record(name), record(name, desa="64.02.06.1005")) is None
    assert duplicates.score(record(name, desa=None), record(name, kecamatan="64.02.05", desa=None)) is None
    assert duplicates.score(record(name), record(name, birth=date(1978, 3, 10))) is None


def test_a_record_is_not_its_own_duplicate() -> None:
    one = record("Siti Rahmawati")
    assert duplicates.score(one, one) is None


def test_the_skeleton_drops_only_titles_and_keeps_every_name() -> None:
    assert duplicates.skeleton("Hj. Siti Rahma Wati, S.E.I") == "sitirahmawati"
    assert duplicates.skeleton("Ibu") == "ibu"  # a name that is only a title word is kept
    assert duplicates.tokens("Prof. Dr. Ir. Hj. Nurhayati Marlina SPd") == ["nurhaiati", "marlina"]


def side(ref: UUID, *, registered_on: date = date(2025, 1, 10), opd: str = "dp3a", serial: int = 7113,
         erased: bool = False, merged_into: UUID | None = None) -> merges.Side:
    return merges.Side(ref, erased, merged_into, BIRTH, nik_for(BIRTH, serial), registered_on, opd)


def test_a_merge_keeps_the_earlier_registration_baseline_and_membership() -> None:
    s, r, coop = uuid4(), uuid4(), uuid4()
    first, second = uuid4(), uuid4()
    plan = merges.plan(
        merge_ref=uuid4(), surviving=side(s, registered_on=date(2026, 11, 2)),
        retired_side=side(r, registered_on=date(2024, 3, 1), opd="diskop_ukm", serial=7110), surviving_ref=s,
        retired_ref=r, nik_from="retired",
        baselines=[merges.Baseline(first, r, date(2024, 3, 5)), merges.Baseline(second, s, date(2026, 11, 3))],
        memberships=[merges.ActiveMembership(1, coop, s, date(2025, 6, 1)),
                     merges.ActiveMembership(2, coop, r, date(2024, 4, 1)),
                     merges.ActiveMembership(3, uuid4(), r, date(2024, 4, 1))], today=TODAY)
    assert (plan.registered_on, plan.registered_by_opd) == (date(2024, 3, 1), "diskop_ukm")
    assert plan.demote_baseline == second  # the later baseline becomes an ordinary assessment
    assert plan.set_aside == (1,)  # the survivor's later membership of the same cooperative
    assert plan.survivor_nik == nik_for(BIRTH, 7110)
    assert (plan.event.surviving_ref, plan.event.retired_ref, plan.event.merged_on) == (s, r, TODAY)


def test_a_merge_is_refused_for_one_record_twice_an_unknown_erased_or_already_merged_one() -> None:
    s, r = uuid4(), uuid4()

    def attempt(surviving: merges.Side | None, retired: merges.Side | None, retired_ref: UUID = r) -> None:
        merges.plan(merge_ref=uuid4(), surviving=surviving, retired_side=retired, surviving_ref=s,
                    retired_ref=retired_ref, nik_from="surviving", baselines=[], memberships=[], today=TODAY)

    with pytest.raises(Invalid) as same:
        attempt(side(s), side(s), retired_ref=s)
    assert same.value.field == "retired_ref"
    with pytest.raises(NotFound):
        attempt(side(s), None)
    with pytest.raises(Conflict):
        attempt(side(s, erased=True), side(r))
    with pytest.raises(Conflict) as merged:
        attempt(side(s), side(r, merged_into=s))
    assert merged.value.extra == {"surviving_ref": str(s)}


def test_a_nik_taken_from_the_retired_record_must_fit_the_survivors_birth_date() -> None:
    s, r = uuid4(), uuid4()
    other_birth = merges.Side(r, False, None, BIRTH, nik_for(date(1980, 1, 2), 5), date(2025, 1, 1), "dp3a")
    with pytest.raises(Invalid) as refused:
        merges.plan(merge_ref=uuid4(), surviving=side(s), retired_side=other_birth, surviving_ref=s, retired_ref=r,
                    nik_from="retired", baselines=[], memberships=[], today=TODAY)
    assert refused.value.field == "nik_from"


def test_an_undo_goes_last_first_and_never_hands_a_nik_to_a_second_woman() -> None:
    ref = uuid4()
    record = merges.MergeRecord(ref, uuid4(), uuid4(), undone=False)
    ok = merges.undo(record, merge_ref=ref, later=[], survivor_erased=False, nik_taken=False, today=TODAY)
    assert (ok.merge_ref, ok.retired_ref, ok.unmerged_on) == (ref, record.retired_ref, TODAY)
    for kwargs in ({"later": [uuid4()]}, {"survivor_erased": True}, {"nik_taken": True}):
        with pytest.raises(Conflict):
            merges.undo(record, merge_ref=ref, **{"later": [], "survivor_erased": False, "nik_taken": False,
                                                  **kwargs}, today=TODAY)
    with pytest.raises(Conflict, match="already undone"):
        merges.undo(merges.MergeRecord(ref, uuid4(), uuid4(), undone=True), merge_ref=ref, later=[],
                    survivor_erased=False, nik_taken=False, today=TODAY)
    with pytest.raises(NotFound):
        merges.undo(None, merge_ref=ref, later=[], survivor_erased=False, nik_taken=False, today=TODAY)
