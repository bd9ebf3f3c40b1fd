"""The registry's staff pages in Debian's Chromium against the real service, PostgreSQL, Kafka and Keycloak: a DP3A
officer signs in, declares her purpose, registers a woman with her baseline (field errors first, money typed without
dots), finds her by name and opens her page; a double submission registers her once; a Diskop UKM officer is not
offered registration and is refused it when she forces it. Every page: axe-core (no serious or critical violation),
no CSP violation, < 150 KB on first load, screenshots at 1366 and 360 px."""

import random
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date
from uuid import UUID, uuid4

import asyncpg
import httpx
import pytest
import pytest_asyncio
from berdaya_shared.messaging import MessagingSettings
from berdaya_shared.ui.config import UiSettings
from playwright.async_api import Browser, BrowserContext, Page, expect
from registry.bootstrap import create_app
from registry.config import Settings

from tests.registry.helpers import nik_for, woman_body
from tests.support import infra
from tests.support.auth import keycloak_settings, realm_headers, web_client
from tests.support.browser import (  # noqa: F401 (fixtures)
    LAPTOP,
    PHONE,
    assert_accessible,
    assert_no_csp_violations,
    browser,
    context,
    first_load_bytes,
    new_context,
    screenshots,
    sign_in,
)
from tests.support.kafka import unique
from tests.support.keycloak import TestRealm, keycloak  # noqa: F401 (fixture)
from tests.ui.conftest import free_port, serve

CLIENT = "berdaya-registry"
LIMIT = 150 * 1024
SIZES: dict[str, int] = {}
rng = random.Random()


@dataclass
class Registry:
    url: str
    realm: TestRealm
    database_url: str


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def registry_web(keycloak: object, kafka_bootstrap: str,  # noqa: F811
                       database_server_url: str) -> AsyncIterator[Registry]:
    realm = await keycloak.create_realm()  # type: ignore[attr-defined]
    port = free_port()
    origin = f"http://127.0.0.1:{port}"
    secret = await web_client(realm, CLIENT, origin)
    database_url = await infra.create_database(database_server_url, prefix="regweb")
    app = create_app(Settings(database_url=database_url,
                              messaging=MessagingSettings(kafka_bootstrap_servers=kafka_bootstrap)),
                     group_id=unique("g"),
                     auth=keycloak_settings(realm, audience=CLIENT, client_id=CLIENT, client_secret=secret),
                     ui=UiSettings(service_urls={"registry": origin}))
    try:
        async with serve(app, port):
            yield Registry(origin, realm, database_url)
    finally:
        await infra.drop_database(database_server_url, database_url)
        await realm.delete()


async def signed_in(page: Page, registry: Registry, username: str) -> None:
    await sign_in(page, registry.url, username, registry.realm.password(username))


async def declare_purpose(page: Page) -> None:
    await expect(page.locator("h1")).to_have_text("Untuk apa Anda membuka data pribadi?")
    await page.locator("#f-purpose").select_option("pendataan")
    await page.get_by_role("button", name="Simpan dan lanjutkan").click()


async def check_page(page: Page, browser: Browser, context: BrowserContext, name: str,  # noqa: F811
                     measure: bool = True) -> None:
    await assert_accessible(page)
    await assert_no_csp_violations(page)
    await screenshots(page, name)
    if measure:
        SIZES[name] = await first_load_bytes(browser, page.url, storage_state=await context.storage_state())
        print(f"first load of {name}: {SIZES[name] / 1024:.1f} KB")
        assert SIZES[name] < LIMIT, f"{name}: {SIZES[name]} bytes"


@pytest.mark.browser
async def test_a_dp3a_officer_registers_a_woman_with_her_baseline_and_finds_her_by_name(
        registry_web: Registry, browser: Browser, context: BrowserContext) -> None:  # noqa: F811
    page = await context.new_page()
    await signed_in(page, registry_web, "dp3a.petugas")
    await expect(page.get_by_role("link", name="Daftarkan perempuan")).to_be_visible()
    await page.get_by_role("link", name="Daftarkan perempuan").click()
    await declare_purpose(page)
    await expect(page.locator("h1")).to_have_text("Daftarkan perempuan")
    await check_page(page, browser, context, "registri-daftar")

    # Refused fields: the message beside each field, in Indonesian, what was typed kept.
    tag = "".join(rng.choice("bcdfghjklmnpqrstvwxyz") for _ in range(8)).capitalize()
    name = f"Siti {tag} Aminah"
    await page.locator("#f-full_name").fill(name)
    await page.locator("#f-nik").fill("64020645088")
    await page.locator("#f-monthly_household_income_idr").fill("satu juta")
    await page.get_by_role("button", name="Daftarkan").click()
    await expect(page.locator("#f-nik-error")).to_contain_text("NIK")
    await expect(page.locator("#f-kecamatan_code-error")).to_be_visible()
    await expect(page.locator("#f-monthly_household_income_idr-error")).to_contain_text("angka")
    await expect(page.locator("#f-full_name")).to_have_value(name)
    await expect(page.locator("#f-nik")).to_have_attribute("aria-describedby", re.compile("f-nik-error"))
    await expect(page.locator(".error-summary")).to_contain_text("Ada isian yang perlu diperbaiki")
    await check_page(page, browser, context, "registri-daftar-galat", measure=False)

    nik = nik_for(date(1988, 8, 17), rng.randint(1, 9999))
    await page.locator("#f-nik").fill(nik)
    await page.locator("#f-birth_date").fill("1988-08-17")
    await page.locator("#f-phone").fill("0812 3456 7890")
    await page.locator("#f-kecamatan_code").select_option("64.02.06")
    await page.locator("#f-desa_code").select_option("64.02.06.1001")
    await page.locator("#f-household_size").fill("4")
    await page.locator("#f-pekka_category").select_option("productive")
    await page.locator("#f-monthly_household_income_idr").fill("1500000")  # typed without dots
    await page.get_by_role("button", name="Daftarkan").click()
    await page.wait_for_url(re.compile(r"/perempuan/[0-9a-f-]{36}$"))
    flash = page.locator(".flash")
    await expect(flash).to_contain_text(f"Tercatat: {name}")
    await expect(flash).to_contain_text("Rp 1.500.000")
    await expect(flash).to_contain_text("per kapita Rp 375.000")
    await expect(flash).to_contain_text("di bawah garis kemiskinan Rp 753.332")
    await expect(page.locator("h1")).to_have_text(name)
    await expect(page.locator("#asesmen")).to_contain_text("Di bawah garis kemiskinan")
    await expect(page.locator("#asesmen")).to_contain_text("(awal)")
    await check_page(page, browser, context, "registri-perempuan")
    # On a 360 px phone each assessment is a card: every figure of it is in view, nothing scrolls sideways.
    before = page.viewport_size
    await page.set_viewport_size(PHONE)
    for label in ("Pendapatan rumah tangga sebulan", "Per kapita", "Garis kemiskinan", "Kedudukan"):
        box = await page.locator(f'#asesmen td[data-label="{label}"]').first.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (label, box)
    await expect(page.locator('#asesmen td[data-label="Per kapita"]').first).to_have_text("Rp 375.000")
    assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    await page.set_viewport_size(before or LAPTOP)
    person_ref = page.url.rsplit("/", 1)[1]

    # Find her by parts of her name, in any case and order.
    await page.goto(f"{registry_web.url}/perempuan")
    await check_page(page, browser, context, "registri-cari")
    await page.locator("#f-name").fill(f"aminah {tag.lower()}")
    await page.get_by_role("button", name="Cari").click()
    await expect(page.locator("#hasil-judul")).to_have_text("1 perempuan ditemukan")
    await expect(page.locator("#hasil")).to_contain_text("Jahab, Tenggarong")
    await assert_accessible(page)
    await screenshots(page, "registri-cari-hasil")
    await page.get_by_role("link", name=name).click()
    await page.wait_for_url(f"{registry_web.url}/perempuan/{person_ref}")
    await assert_no_csp_violations(page)

    conn = await asyncpg.connect(registry_web.database_url)
    try:
        logged = await conn.fetch("SELECT client_id, what, purpose FROM pii_access_log WHERE person_ref = $1",
                                  UUID(person_ref))
        assert {r["what"] for r in logged} == {"GET /perempuan/{person_ref}", "POST /perempuan"}
        assert {(r["client_id"], r["purpose"]) for r in logged} == {
            ("dp3a.petugas", "Pendaftaran dan perbaikan data")}
    finally:
        await conn.close()
    print("first-load sizes (bytes):", SIZES)


@pytest.mark.browser
async def test_a_form_sent_twice_registers_her_once(registry_web: Registry, context: BrowserContext) -> None:  # noqa: F811
    page = await context.new_page()
    await signed_in(page, registry_web, "dp3a.petugas")
    await page.goto(f"{registry_web.url}/perempuan/daftar")
    await declare_purpose(page)
    key = await page.locator("input[name=idempotency_key]").input_value()
    nik = nik_for(date(1990, 1, 5), rng.randint(1, 9999), area="640213")
    form = {"idempotency_key": key, "nik": nik, "full_name": "Rahmawati Dua Kali", "birth_date": "1990-01-05",
            "kecamatan_code": "64.02.06", "household_size": "3", "pekka_category": "none",
            "monthly_household_income_idr": "2.400.000", "assessed_on": "2026-11-02"}
    answers = [await context.request.post(f"{registry_web.url}/perempuan/daftar", form=form, max_redirects=0,
                                          headers={"Origin": registry_web.url}) for _ in range(2)]
    assert [a.status for a in answers] == [303, 303]
    assert answers[0].headers["location"] == answers[1].headers["location"]
    conn = await asyncpg.connect(registry_web.database_url)
    try:
        assert await conn.fetchval("SELECT count(*) FROM women WHERE registered_on IS NOT NULL AND person_ref = $1",
                                   UUID(answers[0].headers["location"].rsplit("/", 1)[1])) == 1
        assert await conn.fetchval("SELECT count(*) FROM welfare_assessments w JOIN women USING (person_ref)"
                                   " WHERE w.monthly_household_income_idr = 2400000") == 1
    finally:
        await conn.close()
    # A new form (a new key) for the same NIK: refused beside the NIK field, nothing recorded twice.
    await page.goto(f"{registry_web.url}/perempuan/daftar")
    again = {**form, "idempotency_key": str(uuid4())}
    refused = await context.request.post(f"{registry_web.url}/perempuan/daftar", form=again, max_redirects=0,
                                         headers={"Origin": registry_web.url})
    assert refused.status == 422 and "NIK ini sudah terdaftar" in await refused.text()
    # What was typed comes back as text, never as markup.
    typed = await context.request.post(f"{registry_web.url}/perempuan/daftar", max_redirects=0,
                                       headers={"Origin": registry_web.url},
                                       form={**again, "idempotency_key": str(uuid4()),
                                             "full_name": "Siti <script>alert(1)</script>"})
    text = await typed.text()
    assert typed.status == 422 and "<script>alert(1)" not in text
    assert 'value="Siti &lt;script&gt;alert(1)&lt;/script&gt;"' in text


@pytest.mark.browser
async def test_a_diskop_ukm_officer_is_not_offered_registration_and_is_refused_it(
        registry_web: Registry, context: BrowserContext) -> None:  # noqa: F811
    page = await context.new_page()
    await signed_in(page, registry_web, "diskop.petugas")
    await expect(page.get_by_role("link", name="Cari perempuan")).to_be_visible()
    await expect(page.get_by_role("link", name="Daftarkan perempuan")).to_have_count(0)
    await page.get_by_role("link", name="Cari perempuan").click()
    await declare_purpose(page)
    await expect(page.locator("h1")).to_have_text("Cari perempuan")
    await expect(page.get_by_role("link", name="Daftarkan perempuan baru")).to_have_count(0)
    forced = await page.goto(f"{registry_web.url}/perempuan/daftar")
    assert forced is not None and forced.status == 403
    await expect(page.locator("main")).to_contain_text("izin")
    posted = await context.request.post(f"{registry_web.url}/perempuan/daftar", max_redirects=0,
                                        form={"idempotency_key": str(uuid4()), "nik": "6402064508850003"},
                                        headers={"Origin": registry_web.url})
    assert posted.status == 403


@pytest.mark.browser
async def test_an_officer_imports_a_list_sees_its_progress_downloads_the_report_and_confirms_a_held_row(
        registry_web: Registry, browser: Browser, context: BrowserContext) -> None:  # noqa: F811
    page = await context.new_page()
    await signed_in(page, registry_web, "dp3a.petugas")
    await page.get_by_role("link", name="Impor daftar perempuan").click()
    await declare_purpose(page)  # asked before the job page, which lists held rows by name
    await expect(page.locator("h1")).to_have_text("Impor daftar perempuan")
    await check_page(page, browser, context, "registri-impor")
    serial = rng.randint(1, 9000)
    held_nik = nik_for(date(1990, 3, 10), serial + 2)
    rows = [["NIK", "Nama", "Tanggal Lahir", "Kecamatan", "Jumlah Anggota Keluarga",
             "Pendapatan Rumah Tangga per Bulan"],
            [nik_for(date(1985, 8, 5), serial), "Rina Impor Satu", "05/08/1985", "Tenggarong", "4", "1.500.000"],
            ["123", "Baris Rusak", "05/08/1985", "Tenggarong", "4", "1.500.000"],
            [held_nik, "Dewi Tahan Dulu", "11/03/1990", "Tenggarong", "3", "2.000.000"]]
    data = "\r\n".join(",".join(r) for r in rows).encode()
    await page.locator("#f-file").set_input_files(files=[{"name": "daftar-desa.csv", "mimeType": "text/csv",
                                                          "buffer": data}])
    await page.get_by_role("button", name="Unggah dan impor").click()
    await page.wait_for_url(re.compile(r"/perempuan/impor/[0-9a-f-]{36}$"))
    await expect(page.locator("#status-impor")).to_contain_text("Selesai", timeout=30_000)
    await expect(page.locator("#kemajuan")).to_have_attribute("value", "100")
    await expect(page.locator("[data-count=registered]")).to_have_text("1")
    await expect(page.locator("[data-count=rejected]")).to_have_text("1")
    await expect(page.locator("[data-count=held]")).to_have_text("1")
    await check_page(page, browser, context, "registri-impor-hasil")

    async with page.expect_download() as downloading:
        await page.get_by_role("link", name="CSV").click()
    report = (await (await downloading.value).path()).read_text(encoding="utf-8-sig")
    assert "ditolak" in report and "ditahan" in report and "Baris Rusak" not in report

    held = page.locator("section.held")
    await expect(held).to_contain_text("Baris 4: Dewi Tahan Dulu")
    await held.get_by_label("Tanggal lahir sesuai KTP walau berbeda dengan NIK").check()
    await held.get_by_role("button", name="Konfirmasi dan daftarkan").click()
    await expect(page.locator(".flash")).to_contain_text("Baris 4 dikonfirmasi dan didaftarkan.")
    await expect(page.locator("[data-count=registered]")).to_have_text("2")
    await expect(page.locator("section.held")).to_have_count(0)
    await assert_no_csp_violations(page)

    # While a job runs its page polls itself (htmx) and the bar moves without a reload: the job is set back to
    # running in the database, then finished there.
    job_url, import_ref = page.url, UUID(page.url.rsplit("/", 1)[1])
    conn = await asyncpg.connect(registry_web.database_url)
    try:
        await conn.execute("UPDATE imports SET status = 'running', rows_read = 1, finished_at = NULL,"
                           " updated_at = now() WHERE import_ref = $1", import_ref)
        polls: list[str] = []
        page.on("request", lambda r: polls.append(r.url) if r.headers.get("hx-request") else None)
        await page.goto(job_url)
        await expect(page.locator("#status-impor")).to_contain_text("Sedang berjalan: 1 dari 3 baris")
        await expect(page.locator("#kemajuan")).to_have_attribute("value", "33")
        await conn.execute("UPDATE imports SET status = 'done', rows_read = 3, finished_at = now()"
                           " WHERE import_ref = $1", import_ref)
        await expect(page.locator("#status-impor")).to_contain_text("Selesai: 3 dari 3 baris", timeout=10_000)
        await expect(page.locator("#kemajuan")).to_have_attribute("value", "100")
        assert page.url == job_url and polls and all(u == job_url for u in polls)
        await assert_no_csp_violations(page)
    finally:
        await conn.close()

    await page.goto(f"{registry_web.url}/perempuan")
    await page.locator("#f-nik").fill(held_nik)
    await page.get_by_role("button", name="Cari").click()
    await expect(page.locator("#hasil")).to_contain_text("Dewi Tahan Dulu")  # indexed by the import, found by NIK
    await page.locator("#f-nik").fill("")
    await page.locator("#f-name").fill("rina impor satu")
    await page.get_by_role("button", name="Cari").click()
    await expect(page.locator("#hasil")).to_contain_text("Rina Impor Satu")


@pytest.mark.browser
async def test_a_diskop_ukm_officer_records_her_business_its_report_capital_and_her_cooperative_s_rat(
        registry_web: Registry, browser: Browser, context: BrowserContext) -> None:  # noqa: F811
    machine = await realm_headers(registry_web.realm).prefetch()
    async with httpx.AsyncClient(base_url=registry_web.url, timeout=60,
                                 headers={"X-Purpose": "pengujian otomatis"}) as api:
        her_body = woman_body(rng)
        her = (await api.post("/women", json=her_body, headers=machine["dp3a"])).json()["person_ref"]
        joiner_body = woman_body(rng)
        assert (await api.post("/women", json=joiner_body, headers=machine["dp3a"])).status_code == 201
        coop = await api.post("/coops", headers=machine["diskop_ukm"], json={
            "name": "Koperasi Wanita Mandiri", "kecamatan_code": "64.02.06", "kind": "simpan_pinjam",
            "formed_on": "2025-01-20", "founding_member_refs": [her]})
        assert coop.status_code == 201, coop.text
        coop_ref = coop.json()["coop_ref"]

    page = await context.new_page()
    await signed_in(page, registry_web, "diskop.petugas")
    await page.goto(f"{registry_web.url}/perempuan/{her}")
    await declare_purpose(page)
    await page.wait_for_url(f"{registry_web.url}/perempuan/{her}")
    await page.get_by_role("button", name="Daftarkan usaha").click()  # nothing filled: refused beside the fields
    await expect(page.locator("#f-name-error")).to_be_visible()
    await expect(page.locator("#f-started_on-error")).to_contain_text("Tanggal wajib diisi")
    await page.locator("#f-name").fill("Amplang Bu Test")
    await page.locator("#f-sector").select_option("kuliner")
    await page.locator("#f-started_on").fill("2021-05-01")
    await page.get_by_role("button", name="Daftarkan usaha").click()
    await page.wait_for_url(re.compile(r"/ukm/[0-9a-f-]{36}$"))
    await expect(page.locator(".flash")).to_contain_text("Usaha tercatat: Amplang Bu Test, Tenggarong")

    await page.get_by_role("button", name="Simpan laporan").click()
    await expect(page.locator("#f-period-error")).to_be_visible()
    await expect(page.locator("#f-workers-error")).to_be_visible()
    await page.locator("#f-period").fill("2026-10")
    await page.locator("#f-monthly_revenue_idr").fill("4.500.000")
    await page.locator("#f-workers").fill("2")
    await page.get_by_role("button", name="Simpan laporan").click()
    await expect(page.locator(".flash")).to_contain_text("Laporan 2026-10 tercatat: omzet Rp 4.500.000, 2 pekerja.")
    await expect(page.locator("#laporan")).to_contain_text("Rp 4.500.000")
    await check_page(page, browser, context, "registri-ukm")

    await page.goto(f"{registry_web.url}/perempuan/{her}")
    await page.locator("#f-source").select_option("kur")
    await page.locator("#f-amount_idr").fill("10000000")
    await page.locator("#f-disbursed_on").fill("2026-11-02")
    await page.get_by_role("button", name="Catat modal").click()
    await expect(page.locator(".flash")).to_contain_text("Modal tercatat: Rp 10.000.000 (KUR) pada 2 November 2026.")
    await expect(page.locator("#modal-tabel")).to_contain_text("Rp 10.000.000")
    await expect(page.locator("#anggota")).to_contain_text("Koperasi Wanita Mandiri")
    await check_page(page, browser, context, "registri-perempuan-diskop")

    await page.get_by_role("link", name="Koperasi Wanita Mandiri").click()
    await page.wait_for_url(f"{registry_web.url}/koperasi/{coop_ref}")
    await page.locator("#f-nik").fill(joiner_body["nik"])
    await page.locator("#f-joined_on").fill("2026-02-01")
    await page.get_by_role("button", name="Tambahkan").click()
    await expect(page.locator(".flash")).to_contain_text(f"Anggota baru tercatat: {joiner_body['full_name']}")
    await page.locator("#f-fiscal_year").fill("2025")
    await page.locator("#f-held_on").fill("2026-03-15")
    await page.get_by_role("button", name="Catat RAT").click()
    await expect(page.locator(".flash")).to_contain_text("RAT tahun buku 2025 tercatat, diadakan 15 Maret 2026.")
    await page.locator("#f-fiscal_year").fill("2025")
    await page.locator("#f-held_on").fill("2026-03-16")
    await page.get_by_role("button", name="Catat RAT").click()  # a second RAT for the same year: refused beside it
    await expect(page.locator(".error-summary")).to_be_visible()
    await expect(page.locator("#rat")).to_contain_text("15 Maret 2026")
    await check_page(page, browser, context, "registri-koperasi", measure=False)
    await page.goto(f"{registry_web.url}/koperasi/{coop_ref}")
    await check_page(page, browser, context, "registri-koperasi")

    # From the lists Diskop UKM starts with: the cooperatives (and forming one from its founders' NIKs), the UKM.
    await page.goto(f"{registry_web.url}/beranda")
    await page.get_by_role("link", name="Koperasi", exact=True).click()
    await expect(page.locator("#koperasi")).to_contain_text("Koperasi Wanita Mandiri")
    await page.locator("#f-name").fill("Koperasi Perempuan Tangguh")
    await page.locator("#f-kecamatan_code").select_option("64.02.06")
    await page.locator("#f-kind").select_option("produsen")
    await page.locator("#f-formed_on").fill("2026-06-01")
    await page.locator("#f-founders").fill(f"{her_body['nik']}\n6402064508850000")
    await page.get_by_role("button", name="Bentuk koperasi").click()
    await expect(page.locator("#f-founders-error")).to_contain_text("baris 2")
    await expect(page.locator("#f-name")).to_have_value("Koperasi Perempuan Tangguh")
    await check_page(page, browser, context, "registri-koperasi-baru-galat", measure=False)
    await page.locator("#f-founders").fill(f"{her_body['nik']}\n{joiner_body['nik']}")
    await page.get_by_role("button", name="Bentuk koperasi").click()
    await page.wait_for_url(re.compile(r"/koperasi/[0-9a-f-]{36}$"))
    await expect(page.locator(".flash")).to_contain_text("Koperasi tercatat: Koperasi Perempuan Tangguh, Tenggarong, "
                                                         "2 anggota pendiri.")
    await page.goto(f"{registry_web.url}/ukm?kecamatan=64.02.06")
    await expect(page.locator("#ukm")).to_contain_text("Amplang Bu Test")
    await check_page(page, browser, context, "registri-ukm-daftar")


@pytest.mark.browser
async def test_a_field_officer_finds_and_opens_only_women_of_her_kecamatan(
        registry_web: Registry, context: BrowserContext) -> None:  # noqa: F811
    machine = await realm_headers(registry_web.realm).prefetch()
    tag = "".join(rng.choice("bcdfghjklmnpqrstvwxyz") for _ in range(8)).capitalize()
    async with httpx.AsyncClient(base_url=registry_web.url, timeout=60, headers=machine["dp3a"]) as api:
        here = (await api.post("/women", json=woman_body(rng, full_name=f"Siti {tag}"))).json()["person_ref"]
        away = (await api.post("/women", json=woman_body(rng, full_name=f"Nur {tag}", kecamatan_code="64.02.07",
                                                         desa_code=None))).json()["person_ref"]
    page = await context.new_page()
    await signed_in(page, registry_web, "dp3a.lapangan")  # limited to kecamatan 64.02.06 (Tenggarong)
    await page.goto(f"{registry_web.url}/perempuan")
    await declare_purpose(page)
    await page.locator("#f-name").fill(tag)
    await page.get_by_role("button", name="Cari").click()
    await expect(page.locator("#hasil-judul")).to_have_text("1 perempuan ditemukan")
    await expect(page.locator("#hasil")).to_contain_text(f"Siti {tag}")
    await expect(page.locator("#hasil")).not_to_contain_text(f"Nur {tag}")
    assert (await page.goto(f"{registry_web.url}/perempuan/{here}")).status == 200  # type: ignore[union-attr]
    refused = await page.goto(f"{registry_web.url}/perempuan/{away}")
    assert refused is not None and refused.status == 403
    await expect(page.locator("main")).not_to_contain_text(f"Nur {tag}")


@pytest.mark.browser
async def test_case_notes_show_on_her_page_only_for_a_case_worker(registry_web: Registry, browser: Browser) -> None:  # noqa: F811
    machine = await realm_headers(registry_web.realm).prefetch()
    async with httpx.AsyncClient(base_url=registry_web.url, timeout=60) as api:
        her = (await api.post("/women", json=woman_body(rng), headers=machine["dp3a"])).json()["person_ref"]
        aid = await api.post(f"/women/{her}/aid", headers=machine["dp3a_case_worker"], json={
            "kind": "legal_assistance", "provided_on": "2026-09-01", "case_note": "Pendampingan sidang pertama"})
        assert aid.status_code == 201, aid.text
    for username, sees in (("dp3a.kasus", True), ("dp3a.petugas", False)):
        ctx = await new_context(browser)
        try:
            page = await ctx.new_page()
            await signed_in(page, registry_web, username)
            await page.goto(f"{registry_web.url}/perempuan/{her}")
            await declare_purpose(page)
            await expect(page.locator("#bantuan-tabel")).to_contain_text("Pendampingan hukum")
            notes = page.get_by_text("Pendampingan sidang pertama")
            await (expect(notes).to_be_visible() if sees else expect(notes).to_have_count(0))
            if not sees:
                await expect(page.locator("main")).to_contain_text("hanya dapat dibaca pendamping kasus")
            await assert_accessible(page)
        finally:
            await ctx.close()
