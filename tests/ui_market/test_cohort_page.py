"""The evaluation team's cohort funnel page in Chromium against the real monitoring service, database and Keycloak:
the same shape as the public dashboard's, exact; refused to an officer without figures:internal; a bad period
named beside its field. axe clean at 1366 and 360 px, no CSP violation, screenshots."""

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from berdaya_contracts import decode
from fastapi import FastAPI
from monitoring.projections import apply_live
from playwright.async_api import Browser, expect

from tests.monitoring.scenario import program
from tests.support.browser import new_context, sign_in
from tests.support.keycloak import KeycloakServer, TestRealm
from tests.ui_market.monitoring_site import monitoring_site
from tests.ui_market.test_market_pages import checked

pytestmark = pytest.mark.browser


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def cohort_site(keycloak: KeycloakServer, kafka_bootstrap: str,
                      database_server_url: str) -> AsyncIterator[tuple[str, TestRealm, FastAPI]]:
    async with monitoring_site(keycloak, kafka_bootstrap, database_server_url, "monko") as site:
        yield site


async def test_the_evaluation_team_reads_the_exact_cohort_funnel(cohort_site: tuple[str, TestRealm, FastAPI],
                                                                 browser: Browser) -> None:
    base, realm, app = cohort_site
    async with app.state.runtime.pool.acquire() as conn, conn.transaction():
        events = program(seed=11, women=40, kecamatan=("64.02.06", "64.02.07", "64.02.12"))
        await apply_live(conn, [decode(e.to_bytes()) for e in events])
    officer = await new_context(browser)
    team = await new_context(browser)
    try:
        page = await officer.new_page()
        await sign_in(page, base, "dp3a.petugas", realm.password("dp3a.petugas"), next_path="/putaran")
        refused = await page.request.get(base + "/kohort")
        assert refused.status == 403  # exact figures are the evaluation team's

        page = await team.new_page()
        await sign_in(page, base, "dp3a.evaluasi", realm.password("dp3a.evaluasi"), next_path="/kohort?period=2026-Q1")
        sentence = page.locator("#cohort-sentence")
        await expect(sentence).to_contain_text("Dari 40 perempuan terdaftar, 35 mengikuti pelatihan; dari mereka, ")
        rows = page.locator("#cohort tbody tr")
        await expect(rows).to_have_count(5)
        await expect(rows.nth(1)).to_contain_text("Dari mereka: mengikuti pelatihan")
        await expect(rows.nth(1).locator("td").nth(1)).to_have_text("87,5%")
        await checked(page, "kohort-tim-evaluasi")
        # One kecamatan, exact: nothing withheld (the public sees x here).
        await page.get_by_label("Kecamatan").select_option("64.02.06")
        await page.get_by_role("button", name="Tampilkan").click()
        await expect(sentence).to_contain_text("Dari 14 perempuan terdaftar, 12 mengikuti pelatihan")
        await expect(page.locator("#kohort-caption")).to_contain_text("Tenggarong")
        await page.get_by_label("Periode pendaftaran").fill("2026-13")
        await page.get_by_role("button", name="Tampilkan").click()
        await expect(page.locator("[data-error-summary]")).to_be_visible()
        await expect(page.locator(".field-error")).to_contain_text("Periode harus satu tahun")
        await checked(page, "kohort-periode-salah")
    finally:
        await officer.close()
        await team.close()
