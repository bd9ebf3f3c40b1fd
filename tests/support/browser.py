"""Browser tests in Debian's Chromium through Playwright: one browser per test session, a fresh context per test.

Fixtures (``pytest_plugins = ["tests.support.browser"]`` or import them): ``browser`` (session), ``context`` (a new
context with the CSP-violation recorder installed, closed after the test). Helpers:

- ``sign_in(page, base_url, username, password)``: through the service's /auth/login and Keycloak's own login page
  (authorization code with PKCE), back on the service; returns the seconds it took;
- ``screenshots(page, name)``: the page at 1366×768 and 360×740 into ``test-artifacts/screens/``;
- ``assert_accessible(page)``: axe-core 4.14.1 (npm, installed by ``make install``), WCAG 2.1 A/AA rules, no serious
  or critical violation;
- ``first_load_bytes(context, url)``: bytes transferred (compressed, headers included) to load ``url`` in a fresh
  context with an empty cache, from the browser's resource timing;
- ``assert_no_csp_violations(page)``: none recorded since the page loaded (enforced or report-only).

Chromium is Debian's ``/usr/bin/chromium`` (``CHROMIUM`` overrides): Playwright cannot download its own here.
"""

import os
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from playwright.async_api import Browser, BrowserContext, Page, async_playwright
from playwright.async_api import Error as PlaywrightError

REPO = Path(__file__).resolve().parents[2]
SCREENS = REPO / "test-artifacts" / "screens"
AXE = REPO / "deploy/.data/npm/axe-core-4.14.1/node_modules/axe-core/axe.min.js"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FOUND = Path(CHROMIUM).exists()
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--lang=id-ID"]
LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 360, "height": 740}
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

# Recorded in every page before its own scripts run (an init script is not subject to the page's CSP).
CSP_RECORDER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push({directive: e.violatedDirective, blocked: e.blockedURI, disposition: e.disposition,
                               sample: e.sample, source: e.sourceFile + ":" + e.lineNumber});
});
"""


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def browser() -> AsyncIterator[Browser]:
    if not CHROMIUM_FOUND:
        pytest.fail(f"no Chromium at {CHROMIUM}: run `make install` (it installs Debian's chromium)", pytrace=False)
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        await launched.close()


async def new_context(browser: Browser, **options: Any) -> BrowserContext:
    context = await browser.new_context(**{"locale": "id-ID", "timezone_id": "Asia/Makassar", "viewport": LAPTOP,
                                           **options})
    await context.add_init_script(CSP_RECORDER)
    return context


@pytest_asyncio.fixture(loop_scope="session")
async def context(browser: Browser) -> AsyncIterator[BrowserContext]:
    ctx = await new_context(browser)
    yield ctx
    await ctx.close()


async def sign_in(page: Page, base_url: str, username: str, password: str, *, next_path: str = "/beranda") -> float:
    """Sign in on Keycloak's login page, starting from the service; returns the seconds from the first request to
    the service's page being loaded."""
    started = time.perf_counter()
    await page.goto(f"{base_url}/auth/login?next={next_path}")
    await page.locator("#username").fill(username)
    await page.locator("#password").fill(password)
    await page.locator("#kc-login").click()
    await page.wait_for_url(f"{base_url}{next_path}*")
    await page.wait_for_load_state("load")
    return time.perf_counter() - started


async def screenshots(page: Page, name: str) -> list[Path]:
    """``name``-laptop.png (1366×768) and ``name``-phone.png (360×740), full page; the viewport is restored."""
    SCREENS.mkdir(parents=True, exist_ok=True)
    before = page.viewport_size or LAPTOP
    out = []
    for label, size in (("laptop", LAPTOP), ("phone", PHONE)):
        await page.set_viewport_size(size)
        path = SCREENS / f"{name}-{label}.png"
        await page.screenshot(path=str(path), full_page=True)
        out.append(path)
    await page.set_viewport_size(before)
    return out


async def axe_violations(page: Page, impacts: tuple[str, ...] = ("serious", "critical")) -> list[dict[str, Any]]:
    """axe-core's WCAG 2.1 A/AA violations of the page as it is now, of the given impacts."""
    if not AXE.exists():
        pytest.fail(f"axe-core is missing ({AXE}): run `make install`", pytrace=False)
    if not await page.evaluate("() => typeof window.axe === 'object'"):
        await page.evaluate(AXE.read_text())  # evaluated by the DevTools protocol: not blocked by the page's CSP
    result = await page.evaluate(
        "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}})).violations"
        ".map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target.join(' '))}))",
        WCAG)
    return [v for v in result if v["impact"] in impacts]


async def assert_accessible(page: Page) -> None:
    violations = await axe_violations(page)
    assert violations == [], f"axe-core on {page.url}: {violations}"


async def csp_violations(page: Page) -> list[dict[str, Any]]:
    return await page.evaluate("() => window.__cspViolations || []")  # type: ignore[no-any-return]


async def assert_no_csp_violations(page: Page) -> None:
    violations = await csp_violations(page)
    assert violations == [], f"CSP violations on {page.url}: {violations}"


async def first_load_bytes(browser: Browser, url: str, *, storage_state: Any = None) -> int:
    """Bytes the browser transferred to load ``url`` with an empty cache (document and every resource, compressed
    as sent, headers included), from the Resource Timing API."""
    ctx = await new_context(browser, storage_state=storage_state)
    try:
        page = await ctx.new_page()
        await page.goto(url, wait_until="networkidle")
        total = await page.evaluate(
            "() => performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource'))"
            ".reduce((sum, e) => sum + e.transferSize, 0)")
        return int(total)
    finally:
        await ctx.close()


async def open_without_signal(page: Page, url: str, *,
                              keep_again: Callable[[], Awaitable[None]] | None = None) -> None:
    """Open a sheet with no signal: the copy the service worker kept on the phone. Chromium now and then fails that
    navigation with net::ERR_FAILED or ERR_INTERNET_DISCONNECTED although the copy is in the cache (about one run in
    four; cause not found): up to three tries, each failure printed; a copy that is really gone still fails the
    test. ``keep_again`` (for tests that may let the phone back online between tries) is awaited before each retry:
    it opens the sheet with signal again and goes back offline, as an officer would."""
    for attempt in range(3):
        try:
            await page.goto(url)
            return
        except PlaywrightError as failed:
            if attempt == 2 or not any(code in str(failed) for code in ("ERR_FAILED", "ERR_INTERNET_DISCONNECTED")):
                raise
            print(f"offline navigation {attempt + 1} failed: {failed.message.splitlines()[0]}")
            await page.wait_for_timeout(500)
            if keep_again is not None:
                await keep_again()
