"""The duplicate queue and merges over HTTP, against the real database and broker: titles do not hide a duplicate,
an Excel-rounded NIK is corrected through a merge, a mistaken merge is undone, and the events say so without any
personal data. Invented people only."""

import random
from datetime import date
from typing import Any

import httpx

from tests.registry.helpers import events_about, nik_for, records_since_start, woman_body
from tests.registry.import_files import imported

rng = random.Random()
SEEN_PII: list[str] = []


def tag() -> str:
    """A made-up surname part that keeps this run's women apart from other runs' on the shared database."""
    return "".join(rng.choice("bcdfghjklmnpqrstvwxyz") for _ in range(7)).capitalize()


async def register(client: httpx.AsyncClient, **overrides: Any) -> dict[str, Any]:
    body = woman_body(rng, **overrides)
    SEEN_PII.extend([body["nik"], body["full_name"]])
    response = await client.post("/women", json=body)
    assert response.status_code == 201, response.text
    return response.json()


async def test_titles_and_a_missing_desa_do_not_hide_a_duplicate_and_the_queue_shows_what_differs(
    client: httpx.AsyncClient,
) -> None:
    birth, name = date(1979, 4, 21), f"Siti Rahmawati {tag()}"
    first = await register(client, birth=birth, full_name=name, desa_code="64.02.06.1004", phone=None)
    second = await register(client, birth=birth, full_name=f"Hj. {name}", desa_code="64.02.06.1004")
    no_desa = await register(client, birth=birth, full_name=f"Ny. {name.upper()}", desa_code=None)
    other = await register(client, birth=birth, full_name=f"Siti Aisyah {tag()}", desa_code="64.02.06.1004")
    assert second["possible_duplicate_of"] == [first["person_ref"]]
    assert sorted(no_desa["possible_duplicate_of"]) == sorted([first["person_ref"], second["person_ref"]])
    assert other["possible_duplicate_of"] == []

    page = (await client.get("/possible-duplicates", params={"kecamatan_code": "64.02.06", "limit": 200})).json()
    ours = {frozenset((p["person_ref"], p["other_ref"])): p for p in page["items"]}
    pair = ours[frozenset((first["person_ref"], second["person_ref"]))]
    assert pair["status"] == "open" and pair["score"] == 100
    assert [r["person_ref"] for r in pair["records"]] == [first["person_ref"], second["person_ref"]]
    assert [r["full_name"] for r in pair["records"]] == [name, f"Hj. {name}"]
    assert pair["differences"] == ["nik_masked", "full_name", "phone"]
    assert pair["records"][0]["facts"]["welfare_assessments"] == 0
    assert len([p for p in ours if other["person_ref"] in p]) == 0

    log = (await client.get("/audit/pii-access", params={"person_ref": first["person_ref"]})).json()
    assert any(e["what"] == "GET /possible-duplicates" and e["purpose"] == "pengujian otomatis" for e in log["items"])
    missing_purpose = await client.get("/possible-duplicates", headers={"X-Purpose": ""})
    assert missing_purpose.status_code == 400


async def test_a_rounded_nik_is_corrected_through_a_merge_and_frees_the_nik_for_the_woman_it_belongs_to(
    client: httpx.AsyncClient, kafka_bootstrap: str,
) -> None:
    birth = date(1988, 8, 17)
    serial = rng.randint(100, 899) * 10  # Excel turned her ...x3 into ...x0
    rounded, true = nik_for(birth, serial), nik_for(birth, serial + 3)
    name = f"Siti Rahmawati {tag()}"
    imported = await register(client, nik=rounded, birth=birth, full_name=name, registered_on="2024-03-01",
                              desa_code=None)
    ref = imported["person_ref"]
    await client.put("/poverty-lines/2024-01-01", json={"idr": 753_332, "source": "BPS 2024"})
    baseline = await client.post(f"/women/{ref}/welfare-assessments", json={
        "assessed_on": "2024-03-05", "household_size": 4, "monthly_household_income_idr": 2_000_000})
    assert baseline.status_code == 201, baseline.text
    own = await register(client, nik=true, birth=birth, full_name=f"Hj. {name}")
    assert own["possible_duplicate_of"] == [ref]
    # before: correcting the NIK is refused, because her own registration holds it
    assert (await client.patch(f"/women/{ref}", json={"nik": true})).status_code == 409

    merged = await client.post("/merges", json={"surviving_ref": ref, "retired_ref": own["person_ref"],
                                                "nik_from": "retired"})
    assert merged.status_code == 201, merged.text
    body = merged.json()
    assert body["status"] == "merged" and body["nik_from"] == "retired"
    assert (await client.get(f"/merges/{body['merge_ref']}")).json() == body
    survivor = (await client.post("/women/lookup", json={"nik": true})).json()
    assert survivor["person_ref"] == ref and survivor["registered_on"] == "2024-03-01"
    assert survivor["possible_duplicate_of"] == []
    assert (await client.get(f"/women/{own['person_ref']}")).json()["merged_into"] == ref
    refused = await client.post(f"/women/{own['person_ref']}/welfare-assessments", json={
        "assessed_on": "2026-01-05", "household_size": 4, "monthly_household_income_idr": 2_000_000})
    assert refused.status_code == 409 and refused.json()["surviving_ref"] == ref
    # the second woman whose true NIK is the rounded one can now be registered
    second = await register(client, nik=rounded, birth=birth, full_name=f"Nur Aini {tag()}")
    assert second["possible_duplicate_of"] == []

    events = await events_about(kafka_bootstrap, {own["person_ref"]}, expected=2)
    assert [e["event_type"] for e in events] == ["registry.WomanRegistered", "registry.WomenMerged"]
    assert events[1]["aggregate_id"] == own["person_ref"]
    assert events[1]["payload"] == {"merge_ref": body["merge_ref"], "surviving_ref": ref,
                                    "retired_ref": own["person_ref"], "merged_on": body["merged_on"]}


async def test_a_mistaken_merge_is_undone_and_the_pair_is_not_proposed_again(
    client: httpx.AsyncClient, kafka_bootstrap: str,
) -> None:
    birth, name = date(1975, 1, 30), f"Dewi Lestari {tag()}"
    mother = await register(client, birth=birth, full_name=name)
    namesake = await register(client, birth=birth, full_name=f"Bu {name}")
    aid = await client.post(f"/women/{namesake['person_ref']}/aid", json={
        "kind": "social_aid", "provided_on": "2025-06-01"})
    assert aid.status_code == 201, aid.text
    merge = (await client.post("/merges", json={"surviving_ref": mother["person_ref"],
                                                "retired_ref": namesake["person_ref"]})).json()
    assert merge["moved"]["aid_records"] == 1
    assert [a["aid_ref"] for a in (await client.get(f"/women/{mother['person_ref']}/aid")).json()] == [
        aid.json()["aid_ref"]]

    undo = await client.post(f"/merges/{merge['merge_ref']}/undo", json={"reason": "Dua orang berbeda"},
                             headers={"Idempotency-Key": f"undo-{merge['merge_ref']}"})
    assert undo.status_code == 200, undo.text
    assert undo.json()["status"] == "undone" and undo.json()["unmerge_reason"] == "Dua orang berbeda"
    again = await client.post(f"/merges/{merge['merge_ref']}/undo", json={"reason": "Dua orang berbeda"},
                              headers={"Idempotency-Key": f"undo-{merge['merge_ref']}"})
    assert again.json() == undo.json()  # a retried request: the first answer, no second event
    assert (await client.post(f"/merges/{merge['merge_ref']}/undo", json={"reason": "lagi"})).status_code == 409
    assert [a["aid_ref"] for a in (await client.get(f"/women/{namesake['person_ref']}/aid")).json()] == [
        aid.json()["aid_ref"]]
    restored = (await client.get(f"/women/{namesake['person_ref']}")).json()
    assert restored["merged_into"] is None and restored["possible_duplicate_of"] == []
    dismissed = (await client.get("/possible-duplicates", params={"status": "dismissed", "limit": 200})).json()
    assert any({p["person_ref"], p["other_ref"]} == {mother["person_ref"], namesake["person_ref"]}
               for p in dismissed["items"])

    events = await events_about(kafka_bootstrap, {namesake["person_ref"]}, expected=4)
    kinds = [e["event_type"] for e in events]
    assert kinds == ["registry.WomanRegistered", "registry.AidProvided", "registry.WomenMerged",
                     "registry.WomenUnmerged"]
    assert events[3]["payload"]["merge_ref"] == merge["merge_ref"]


async def test_merge_requests_that_cannot_be_done_are_refused_with_the_field_named(client: httpx.AsyncClient) -> None:
    one = await register(client)
    unknown = "00000000-0000-4000-8000-0000000000ff"
    cases = [
        ({"surviving_ref": one["person_ref"], "retired_ref": one["person_ref"]}, 422, "retired_ref"),
        ({"surviving_ref": one["person_ref"], "retired_ref": unknown}, 404, "retired_ref"),
        ({"surviving_ref": one["person_ref"], "retired_ref": "bukan-ref"}, 422, "retired_ref"),
        ({"surviving_ref": one["person_ref"], "retired_ref": unknown, "nik_from": "lainnya"}, 422, "nik_from"),
        ({"surviving_ref": one["person_ref"], "retired_ref": unknown, "catatan": "x"}, 422, "catatan"),
    ]
    for body, status, field in cases:
        response = await client.post("/merges", json=body)
        assert response.status_code == status, (body, response.text)
        assert field in {e["field"] for e in response.json()["kesalahan"]}, response.text
    assert (await client.get(f"/merges/{unknown}")).status_code == 404
    assert (await client.post(f"/merges/{unknown}/undo", json={"reason": "keliru"})).status_code == 404
    assert (await client.post(f"/merges/{unknown}/undo", json={})).status_code == 422
    assert (await client.get("/possible-duplicates", params={"status": "semua"})).status_code == 422


async def test_an_import_flags_namesakes_in_the_file_and_in_the_registry(client: httpx.AsyncClient) -> None:
    birth, name = date(1983, 12, 2), f"Wulan Handayani {tag()}"
    existing = await register(client, birth=birth, full_name=name, kecamatan_code="64.02.13",
                              desa_code="64.02.13.1003")
    rows = [["nik", "nama", "tanggal_lahir", "kecamatan", "kode_desa", "jumlah_anggota_keluarga"],
            [nik_for(birth, rng.randint(1000, 9999), area="640213"), f"Hj. {name}", birth.isoformat(), "64.02.13",
             "", "3"],
            [nik_for(birth, rng.randint(1000, 9999), area="640213"), f"Hajah {name}", birth.isoformat(),
             "64.02.13", "64.02.13.1003", "3"]]
    data = "\n".join(",".join(r) for r in rows).encode()
    SEEN_PII.extend(r[1] for r in rows[1:])
    summary = await imported(client, "daftar.csv", data)
    assert summary["registered"] == 2 and summary["possible_duplicates"] == 2, summary
    flagged = (await client.get(f"/women/{existing['person_ref']}")).json()["possible_duplicate_of"]
    assert len(flagged) == 2  # both rows of the file against her; the two rows against each other too
    pairs = (await client.get("/possible-duplicates", params={"kecamatan_code": "64.02.13", "limit": 200})).json()
    among = [p for p in pairs["items"] if set(flagged) == {p["person_ref"], p["other_ref"]}]
    assert len(among) == 1


async def test_no_event_on_the_topic_carries_a_name_or_nik_of_this_module(kafka_bootstrap: str) -> None:
    text = b"".join(r.value or b"" for r in await records_since_start(kafka_bootstrap))
    assert SEEN_PII and not [p for p in SEEN_PII if p.encode() in text]
