"""The coordination round as forms in Chromium against the real monitoring service, broker, database and Keycloak:
DP3A opens a round and writes its note, an obstacle and a follow-up action owned by Disperindag; Disperindag writes
its note and moves the action on, and is neither offered nor allowed the approval; neither is DP3A's officer (approval
is the evaluation team's scope, rounds:approve); DP3A's evaluation team approves and the round becomes read-only.
Every page: axe clean at 1366 and 360 px, no CSP violation, under 150 KB, screenshots."""

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from playwright.async_api import Browser, expect

from tests.support.browser import first_load_bytes, new_context, sign_in
from tests.support.keycloak import KeycloakServer, TestRealm
from tests.ui_market.monitoring_site import monitoring_site
from tests.ui_market.test_market_pages import LIMIT, checked

pytestmark = pytest.mark.browser


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def site(keycloak: KeycloakServer, kafka_bootstrap: str,
               database_server_url: str) -> AsyncIterator[tuple[str, TestRealm]]:
    async with monitoring_site(keycloak, kafka_bootstrap, database_server_url, "monui") as (origin, realm, _app):
        yield origin, realm


async def test_a_round_is_filled_by_forms_and_approved_by_dp3a(site: tuple[str, TestRealm], browser: Browser) -> None:
    base, realm = site
    dp3a = await new_context(browser)
    disperindag = await new_context(browser)
    try:
        page = await dp3a.new_page()
        await sign_in(page, base, "dp3a.petugas", realm.password("dp3a.petugas"), next_path="/putaran")
        await page.locator("#f-period").fill("2026-Q5")
        await page.get_by_role("button", name="Buka putaran").click()
        await expect(page.locator("[data-error-summary]")).to_be_visible()
        await checked(page, "putaran-daftar")
        await page.locator("#f-period").fill("2026-Q2")
        await page.get_by_label("Judul rapat").fill("Rapat koordinasi triwulan II")
        await page.get_by_role("button", name="Buka putaran").click()
        await expect(page.get_by_role("status")).to_contain_text("Putaran 2026-Q2 dibuka")
        round_url = page.url
        await page.get_by_label("Catatan DP3A").fill("Pelatihan menjahit selesai di 3 kecamatan")
        await page.get_by_role("button", name="Simpan catatan").click()
        await expect(page.get_by_role("status")).to_contain_text("Catatan DP3A tersimpan")
        await page.get_by_label("Jenis hambatan").select_option("market_access")
        await page.get_by_label("Tingkat hambatan").select_option("high")
        await page.get_by_label("Hambatan", exact=False).last.fill("Stan pameran terlalu sedikit untuk usaha perempuan")
        await page.get_by_role("button", name="Catat hambatan").click()
        await expect(page.locator("#hambatan")).to_contain_text("Akses pasar")
        await page.get_by_label("Tindak lanjut", exact=False).last.fill("Sediakan stan bersama gerai PEKKA")
        await page.get_by_label("OPD penanggung jawab").select_option("disperindag")
        await page.get_by_label("Tenggat").fill("2026-08-31")
        await page.get_by_role("button", name="Catat tindak lanjut").click()
        await expect(page.get_by_role("status")).to_contain_text("Tindak lanjut tercatat")
        await expect(page.locator("section.action")).to_contain_text("tenggat 31 Agustus 2026")
        await checked(page, "putaran-formulir")

        other = await disperindag.new_page()
        await sign_in(other, base, "disperindag.petugas", realm.password("disperindag.petugas"),
                      next_path=round_url.removeprefix(base))
        await expect(other.get_by_role("button", name="Setujui putaran")).to_have_count(0)
        await other.get_by_label("Catatan Disperindag").fill("Dua pameran dengan stan bersama")
        await other.get_by_role("button", name="Simpan catatan").click()
        await expect(other.get_by_role("status")).to_contain_text("Catatan Disperindag tersimpan")
        await other.get_by_label("Status tindak lanjut ini").select_option("in_progress")
        await other.get_by_role("button", name="Simpan status").click()
        await expect(other.locator("section.action")).to_contain_text("Sedang dikerjakan")
        refused = await other.request.post(round_url + "/setujui", headers={"Origin": base})
        assert refused.status == 403
        await checked(other, "putaran-opd-mitra")

        await page.reload()
        await expect(page.get_by_role("button", name="Setujui putaran")).to_have_count(0)  # an officer: no scope
        await dp3a.close()
        dp3a = await new_context(browser)
        page = await dp3a.new_page()
        await sign_in(page, base, "dp3a.evaluasi", realm.password("dp3a.evaluasi"),
                      next_path=round_url.removeprefix(base))
        await page.get_by_role("button", name="Setujui putaran").click()
        await expect(page.get_by_role("status")).to_contain_text("Putaran disetujui DP3A")
        await expect(page.locator("dl.summary")).to_contain_text("Disetujui DP3A")
        await expect(page.get_by_role("button", name="Simpan catatan")).to_have_count(0)
        await checked(page, "putaran-disetujui")
        state = await dp3a.storage_state()
        sizes = {name: await first_load_bytes(browser, url, storage_state=state)
                 for name, url in (("daftar", base + "/putaran"), ("putaran", round_url))}
        print("first-load bytes:", sizes)
        assert all(0 < size < LIMIT for size in sizes.values()), sizes
    finally:
        await dp3a.close()
        await disperindag.close()
