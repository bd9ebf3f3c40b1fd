"""The UI kit as staff meet it, on the demo service in Chromium: a form's errors beside each field and in a summary,
what was typed kept, money and dates the Indonesian way, what was recorded confirmed; names shown as text whatever
they contain; a page the user's scopes do not allow neither offered nor reachable; the purpose of personal-data reads
asked once per session; a wide table on a phone; htmx swaps under the CSP; every page accessible, without a CSP
violation, under 150 KB on first load."""

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from playwright.async_api import Browser, BrowserContext, Page, expect

from tests.support.browser import (
    assert_accessible,
    assert_no_csp_violations,
    first_load_bytes,
    new_context,
    screenshots,
    sign_in,
)
from tests.ui.conftest import Demo

pytestmark = pytest.mark.browser
SIZES: dict[str, int] = {}


@pytest_asyncio.fixture(loop_scope="session")
async def officer(demo_service: Demo, context: BrowserContext) -> AsyncIterator[Page]:
    """A DP3A officer signed in (women:write, personal_data:read; not audit:read)."""
    page = await context.new_page()
    await sign_in(page, demo_service.url, "dp3a.petugas", demo_service.realm.password("dp3a.petugas"))
    yield page


async def test_a_refused_form_shows_each_error_beside_its_field_and_keeps_what_was_typed(
        demo_service: Demo, officer: Page) -> None:
    page = officer
    await page.goto(f"{demo_service.url}/demo/formulir")
    await page.get_by_label("Nama lengkap").fill("Siti Aminah")
    await page.get_by_label("Modal usaha").fill("satu juta")
    await page.get_by_label("Tanggal mulai").fill("2026-08-17")
    await page.get_by_role("button", name="Simpan").click()

    summary = page.locator("[data-error-summary]")
    await expect(summary).to_be_visible()
    await expect(summary).to_be_focused()
    await expect(summary.get_by_role("link")).to_have_text(["Tulis jumlah uang dengan angka, misalnya 1.500.000"])
    assert await summary.get_by_role("link").get_attribute("href") == "#f-modal"
    money = page.get_by_label("Modal usaha")
    await expect(money).to_have_attribute("aria-invalid", "true")
    await expect(money).to_have_attribute("aria-describedby", "f-modal-hint f-modal-error")
    await expect(page.locator("#f-modal-error")).to_contain_text("Tulis jumlah uang dengan angka")
    await expect(money).to_have_value("satu juta")  # what was typed, kept
    await expect(page.get_by_label("Nama lengkap")).to_have_value("Siti Aminah")
    await assert_accessible(page)
    await assert_no_csp_violations(page)
    await screenshots(page, "kit-form-errors")


async def test_money_typed_without_dots_is_shown_and_recorded_the_indonesian_way(demo_service: Demo,
                                                                                 officer: Page) -> None:
    page = officer
    await page.goto(f"{demo_service.url}/demo/formulir")
    await page.get_by_label("Nama lengkap").fill("Rahmawati")
    money = page.get_by_label("Modal usaha")
    await money.fill("1500000")
    await page.get_by_label("Tanggal mulai").focus()
    await expect(money).to_have_value("1.500.000")  # formatted once the field is left
    await page.get_by_label("Tanggal mulai").fill("2026-08-17")
    await page.get_by_role("button", name="Simpan").click()
    await page.wait_for_url(f"{demo_service.url}/demo/formulir")
    await expect(page.get_by_role("status")).to_have_text(
        "Tercatat: Rahmawati, modal Rp 1.500.000, tanggal 17 Agustus 2026")
    await page.reload()
    await expect(page.locator(".flash")).to_have_count(0)  # shown once


async def test_a_name_with_markup_shows_as_text(demo_service: Demo, officer: Page) -> None:
    page = officer
    dialogs: list[str] = []
    page.on("dialog", lambda d: dialogs.append(d.message))
    await page.goto(f"{demo_service.url}/demo/data-pribadi")
    if "/auth/purpose" in page.url:
        await page.locator("#f-purpose").select_option("pendampingan")
        await page.get_by_role("button", name="Simpan dan lanjutkan").click()
    await expect(page.locator("[data-name]").nth(2)).to_have_text("Nur <script>alert(1)</script> Hasanah")
    assert dialogs == [] and await page.locator("main script").count() == 0


async def test_the_purpose_is_asked_once_per_session(demo_service: Demo, browser: Browser) -> None:
    context = await new_context(browser)
    page = await context.new_page()
    await sign_in(page, demo_service.url, "diskop.petugas", demo_service.realm.password("diskop.petugas"))
    await page.goto(f"{demo_service.url}/demo/data-pribadi")
    await expect(page).to_have_url(f"{demo_service.url}/auth/purpose?next=%2Fdemo%2Fdata-pribadi")
    await page.get_by_role("button", name="Simpan dan lanjutkan").click()  # nothing chosen
    await expect(page.locator("#f-purpose-error")).to_contain_text("Pilih salah satu tujuan")
    await assert_accessible(page)
    await screenshots(page, "kit-purpose")
    await page.locator("#f-purpose").select_option("lainnya")
    await page.get_by_label("Tujuan lain (jika tidak ada di daftar)").fill("verifikasi calon penerima modal koperasi")
    await page.get_by_role("button", name="Simpan dan lanjutkan").click()
    await expect(page.locator("[data-purpose]")).to_have_text("Tujuan: verifikasi calon penerima modal koperasi")
    await page.goto(f"{demo_service.url}/beranda")
    await page.goto(f"{demo_service.url}/demo/data-pribadi")  # not asked again
    await expect(page.locator("[data-purpose]")).to_have_text("Tujuan: verifikasi calon penerima modal koperasi")
    await assert_no_csp_violations(page)
    await context.close()


async def test_a_page_her_scopes_do_not_allow_is_not_offered_and_refused_if_forced(demo_service: Demo,
                                                                                  browser: Browser) -> None:
    context = await new_context(browser)
    page = await context.new_page()
    await sign_in(page, demo_service.url, "disperindag.petugas", demo_service.realm.password("disperindag.petugas"))
    nav = page.get_by_role("navigation", name="Layanan Berdaya")
    await expect(nav.get_by_role("link")).to_have_text(["Pasar", "Pemantauan"])  # no registry, no training
    response = await page.goto(f"{demo_service.url}/demo/rahasia")
    assert response is not None and response.status == 403
    await expect(page.locator("h1")).to_have_text("Tidak dapat dilanjutkan")
    await expect(page.locator("main")).to_contain_text("audit:read")
    forced = await page.evaluate("""async () => {
        const r = await fetch('/demo/formulir', {method: 'POST', body: new URLSearchParams({nama: 'x'})});
        return r.status; }""")
    assert forced == 403  # women:write is not hers: refused, whatever the page offered
    await assert_accessible(page)
    await assert_no_csp_violations(page)
    await context.close()


async def test_a_wide_table_scrolls_sideways_with_its_first_column_fixed(demo_service: Demo, officer: Page) -> None:
    page = officer
    await page.set_viewport_size({"width": 360, "height": 740})
    await page.goto(f"{demo_service.url}/demo/tabel")
    region = page.get_by_role("region", name="Perempuan terdaftar per kecamatan")
    sizes = await region.evaluate("el => [el.scrollWidth, el.clientWidth]")
    assert sizes[0] > sizes[1], "the table is wider than the phone: its region scrolls"
    assert await page.evaluate("document.documentElement.scrollWidth") <= 360, "the page itself does not"
    first = page.locator("#uji tbody th").first
    before = await first.bounding_box()
    await region.evaluate("el => el.scrollBy(400, 0)")
    after = await first.bounding_box()
    assert before and after and abs(before["x"] - after["x"]) < 1, "the first column stays"
    await expect(page.locator("#uji tbody td.num").first).to_have_text("1.234")
    await assert_accessible(page)
    await screenshots(page, "kit-table")
    await page.set_viewport_size({"width": 1366, "height": 768})


async def test_htmx_swaps_the_table_in_place_under_the_csp(demo_service: Demo, officer: Page) -> None:
    page = officer
    await page.goto(f"{demo_service.url}/demo/tabel")
    await page.evaluate("window.__marker = 'same page'")
    async with page.expect_response(lambda r: "page=2" in r.url) as answer:
        await page.get_by_role("link", name="Berikutnya ›").click()
    response = await answer.value
    assert "HX-Request" in response.headers["vary"]
    assert "<html" not in await response.text()  # only the table block
    await expect(page.locator("#tabel [aria-current=page]")).to_have_text("Halaman 2 dari 4")
    await expect(page).to_have_url(f"{demo_service.url}/demo/tabel?page=2")
    assert await page.evaluate("window.__marker") == "same page"
    await assert_no_csp_violations(page)
    await page.reload()  # the pushed URL gives the full page
    await expect(page.locator("h1")).to_have_text("Tabel uji")


async def test_every_kit_page_is_under_150_kb_on_first_load(demo_service: Demo, officer: Page,
                                                           browser: Browser) -> None:
    state = await officer.context.storage_state()
    for path in ("/beranda", "/demo/formulir", "/demo/tabel", "/demo/lembar/1", "/auth/signed-out"):
        SIZES[path] = await first_load_bytes(browser, demo_service.url + path, storage_state=state)
    print("first load, compressed: " + ", ".join(f"{p} {b / 1024:.1f} KB" for p, b in SIZES.items()))
    assert all(size < 150 * 1024 for size in SIZES.values()), SIZES
    assert all(size > 10 * 1024 for size in SIZES.values()), "the measure counts the assets too"
