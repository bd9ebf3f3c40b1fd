"""The dashboard in real Chromium: headline figures shown, then updated live after a new event."""

import asyncio
import socket
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from uuid import uuid4

import httpx
import pytest_asyncio
import uvicorn
from berdaya_contracts import new_envelope
from berdaya_contracts import registry_v1 as r
from fastapi import FastAPI
from playwright.async_api import async_playwright, expect

from tests.monitoring.conftest import Producers
from tests.support.auth import AllScopes

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def women(n: int, kecamatan: str = "64.02.09") -> list:
    return [new_envelope(r.WomanRegistered(
        person_ref=uuid4(), kecamatan_code=kecamatan, age_band="25-34", pekka_category="productive",
        household_size=3, registered_by_opd="dp3a", registered_on=date.today().replace(day=1))) for _ in range(n)]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def base_url(started: tuple[FastAPI, Producers, str, object]) -> AsyncIterator[str]:
    app = started[0]
    port = free_port()
    # The runtime is already started by the fixture; uvicorn only serves HTTP on a real socket.
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="off", log_level="warning"))
    task = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 - uvicorn offers no event to wait on
        await asyncio.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    await task


async def test_dashboard_updates_live_without_reloading(started: tuple[FastAPI, Producers, str, object],
                                                        base_url: str) -> None:
    producers = started[1]
    await producers.publish(women(6))
    async with httpx.AsyncClient(base_url=base_url, auth=AllScopes()) as client:
        target = {"year": date.today().year, "kecamatan_code": "all", "indicator": "women_registered",
                  "target_value": 20}
        assert (await client.put("/api/targets", json=target)).status_code == 200
    ARTIFACTS.mkdir(exist_ok=True)
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = await browser.new_page(viewport={"width": 1280, "height": 900}, locale="id-ID")
        await page.goto(base_url + "/")
        await expect(page.locator("h1")).to_have_text("Dasbor Pemantauan Berdaya")
        card = page.locator('[data-indicator="women_registered"] .value')
        await expect(card).to_have_text("6", timeout=15_000)
        await expect(page.locator("#live-status")).to_have_text("Langsung", timeout=15_000)
        await page.evaluate("window.__marker = 'same page'")

        await producers.publish(women(5, kecamatan="64.02.10"))
        await expect(card).to_have_text("11", timeout=15_000)
        assert await page.evaluate("window.__marker") == "same page"  # updated in place, never reloaded
        await expect(page.locator('[data-step="registered"]')).to_contain_text("11")
        await expect(page.locator("#by-kecamatan")).to_contain_text("Kembang Janggut", timeout=10_000)
        await expect(page.locator("#targets")).to_contain_text("55", timeout=10_000)  # 11 of a target of 20
        await page.screenshot(path=str(ARTIFACTS / "monitoring-dashboard.png"), full_page=True)

        phone = await browser.new_page(viewport={"width": 390, "height": 844}, locale="id-ID")
        await phone.goto(base_url + "/")
        await expect(phone.locator('[data-indicator="women_registered"] .value')).to_have_text("11")
        width = await phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"
        await phone.screenshot(path=str(ARTIFACTS / "monitoring-dashboard-phone.png"), full_page=True)
        await browser.close()
