"""Registering, finding, correcting and erasing women, checked over HTTP and on the real topic."""

import random
from datetime import date

import httpx
import pytest

from tests.registry.helpers import events_about, nik_for, records_since_start, woman_body

rng = random.Random()
SEEN_PII: list[str] = []  # every NIK and name this module sends; none may appear on the topic


async def register(client: httpx.AsyncClient, **overrides: object) -> httpx.Response:
    body = woman_body(rng, **overrides)
    SEEN_PII.extend([body["nik"], body["full_name"]])
    return await client.post("/women", json=body)


async def test_registration_publishes_woman_registered_once_with_age_band_only(
    client: httpx.AsyncClient, kafka_bootstrap: str
) -> None:
    response = await register(client, birth=date(1985, 8, 5), household_size=5)
    assert response.status_code == 201, response.text
    woman = response.json()
    assert woman["nik_masked"].startswith(woman["nik_masked"][:4]) and "*" in woman["nik_masked"]
    assert woman["birth_date"] == "1985-08-05" and not woman["erased"]

    (event,) = await events_about(kafka_bootstrap, {woman["person_ref"]}, expected=1)
    assert event["event_type"] == "registry.WomanRegistered"
    assert event["aggregate_id"] == woman["person_ref"]
    payload = event["payload"]
    assert payload["age_band"] == woman["age_band"] and payload["age_band"] in ("35-44", "45-54")
    assert payload["household_size"] == 5 and payload["kecamatan_code"] == "64.02.06"
    assert payload["desa_code"] == "64.02.06.1001" and payload["registered_by_opd"] == "dp3a"
    assert "birth_date" not in payload and "nik" not in payload and "full_name" not in payload


@pytest.mark.parametrize(
    ("nik", "field", "words"),
    [
        ("640206450885000", "nik", "16 digit"),
        ("64020645088500031", "nik", "16 digit"),
        ("6402061508850003", "nik", "laki-laki"),
        ("6402067002850003", "nik", "bukan tanggal"),  # 30 February
        ("9902064508850003", "nik", "provinsi"),
        ("64020645O8850003", "nik", "angka"),
        ("6402064509850003", "birth_date", "tidak sesuai"),  # NIK says September, birth_date August
    ],
)
async def test_nik_rules_refuse_with_an_indonesian_reason_naming_the_field(
    client: httpx.AsyncClient, nik: str, field: str, words: str
) -> None:
    response = await register(client, nik=nik, birth=date(1985, 8, 5))
    assert response.status_code == 422, response.text
    errors = {e["field"]: e["pesan"] for e in response.json()["kesalahan"]}
    assert words in errors[field]
    assert nik not in response.text  # the refusal never echoes the NIK


async def test_nik_registered_outside_kukar_is_accepted_for_a_kukar_resident(client: httpx.AsyncClient) -> None:
    birth = date(1990, 1, 17)
    response = await register(client, nik=nik_for(birth, 42, area="330101"), birth=birth, kecamatan_code="64.02.13",
                              desa_code="64.02.13.1003")
    assert response.status_code == 201, response.text
    assert response.json()["kecamatan_code"] == "64.02.13"


async def test_a_registered_nik_answers_409_with_the_existing_person_ref(client: httpx.AsyncClient) -> None:
    original = woman_body(rng)
    created = await client.post("/women", json=original)
    again = await client.post("/women", json={**original, "full_name": "Nama Lain Sekali", "phone": None})
    SEEN_PII.extend([original["nik"], original["full_name"]])
    assert again.status_code == 409
    assert again.json()["person_ref"] == created.json()["person_ref"]
    assert "sudah terdaftar" in again.json()["pesan"]


async def test_same_name_birth_date_and_desa_with_another_nik_is_flagged_not_refused(
    client: httpx.AsyncClient,
) -> None:
    birth = date(1978, 3, 9)
    first = (await register(client, birth=birth, full_name="Hj. Siti Zubaidah", desa_code="64.02.06.1004")).json()
    second = await register(client, birth=birth, full_name="hj siti  ZUBAIDAH", desa_code="64.02.06.1004")
    assert second.status_code == 201, second.text
    assert second.json()["possible_duplicate_of"] == [first["person_ref"]]
    assert (await client.get(f"/women/{first['person_ref']}")).json()["possible_duplicate_of"] == [
        second.json()["person_ref"]
    ]
    other_desa = await register(client, birth=birth, full_name="Hj. Siti Zubaidah", desa_code="64.02.06.1005")
    assert other_desa.json()["possible_duplicate_of"] == []
    flagged = (await client.get("/women", params={"possible_duplicate": "true", "limit": 200})).json()
    refs = {w["person_ref"] for w in flagged["items"]}
    assert {first["person_ref"], second.json()["person_ref"]} <= refs
    assert other_desa.json()["person_ref"] not in refs

    reviewed = await client.post(
        f"/women/{second.json()['person_ref']}/possible-duplicates/{first['person_ref']}/dismiss")
    assert reviewed.status_code == 200 and reviewed.json()["possible_duplicate_of"] == []
    assert (await client.get(f"/women/{first['person_ref']}")).json()["possible_duplicate_of"] == []
    again = await client.post(f"/women/{first['person_ref']}/possible-duplicates/{second.json()['person_ref']}/dismiss")
    assert again.status_code == 404


async def test_search_filters_and_paginates_with_a_maximum_page_size(client: httpx.AsyncClient) -> None:
    for _ in range(3):
        assert (await register(client, kecamatan_code="64.02.12", desa_code=None, pekka_category="elderly")).is_success
    page = (await client.get("/women", params={"kecamatan_code": "64.02.12", "limit": 2})).json()
    assert page["total"] == 3 and len(page["items"]) == 2
    rest = (await client.get("/women", params={"kecamatan_code": "64.02.12", "limit": 2, "offset": 2})).json()
    assert len(rest["items"]) == 1
    assert {w["pekka_category"] for w in page["items"] + rest["items"]} == {"elderly"}
    too_big = await client.get("/women", params={"limit": 201})
    assert too_big.status_code == 422 and too_big.json()["kesalahan"][0]["field"] == "limit"


async def test_lookup_by_nik_goes_in_the_body_and_finds_her(client: httpx.AsyncClient) -> None:
    body = woman_body(rng)
    SEEN_PII.extend([body["nik"], body["full_name"]])
    ref = (await client.post("/women", json=body)).json()["person_ref"]
    found = await client.post("/women/lookup", json={"nik": body["nik"]})
    assert found.status_code == 200 and found.json()["person_ref"] == ref
    assert found.json()["full_name"] == body["full_name"]
    missing = await client.post("/women/lookup", json={"nik": nik_for(date(2001, 2, 3), 9998)})
    assert missing.status_code == 404


async def test_correction_publishes_the_full_corrected_profile(client: httpx.AsyncClient, kafka_bootstrap: str) -> None:
    ref = (await register(client)).json()["person_ref"]
    response = await client.patch(f"/women/{ref}", json={"kecamatan_code": "64.02.05", "desa_code": "64.02.05.2001",
                                                          "household_size": 6, "full_name": "Siti Koreksi Aminah"})
    SEEN_PII.append("Siti Koreksi Aminah")
    assert response.status_code == 200, response.text
    assert response.json()["full_name"] == "Siti Koreksi Aminah" and response.json()["household_size"] == 6
    bad = await client.patch(f"/women/{ref}", json={"desa_code": "64.02.06.1001"})
    assert bad.status_code == 422 and bad.json()["kesalahan"][0]["field"] == "desa_code"
    events = await events_about(kafka_bootstrap, {ref}, expected=2)
    corrected = [e for e in events if e["event_type"] == "registry.WomanProfileCorrected"]
    assert len(corrected) == 1
    assert corrected[0]["payload"]["kecamatan_code"] == "64.02.05"
    assert corrected[0]["payload"]["desa_code"] == "64.02.05.2001"
    assert corrected[0]["payload"]["household_size"] == 6


async def test_a_retried_registration_with_the_same_idempotency_key_registers_once(
    client: httpx.AsyncClient, kafka_bootstrap: str
) -> None:
    body = woman_body(rng)
    SEEN_PII.extend([body["nik"], body["full_name"]])
    first = await client.post("/women", json=body, headers={"Idempotency-Key": "daftar-001-" + body["nik"][-4:]})
    retry = await client.post("/women", json=body, headers={"Idempotency-Key": "daftar-001-" + body["nik"][-4:]})
    assert first.status_code == retry.status_code == 201
    assert retry.json()["person_ref"] == first.json()["person_ref"]
    assert retry.headers.get("Idempotent-Replayed") == "true"
    events = await events_about(kafka_bootstrap, {first.json()["person_ref"]}, expected=1)
    assert len(events) == 1


async def test_unknown_or_malformed_refs_are_4xx_never_500(client: httpx.AsyncClient) -> None:
    assert (await client.get("/women/not-a-uuid")).status_code == 422
    assert (await client.get("/women/00000000-0000-4000-8000-000000000000")).status_code == 404
    assert (await client.patch("/women/00000000-0000-4000-8000-000000000000", json={})).status_code == 404
    absurd = await register(client, household_size=10**30)
    assert absurd.status_code == 422


async def test_erasure_removes_personal_data_keeps_counts_and_publishes_once(
    client: httpx.AsyncClient, kafka_bootstrap: str
) -> None:
    body = woman_body(rng, kecamatan_code="64.02.17", desa_code=None)
    SEEN_PII.extend([body["nik"], body["full_name"]])
    ref = (await client.post("/women", json=body)).json()["person_ref"]
    assessed = await client.post(f"/women/{ref}/welfare-assessments",
                                 json={"assessed_on": "2024-06-01", "household_size": 4,
                                       "monthly_household_income_idr": 2_000_000})
    assert assessed.status_code == 201, assessed.text
    before = (await client.get("/women", params={"kecamatan_code": "64.02.17"})).json()["total"]

    erased = await client.delete(f"/women/{ref}/personal-data")
    assert erased.status_code == 200, erased.text
    again = await client.delete(f"/women/{ref}/personal-data")
    assert again.status_code == 200

    record = (await client.get(f"/women/{ref}")).json()
    assert record["erased"] is True
    assert record["full_name"] is None and record["nik_masked"] is None
    assert record["birth_date"] is None and record["phone"] is None
    assert record["kecamatan_code"] == "64.02.17" and record["age_band"]
    assert (await client.get("/women", params={"kecamatan_code": "64.02.17"})).json()["total"] == before
    assert len((await client.get(f"/women/{ref}/welfare-assessments")).json()) == 1
    assert (await client.post("/women/lookup", json={"nik": body["nik"]})).status_code == 404
    refused = await client.post(f"/women/{ref}/welfare-assessments",
                                json={"assessed_on": "2024-07-01", "household_size": 4,
                                      "monthly_household_income_idr": 1})
    assert refused.status_code == 409

    events = await events_about(kafka_bootstrap, {ref}, expected=3)
    erasures = [e for e in events if e["event_type"] == "registry.PersonalDataErased"]
    assert len(erasures) == 1 and erasures[0]["payload"]["person_ref"] == ref


async def test_names_as_opd_lists_write_them_are_accepted_but_not_digits(client: httpx.AsyncClient) -> None:
    for name in ("R. Icha Andriani, S.E.I", "Hj. Nur'aini", "Ni Luh Putu Sari-Dewi"):
        response = await register(client, full_name=name)
        SEEN_PII.append(name)
        assert response.status_code == 201, response.text
        assert response.json()["full_name"] == name
    refused = await register(client, full_name="Siti 123")
    assert refused.status_code == 422 and refused.json()["kesalahan"][0]["field"] == "full_name"


async def test_zz_no_nik_or_name_ever_reaches_the_topic(client: httpx.AsyncClient, kafka_bootstrap: str) -> None:
    # Runs last in this module: every NIK and name sent above is searched for in every record's bytes.
    assert SEEN_PII
    records = await records_since_start(kafka_bootstrap)
    assert len(records) >= 10  # this module's own events are among them
    blob = b"\n".join(r.value or b"" for r in records)
    leaked = [value for value in SEEN_PII if value.encode() in blob]
    assert leaked == []
