"""One woman's way through the program as the staff of every OPD do it, in Debian's Chromium against the four
services running as real processes (one topic namespace, their own databases and Kafka principals), trusting a
Keycloak realm of this module's own:

a DP3A officer registers her with her baseline and finds her by name; she is on the "belum terjangkau" list; a
Diskop UKM officer records her business; a Distransnaker trainer schedules a course, finds her by name and enrols
her, takes attendance on a 360 px phone — the second session with no connection, sent when it returns and counted
once — and completes the course; she has left the list; a Disperindag officer gives a PEKKA gerai a shared booth
holding her business and enters the fair's sales sheet; her registry page tells that journey; the evaluation
team's figures move by exactly her, and the public dashboard loads.
Every page on the way: axe-core clean, no CSP violation, screenshots at laptop and phone width."""

import json
import random
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import asyncpg
import httpx
import pytest
import pytest_asyncio
from berdaya_shared.clock import today
from berdaya_shared.ui.formats import tanggal
from playwright.async_api import Browser, BrowserContext, Page, expect

from deploy.keycloak.tokens import ClientCredentials
from tests.registry.helpers import nik_for
from tests.support.auth import keycloak_processes, web_client
from tests.support.browser import (  # noqa: F401 (fixtures)
    PHONE,
    assert_accessible,
    assert_no_csp_violations,
    browser,
    new_context,
    open_without_signal,
    screenshots,
    sign_in,
)
from tests.support.kafka import wait_for
from tests.support.platform import SERVICES, Platform, running_platform

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "e2e-journey"
CACHE = "berdaya-sheets-v1"
KECAMATAN, DESA = "64.02.06", "64.02.06.1001"  # Tenggarong, Jahab
FIGURES = ("women_registered", "enrolments", "completions", "women_trained", "ukm_registered",
           "market_trade_fair", "sales_trade_fair_idr")


@dataclass
class Site:
    platform: Platform
    realm: Any
    tokens: ClientCredentials

    def url(self, service: str) -> str:
        return self.platform.url(service)

    def password(self, username: str) -> str:
        return str(self.realm.password(username))

    async def fetchval(self, service: str, sql: str, *args: object) -> object:
        conn = await asyncpg.connect(self.platform.databases[service])
        try:
            return await conn.fetchval(sql, *args)
        finally:
            await conn.close()

    async def figures(self) -> dict[str, int]:
        """The evaluation team's exact regency figures (internal face)."""
        async with httpx.AsyncClient(base_url=self.url("monitoring"), timeout=30,
                                     headers=self.tokens["dp3a_evaluation"]) as client:
            answer = await client.get("/api/indicators")
            assert answer.status_code == 200, answer.text
            body = answer.json()
        assert body["face"] == "internal"
        return {i["indicator"]: int(i["cells"][0]["value"] or 0) if i["cells"] else 0
                for i in body["indicators"] if i["indicator"] in FIGURES}


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def site(kafka_bootstrap: str, database_server_url: str,
               tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Site]:
    async with keycloak_processes() as (env, tokens, realm):
        secrets = tmp_path_factory.mktemp("keycloak") / "clients.json"
        secrets.write_text(json.dumps({"clients": realm.secrets.clients}))
        secrets.chmod(0o600)
        async with running_platform(kafka_bootstrap, database_server_url, log_dir=ARTIFACTS,
                                    extra_env={**env, "AUTH_CLIENT_SECRETS_FILE": str(secrets)}) as platform:
            for service in SERVICES:
                await web_client(realm, f"berdaya-{service}", platform.url(service))
            yield Site(platform, realm, tokens)


async def checked(page: Page, name: str) -> None:
    await assert_accessible(page)
    await assert_no_csp_violations(page)
    await screenshots(page, f"perjalanan-{name}")


async def purpose(page: Page, choice: str) -> None:
    """The purpose of opening personal data, asked once per session before the first name is shown."""
    if "/auth/purpose" in page.url:
        await page.locator("#f-purpose").select_option(choice)
        await page.get_by_role("button", name="Simpan dan lanjutkan").click()
        await page.wait_for_load_state("load")


async def signed_in(browser: Browser, site: Site, service: str, username: str,  # noqa: F811
                    **options: Any) -> tuple[BrowserContext, Page]:
    context = await new_context(browser, **options)
    page = await context.new_page()
    await sign_in(page, site.url(service), username, site.password(username))
    return context, page


async def test_one_woman_through_every_opd_s_pages(site: Site, browser: Browser) -> None:  # noqa: F811, PLR0915
    before = await site.figures()
    rng = random.Random()
    tag = "".join(rng.choice("bcdfghjklmnpqrstvwxyz") for _ in range(7)).capitalize()
    name = f"Nurhayati {tag}"
    registry, training, market = site.url("registry"), site.url("training"), site.url("marketplace")
    now = today()  # WITA: the course runs this week, the fair was last week
    starts, ends, fair_day = now - timedelta(days=3), now + timedelta(days=4), now - timedelta(days=8)

    # DP3A: register her with her baseline, find her by name, see her on the "belum terjangkau" list.
    dp3a, page = await signed_in(browser, site, "registry", "dp3a.petugas")
    try:
        await page.get_by_role("link", name="Daftarkan perempuan").click()
        await purpose(page, "pendataan")
        await page.locator("#f-full_name").fill(name)
        await page.locator("#f-nik").fill(nik_for(date(1986, 3, 9), rng.randint(1, 9999)))
        await page.locator("#f-birth_date").fill("1986-03-09")
        await page.locator("#f-kecamatan_code").select_option(KECAMATAN)
        await page.locator("#f-desa_code").select_option(DESA)
        await page.locator("#f-household_size").fill("4")
        await page.locator("#f-pekka_category").select_option("productive")
        await page.locator("#f-monthly_household_income_idr").fill("1.200.000")
        await page.get_by_role("button", name="Daftarkan").click()
        await page.wait_for_url(re.compile(r"/perempuan/[0-9a-f-]{36}$"))
        await expect(page.locator(".flash")).to_contain_text(f"Tercatat: {name}")
        await expect(page.locator(".flash")).to_contain_text("di bawah garis kemiskinan")
        person_ref = page.url.rsplit("/", 1)[1]
        await checked(page, "registri-perempuan")

        await page.goto(f"{registry}/perempuan")
        await page.locator("#f-name").fill(name.lower())
        await page.get_by_role("button", name="Cari").click()
        await expect(page.locator("#hasil-judul")).to_have_text("1 perempuan ditemukan")
        await checked(page, "registri-cari")

        await page.goto(f"{registry}/belum-terjangkau?kecamatan={KECAMATAN}")
        await expect(page.locator("#unreached")).to_contain_text(name)
        await checked(page, "belum-terjangkau")
    finally:
        await dp3a.close()

    # Diskop UKM: her business, on her page.
    diskop, page = await signed_in(browser, site, "registry", "diskop.petugas")
    try:
        await page.goto(f"{registry}/perempuan/{person_ref}")
        await purpose(page, "pendataan")
        await page.wait_for_url(f"{registry}/perempuan/{person_ref}")
        await page.locator("#f-name").fill(f"Amplang {tag}")
        await page.locator("#f-sector").select_option("kuliner")
        await page.locator("#f-started_on").fill("2024-05-01")
        await page.get_by_role("button", name="Daftarkan usaha").click()
        await page.wait_for_url(re.compile(r"/ukm/[0-9a-f-]{36}$"))
        await expect(page.locator(".flash")).to_contain_text(f"Usaha tercatat: Amplang {tag}")
        business_ref = page.url.rsplit("/", 1)[1]
        await checked(page, "registri-ukm")
    finally:
        await diskop.close()

    # Distransnaker: a course, her enrolment, attendance on a phone (one session offline), completion.
    trainer, page = await signed_in(browser, site, "training", "distransnaker.pelatih")
    try:
        await page.goto(f"{training}/pelatihan/baru")
        await page.locator("#f-title").fill(f"Pengolahan Amplang {tag}")
        await page.locator("#f-field").select_option("kuliner")
        await page.locator("#f-kecamatan_code").fill(KECAMATAN)
        await page.locator("#f-starts_on").fill(starts.isoformat())
        await page.locator("#f-ends_on").fill(ends.isoformat())
        await page.locator("#f-sessions").fill("2")
        await page.locator("#f-capacity").fill("15")
        await page.get_by_role("button", name="Jadwalkan").click()
        await page.wait_for_load_state("load")
        await purpose(page, "pelatihan")  # the course page shows participants' names
        await expect(page.get_by_role("heading", level=1)).to_have_text(f"Pengolahan Amplang {tag}")
        course_url = page.url
        await wait_for(lambda: site.fetchval("training", "SELECT registered FROM women_replica WHERE person_ref"
                                             " = $1", UUID(person_ref)), timeout_s=60)
        # She is found by name: the trainer's browser asks the registry, which must know the course by then.
        await wait_for(lambda: site.fetchval("registry", "SELECT 1 FROM journey_courses WHERE course_ref = $1",
                                             UUID(course_url.rsplit("/", 1)[1])), timeout_s=60)
        await page.locator("#f-cari-nama").fill(name.lower())
        await page.get_by_role("button", name="Cari di registri").click()
        await expect(page.get_by_role("radio", name=name)).to_be_checked()
        await checked(page, "pelatihan-cari")
        await page.get_by_role("button", name="Daftarkan", exact=True).click()
        await expect(page.locator(".flash")).to_contain_text("Peserta terdaftar")
        await page.goto(course_url)
        await expect(page.locator("#people [data-name-for]")).to_have_text(name, timeout=30_000)
        await checked(page, "pelatihan")

        phone = await new_context(browser, viewport=PHONE, is_mobile=True, has_touch=True)
        try:
            await take_attendance(site, phone, course_url, name)
        finally:
            await phone.close()

        await page.goto(course_url)
        await page.locator("#f-lulus-person").select_option(person_ref)
        await page.locator("#f-completed_on").fill(ends.isoformat())
        await page.get_by_role("button", name="Nyatakan lulus").click()
        await expect(page.locator(".flash")).to_contain_text(f"Kelulusan tercatat pada {tanggal(ends)}")
    finally:
        await trainer.close()

    # She has left the "belum terjangkau" list.
    dp3a, page = await signed_in(browser, site, "registry", "dp3a.petugas")
    try:
        await page.goto(f"{registry}/belum-terjangkau?kecamatan={KECAMATAN}")
        await purpose(page, "pendataan")

        async def gone() -> bool | None:
            await page.goto(f"{registry}/belum-terjangkau?kecamatan={KECAMATAN}")
            return True if name not in await page.locator("main").inner_text() else None

        assert await wait_for(gone, timeout_s=60)
    finally:
        await dp3a.close()

    # Disperindag: a fair, a shared booth of a PEKKA gerai holding her business, the sales sheet.
    officer, page = await signed_in(browser, site, "marketplace", "disperindag.petugas")
    try:
        await wait_for(lambda: site.fetchval("marketplace", "SELECT registered FROM businesses_replica WHERE"
                                             " business_ref = $1", UUID(business_ref)), timeout_s=60)
        await page.goto(f"{market}/pameran/baru")
        await page.get_by_label("Nama pameran").fill(f"Pameran Produk Perempuan {tag}")
        await page.get_by_label("Kecamatan tempat pameran").select_option(KECAMATAN)
        await page.get_by_label("Hari pertama").fill((fair_day - timedelta(days=1)).isoformat())
        await page.get_by_label("Hari terakhir").fill((fair_day + timedelta(days=1)).isoformat())
        await page.get_by_label("Jumlah stan").fill("4")
        await page.get_by_role("button", name="Simpan pameran").click()
        await expect(page.get_by_role("status")).to_contain_text(f"Pameran tercatat: Pameran Produk Perempuan {tag}")
        fair_url = page.url
        await page.get_by_label("Pemegang stan").select_option("outlet")
        await page.get_by_label("Nama koperasi atau gerai").fill("Gerai PEKKA Tenggarong")
        await page.locator(f"input[name=business_refs][value='{business_ref}']").check()
        await page.get_by_role("button", name="Simpan stan bersama").click()
        await expect(page.get_by_role("status")).to_contain_text("(Gerai PEKKA Tenggarong) tercatat dengan 1 usaha")
        await checked(page, "pasar-denah")

        await page.goto(f"{fair_url}/penjualan")
        seller = page.get_by_label("Baris 1: usaha")
        await seller.select_option(business_ref)
        await expect(seller.locator("option:checked")).to_contain_text("Gerai PEKKA Tenggarong")
        await page.get_by_label("Baris 1: jumlah barang").fill("6")
        await page.get_by_label("Baris 1: nilai penjualan dalam Rupiah").fill("Rp 240.000")
        await page.get_by_label("Baris 1: tanggal").fill(fair_day.isoformat())
        await page.get_by_role("button", name="Simpan lembar penjualan").click()
        await expect(page.locator("[data-outbox] li[data-status=sent]")).to_have_count(1, timeout=30_000)
        await checked(page, "pasar-lembar-penjualan")
    finally:
        await officer.close()

    # Her page in the registry tells her journey across the OPDs, from their events.
    dp3a, page = await signed_in(browser, site, "registry", "dp3a.petugas")
    try:
        await page.goto(f"{registry}/perempuan/{person_ref}")
        await purpose(page, "pendataan")
        journey = page.locator("#perjalanan-daftar")

        async def told() -> bool | None:
            await page.goto(f"{registry}/perempuan/{person_ref}")
            text = await journey.inner_text() if await journey.count() else ""
            return True if "Lulus pelatihan" in text and "Rp 240.000" in text else None

        assert await wait_for(told, timeout_s=60)
        await expect(journey).to_contain_text("Distransnaker")
        await expect(journey).to_contain_text("Disperindag")
        await checked(page, "registri-perjalanan")
    finally:
        await dp3a.close()

    # The evaluation team's figures moved by exactly her.
    want = {**before, "women_registered": before["women_registered"] + 1, "enrolments": before["enrolments"] + 1,
            "completions": before["completions"] + 1, "women_trained": before["women_trained"] + 1,
            "ukm_registered": before["ukm_registered"] + 1, "market_trade_fair": before["market_trade_fair"] + 1,
            "sales_trade_fair_idr": before["sales_trade_fair_idr"] + 240_000}

    async def settled() -> dict[str, int] | None:
        got = await site.figures()
        return got if got == want else None

    assert await wait_for(settled, timeout_s=90) == want

    # The public dashboard (published figures only) loads, accessible, at both widths.
    public = await new_context(browser)
    try:
        page = await public.new_page()
        await page.goto(site.url("monitoring") + "/")
        await expect(page.locator("h1")).to_have_text("Dasbor Pemantauan Berdaya")
        await checked(page, "dasbor")
    finally:
        await public.close()


async def take_attendance(site: Site, phone: BrowserContext, course_url: str, name: str) -> None:
    """Session 1 with signal; session 2 opened with signal, filled with none, sent when it returns, once."""
    page = await phone.new_page()
    await sign_in(page, site.url("training"), "distransnaker.pelatih", site.password("distransnaker.pelatih"),
                  next_path="/pelatihan")
    await page.goto(f"{course_url}/sesi/1")
    await purpose(page, "pelatihan")
    await expect(page.locator("[data-names][data-names-loaded=true]").first).to_be_attached(timeout=30_000)
    await page.get_by_label(name).check()
    await page.get_by_role("button", name="Simpan absensi").click()
    await expect(page.locator("[data-outbox] li[data-status=sent]")).to_have_count(1, timeout=30_000)
    await checked(page, "absensi")

    await page.goto(f"{course_url}/sesi/2")
    await page.wait_for_function(
        "async (url) => { const c = await caches.open('" + CACHE + "');"
        " return !!navigator.serviceWorker.controller && !!(await c.match(url)); }", arg=page.url)
    await expect(page.locator("[data-names][data-names-loaded=true]").first).to_be_attached(timeout=30_000)
    await phone.set_offline(True)
    await open_without_signal(page, f"{course_url}/sesi/2")
    await expect(page.locator("[data-names-status]")).to_contain_text("Tanpa sinyal")
    await page.get_by_label(name).check()
    await page.get_by_role("button", name="Simpan absensi").click()
    await expect(page.locator("[data-outbox] li[data-status=waiting]")).to_contain_text(
        "Absensi sesi 2: menunggu dikirim")
    await page.wait_for_timeout(1500)
    assert await site.fetchval("training", "SELECT count(*) FROM attendance WHERE session_no = 2") == 0
    await screenshots(page, "perjalanan-absensi-tanpa-sinyal")
    await phone.set_offline(False)
    await expect(page.locator("[data-outbox] li[data-status=sent]").filter(has_text="Absensi sesi 2")).to_have_count(
        1, timeout=30_000)
    await page.wait_for_timeout(1500)  # nothing sent twice
    assert await site.fetchval("training", "SELECT count(*) FROM attendance WHERE session_no = 2 AND present") == 1
