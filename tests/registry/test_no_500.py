"""Anything a user can type gets a 4xx with a reason, never a 500."""

import random
from typing import Any

import httpx

from tests.registry.helpers import woman_body

rng = random.Random(7)
JUNK: list[Any] = [None, -1, 0, 10**20, 1.5, True, "", " ", "x" * 5000, [], {}, "2024-02-30", "9999-12-31",
                   "0001-01-01", "💥", "64.02.99", "00000000-0000-4000-8000-000000000000", "=1+1", "\x00"]


def mutate(body: dict[str, Any]) -> dict[str, Any]:
    out = dict(body)
    for key in rng.sample(list(out), k=rng.randint(1, 2)):
        out[key] = rng.choice(JUNK)
    if rng.random() < 0.1:
        out["unknown_field"] = "?"
    return out


async def test_junk_in_every_command_field_is_refused_with_a_reason(client: httpx.AsyncClient) -> None:
    woman = (await client.post("/women", json=woman_body(rng))).json()["person_ref"]
    business = (await client.post("/businesses", json={
        "owner_person_ref": woman, "name": "Kripik Pisang Bu Ani", "sector": "kuliner", "kecamatan_code": "64.02.06",
        "started_on": "2020-01-01"})).json()["business_ref"]
    coop = (await client.post("/coops", json={
        "name": "Koperasi Uji", "kecamatan_code": "64.02.06", "kind": "produsen", "formed_on": "2024-01-01",
        "founding_member_refs": [woman]})).json()["coop_ref"]
    commands: list[tuple[str, str, dict[str, Any]]] = [
        ("POST", "/women", woman_body(rng)),
        ("PATCH", f"/women/{woman}", {"household_size": 3, "desa_code": "64.02.06.1002"}),
        ("POST", f"/women/{woman}/welfare-assessments",
         {"assessed_on": "2024-05-01", "household_size": 3, "monthly_household_income_idr": 1_000_000}),
        ("POST", f"/women/{woman}/aid", {"kind": "social_aid", "provided_on": "2024-05-01", "case_note": "x"}),
        ("POST", f"/businesses/{business}/reports", {"period": "2024-05", "monthly_revenue_idr": 1, "workers": 1}),
        ("POST", f"/coops/{coop}/annual-meetings", {"fiscal_year": 2024, "held_on": "2025-01-05"}),
        ("POST", "/capital-disbursements", {"recipient_type": "woman", "recipient_ref": woman, "source": "kur",
                                            "amount_idr": 1000, "disbursed_on": "2024-05-01"}),
        ("PUT", "/poverty-lines/2030-01-01", {"idr": 900_000, "source": "uji"}),
        ("POST", "/businesses", {"owner_person_ref": woman, "name": "Usaha", "sector": "jasa",
                                 "kecamatan_code": "64.02.06", "nib": "1234567890123", "started_on": "2020-01-01"}),
        ("POST", "/coops", {"name": "Koperasi", "kecamatan_code": "64.02.06", "kind": "jasa",
                            "formed_on": "2024-01-01", "legal_entity_number": "AHU-1", "founding_member_refs": [woman]}),
        ("POST", f"/coops/{coop}/members", {"person_ref": woman, "joined_on": "2024-02-01"}),
    ]
    statuses = []
    for _ in range(40):
        for method, path, body in commands:
            response = await client.request(method, path, json=mutate(body))
            assert response.status_code < 500, (method, path, response.text[:300])
            if response.status_code >= 400:
                assert response.json()["pesan"]
            statuses.append(response.status_code)
    assert 422 in statuses
    for path in ("/women/%20", "/businesses/123", "/coops/xyz", "/women/imports/abc/errors.csv",
                 "/poverty-lines/2024-13-01"):
        response = await client.get(path)
        assert 400 <= response.status_code < 500, path
    nul_text = [
        ("/businesses", {"owner_person_ref": woman, "name": "Us\x00aha", "sector": "jasa",
                         "kecamatan_code": "64.02.06", "started_on": "2020-01-01"}),
        ("/coops", {"name": "Kop\x00", "kecamatan_code": "64.02.06", "kind": "jasa", "formed_on": "2024-01-01",
                    "founding_member_refs": [woman]}),
    ]
    for path, body in nul_text:
        assert (await client.post(path, json=body)).status_code == 422
    assert (await client.put("/poverty-lines/2030-01-01", json={"idr": 1, "source": "u\x00ji"})).status_code == 422
    upload = await client.post("/women/imports", files={"file": ("da\x00ftar.csv", b"nik,nama\n1,2\n", "text/csv")})
    assert upload.status_code in (201, 422)
    raw = await client.post("/women", content=b"{not json", headers={"content-type": "application/json"})
    assert raw.status_code == 422
