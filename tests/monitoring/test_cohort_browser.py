"""The cohort funnel on the public dashboard in real Chromium, at 1366 and 360 px: read as a cohort (each step a
part of the one before), withheld steps as x with the reason one tap away, the same figures as the API."""

from datetime import date

import httpx
from fastapi import FastAPI
from monitoring.service_layer.release import make_release
from playwright.async_api import async_playwright, expect

from tests.monitoring.conftest import Producers
from tests.monitoring.scenario import program
from tests.monitoring.test_dashboard_browser import ARTIFACTS, CHROMIUM_ARGS
from tests.support.auth import AllScopes
from tests.support.browser import assert_accessible
from tests.support.kafka import wait_for

KECAMATAN = ("64.02.06", "64.02.07", "64.02.12")


async def test_the_public_cohort_funnel_reads_as_a_cohort_on_laptop_and_phone(
        started: tuple[FastAPI, Producers, str, object], base_url: str) -> None:  # noqa: F811 - the fixture
    app, producers = started[0], started[1]
    await producers.publish(program(seed=11, women=40, kecamatan=KECAMATAN))  # registered in January 2026
    async with httpx.AsyncClient(base_url=base_url, auth=AllScopes()) as client:
        async def projected() -> bool:
            body = (await client.get("/api/cohort", params={"period": "2026-Q1"})).json()
            return body["steps"][0]["value"] == 40

        await wait_for(projected, timeout_s=60)
    async with app.state.runtime.pool.acquire() as conn:
        await make_release(conn, today=date(2026, 11, 30), grace_days=10, start="2025-01")
    async with httpx.AsyncClient(base_url=base_url) as public:
        regency = (await public.get("/api/cohort", params={"period": "2026-Q1"})).json()
        kec = (await public.get("/api/cohort", params={"period": "2026-Q1", "kecamatan": "64.02.06"})).json()
    assert regency["sentence"].startswith("Dari 40 perempuan terdaftar, 35 mengikuti pelatihan; dari mereka, ")
    assert kec["steps"][1]["suppressed"]  # 14 registered, 12 trained: the 2 who stopped must stay hidden
    ARTIFACTS.mkdir(exist_ok=True)
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for name, viewport in (("laptop", {"width": 1366, "height": 768}), ("phone", {"width": 360, "height": 740})):
            page = await browser.new_page(viewport=viewport, locale="id-ID")
            await page.goto(base_url + "/?period=2026-Q1")
            sentence = page.locator("#cohort-sentence")
            await expect(sentence).to_have_text(regency["sentence"], timeout=15_000)
            rows = page.locator("#cohort tbody tr")
            await expect(rows).to_have_count(5)
            await expect(rows.nth(0)).to_contain_text("Terdaftar")
            await expect(rows.nth(1)).to_contain_text("Dari mereka: mengikuti pelatihan")
            await expect(rows.nth(1).locator("td").nth(0)).to_have_text("35")
            await expect(rows.nth(1).locator("td").nth(1)).to_have_text("87,5%")  # 35 of 40, both published
            await expect(page.locator("#cohort-scope")).to_contain_text("Triwulan I 2026")
            width = await page.evaluate("document.documentElement.scrollWidth")
            assert width <= viewport["width"], f"the page scrolls sideways ({width}px at {viewport['width']}px)"
            await page.locator("#h-kohort").scroll_into_view_if_needed()
            await page.screenshot(path=str(ARTIFACTS / f"monitoring-cohort-{name}.png"))
            await assert_accessible(page)

            # One kecamatan: the trained step is withheld, shown as x; its reason is one tap away; no rate beside it.
            await page.goto(base_url + "/?period=2026-Q1&kecamatan=64.02.06")
            await expect(sentence).to_have_text(kec["sentence"], timeout=15_000)
            await expect(sentence).to_contain_text("Dari 14 perempuan terdaftar, x mengikuti pelatihan")
            trained = page.locator('[data-cohort-step="trained"]')
            withheld = trained.locator("details.withheld")
            await expect(withheld.locator("summary")).to_have_text("x")
            await expect(withheld.locator("p")).to_be_hidden()
            await withheld.locator("summary").click()
            await expect(withheld.locator("p")).to_contain_text("kurang dari 5 orang")
            await expect(trained.locator("td").nth(1)).to_have_text("—")
            width = await page.evaluate("document.documentElement.scrollWidth")
            assert width <= viewport["width"], f"the open reason widens the page ({width}px at {viewport['width']}px)"
            await expect(page.locator("#cohort-scope")).to_contain_text("Tenggarong")
            await page.locator("#h-kohort").scroll_into_view_if_needed()
            await page.screenshot(path=str(ARTIFACTS / f"monitoring-cohort-withheld-{name}.png"))
            await assert_accessible(page)
            # Another breakdown is not on the cohort's public grid: said so, not shown as "not released".
            await page.goto(base_url + "/?period=2026-Q1&age_band=25-34")
            await expect(page.locator("#cohort")).to_contain_text("hanya untuk seluruh kabupaten atau satu kecamatan",
                                                                  timeout=15_000)
            await page.close()
        await browser.close()
