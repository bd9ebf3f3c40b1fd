"""Welfare, aid, UKM, cooperatives and capital: each command's event once, with the right payload."""

import random
from typing import Any

import httpx

from tests.registry.helpers import events_about, woman_body
from tests.support.auth import bearer

rng = random.Random()


async def new_woman(client: httpx.AsyncClient, **overrides: Any) -> str:
    response = await client.post("/women", json=woman_body(rng, **overrides))
    assert response.status_code == 201, response.text
    return response.json()["person_ref"]


def of_type(events: list[dict[str, Any]], event_type: str) -> list[dict[str, Any]]:
    return [e for e in events if e["event_type"] == f"registry.{event_type}"]


async def test_welfare_uses_the_poverty_line_in_force_and_marks_the_first_as_baseline(
    client: httpx.AsyncClient, kafka_bootstrap: str
) -> None:
    ref = await new_woman(client)
    # 4 people on Rp 3,000,000: Rp 750,000 each, just under the 2024 line of Rp 753,332.
    baseline = await client.post(f"/women/{ref}/welfare-assessments", json={
        "assessed_on": "2024-08-01", "household_size": 4, "monthly_household_income_idr": 3_000_000})
    assert baseline.status_code == 201, baseline.text
    assert baseline.json()["per_capita_income_idr"] == 750_000
    assert baseline.json()["poverty_line_idr"] == 753_332
    assert baseline.json()["below_poverty_line"] is True and baseline.json()["is_baseline"] is True

    line = await client.put("/poverty-lines/2025-01-01", json={"idr": 800_000, "source": "uji: angka contoh"})
    assert line.status_code == 200, line.text
    follow = await client.post(f"/women/{ref}/welfare-assessments", json={
        "assessed_on": "2025-02-01", "household_size": 4, "monthly_household_income_idr": 3_100_000})
    assert follow.json()["poverty_line_idr"] == 800_000
    assert follow.json()["below_poverty_line"] is True and follow.json()["is_baseline"] is False
    above = await client.post(f"/women/{ref}/welfare-assessments", json={
        "assessed_on": "2024-12-31", "household_size": 3, "monthly_household_income_idr": 3_000_000})
    assert above.json()["poverty_line_idr"] == 753_332 and above.json()["below_poverty_line"] is False

    too_early = await client.post(f"/women/{ref}/welfare-assessments", json={
        "assessed_on": "2019-05-01", "household_size": 4, "monthly_household_income_idr": 1})
    assert too_early.status_code == 422
    assert too_early.json()["kesalahan"][0]["field"] == "assessed_on"
    assert "garis kemiskinan" in too_early.json()["pesan"].lower()
    absurd = await client.post(f"/women/{ref}/welfare-assessments", json={
        "assessed_on": "2024-08-01", "household_size": 0, "monthly_household_income_idr": -5})
    assert absurd.status_code == 422

    events = of_type(await events_about(kafka_bootstrap, {ref}, expected=4), "WelfareAssessed")
    assert len(events) == 3
    first = next(e["payload"] for e in events if e["payload"]["assessment_ref"] == baseline.json()["assessment_ref"])
    assert first == {
        "assessment_ref": baseline.json()["assessment_ref"], "person_ref": ref, "assessed_on": "2024-08-01",
        "household_size": 4, "monthly_household_income_idr": 3_000_000, "per_capita_income_idr": 750_000,
        "poverty_line_idr": 753_332, "below_poverty_line": True, "is_baseline": True,
    }


async def test_aid_event_says_only_kind_opd_and_date_and_case_notes_need_their_scope(
    client: httpx.AsyncClient, kafka_bootstrap: str
) -> None:
    ref = await new_woman(client)
    note = "Korban KDRT, rujukan UPTD PPA, sidang 2 April"
    aid = await client.post(f"/women/{ref}/aid", json={
        "kind": "legal_assistance", "provided_on": "2025-03-10", "case_note": note})
    assert aid.status_code == 201, aid.text
    aid_ref = aid.json()["aid_ref"]
    listed = (await client.get(f"/women/{ref}/aid")).json()
    assert listed[0]["case_notes"] == 1 and note not in str(listed)

    forbidden = await client.get(f"/aid/{aid_ref}/case-notes", headers=bearer("dp3a"))  # no aid_notes:read
    assert forbidden.status_code == 403
    notes = await client.get(f"/aid/{aid_ref}/case-notes")
    assert notes.status_code == 200 and notes.json()[0]["note"] == note
    added = await client.post(f"/aid/{aid_ref}/case-notes", json={"note": "Putusan keluar"})
    assert added.status_code == 201

    (event,) = of_type(await events_about(kafka_bootstrap, {ref}, expected=2), "AidProvided")
    assert event["payload"] == {"aid_ref": aid_ref, "person_ref": ref, "kind": "legal_assistance",
                                "provider_opd": "dp3a", "provided_on": "2025-03-10"}
    assert "KDRT" not in str(event) and "Putusan" not in str(event)


async def test_ukm_registration_and_monthly_reports(client: httpx.AsyncClient, kafka_bootstrap: str) -> None:
    owner = await new_woman(client)
    created = await client.post("/businesses", json={
        "owner_person_ref": owner, "name": "Amplang Bu Siti", "sector": "kuliner", "kecamatan_code": "64.02.06",
        "has_pirt": True, "started_on": "2021-05-01", "registered_on": "2025-02-10"})
    assert created.status_code == 201, created.text
    assert created.json()["registered_on"] == "2025-02-10"
    ref = created.json()["business_ref"]
    assert created.json()["has_nib"] is False
    report = await client.post(f"/businesses/{ref}/reports", json={
        "period": "2025-03", "monthly_revenue_idr": 4_500_000, "workers": 2, "nib": "9120001234567",
        "has_halal": True})
    assert report.status_code == 201, report.text
    again = await client.post(f"/businesses/{ref}/reports", json={
        "period": "2025-03", "monthly_revenue_idr": 1, "workers": 1})
    assert again.status_code == 409
    assert (await client.get(f"/businesses/{ref}")).json()["has_nib"] is True
    unknown_owner = await client.post("/businesses", json={
        "owner_person_ref": "00000000-0000-4000-8000-000000000000", "name": "X Usaha", "sector": "kuliner",
        "kecamatan_code": "64.02.06", "started_on": "2021-05-01"})
    assert unknown_owner.status_code == 404
    listed = (await client.get("/businesses", params={"owner_person_ref": owner})).json()
    assert listed["total"] == 1

    events = await events_about(kafka_bootstrap, {ref}, expected=2)
    (registered,) = of_type(events, "BusinessRegistered")
    assert registered["payload"]["owner_person_ref"] == owner and registered["payload"]["sector"] == "kuliner"
    assert registered["payload"]["has_pirt"] is True and registered["payload"]["has_nib"] is False
    assert registered["payload"]["registered_on"] == "2025-02-10"
    (reported,) = of_type(events, "BusinessReported")
    assert reported["payload"] == {
        "business_ref": ref, "owner_person_ref": owner, "period": "2025-03", "monthly_revenue_idr": 4_500_000,
        "workers": 2, "has_nib": True, "has_pirt": True, "has_halal": True}
    assert "Amplang" not in str(events)


async def test_cooperative_lifecycle_and_capital(client: httpx.AsyncClient, kafka_bootstrap: str) -> None:
    founders = [await new_woman(client) for _ in range(3)]
    joiner = await new_woman(client)
    formed = await client.post("/coops", json={
        "name": "Koperasi Wanita Mandiri", "kecamatan_code": "64.02.06", "kind": "simpan_pinjam",
        "formed_on": "2025-01-20", "has_legal_entity": True, "founding_member_refs": founders})
    assert formed.status_code == 201, formed.text
    coop = formed.json()["coop_ref"]
    assert formed.json()["active_members"] == 3

    assert (await client.post(f"/coops/{coop}/members", json={"person_ref": joiner, "joined_on": "2025-02-01"}
                              )).status_code == 201
    twice = await client.post(f"/coops/{coop}/members", json={"person_ref": joiner, "joined_on": "2025-02-02"})
    assert twice.status_code == 409
    left = await client.post(f"/coops/{coop}/members/{founders[0]}/leave", json={"left_on": "2025-06-30"})
    assert left.status_code == 200, left.text
    rat = await client.post(f"/coops/{coop}/annual-meetings", json={"fiscal_year": 2024, "held_on": "2025-03-15"})
    assert rat.status_code == 201, rat.text
    assert (await client.post(f"/coops/{coop}/annual-meetings", json={"fiscal_year": 2024,
                                                                       "held_on": "2025-03-16"})).status_code == 409
    money = await client.post("/capital-disbursements", json={
        "recipient_type": "coop", "recipient_ref": coop, "source": "diskop_grant", "amount_idr": 25_000_000,
        "disbursed_on": "2025-04-01"})
    assert money.status_code == 201, money.text
    to_woman = await client.post("/capital-disbursements", json={
        "recipient_type": "woman", "recipient_ref": joiner, "source": "kur", "amount_idr": 10_000_000,
        "disbursed_on": "2025-04-02"})
    assert to_woman.status_code == 201
    nobody = await client.post("/capital-disbursements", json={
        "recipient_type": "business", "recipient_ref": joiner, "source": "kur", "amount_idr": 1,
        "disbursed_on": "2025-04-02"})
    assert nobody.status_code == 422 and nobody.json()["kesalahan"][0]["field"] == "recipient_ref"
    bad_member = await client.post("/coops", json={
        "name": "Koperasi Hantu", "kecamatan_code": "64.02.06", "kind": "produsen", "formed_on": "2025-01-20",
        "founding_member_refs": ["00000000-0000-4000-8000-000000000000"]})
    assert bad_member.status_code == 422

    view = (await client.get(f"/coops/{coop}")).json()
    assert view["active_members"] == 3 and view["annual_meetings"] == [{"fiscal_year": 2024, "held_on": "2025-03-15"}]

    events = await events_about(kafka_bootstrap, {coop}, expected=5)
    assert len(events) == 5
    (formed_event,) = of_type(events, "CoopFormed")
    assert sorted(formed_event["payload"]["founding_member_refs"]) == sorted(founders)
    assert formed_event["payload"]["kind"] == "simpan_pinjam" and formed_event["payload"]["has_legal_entity"]
    assert of_type(events, "CoopMemberJoined")[0]["payload"] == {"coop_ref": coop, "person_ref": joiner,
                                                                 "joined_on": "2025-02-01"}
    assert of_type(events, "CoopMemberLeft")[0]["payload"] == {"coop_ref": coop, "person_ref": founders[0],
                                                               "left_on": "2025-06-30"}
    assert of_type(events, "CoopAnnualMeetingHeld")[0]["payload"]["fiscal_year"] == 2024
    (capital,) = of_type(events, "CapitalDisbursed")
    assert capital["payload"]["amount_idr"] == 25_000_000 and capital["payload"]["source"] == "diskop_grant"
    assert capital["payload"]["recipient_type"] == "coop"
    woman_capital = of_type(await events_about(kafka_bootstrap, {joiner}, expected=2), "CapitalDisbursed")
    assert len(woman_capital) == 1 and woman_capital[0]["payload"]["amount_idr"] == 10_000_000


async def test_x_opd_header_names_the_acting_agency(client: httpx.AsyncClient) -> None:
    body = woman_body(rng)
    response = await client.post("/women", json=body, headers={"X-OPD": "distransnaker"})
    assert response.json()["registered_by_opd"] == "distransnaker"
    wrong = await client.post("/women", json=woman_body(rng), headers={"X-OPD": "dinsos"})
    assert wrong.status_code == 422


async def test_openapi_documents_fields_with_indonesian_examples(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    woman = spec["components"]["schemas"]["WomanCreate"]
    assert "NIK" in woman["properties"]["nik"]["description"]
    assert woman["examples"][0]["full_name"] == "Siti Aminah"
    assert "/women/imports" in spec["paths"] and "/coops/{coop_ref}/annual-meetings" in spec["paths"]
