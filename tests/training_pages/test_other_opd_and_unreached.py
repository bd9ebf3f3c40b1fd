"""A DP3A trainer opening a Distransnaker course sees no names and no forms, and a forced change is refused; a DP3A
field officer's "belum terjangkau" page lists a poor woman not yet reached, printable and downloadable, and loses
her once she is enrolled."""

from uuid import UUID

import httpx
import pytest
from playwright.async_api import BrowserContext, expect

from tests.support.browser import assert_accessible, assert_no_csp_violations, first_load_bytes, screenshots, sign_in
from tests.support.kafka import wait_for
from tests.training_pages.conftest import Platform
from tests.training_pages.test_trainer import declare_purpose, fetchval, register

pytestmark = pytest.mark.browser


async def distransnaker_course_with(p: Platform, person_ref: str) -> str:
    async with httpx.AsyncClient(base_url=p.training_url, timeout=30) as client:
        answer = await client.post("/courses", headers=p.machines["distransnaker"], json={
            "organizer_opd": "distransnaker", "field": "kuliner", "kecamatan_code": "64.02.06",
            "title": "Olahan Ikan Asin", "starts_on": "2026-11-16", "ends_on": "2026-11-27", "sessions": 3,
            "capacity": 15})
        assert answer.status_code == 201, answer.text
        ref = str(answer.json()["course_ref"])

        async def enrolled() -> bool | None:
            r = await client.post(f"/courses/{ref}/enrolments", headers=p.machines["distransnaker"],
                                  json={"person_ref": person_ref, "enrolled_on": "2026-11-16"})
            assert r.status_code in (201, 422), r.text
            return True if r.status_code == 201 else None

        await wait_for(enrolled, timeout_s=30)
    return ref


async def test_another_opds_trainer_gets_no_names_and_no_forms(platform: Platform, context: BrowserContext) -> None:
    p = platform
    woman = await register(p, "Nurhayati")
    course = await distransnaker_course_with(p, woman)
    await wait_for(lambda: fetchval(p.registry_db, "SELECT 1 FROM journey_enrolments e JOIN journey_courses c"
                                    " USING (course_ref) WHERE person_ref = $1", UUID(woman)), timeout_s=30)
    page = await context.new_page()
    await sign_in(page, p.training_url, "dp3a.pelatih", p.realm.password("dp3a.pelatih"), next_path="/pelatihan")
    await page.goto(f"{p.training_url}/pelatihan/{course}")
    await declare_purpose(page)
    await expect(page.locator("[data-names][data-names-loaded=true]")).to_be_attached(timeout=20_000)
    await expect(page.locator("#people [data-name-for]")).to_have_text(f"Peserta {woman[:8]}")
    await expect(page.get_by_role("button", name="Daftarkan")).to_have_count(0)
    forced = await page.evaluate(
        "async (url) => (await fetch(url, {method: 'POST', headers: {'Content-Type': "
        "'application/x-www-form-urlencoded', Accept: 'application/json'}, body: 'person_ref=' + "
        "crypto.randomUUID()})).status", f"/pelatihan/{course}/peserta")
    assert forced == 403
    read = await fetchval(p.registry_db, "SELECT count(*) FROM pii_access_log WHERE client_id = 'dp3a.pelatih'")
    assert read == 0
    await assert_accessible(page)
    await assert_no_csp_violations(page)


async def test_the_field_officer_plans_visits_from_the_not_yet_reached_list(platform: Platform,
                                                                            context: BrowserContext) -> None:
    p = platform
    woman = await register(p, "Sumiati Rahayu")
    page = await context.new_page()
    await sign_in(page, p.registry_url, "dp3a.petugas", p.realm.password("dp3a.petugas"), next_path="/beranda")
    await page.goto(f"{p.registry_url}/belum-terjangkau?kecamatan=64.02.06")
    await declare_purpose(page)
    await expect(page.get_by_role("heading", level=1)).to_have_text("Belum terjangkau")
    await expect(page.locator("#unreached")).to_contain_text("Sumiati Rahayu")
    await expect(page.locator("#unreached")).to_contain_text("Tenggarong")
    await assert_accessible(page)
    await assert_no_csp_violations(page)
    await screenshots(page, "registry-belum-terjangkau")
    async with page.expect_download() as download:
        await page.get_by_role("link", name="Unduh CSV").click()
    saved = await (await download.value).path()
    assert "Sumiati Rahayu" in saved.read_text(encoding="utf-8-sig")
    size = await first_load_bytes(page.context.browser, page.url, storage_state=await context.storage_state())
    print("first-load bytes /belum-terjangkau:", size)  # noqa: T201
    assert size < 150 * 1024

    await distransnaker_course_with(p, woman)

    async def gone() -> bool | None:
        await page.reload()
        return True if "Sumiati Rahayu" not in await page.locator("#unreached").inner_text() else None

    assert await wait_for(gone, timeout_s=30)
