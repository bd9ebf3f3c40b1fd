"""The duplicate queue, merge and undo handlers on the in-memory unit of work: what they move, answer, publish and
refuse. Invented people only."""

from datetime import date
from uuid import UUID

import pytest
from berdaya_contracts import registry_v1 as v1
from berdaya_shared.errors import Conflict, Invalid
from registry.domain import events, nik
from registry.domain.women import NewWoman
from registry.service_layer import businesses, capital, coops, merges, welfare, women

from tests.registry.helpers import nik_for

from .fakes import FakeRegistryUnitOfWork

TODAY = date(2026, 11, 28)
BIRTH = date(1988, 8, 17)
TRUE_NIK = nik_for(BIRTH, 7113)
ROUNDED_NIK = nik_for(BIRTH, 7110)  # what Excel made of it: the 16th digit turned into 0


def woman(nik_value: str, name: str, registered_on: date, **changes: object) -> NewWoman:
    values: dict = dict(nik=nik.parse(nik_value, today=TODAY), full_name=name, birth_date=BIRTH, phone=None,
                        kecamatan_code="64.02.06", desa_code="64.02.06.1004", household_size=4,
                        pekka_category="productive", registered_by_opd="dp3a", registered_on=registered_on)
    return NewWoman(**{**values, **changes})


async def two_records(uow: FakeRegistryUnitOfWork) -> tuple[UUID, UUID]:
    """The 2024 import's record with an Excel-rounded NIK and her history, then her own registration in 2026."""
    await welfare.set_poverty_line(uow, valid_from=date(2024, 1, 1), idr=753_332, source="BPS 2024")
    old = (await women.create(uow, woman=woman(ROUNDED_NIK, "Siti Rahmawati", date(2024, 3, 1), desa_code=None),
                              today=TODAY))["person_ref"]
    await welfare.assess(uow, person_ref=old, assessed_on=date(2024, 3, 5), household_size=4,
                         monthly_income_idr=2_000_000, today=TODAY)
    await welfare.provide_aid(uow, person_ref=old, kind="social_aid", provider_opd="dp3a",
                              provided_on=date(2024, 6, 1), case_note=None, today=TODAY)
    await businesses.create(uow, owner_person_ref=old, name="Amplang Rahma", sector="kuliner",
                            kecamatan_code="64.02.06", nib=None, has_pirt=True, has_halal=False,
                            started_on=date(2023, 1, 1), registered_on=date(2024, 7, 1), today=TODAY)
    await capital.disburse(uow, recipient_type="woman", recipient_ref=old, source="dp3a_grant", amount_idr=2_500_000,
                           disbursed_on=date(2024, 8, 1), provider_opd="dp3a", today=TODAY)
    new = await women.create(uow, woman=woman(TRUE_NIK, "Hj. Siti Rahmawati", TODAY), today=TODAY)
    assert new["possible_duplicate_of"] == [old]  # titles and a missing desa do not hide her
    await welfare.assess(uow, person_ref=new["person_ref"], assessed_on=date(2026, 11, 3), household_size=4,
                         monthly_income_idr=4_000_000, today=TODAY)
    return old, new["person_ref"]


async def test_the_queue_shows_both_records_with_their_facts_and_what_differs() -> None:
    uow = FakeRegistryUnitOfWork()
    old, new = await two_records(uow)
    page = await merges.queue(uow, status="open", kecamatan_code="64.02.06", limit=50, offset=0)
    assert page["total"] == 1
    [pair] = page["items"]
    assert (pair["person_ref"], pair["other_ref"], pair["score"]) == (new, old, 100)
    first, second = pair["records"]
    assert (first["person_ref"], first["nik_masked"], first["full_name"]) == (old, "6402********7110", "Siti Rahmawati")
    assert first["facts"] == {"welfare_assessments": 1, "aid_records": 1, "businesses": 1, "coop_memberships": 0,
                              "capital_disbursements": 1}
    assert second["nik_masked"] == "6402********7113" and second["facts"]["welfare_assessments"] == 1
    assert pair["differences"] == ["nik_masked", "full_name", "desa_code", "registered_on"]
    assert (await merges.queue(uow, status="open", kecamatan_code="64.02.07", limit=50, offset=0))["total"] == 0


async def test_a_merge_moves_her_history_keeps_the_earlier_baseline_and_corrects_the_rounded_nik() -> None:
    uow = FakeRegistryUnitOfWork()
    old, new = await two_records(uow)
    published = len(uow.published)
    merged = await merges.merge(uow, surviving_ref=old, retired_ref=new, nik_from="retired", opd="dp3a", today=TODAY)
    assert merged["status"] == "merged" and merged["moved"] == {
        "welfare_assessments": 1, "aid_records": 0, "businesses": 0, "coop_memberships": 0,
        "capital_disbursements": 0}
    [event] = uow.published[published:]
    assert event == events.WomenMerged(merged["merge_ref"], old, new, TODAY)
    assert uow.contracts[-1] == v1.WomenMerged(merge_ref=merged["merge_ref"], surviving_ref=old, retired_ref=new,
                                               merged_on=TODAY)
    # the survivor now answers to her true NIK; the rounded one is free for the woman it belongs to
    found = await women.get_by_nik(uow, nik_value=TRUE_NIK)
    assert found["person_ref"] == old and found["nik_masked"] == "6402********7113"
    assert found["registered_on"] == date(2024, 3, 1) and found["possible_duplicate_of"] == []
    other_woman = await women.create(uow, woman=woman(ROUNDED_NIK, "Nur Aini", TODAY), today=TODAY)
    assert other_woman["possible_duplicate_of"] == []
    # two baselines: the earlier one stays
    history = await welfare.assessments(uow, person_ref=old)
    assert [(a["assessed_on"], a["is_baseline"]) for a in history] == [(date(2024, 3, 5), True),
                                                                      (date(2026, 11, 3), False)]
    # the retired record points at the survivor and takes no new facts
    retired = await women.get(uow, person_ref=new)
    assert retired["merged_into"] == old and retired["nik_masked"] is not None
    with pytest.raises(Conflict) as refused:
        await welfare.assess(uow, person_ref=new, assessed_on=TODAY, household_size=4, monthly_income_idr=1_000_000,
                             today=TODAY)
    assert refused.value.extra == {"surviving_ref": str(old)}
    with pytest.raises(Conflict):
        await women.correct(uow, person_ref=new, changes={"household_size": 3}, today=TODAY)
    search = await women.search(uow, filters={"kecamatan_code": "64.02.06"}, possible_duplicate=None, limit=50,
                                offset=0)
    assert sorted(w["person_ref"] for w in search["items"]) == sorted([old, other_woman["person_ref"]])
    assert (await merges.queue(uow, status="merged", kecamatan_code=None, limit=50, offset=0))["total"] == 1


async def test_a_merge_is_refused_twice_and_for_a_nik_that_does_not_fit() -> None:
    uow = FakeRegistryUnitOfWork()
    old, new = await two_records(uow)
    await merges.merge(uow, surviving_ref=new, retired_ref=old, nik_from="surviving", opd="dp3a", today=TODAY)
    with pytest.raises(Conflict):
        await merges.merge(uow, surviving_ref=new, retired_ref=old, nik_from="surviving", opd="dp3a", today=TODAY)
    third = (await women.create(uow, woman=woman(nik_for(date(1990, 1, 2), 4), "Rina Sari", TODAY,
                                                 birth_date=date(1990, 1, 2)), today=TODAY))["person_ref"]
    with pytest.raises(Invalid) as refused:
        await merges.merge(uow, surviving_ref=new, retired_ref=third, nik_from="retired", opd="dp3a", today=TODAY)
    assert refused.value.field == "nik_from"


async def test_overlapping_memberships_become_one_and_an_undo_sets_everything_back() -> None:
    uow = FakeRegistryUnitOfWork()
    old, new = await two_records(uow)
    formed = await coops.form(uow, name="Koperasi Wanita Mandiri", kecamatan_code="64.02.06", kind="simpan_pinjam",
                              formed_on=date(2024, 5, 1), has_legal_entity=True, legal_entity_number=None,
                              founding_member_refs=[old], today=TODAY)
    await coops.join(uow, coop_ref=formed["coop_ref"], person_ref=new, joined_on=date(2026, 11, 5), today=TODAY)
    merged = await merges.merge(uow, surviving_ref=new, retired_ref=old, nik_from="surviving", opd="dp3a",
                                today=TODAY)
    assert merged["moved"] == {"welfare_assessments": 1, "aid_records": 1, "businesses": 1, "coop_memberships": 1,
                               "capital_disbursements": 1}
    members = (await coops.get(uow, coop_ref=formed["coop_ref"]))["members"]
    assert [(m["person_ref"], m["joined_on"]) for m in members] == [(new, date(2024, 5, 1))]  # the earlier one
    assert (await women.get(uow, person_ref=new))["registered_on"] == date(2024, 3, 1)
    # she leaves after the merge: the event names the membership as it was recorded (under the old ref)
    await coops.leave(uow, coop_ref=formed["coop_ref"], person_ref=new, left_on=date(2026, 11, 20), today=TODAY)
    assert uow.contracts[-1] == v1.CoopMemberLeft(coop_ref=formed["coop_ref"], person_ref=old,
                                                  left_on=date(2026, 11, 20))

    published = len(uow.published)
    undone = await merges.undo(uow, merge_ref=merged["merge_ref"], reason="Ibu dan anak dengan nama sama",
                               opd="dp3a", today=TODAY)
    assert undone["status"] == "undone" and undone["unmerge_reason"] == "Ibu dan anak dengan nama sama"
    assert uow.published[published:] == [events.WomenUnmerged(merged["merge_ref"], new, old, TODAY)]
    restored = await women.get(uow, person_ref=old)
    assert restored["merged_into"] is None and restored["registered_on"] == date(2024, 3, 1)
    assert (await women.get_by_nik(uow, nik_value=ROUNDED_NIK))["person_ref"] == old
    assert (await women.get(uow, person_ref=new))["registered_on"] == TODAY
    assert [a["is_baseline"] for a in await welfare.assessments(uow, person_ref=old)] == [True]
    assert [a["is_baseline"] for a in await welfare.assessments(uow, person_ref=new)] == [True]
    members = (await coops.get(uow, coop_ref=formed["coop_ref"]))["members"]
    assert sorted((m["person_ref"] == old, m["left_on"]) for m in members) == [
        (False, None), (True, date(2026, 11, 20))]
    # the pair is now known to be two women: not proposed again
    assert (await merges.queue(uow, status="dismissed", kecamatan_code=None, limit=50, offset=0))["total"] == 1
    assert (await merges.queue(uow, status="open", kecamatan_code=None, limit=50, offset=0))["total"] == 0
    with pytest.raises(Conflict):
        await merges.undo(uow, merge_ref=merged["merge_ref"], reason="lagi", opd="dp3a", today=TODAY)


async def test_an_undo_is_refused_when_the_released_nik_now_belongs_to_another_woman() -> None:
    uow = FakeRegistryUnitOfWork()
    old, new = await two_records(uow)
    merged = await merges.merge(uow, surviving_ref=old, retired_ref=new, nik_from="retired", opd="dp3a", today=TODAY)
    await women.create(uow, woman=woman(ROUNDED_NIK, "Nur Aini", TODAY), today=TODAY)
    with pytest.raises(Conflict) as refused:
        await merges.undo(uow, merge_ref=merged["merge_ref"], reason="keliru", opd="dp3a", today=TODAY)
    assert "NIK" in refused.value.pesan
    assert (await women.get(uow, person_ref=new))["merged_into"] == old


async def test_merges_are_undone_last_first_and_erasing_her_erases_the_retired_record_too() -> None:
    uow = FakeRegistryUnitOfWork()
    old, new = await two_records(uow)
    first = await merges.merge(uow, surviving_ref=new, retired_ref=old, nik_from="surviving", opd="dp3a",
                               today=TODAY)
    third = (await women.create(uow, woman=woman(nik_for(BIRTH, 7200), "Siti Rahmawaty", TODAY),
                                today=TODAY))["person_ref"]
    second = await merges.merge(uow, surviving_ref=third, retired_ref=new, nik_from="surviving", opd="dp3a",
                                today=TODAY)
    assert second["moved"]["businesses"] == 1  # her first record's business followed her twice
    with pytest.raises(Conflict) as refused:
        await merges.undo(uow, merge_ref=first["merge_ref"], reason="keliru", opd="dp3a", today=TODAY)
    assert refused.value.extra == {"later_merge_refs": [str(second["merge_ref"])]}
    await women.erase(uow, person_ref=third, today=TODAY)
    assert all(uow.women.rows[ref]["erased_at"] is not None for ref in (old, new, third))
    with pytest.raises(Conflict):
        await women.erase(uow, person_ref=old, today=TODAY)
    with pytest.raises(Conflict):
        await merges.undo(uow, merge_ref=second["merge_ref"], reason="keliru", opd="dp3a", today=TODAY)
