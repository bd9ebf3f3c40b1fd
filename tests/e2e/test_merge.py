"""Two records of one woman, end to end through Kafka: the four services as real processes trusting Keycloak.

Her first record came from a list whose NIK column Excel had rounded (…7110 for …7113); she registered again later
with her true NIK and a title before her name ("Hj."). Both records gathered facts: a baseline below the poverty
line and a follow-up above it, the same course, aid, a business and a sale. The registry flags the pair, DP3A merges
it (the survivor takes the true NIK), and monitoring's exact figures (the evaluation team's token) count her once in
every indicator; undoing the merge gives two women back."""

import asyncio
import random
import time
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio

from deploy.demo.driver import Driver
from deploy.keycloak.tokens import ClientCredentials
from tests.support.auth import keycloak_processes
from tests.support.platform import Platform, running_platform

pytestmark = pytest.mark.e2e
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "e2e-merge"
BIRTH = date(1984, 5, 17)
KEC, DESA = "64.02.06", "64.02.06.2001"


def nik(serial: int) -> str:
    return f"640206{BIRTH.day + 40:02d}{BIRTH.month:02d}{BIRTH.year % 100:02d}{serial:04d}"


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def trust() -> AsyncIterator[tuple[dict[str, str], ClientCredentials]]:
    async with keycloak_processes() as (env, headers, _realm):
        yield env, headers


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def platform(trust: tuple[dict[str, str], ClientCredentials], kafka_bootstrap: str,
                   database_server_url: str) -> AsyncIterator[Platform]:
    async with running_platform(kafka_bootstrap, database_server_url, log_dir=ARTIFACTS, extra_env=trust[0]) as p:
        yield p


async def figures(platform: Platform, tokens: ClientCredentials, want: dict[str, Any],
                  timeout_s: float = 120.0) -> dict[str, Any]:
    """Monitoring's exact regency figures (and funnel), polled until they include ``want`` or time runs out."""
    deadline = time.monotonic() + timeout_s
    async with httpx.AsyncClient(base_url=platform.endpoints.monitoring, timeout=10,
                                 headers=tokens["dp3a_evaluation"]) as client:
        while True:
            body = (await client.get("/api/indicators")).json()
            got: dict[str, Any] = {i["indicator"]: i["cells"][0]["value"] if i["cells"] else None
                                   for i in body["indicators"]}
            funnel = (await client.get("/api/funnel")).json()
            got.update({f"funnel/{s['step']}": s["value"] for s in funnel})
            if all(got.get(k) == v for k, v in want.items()) or time.monotonic() > deadline:
                return got
            await asyncio.sleep(0.5)


def counted(n: int) -> dict[str, Any]:
    """Every figure of the scenario when it counts ``n`` women."""
    return {"women_registered": n, "pekka_registered": n, "enrolments": n, "completions": n, "women_trained": n,
            "poverty_exits": n, "social_aid_recipients": n, "funnel/registered": n, "funnel/trained": n,
            "funnel/above_poverty_line": n, "ukm_registered": 1, "women_first_business": 1, "women_first_market": 1,
            "sales_total_idr": 250_000}


async def test_two_records_of_one_woman_merged_count_her_once_in_every_figure(
        platform: Platform, trust: tuple[dict[str, str], ClientCredentials]) -> None:
    tokens = trust[1]
    e = platform.endpoints
    driver = Driver(e, namespace=f"merge{random.randrange(10**6)}", headers=tokens)
    registry = httpx.AsyncClient(base_url=e.registry, timeout=30,
                                 headers={"X-OPD": "dp3a", "X-Purpose": "peninjauan data ganda"})

    async def read(path: str, **params: str) -> Any:
        return (await registry.get(path, params=params, headers=tokens["dp3a"])).json()
    try:
        serial = random.randrange(100, 999) * 10 + 3  # her true NIK ends in 3; Excel's copy in 0
        common = {"birth_date": BIRTH.isoformat(), "kecamatan_code": KEC, "desa_code": DESA, "household_size": 4,
                  "pekka_category": "productive", "registered_by_opd": "dp3a"}
        first = await driver.post(e.registry, "/women", {
            **common, "nik": nik(serial - 3), "full_name": "Siti Rahmawati", "registered_on": "2026-01-10"},
            key="woman:excel", opd="dp3a")
        second = await driver.post(e.registry, "/women", {
            **common, "nik": nik(serial), "full_name": "Hj. Siti Rahmawati", "registered_on": "2026-03-02"},
            key="woman:true", opd="dp3a")
        a, b = first["person_ref"], second["person_ref"]
        assert second["possible_duplicate_of"] == [a]

        for ref, on in ((a, "2026-01-10"), (b, "2026-03-02")):
            await driver.post(e.registry, f"/women/{ref}/welfare-assessments", {
                "assessed_on": on, "household_size": 4, "monthly_household_income_idr": 1_500_000},
                key=f"baseline:{ref}", opd="dp3a")
            await driver.post(e.registry, f"/women/{ref}/welfare-assessments", {
                "assessed_on": "2026-09-01", "household_size": 4, "monthly_household_income_idr": 4_000_000},
                key=f"followup:{ref}", opd="dp3a")
            await driver.post(e.registry, f"/women/{ref}/aid", {
                "kind": "social_aid", "provider_opd": "dp3a", "provided_on": "2026-05-04"}, key=f"aid:{ref}",
                opd="dp3a")
        course = (await driver.post(e.training, "/courses", {
            "organizer_opd": "dp3a", "field": "kuliner", "kecamatan_code": KEC, "title": "Olahan Ikan Asin",
            "starts_on": "2026-04-06", "ends_on": "2026-04-10", "sessions": 2, "capacity": 20},
            key="course", opd="dp3a"))["course_ref"]
        for ref in (a, b):  # both records enrolled in the same course: overlapping enrolments
            await driver.post(e.training, f"/courses/{course}/enrolments", {
                "person_ref": ref, "enrolled_on": "2026-04-06"}, key=f"enrol:{ref}", opd="dp3a",
                wait_for_replica=True)
        for n in (1, 2):
            await driver.post(e.training, f"/courses/{course}/sessions/{n}/attendance", {
                "records": [{"person_ref": ref, "present": True} for ref in (a, b)]}, key=f"attendance:{n}",
                opd="dp3a")
        for ref in (a, b):
            await driver.post(e.training, f"/courses/{course}/completions", {
                "person_ref": ref, "completed_on": "2026-04-10"}, key=f"complete:{ref}", opd="dp3a")
        business = (await driver.post(e.registry, "/businesses", {
            "owner_person_ref": b, "name": "Amplang Bu Siti", "sector": "kuliner", "kecamatan_code": KEC,
            "nib": None, "has_pirt": True, "has_halal": False, "started_on": "2026-05-01",
            "registered_on": "2026-05-02"}, key="business", opd="diskop_ukm"))["business_ref"]
        await driver.post(e.marketplace, "/sales", {
            "business_ref": business, "channel": "digital", "amount_idr": 250_000, "quantity": 10,
            "sold_on": "2026-06-01"}, key="sale", opd="disperindag", wait_for_replica=True)

        apart = await figures(platform, tokens, counted(2))
        assert {k: apart.get(k) for k in counted(2)} == counted(2)

        pairs = (await read("/possible-duplicates", kecamatan_code=KEC))["items"]
        assert [{p["person_ref"], p["other_ref"]} for p in pairs] == [{a, b}]
        merge = await driver.post(e.registry, "/merges", {"surviving_ref": a, "retired_ref": b,
                                                          "nik_from": "retired"}, key="merge", opd="dp3a")
        survivor = await read(f"/women/{a}")
        assert survivor["nik_masked"].endswith(str(serial)[-4:])  # the true NIK, corrected through the merge
        assert survivor["registered_on"] == "2026-01-10"
        assert (await read(f"/women/{b}"))["merged_into"] == a

        once = await figures(platform, tokens, counted(1))
        assert {k: once.get(k) for k in counted(1)} == counted(1), "she still counts twice somewhere"

        await driver.post(e.registry, f"/merges/{merge['merge_ref']}/undo", {"reason": "uji: dua orang berbeda"},
                          key="undo", opd="dp3a")
        again = await figures(platform, tokens, counted(2))
        assert {k: again.get(k) for k in counted(2)} == counted(2)
    finally:
        await registry.aclose()
        await driver.close()
