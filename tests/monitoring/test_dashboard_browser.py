"""The dashboard in real Chromium, as the public sees it: nothing before a release, the release's figures pushed
in place when it is made, a change of one figure applied to its card alone, withheld cells marked x with the legend
that says why."""

import copy
from datetime import date
from pathlib import Path
from uuid import uuid4

import httpx
from berdaya_contracts import new_envelope
from berdaya_contracts import registry_v1 as r
from fastapi import FastAPI
from playwright.async_api import async_playwright, expect

from tests.monitoring.conftest import Producers
from tests.support.auth import AllScopes
from tests.support.kafka import wait_for

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def women(n: int, kecamatan: str = "64.02.09") -> list:
    return [new_envelope(r.WomanRegistered(
        person_ref=uuid4(), kecamatan_code=kecamatan, desa_code=f"{kecamatan}.2001", age_band="25-34",
        pekka_category="productive",
        household_size=3, registered_by_opd="dp3a", registered_on=date(2025, 6, 2))) for _ in range(n)]


async def test_dashboard_updates_live_without_reloading(started: tuple[FastAPI, Producers, str, object],
                                                        base_url: str) -> None:
    producers = started[1]
    await producers.publish(women(6) + women(5, kecamatan="64.02.10") + women(2, kecamatan="64.02.12"))
    async with httpx.AsyncClient(base_url=base_url, auth=AllScopes()) as client:
        target = {"year": 2025, "kecamatan_code": "all", "indicator": "women_registered", "target_value": 20}
        assert (await client.put("/api/targets", json=target)).status_code == 200

        async def projected() -> bool:
            body = (await client.get("/api/indicators", params={"indicator": "women_registered"})).json()
            return body["indicators"][0]["cells"][0]["value"] == 13

        await wait_for(projected, timeout_s=30)
        ARTIFACTS.mkdir(exist_ok=True)
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            page = await browser.new_page(viewport={"width": 1280, "height": 900}, locale="id-ID")
            await page.goto(base_url + "/")
            await expect(page.locator("h1")).to_have_text("Dasbor Pemantauan Berdaya")
            await expect(page.locator("#live-status")).to_have_text("Langsung", timeout=15_000)
            await expect(page.locator("#release-info")).to_have_text("Belum ada angka yang dirilis.")
            card = page.locator('[data-indicator="women_registered"] .value')
            await expect(card).to_have_text("—")  # the projection has 13, the public nothing until a release
            await page.evaluate("window.__marker = 'same page'")

            assert (await client.post("/api/admin/releases")).status_code == 200
            await expect(card).to_have_text("13", timeout=15_000)
            assert await page.evaluate("window.__marker") == "same page"  # updated in place, never reloaded
            await expect(page.locator("#period")).to_have_value("2025")
            await expect(page.locator('[data-step="registered"]')).to_contain_text("13")
            # 2 women in Tabang: withheld, and one more kecamatan with it, or 13 - 6 - 5 would give them away.
            rows = page.locator("#by-kecamatan tbody tr")
            await expect(page.locator("#by-kecamatan")).to_contain_text("Tabang", timeout=10_000)
            tabang = rows.filter(has_text="Tabang").locator("td").nth(1)
            await expect(tabang).to_have_text("x")
            assert await rows.locator("td:nth-child(2)", has_text="x").count() >= 2
            await expect(page.locator("#legend")).to_contain_text("kurang dari 5 orang")
            await expect(page.locator("#legend")).to_contain_text("tidak dapat dihitung")
            await expect(page.locator("#targets")).to_contain_text("65", timeout=10_000)  # 13 of a target of 20
            await page.screenshot(path=str(ARTIFACTS / "monitoring-dashboard.png"), full_page=True)

            phone = await browser.new_page(viewport={"width": 390, "height": 844}, locale="id-ID")
            await phone.goto(base_url + "/")
            await expect(phone.locator('[data-indicator="women_registered"] .value')).to_have_text("13")
            width = await phone.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"
            await phone.screenshot(path=str(ARTIFACTS / "monitoring-dashboard-phone.png"), full_page=True)
            await browser.close()


async def test_a_change_on_the_stream_updates_its_card_and_only_its_details(
        started: tuple[FastAPI, Producers, str, object], base_url: str) -> None:
    """A ``change`` event naming one figure (sent through the service's own feed and SSE stream: a release never
    revises a published cell, so the test hands the feed a message with one cell moved) updates that card in place,
    leaves the other cards' elements as they were, and refreshes only that indicator's details: its chart, the
    kecamatan table and the targets, not every chart, not the period list."""
    from tests.support.browser import assert_accessible

    feed = started[0].state.feed
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = await browser.new_page(viewport={"width": 1366, "height": 900}, locale="id-ID")
        await page.goto(base_url + "/")
        card = page.locator('#headline [data-indicator="women_registered"] .value')
        await expect(card).to_have_text("13", timeout=15_000)
        await expect(page.locator("#live-status")).to_have_text("Langsung", timeout=15_000)
        await expect(page.locator('[data-chart="women_registered"]')).to_have_count(1, timeout=10_000)
        await page.wait_for_timeout(3500)  # past any detail refresh the connection itself asked for
        await page.evaluate("""window.__other = document.querySelector('#headline [data-indicator="pekka_registered"] .value');
                               window.__marker = 'same page'""")
        asked: list[str] = []
        page.on("request", lambda request: asked.append(request.url))
        held = feed.state[False]
        assert held is not None and held["figures"]["women_registered"]["value"] == 13
        moved = copy.deepcopy(held)
        moved["figures"]["women_registered"]["value"] = 14.0
        try:
            feed._push(False, moved)  # noqa: SLF001 - one cell moved, as the stream would send it
            await expect(card).to_have_text("14", timeout=10_000)
            async with page.expect_request(lambda r: "group_by=period" in r.url, timeout=10_000):
                pass  # the chart of the changed figure, after the 3 s gathering of detail refreshes
            await page.wait_for_timeout(1000)
            assert await page.evaluate("window.__marker") == "same page"
            assert await page.evaluate("window.__other.isConnected"), "the other cards were left as they were"
            charts = [u for u in asked if "/api/indicators" in u and "group_by=period" in u]
            assert charts and all("indicator=women_registered" in u and u.count("indicator=") == 1 for u in charts), \
                charts
            assert not [u for u in asked if "/api/periods" in u], "no release: the period list is not asked again"
            assert any("/api/targets" in u for u in asked), "the targets show women_registered: refreshed"
            await assert_accessible(page)
        finally:
            feed._push(False, held)  # noqa: SLF001 - the published figure again
        await expect(card).to_have_text("13", timeout=10_000)
        await browser.close()


async def test_filters_drill_down_month_axes_and_phone_layout(started: tuple[FastAPI, Producers, str, object],
                                                              base_url: str) -> None:
    """After the release of the test above: a filtered view kept in the address shows the API's figures for that
    filter, a kecamatan drills down to its desa, month charts show every released month with withheld ones marked,
    and the page is accessible and short enough on a 360 px phone and on a 1366 px laptop."""
    from tests.support.browser import assert_accessible

    async with httpx.AsyncClient(base_url=base_url) as public:
        api = (await public.get("/api/indicators", params={"period": "2025", "kecamatan": "64.02.09",
                                                          "indicator": "women_registered"})).json()
        cell = api["indicators"][0]["cells"][0]
        expected = "x" if cell["suppressed"] else str(int(cell["value"]))
        months = [p for p in (await public.get("/api/periods")).json()["periods"] if p.startswith("2025-")
                  and "Q" not in p]
    assert len(months) == 12
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for name, viewport in (("laptop", {"width": 1366, "height": 768}), ("phone", {"width": 360, "height": 740})):
            page = await browser.new_page(viewport=viewport, locale="id-ID")
            await page.goto(base_url + "/")
            await expect(page.locator('[data-indicator="women_registered"] .value')).to_have_text("13", timeout=15_000)
            # The filter form is a GET form: choosing a kecamatan puts it in the address.
            await page.select_option("#f-kecamatan", "64.02.09")
            await page.click("#filters button[type=submit]")
            await page.wait_for_url("**/?period=2025&kecamatan=64.02.09")
            await expect(page.locator('[data-indicator="women_registered"] .value')).to_have_text(expected,
                                                                                                  timeout=15_000)
            await expect(page.locator("#scope")).not_to_contain_text("Seluruh")
            await expect(page.locator("#h-kec")).to_contain_text("Desa/kelurahan di")  # drilled down
            await expect(page.locator("#by-kecamatan thead")).to_contain_text("Desa/kelurahan")
            await expect(page.locator("#f-kecamatan")).to_have_value("64.02.09")
            # Every figure's definition is one tap away.
            definition = page.locator('#headline [data-indicator="women_registered"] details.definition')
            await definition.locator("summary").click()
            await expect(definition).to_contain_text("bulan pendaftarannya")
            if name == "laptop":
                chart = page.locator('[data-chart="women_registered"]')
                await expect(chart).to_have_attribute("data-months", ",".join(months), timeout=10_000)
            await page.screenshot(path=str(ARTIFACTS / f"monitoring-dashboard-filtered-{name}.png"), full_page=True)
            await assert_accessible(page)

            # Back to the regency: the kecamatan table links each kecamatan to its drill-down.
            await page.goto(base_url + "/?period=2025")
            link = page.locator("#by-kecamatan tbody a", has_text="Tabang")
            await expect(link).to_have_attribute("href", "/?period=2025&kecamatan=64.02.12", timeout=10_000)
            width = await page.evaluate("document.documentElement.scrollWidth")
            assert width <= viewport["width"], f"the page scrolls sideways ({width}px at {viewport['width']}px)"
            height = await page.evaluate("document.documentElement.scrollHeight")
            if name == "phone":
                assert height < 5000, f"the phone page is {height}px long"
                # The kecamatan table scrolls on its own with the names fixed; at least two figures show beside them.
                first = await page.locator("#by-kecamatan tbody tr td").nth(0).bounding_box()
                third = await page.locator("#by-kecamatan tbody tr td").nth(2).bounding_box()
                assert first and third and third["x"] + third["width"] <= 360, (first, third)
            await page.screenshot(path=str(ARTIFACTS / f"monitoring-dashboard-{name}.png"), full_page=True)
            await assert_accessible(page)

            # Two breakdowns at once are not on the public grid: the refusal is shown, in Indonesian.
            await page.goto(base_url + "/?period=2025&kecamatan=64.02.09&age_band=25-34")
            await expect(page.locator("#filter-error")).to_contain_text("satu rincian", timeout=10_000)
            await page.close()
        await browser.close()
