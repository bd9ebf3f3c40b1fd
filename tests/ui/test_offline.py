"""A sheet on a 360 px phone that keeps working without signal: opened again offline from the service worker's copy,
filled in offline and kept in the browser (the server sees nothing), sent when the connection returns, applied
exactly once even when an answer is lost and the sheet is sent again, kept through an expired session and sent after
signing in again, a refusal shown beside its sheet, and everything wiped at sign-out."""

from collections.abc import AsyncIterator

import asyncpg
import pytest
import pytest_asyncio
from playwright.async_api import Browser, BrowserContext, Page, Route, expect

from tests.support.browser import (
    PHONE,
    assert_accessible,
    assert_no_csp_violations,
    new_context,
    open_without_signal,
    screenshots,
    sign_in,
)
from tests.ui.conftest import Demo

pytestmark = pytest.mark.browser
CACHE = "berdaya-sheets-v1"


async def applied(demo: Demo, sheet: str) -> list[str]:
    conn = await asyncpg.connect(demo.database_url)
    try:
        return [r["body"] for r in await conn.fetch("SELECT body::text FROM demo_sheets WHERE sheet = $1 ORDER BY id",
                                                    sheet)]
    finally:
        await conn.close()


@pytest_asyncio.fixture(loop_scope="session")
async def phone(demo_service: Demo, browser: Browser) -> AsyncIterator[tuple[BrowserContext, Page]]:
    context = await new_context(browser, viewport=PHONE, is_mobile=True, has_touch=True)
    page = await context.new_page()
    await sign_in(page, demo_service.url, "distransnaker.pelatih", demo_service.realm.password("distransnaker.pelatih"))
    yield context, page
    await context.close()


async def open_sheet(page: Page, demo: Demo, session_no: int) -> None:
    await page.goto(f"{demo.url}/demo/lembar/{session_no}")
    await page.wait_for_function(  # the service worker controls the page and has kept it for use without signal
        "async (url) => { const c = await caches.open('" + CACHE + "');"
        " return !!navigator.serviceWorker.controller && !!(await c.match(url)); }", arg=page.url)


def entries(page: Page) -> object:
    return page.locator("[data-outbox] li")


async def test_a_sheet_filled_offline_is_sent_once_when_the_connection_returns(
        demo_service: Demo, phone: tuple[BrowserContext, Page]) -> None:
    context, page = phone
    await open_sheet(page, demo_service, 3)
    reached_server: list[str] = []
    page.on("request", lambda r: reached_server.append(r.url) if r.method == "POST" else None)

    await context.set_offline(True)
    await open_without_signal(page, f"{demo_service.url}/demo/lembar/3")  # no signal: the kept copy opens
    await expect(page.locator("h1")).to_have_text("Absensi sesi 3")
    await page.get_by_label("Siti Aminah").check()
    await page.get_by_label("Rahmawati").check()
    await page.get_by_role("button", name="Simpan absensi").click()
    await expect(page.get_by_role("status").filter(has_text="Tersimpan di perangkat")).to_be_visible()
    waiting = page.locator("[data-outbox] li[data-status=waiting]")
    await expect(waiting).to_have_count(1)
    await expect(waiting).to_contain_text("Absensi sesi 3: menunggu dikirim")
    await page.wait_for_timeout(1500)  # a retry or two while offline
    assert await applied(demo_service, "sesi-3") == []
    await screenshots(page, "kit-sheet-offline")
    await assert_accessible(page)

    await context.set_offline(False)
    sent = page.locator("[data-outbox] li[data-status=sent]")
    await expect(sent).to_have_count(1, timeout=20_000)
    await expect(sent).to_contain_text("Absensi sesi 3: terkirim")
    assert await applied(demo_service, "sesi-3") == ['{"present": ["P-01", "P-02"], "session_no": 3}']
    keys = {r for r in reached_server if r.endswith("/demo/lembar/3")}
    assert keys, "the sheet went to its own service"
    await assert_no_csp_violations(page)


async def test_a_lost_answer_is_retried_with_the_same_key_and_applied_once(
        demo_service: Demo, phone: tuple[BrowserContext, Page]) -> None:
    _context, page = phone
    await open_sheet(page, demo_service, 4)
    keys: list[str] = []

    async def lose_first_answer(route: Route) -> None:
        keys.append(route.request.headers["idempotency-key"])
        if len(keys) == 1:
            await route.fetch()  # the server applies it ...
            await route.abort("connectionreset")  # ... and the phone never hears back
        else:
            await route.continue_()

    await page.route("**/demo/lembar/4", lose_first_answer)
    await page.get_by_label("Rahmawati").check()
    await page.get_by_role("button", name="Simpan absensi").click()
    await expect(page.locator("[data-outbox] li[data-status=sent]").filter(has_text="sesi 4")).to_have_count(
        1, timeout=20_000)
    assert len(keys) == 2 and keys[0] == keys[1], "one Idempotency-Key for the sheet version, on every attempt"
    assert await applied(demo_service, "sesi-4") == ['{"present": ["P-02"], "session_no": 4}']
    # A corrected version of the same sheet is a new version: a new key, applied too.
    await page.unroute("**/demo/lembar/4")
    await page.get_by_label("Siti Aminah").check()
    await page.get_by_role("button", name="Simpan absensi").click()
    await expect(page.locator("[data-outbox] li[data-status=sent]").filter(has_text="sesi 4")).to_have_count(
        2, timeout=20_000)
    assert len(await applied(demo_service, "sesi-4")) == 2


async def test_a_sheet_waits_through_an_expired_session_and_is_sent_after_signing_in_again(
        demo_service: Demo, phone: tuple[BrowserContext, Page]) -> None:
    _context, page = phone
    await open_sheet(page, demo_service, 5)
    conn = await asyncpg.connect(demo_service.database_url)
    try:
        await conn.execute("UPDATE web_sessions SET idle_expires_at = now() - interval '1 second'")  # idle too long
    finally:
        await conn.close()
    await page.get_by_label("Nur <script>alert(1)</script> Hasanah").check()
    await page.get_by_role("button", name="Simpan absensi").click()
    await expect(page.locator("[data-outbox] li[data-status=signin]")).to_contain_text(
        "Absensi sesi 5: masuk lagi untuk mengirim")
    await expect(page.get_by_role("link", name="Masuk lagi untuk mengirim")).to_be_visible()
    assert await applied(demo_service, "sesi-5") == []
    await screenshots(page, "kit-sheet-signin-again")

    await page.get_by_role("link", name="Masuk lagi untuk mengirim").click()
    if await page.locator("#kc-login").count():  # Keycloak may still know her; else she types her password
        await page.locator("#password").fill(demo_service.realm.password("distransnaker.pelatih"))
        await page.locator("#kc-login").click()
    await page.wait_for_url(f"{demo_service.url}/demo/lembar/5")
    await expect(page.locator("[data-outbox] li[data-status=sent]").filter(has_text="sesi 5")).to_have_count(
        1, timeout=20_000)
    assert await applied(demo_service, "sesi-5") == ['{"present": ["P-03"], "session_no": 5}']


async def test_a_refused_sheet_says_why_and_can_be_removed(demo_service: Demo,
                                                          phone: tuple[BrowserContext, Page]) -> None:
    _context, page = phone
    await page.goto(f"{demo_service.url}/demo/lembar/11")
    await page.get_by_role("button", name="Simpan absensi").click()
    refused = page.locator("[data-outbox] li[data-status=refused]")
    await expect(refused).to_contain_text("Absensi sesi 11: ditolak: Pelatihan ini hanya punya 10 sesi")
    await assert_accessible(page)
    await refused.get_by_role("button", name="Hapus dari antrean").click()
    await expect(refused).to_have_count(0)


async def test_signing_out_wipes_the_sheets_and_their_names_from_the_phone(demo_service: Demo,
                                                                          phone: tuple[BrowserContext, Page]) -> None:
    context, page = phone
    await open_sheet(page, demo_service, 6)
    await context.set_offline(True)
    await page.get_by_label("Siti Aminah").check()
    await page.get_by_role("button", name="Simpan absensi").click()
    await expect(page.locator("[data-outbox] li[data-status=waiting]")).to_have_count(1)
    await page.route("**/demo/lembar/6", lambda route: route.abort())  # still unsent when she signs out
    await context.set_offline(False)
    warnings: list[str] = []

    async def accept(dialog: object) -> None:
        warnings.append(dialog.message)  # type: ignore[attr-defined]
        await dialog.accept()  # type: ignore[attr-defined]

    page.on("dialog", accept)
    await page.get_by_role("button", name="Keluar").click()
    await page.wait_for_url(f"{demo_service.url}/auth/signed-out*")
    assert warnings and "1 lembar yang belum terkirim" in warnings[0]
    await expect(page.locator("body")).to_have_attribute("data-wiped", "true")
    left = await page.evaluate("""async () => ({
        databases: (await indexedDB.databases()).map(d => d.name),
        caches: await caches.keys(),
        workers: (await navigator.serviceWorker.getRegistrations()).length })""")
    assert left == {"databases": [], "caches": [], "workers": 0}
