"""Her page's read (``service_layer.overview``) on the real database: profile, assessments, aid with case notes only
when asked for, businesses with their reports, memberships with the cooperative's name, capital to her and to her
business."""

import random

import asyncpg
import httpx
from registry.adapters.crypto import PiiCipher
from registry.config import Settings
from registry.service_layer.overview import overview
from registry.service_layer.unit_of_work import RegistryUnitOfWork

from tests.registry.helpers import woman_body

rng = random.Random()


async def test_her_page_gathers_her_whole_record(registry: tuple[httpx.AsyncClient, str]) -> None:
    client, url = registry
    her = (await client.post("/women", json=woman_body(rng))).json()["person_ref"]
    other = (await client.post("/women", json=woman_body(rng))).json()["person_ref"]
    assert (await client.post(f"/women/{her}/welfare-assessments", json={
        "assessed_on": "2025-02-01", "household_size": 4, "monthly_household_income_idr": 2_000_000})).status_code == 201
    aid = (await client.post(f"/women/{her}/aid", json={"kind": "counselling", "provided_on": "2025-03-10",
                                                        "case_note": "Konseling pertama"})).json()
    business = (await client.post("/businesses", json={
        "owner_person_ref": her, "name": "Amplang Bu Siti", "sector": "kuliner", "kecamatan_code": "64.02.06",
        "started_on": "2021-05-01"})).json()["business_ref"]
    assert (await client.post(f"/businesses/{business}/reports", json={
        "period": "2025-03", "monthly_revenue_idr": 4_500_000, "workers": 2})).status_code == 201
    coop = (await client.post("/coops", json={
        "name": "Koperasi Wanita Mandiri", "kecamatan_code": "64.02.06", "kind": "simpan_pinjam",
        "formed_on": "2025-01-20", "founding_member_refs": [her, other]})).json()["coop_ref"]
    for recipient_type, ref, amount in (("woman", her, 10_000_000), ("business", business, 5_000_000),
                                        ("coop", coop, 25_000_000)):
        assert (await client.post("/capital-disbursements", json={
            "recipient_type": recipient_type, "recipient_ref": ref, "source": "kur", "amount_idr": amount,
            "disbursed_on": "2025-04-01"})).status_code == 201

    settings = Settings(database_url=url)
    cipher = PiiCipher(settings.nik_encryption_key or "", settings.nik_hmac_key or "")
    conn = await asyncpg.connect(url)
    try:
        plain = await overview(RegistryUnitOfWork(conn, cipher), person_ref=her)
        with_notes = await overview(RegistryUnitOfWork(conn, cipher), person_ref=her, case_notes=True)
    finally:
        await conn.close()
    assert str(plain["woman"]["person_ref"]) == her and plain["woman"]["full_name"]
    assert [a["monthly_household_income_idr"] for a in plain["assessments"]] == [2_000_000]
    assert plain["assessments"][0]["per_capita_income_idr"] == 500_000 and plain["assessments"][0]["is_baseline"]
    assert [str(a["aid_ref"]) for a in plain["aid"]] == [aid["aid_ref"]] and "notes" not in plain["aid"][0]
    assert [n["note"] for n in with_notes["aid"][0]["notes"]] == ["Konseling pertama"]
    assert [b["name"] for b in plain["businesses"]] == ["Amplang Bu Siti"]
    assert [(r["period"], r["monthly_revenue_idr"]) for r in plain["businesses"][0]["reports"]] == [("2025-03", 4_500_000)]
    assert [(m["name"], m["founding"], m["left_on"]) for m in plain["memberships"]] == [
        ("Koperasi Wanita Mandiri", True, None)]
    assert sorted((c["recipient_type"], c["amount_idr"]) for c in plain["capital"]) == [
        ("business", 5_000_000), ("woman", 10_000_000)]  # the cooperative's capital is the cooperative's
