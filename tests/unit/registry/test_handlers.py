"""Each registry command handler on the in-memory unit of work: what it stores, answers and publishes, and what it
refuses."""

import csv
import io
import json
from datetime import date
from uuid import UUID, uuid4

import pytest
from berdaya_contracts import registry_v1 as v1
from berdaya_shared.errors import Conflict, Forbidden, Invalid, NotFound, TooLarge
from registry.adapters import crypto
from registry.domain import events, nik
from registry.domain.women import NewWoman
from registry.service_layer import businesses, capital, coops, import_review, imports, welfare, women
from registry.service_layer.import_rows import Context
from registry.service_layer.import_workers import RowReaders

from tests.registry.helpers import nik_for

from .fakes import FakeRegistryUnitOfWork

TODAY = date(2026, 11, 28)
GK_2024 = events.PovertyLine(date(2024, 1, 1), 753_332)


def details(birth: date = date(1985, 8, 5), serial: int = 3, **changes: object) -> NewWoman:
    values: dict = dict(nik=nik.parse(nik_for(birth, serial), today=TODAY), full_name="Siti Aminah", birth_date=birth,
                        phone="081234567890", kecamatan_code="64.02.06", desa_code="64.02.06.1001", household_size=4,
                        pekka_category="productive", registered_by_opd="dp3a")
    return NewWoman(**{**values, **changes})


async def registered(uow: FakeRegistryUnitOfWork, **changes: object) -> UUID:
    serial = changes.pop("serial", len(uow.women.rows) + 1)
    return (await women.create(uow, woman=details(serial=serial, **changes), today=TODAY))["person_ref"]  # type: ignore[arg-type]


async def test_registration_stores_her_sealed_answers_from_the_values_in_hand_and_publishes_her_profile() -> None:
    uow = FakeRegistryUnitOfWork()
    woman = await women.create(uow, woman=details(), today=TODAY)
    assert woman["nik_masked"] == "6402********0003" and woman["full_name"] == "Siti Aminah"
    assert woman["age_band"] == "35-44" and woman["registered_on"] == TODAY and woman["possible_duplicate_of"] == []
    stored = uow.women.rows[woman["person_ref"]]
    assert b"Siti" not in stored["name_cipher"] and stored["nik_hmac"] == uow.cipher.nik_mac("6402064508850003")
    assert uow.cipher.decrypt(stored["nik_cipher"], context=crypto.NIK) == "6402064508850003"
    assert uow.women.inserted == {woman["person_ref"]: stored}  # handed to the change trail
    [contract] = uow.contracts
    assert contract == v1.WomanRegistered(
        person_ref=woman["person_ref"], kecamatan_code="64.02.06", desa_code="64.02.06.1001", age_band="35-44",
        pekka_category="productive", household_size=4, registered_by_opd="dp3a", registered_on=TODAY)


async def test_a_registered_nik_is_refused_with_her_ref_and_a_namesake_is_flagged_not_refused() -> None:
    uow = FakeRegistryUnitOfWork()
    first = await registered(uow, serial=3)
    with pytest.raises(Conflict) as refused:
        await women.create(uow, woman=details(serial=3, full_name="Nama Lain"), today=TODAY)
    assert refused.value.extra == {"person_ref": str(first)} and len(uow.published) == 1
    twin = await women.create(uow, woman=details(serial=4, full_name="SITI  aminah"), today=TODAY)
    assert twin["possible_duplicate_of"] == [first]
    assert (await women.get(uow, person_ref=first))["possible_duplicate_of"] == [twin["person_ref"]]


async def test_a_correction_reseals_her_record_and_publishes_only_a_public_change() -> None:
    uow = FakeRegistryUnitOfWork()
    ref = await registered(uow)
    renamed = await women.correct(uow, person_ref=ref, changes={"full_name": "Siti Aminah Rahayu"}, today=TODAY)
    assert renamed["full_name"] == "Siti Aminah Rahayu" and len(uow.published) == 1
    assert (await women.get(uow, person_ref=ref))["full_name"] == "Siti Aminah Rahayu"
    moved = await women.correct(uow, person_ref=ref, changes={"kecamatan_code": "64.02.05", "household_size": 6},
                                today=TODAY)
    assert moved["desa_code"] is None and moved["household_size"] == 6
    assert uow.published[-1] == events.WomanProfileCorrected(
        ref, events.Profile("64.02.05", None, "35-44", "productive", 6), TODAY)
    other = await registered(uow, birth=date(1990, 1, 17), serial=9)
    with pytest.raises(Conflict):
        await women.correct(uow, person_ref=other, changes={"nik": nik.parse(nik_for(date(1985, 8, 5), 1), today=TODAY),
                                                            "birth_date": date(1985, 8, 5)}, today=TODAY)
    with pytest.raises(Invalid) as refused:
        await women.correct(uow, person_ref=ref, changes={"desa_code": "64.02.06.1001"}, today=TODAY)
    assert refused.value.field == "desa_code"


async def test_erasure_removes_her_personal_data_once_and_closes_her_record() -> None:
    uow = FakeRegistryUnitOfWork()
    ref = await registered(uow)
    erased = await women.erase(uow, person_ref=ref, today=TODAY)
    assert erased["erased"] and erased["full_name"] is None and erased["nik_masked"] is None
    assert erased["kecamatan_code"] == "64.02.06" and erased["age_band"] == "35-44"
    again = await women.erase(uow, person_ref=ref, today=TODAY)
    assert again["erased"] and uow.published[1:] == [events.PersonalDataErased(ref, TODAY)]
    with pytest.raises(Conflict):
        await women.correct(uow, person_ref=ref, changes={"household_size": 2}, today=TODAY)
    with pytest.raises(NotFound):
        await women.get_by_nik(uow, nik_value="6402064508850003")


async def test_dismissing_a_possible_duplicate_closes_the_flag_both_ways_and_publishes_nothing() -> None:
    uow = FakeRegistryUnitOfWork()
    a = await registered(uow, serial=1)
    b = await registered(uow, serial=2)
    reviewed = await women.dismiss_duplicate(uow, person_ref=b, other_ref=a)
    assert reviewed["possible_duplicate_of"] == [] and (await women.get(uow, person_ref=a))["possible_duplicate_of"] == []
    assert len(uow.published) == 2
    with pytest.raises(NotFound) as refused:
        await women.dismiss_duplicate(uow, person_ref=a, other_ref=b)
    assert refused.value.field == "other_ref"


async def test_the_poverty_line_is_dated_configuration_and_an_assessment_uses_the_one_in_force() -> None:
    uow = FakeRegistryUnitOfWork()
    ref = await registered(uow)
    with pytest.raises(Invalid) as refused:
        await welfare.assess(uow, person_ref=ref, assessed_on=date(2024, 8, 1), household_size=4,
                             monthly_income_idr=3_000_000, today=TODAY)
    assert refused.value.field == "assessed_on"
    line = await welfare.set_poverty_line(uow, valid_from=GK_2024.valid_from, idr=GK_2024.idr, source="BPS 2024")
    assert line == {"valid_from": date(2024, 1, 1), "idr": 753_332, "source": "BPS 2024"}
    assert await welfare.poverty_lines(uow) == [line]
    baseline = await welfare.assess(uow, person_ref=ref, assessed_on=date(2024, 8, 1), household_size=4,
                                    monthly_income_idr=3_000_000, today=TODAY)
    assert baseline["per_capita_income_idr"] == 750_000 and baseline["below_poverty_line"] and baseline["is_baseline"]
    assert baseline["poverty_line_idr"] == 753_332 and baseline["poverty_line_valid_from"] == date(2024, 1, 1)
    later = await welfare.assess(uow, person_ref=ref, assessed_on=date(2025, 2, 1), household_size=3,
                                 monthly_income_idr=3_000_000, today=TODAY)
    assert not later["is_baseline"] and not later["below_poverty_line"]
    assert uow.contracts[-1] == v1.WelfareAssessed(
        assessment_ref=later["assessment_ref"], person_ref=ref, assessed_on=date(2025, 2, 1), household_size=3,
        monthly_household_income_idr=3_000_000, per_capita_income_idr=1_000_000, poverty_line_idr=753_332,
        below_poverty_line=False, is_baseline=False)
    assert [a["assessment_ref"] for a in await welfare.assessments(uow, person_ref=ref)] == [
        baseline["assessment_ref"], later["assessment_ref"]]


async def test_aid_publishes_kind_opd_and_date_while_its_case_note_stays_sealed() -> None:
    uow = FakeRegistryUnitOfWork()
    ref = await registered(uow)
    note = "Korban KDRT, rujukan UPTD PPA"
    aid = await welfare.provide_aid(uow, person_ref=ref, kind="legal_assistance", provider_opd="dp3a",
                                    provided_on=date(2025, 3, 10), case_note=note, today=TODAY)
    assert aid["case_notes"] == 1
    assert uow.contracts[-1] == v1.AidProvided(aid_ref=aid["aid_ref"], person_ref=ref, kind="legal_assistance",
                                               provider_opd="dp3a", provided_on=date(2025, 3, 10))
    assert note.encode() not in uow.aid.notes_[0]["note_cipher"]
    with pytest.raises(Invalid) as refused:
        await welfare.provide_aid(uow, person_ref=ref, kind="shelter", provider_opd="dp3a",
                                  provided_on=date(2026, 11, 29), case_note=None, today=TODAY)
    assert refused.value.field == "provided_on"


async def test_a_case_note_is_added_to_known_aid_and_read_back_with_whose_case_it_is() -> None:
    uow = FakeRegistryUnitOfWork()
    ref = await registered(uow)
    aid = await welfare.provide_aid(uow, person_ref=ref, kind="counselling", provider_opd="dp3a",
                                    provided_on=date(2025, 3, 10), case_note=None, today=TODAY)
    added = await welfare.add_case_note(uow, aid_ref=aid["aid_ref"], note="Sidang 2 April", written_by_opd="dp3a")
    assert added == {"note_id": 1, "aid_ref": aid["aid_ref"], "note": "Sidang 2 April", "written_by_opd": "dp3a"}
    owner, notes = await welfare.case_notes(uow, aid_ref=aid["aid_ref"])
    assert owner == ref and [n["note"] for n in notes] == ["Sidang 2 April"]
    assert (await welfare.aid_of(uow, person_ref=ref))[0]["case_notes"] == 1
    assert len(uow.published) == 2  # registration and aid: a note publishes nothing
    with pytest.raises(NotFound):
        await welfare.add_case_note(uow, aid_ref=uuid4(), note="x", written_by_opd="dp3a")


async def business(uow: FakeRegistryUnitOfWork, owner: UUID) -> dict:
    return await businesses.create(uow, owner_person_ref=owner, name="Amplang Bu Siti", sector="kuliner",
                                   kecamatan_code="64.02.06", nib=None, has_pirt=True, has_halal=False,
                                   started_on=date(2021, 5, 1), registered_on=date(2025, 2, 10), today=TODAY)


async def test_a_business_needs_a_living_owner_and_publishes_its_legality() -> None:
    uow = FakeRegistryUnitOfWork()
    owner = await registered(uow)
    created = await business(uow, owner)
    assert created["has_nib"] is False and created["registered_on"] == date(2025, 2, 10)
    assert uow.contracts[-1] == v1.BusinessRegistered(
        business_ref=created["business_ref"], owner_person_ref=owner, sector="kuliner", kecamatan_code="64.02.06",
        has_nib=False, has_pirt=True, has_halal=False, started_on=date(2021, 5, 1), registered_on=date(2025, 2, 10))
    with pytest.raises(NotFound):
        await business(uow, uuid4())
    assert (await businesses.search(uow, owner_person_ref=owner, kecamatan_code=None, sector=None, limit=50,
                                    offset=0))["total"] == 1


async def test_a_monthly_report_updates_the_business_legality_once_per_period() -> None:
    uow = FakeRegistryUnitOfWork()
    ref = (await business(uow, await registered(uow)))["business_ref"]
    report = await businesses.report(uow, business_ref=ref, period="2025-03", monthly_revenue_idr=4_500_000, workers=2,
                                     nib="9120001234567", has_pirt=None, has_halal=True, today=TODAY)
    assert (report["has_nib"], report["has_pirt"], report["has_halal"]) == (True, True, True)
    assert (await businesses.get(uow, business_ref=ref))["nib"] == "9120001234567"
    assert isinstance(uow.contracts[-1], v1.BusinessReported) and uow.contracts[-1].monthly_revenue_idr == 4_500_000
    with pytest.raises(Conflict):
        await businesses.report(uow, business_ref=ref, period="2025-03", monthly_revenue_idr=1, workers=1, nib=None,
                                has_pirt=None, has_halal=None, today=TODAY)
    assert [r["period"] for r in await businesses.reports(uow, business_ref=ref)] == ["2025-03"]


async def coop(uow: FakeRegistryUnitOfWork, founders: list[UUID]) -> dict:
    return await coops.form(uow, name="Koperasi Wanita Mandiri", kecamatan_code="64.02.06", kind="simpan_pinjam",
                            formed_on=date(2025, 1, 20), has_legal_entity=True, legal_entity_number=None,
                            founding_member_refs=founders, today=TODAY)


async def test_forming_a_cooperative_needs_registered_founders() -> None:
    uow = FakeRegistryUnitOfWork()
    founders = [await registered(uow, serial=n) for n in (1, 2, 3)]
    formed = await coop(uow, founders)
    assert formed["active_members"] == 3 and all(m["founding"] for m in formed["members"])
    assert uow.contracts[-1] == v1.CoopFormed(coop_ref=formed["coop_ref"], kecamatan_code="64.02.06",
                                              kind="simpan_pinjam", founding_member_refs=founders,
                                              formed_on=date(2025, 1, 20), has_legal_entity=True)
    with pytest.raises(Invalid) as refused:
        await coop(uow, [founders[0], uuid4()])
    assert refused.value.field == "founding_member_refs" and len(uow.coops.rows) == 1


async def test_joining_and_leaving_a_cooperative() -> None:
    uow = FakeRegistryUnitOfWork()
    founder, joiner = await registered(uow, serial=1), await registered(uow, serial=2)
    ref = (await coop(uow, [founder]))["coop_ref"]
    joined = await coops.join(uow, coop_ref=ref, person_ref=joiner, joined_on=date(2025, 2, 1), today=TODAY)
    assert joined == {"coop_ref": ref, "person_ref": joiner, "joined_on": date(2025, 2, 1)}
    assert uow.published[-1] == events.CoopMemberJoined(events.Membership(ref, joiner, date(2025, 2, 1)))
    with pytest.raises(Conflict):
        await coops.join(uow, coop_ref=ref, person_ref=joiner, joined_on=date(2025, 2, 2), today=TODAY)
    left = await coops.leave(uow, coop_ref=ref, person_ref=founder, left_on=date(2025, 6, 30), today=TODAY)
    assert left == {"coop_ref": ref, "person_ref": founder, "left_on": date(2025, 6, 30)}
    assert uow.contracts[-1] == v1.CoopMemberLeft(coop_ref=ref, person_ref=founder, left_on=date(2025, 6, 30))
    assert (await coops.get(uow, coop_ref=ref))["active_members"] == 1
    with pytest.raises(NotFound):
        await coops.leave(uow, coop_ref=uuid4(), person_ref=founder, left_on=date(2025, 6, 30), today=TODAY)


async def test_the_annual_meeting_is_recorded_once_per_fiscal_year() -> None:
    uow = FakeRegistryUnitOfWork()
    ref = (await coop(uow, [await registered(uow)]))["coop_ref"]
    held = await coops.annual_meeting(uow, coop_ref=ref, fiscal_year=2024, held_on=date(2025, 3, 15), today=TODAY)
    assert held == {"coop_ref": ref, "fiscal_year": 2024, "held_on": date(2025, 3, 15)}
    assert uow.contracts[-1] == v1.CoopAnnualMeetingHeld(coop_ref=ref, fiscal_year=2024, held_on=date(2025, 3, 15))
    with pytest.raises(Conflict):
        await coops.annual_meeting(uow, coop_ref=ref, fiscal_year=2024, held_on=date(2025, 3, 16), today=TODAY)
    assert (await coops.get(uow, coop_ref=ref))["annual_meetings"] == [{"fiscal_year": 2024,
                                                                       "held_on": date(2025, 3, 15)}]


async def test_capital_is_disbursed_to_a_known_recipient_of_the_named_type() -> None:
    uow = FakeRegistryUnitOfWork()
    woman = await registered(uow)
    money = await capital.disburse(uow, recipient_type="woman", recipient_ref=woman, source="kur",
                                   amount_idr=10_000_000, disbursed_on=date(2025, 4, 2), provider_opd="diskop_ukm",
                                   today=TODAY)
    assert money["provider_opd"] == "diskop_ukm" and money["amount_idr"] == 10_000_000
    assert uow.contracts[-1] == v1.CapitalDisbursed(
        disbursement_ref=money["disbursement_ref"], recipient_type="woman", recipient_ref=woman, source="kur",
        amount_idr=10_000_000, disbursed_on=date(2025, 4, 2))
    with pytest.raises(Invalid) as refused:
        await capital.disburse(uow, recipient_type="business", recipient_ref=woman, source="kur", amount_idr=1,
                               disbursed_on=date(2025, 4, 2), provider_opd="diskop_ukm", today=TODAY)
    assert refused.value.field == "recipient_ref" and len(uow.capital.rows) == 1


def sheet(*rows: list[object]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["NIK", "Nama", "Tanggal Lahir", "Kecamatan", "Jumlah Anggota Keluarga", "Kategori PEKKA"])
    writer.writerows(rows)
    return out.getvalue().encode()


async def run_import(uow: FakeRegistryUnitOfWork, data: bytes, *, chunk_size: int = 2,
                     max_rows: int = 100) -> dict:
    """Open, record and run an import on the fakes (rows read in a thread); its summary."""
    parsed = imports.open_file(data, "daftar.csv", max_rows)
    ref = await imports.start(uow, sheet=parsed, filename="daftar.csv", opd="dp3a")
    readers = RowReaders(uow.cipher, encryption_key="", hmac_key="", processes=0)
    await imports.run(uow.begin, readers=readers, sheet=parsed, ctx=Context(opd="dp3a", today=TODAY, import_ref=ref),
                      chunk_size=chunk_size, parallel=False)
    return await import_review.get(uow, import_ref=ref)


def published(uow: FakeRegistryUnitOfWork) -> list[dict]:
    return [json.loads(row[4]) for row in uow.imports.events]


async def test_an_import_registers_valid_rows_in_chunks_reports_the_others_and_runs_twice_harmlessly() -> None:
    uow = FakeRegistryUnitOfWork()
    births = [date(1980, 1, 2), date(1981, 2, 3), date(1982, 3, 4)]
    data = sheet(
        [nik_for(births[0], 1), "Siti Aminah", "02/01/1980", "Tenggarong", 4, "Produktif"],
        [nik_for(births[1], 2), "Nur Hasanah", "1981-02-03", "64.02.06", 3, "lansia"],
        [nik_for(births[2], 3), "Rina 123", "1982-03-04", "Tenggarong", 2, ""],  # a name with digits
        [nik_for(births[0], 5), "Siti Aminah", "02/01/1980", "Tenggarong", 4, "Ya"],  # not a PEKKA category
        [nik_for(births[2], 4)[:-1], "Dewi Lestari", "1982-03-04", "Kecamatan Khayalan", 2, ""],
    )
    summary = await run_import(uow, data, chunk_size=1)
    assert summary["status"] == "done"
    assert (summary["rows_total"], summary["rows_read"], summary["registered"], summary["rejected"]) == (5, 5, 2, 3)
    assert uow.transactions == 7  # the poverty lines, one chunk per row, the end
    report = await import_review.report(uow, import_ref=summary["import_ref"])
    assert {(row, column) for row, column, *_ in report} == {(4, "Nama"), (5, "Kategori PEKKA"), (6, "NIK"),
                                                            (6, "Kecamatan")}
    pekka = next(r for r in report if r[1] == "Kategori PEKKA")
    assert pekka[2] == "ditolak" and "'Ya' tidak dikenal" in pekka[3]
    assert pekka[4] == "Pilih salah satu: Bukan PEKKA, Produktif, Rawan perkawinan anak, Lansia"
    assert all("Siti" not in line for r in report for line in r[1:])  # the report never repeats a value
    assert [e["payload"]["pekka_category"] for e in published(uow)] == ["productive", "elderly"]
    assert summary["error_report"]["csv"].endswith("/errors.csv")

    again = await run_import(uow, data)
    assert (again["registered"], again["already_registered"]) == (0, 2) and len(uow.imports.events) == 2


async def test_an_unreadable_or_oversized_file_is_refused_whole() -> None:
    uow = FakeRegistryUnitOfWork()
    with pytest.raises(Invalid) as refused:
        await run_import(uow, b"nik,nama,tanggal lahir,telpon\n1,2,3,4\n")
    assert refused.value.field == "file" and "maksud Anda 'Telepon'?" in refused.value.pesan
    rows = [[nik_for(date(1980, 1, 2), n), "Siti Aminah", "1980-01-02", "64.02.06", 4, ""] for n in (1, 2, 3)]
    with pytest.raises(TooLarge):
        await run_import(uow, sheet(*rows), max_rows=2)
    assert uow.imports.rows == {} and uow.women.rows == {} and uow.imports.events == []


async def test_a_caller_limited_to_a_kecamatan_reads_only_women_living_there() -> None:
    uow = FakeRegistryUnitOfWork()
    tenggarong = await registered(uow)
    muara_badak = await registered(uow, kecamatan_code="64.02.10", desa_code=None)
    area = frozenset({"64.02.06"})
    assert (await women.get(uow, person_ref=tenggarong, area=area))["person_ref"] == tenggarong
    with pytest.raises(Forbidden):
        await women.get(uow, person_ref=muara_badak, area=area)
    page = await women.search(uow, filters={"kecamatan_code": None}, possible_duplicate=None, limit=10, offset=0,
                              area=area)
    assert [w["person_ref"] for w in page["items"]] == [tenggarong] and page["total"] == 1
    with pytest.raises(Forbidden):
        await women.search(uow, filters={"kecamatan_code": "64.02.10"}, possible_duplicate=None, limit=10, offset=0,
                           area=area)
    assert (await women.search(uow, filters={"kecamatan_code": None}, possible_duplicate=None, limit=10,
                               offset=0))["total"] == 2  # no limit: the whole regency




async def test_a_held_row_is_registered_into_the_same_job_once_confirmed() -> None:
    uow = FakeRegistryUnitOfWork()
    await uow.welfare.set_poverty_line(valid_from=date(2024, 1, 1), idr=753_332, source="BPS")
    birth = date(1988, 8, 17)
    text = ("NIK,Nama,Tanggal Lahir,Kecamatan,Jumlah Anggota Keluarga,Pendapatan\n"
            f"{nik_for(birth, 7)},Siti Aminah,19 Agustus 1988,Samboja,4,3000000\n"  # KTP date differs from the NIK's
            f"{nik_for(birth, 8)},Nur Hasanah,17 Agt 1988,Samboja,4,800\n")  # income written in thousands
    summary = await run_import(uow, text.encode())
    assert (summary["registered"], summary["held"]) == (0, 2) and uow.imports.events == []
    ref = summary["import_ref"]
    listed = (await import_review.held(uow, import_ref=ref, today=TODAY))["items"]
    assert [(i["row_no"], [c["field"] for c in i["confirm"]]) for i in listed] == [
        (2, ["birth_date"]), (3, ["monthly_household_income_idr"])]
    assert listed[0]["birth_date"] == date(1988, 8, 19) and listed[0]["birth_date_in_nik"] == birth
    assert "Rp 800.000" in listed[1]["confirm"][0]["problem"]

    with pytest.raises(Invalid):  # confirming the wrong thing lifts nothing
        await import_review.decide(uow, import_ref=ref, row_no=2, confirm={"confirm_low_income"}, income_idr=None,
                                   discard=False, today=TODAY)
    first = await import_review.decide(uow, import_ref=ref, row_no=2, confirm={"confirm_birth_date_differs_from_nik"},
                                       income_idr=None, discard=False, today=TODAY)
    second = await import_review.decide(uow, import_ref=ref, row_no=3, confirm=set(), income_idr=800_000,
                                        discard=False, today=TODAY)
    assert first["status"] == second["status"] == "registered"
    assert (await uow.verification.open_of([first["person_ref"]]))[first["person_ref"]] == [
        "birth_date_differs_from_nik"]
    assert [a[4] for a in uow.imports.assessments] == [3_000_000, 800_000]
    after = await import_review.get(uow, import_ref=ref)
    assert (after["registered"], after["held"], after["assessed"]) == (2, 0, 2)
    assert [e["event_type"] for e in published(uow)] == ["registry.WomanRegistered", "registry.WelfareAssessed"] * 2
    with pytest.raises(Conflict):
        await import_review.decide(uow, import_ref=ref, row_no=2, confirm=set(), income_idr=None, discard=True,
                                   today=TODAY)
