"""Her journey on her page and the possible-duplicates queue, in Debian's Chromium against the real registry,
PostgreSQL, Kafka (topics of this module's own namespace) and Keycloak.

The journey: training and marketplace events about her, published on Kafka as the other services publish them, reach
her page as dated lines naming each OPD. The queue: a DP3A officer reviews a pair side by side, merges it (a stale
form refused beside the field), undoes the merge, dismisses another pair; a Diskop UKM officer is neither offered the
queue nor let in when she forces it. axe-core, no CSP violation, < 150 KB first load, screenshots at 1366 and 360 px.
"""

import random
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import httpx
import pytest
import pytest_asyncio
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from berdaya_contracts import marketplace_v1 as m
from berdaya_contracts import new_envelope
from berdaya_contracts import training_v1 as t
from berdaya_contracts.topics import (
    EVENT_TOPIC_PARTITIONS,
    MARKETPLACE_EVENTS,
    REGISTRY_EVENTS,
    TRAINING_EVENTS,
    dlq_topic,
    physical,
)
from berdaya_shared.messaging import MessagingSettings
from berdaya_shared.ui.config import UiSettings
from playwright.async_api import Browser, BrowserContext, Page, expect
from registry.bootstrap import create_app
from registry.config import Settings

from tests.registry.helpers import woman_body
from tests.registry.test_pages_browser import declare_purpose, signed_in
from tests.support import infra
from tests.support.auth import keycloak_settings, realm_headers, web_client
from tests.support.browser import (  # noqa: F401 (fixtures)
    assert_accessible,
    assert_no_csp_violations,
    browser,
    context,
    first_load_bytes,
    new_context,
    screenshots,
)
from tests.support.kafka import client_kwargs, unique
from tests.support.keycloak import TestRealm, keycloak  # noqa: F401 (fixture)
from tests.ui.conftest import free_port, serve

CLIENT = "berdaya-registry"
LIMIT = 150 * 1024
PURPOSE = {"X-Purpose": "pengujian otomatis"}
rng = random.Random()


@dataclass
class Registry:
    url: str
    realm: TestRealm
    database_url: str
    namespace: str
    producer: AIOKafkaProducer


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def web(keycloak: object, kafka_bootstrap: str,  # noqa: F811
              database_server_url: str) -> AsyncIterator[Registry]:
    namespace = unique("rev").lower()
    admin = AIOKafkaAdminClient(**client_kwargs(kafka_bootstrap))
    await admin.start()
    try:
        await admin.create_topics(
            [NewTopic(physical(topic, namespace), EVENT_TOPIC_PARTITIONS, 1)
             for topic in (REGISTRY_EVENTS, TRAINING_EVENTS, MARKETPLACE_EVENTS)]
            + [NewTopic(physical(dlq_topic("registry"), namespace), 1, 1)])
    finally:
        await admin.close()
    realm = await keycloak.create_realm()  # type: ignore[attr-defined]
    port = free_port()
    origin = f"http://127.0.0.1:{port}"
    secret = await web_client(realm, CLIENT, origin)
    database_url = await infra.create_database(database_server_url, prefix="regrev")
    app = create_app(Settings(database_url=database_url, messaging=MessagingSettings(
                         kafka_bootstrap_servers=kafka_bootstrap, topic_namespace=namespace,
                         consumer_batch_timeout_ms=50)),
                     group_id=unique("g"),
                     auth=keycloak_settings(realm, audience=CLIENT, client_id=CLIENT, client_secret=secret),
                     ui=UiSettings(service_urls={"registry": origin}))
    producer = AIOKafkaProducer(**client_kwargs(kafka_bootstrap), enable_idempotence=True)
    await producer.start()
    try:
        async with serve(app, port):
            yield Registry(origin, realm, database_url, namespace, producer)
    finally:
        await producer.stop()
        await infra.drop_database(database_server_url, database_url)
        await realm.delete()


async def check_page(page: Page, browser: Browser, context: BrowserContext, name: str) -> None:  # noqa: F811
    await assert_accessible(page)
    await assert_no_csp_violations(page)
    await screenshots(page, name)
    assert page.url.rsplit("/", 1)[-1] not in ("gabung", "batal", "bukan-ganda"), "measure a page, not a POST's URL"
    size = await first_load_bytes(browser, page.url, storage_state=await context.storage_state())
    print(f"first load of {name}: {size / 1024:.1f} KB")
    assert size < LIMIT, f"{name}: {size} bytes"


async def publish(registry: Registry, topic: str, payloads: list[Any], occurred_at: datetime | None = None) -> None:
    for payload in payloads:
        envelope = new_envelope(payload, correlation_id="c", occurred_at=occurred_at)
        await registry.producer.send_and_wait(physical(topic, registry.namespace), envelope.to_bytes(),
                                              key=envelope.aggregate_id.encode())


def tag() -> str:
    return "".join(rng.choice("bcdfghjklmnpqrstvwxyz") for _ in range(8)).capitalize()


# -- her journey -----------------------------------------------------------------------------------------------------

@pytest.mark.browser
async def test_her_journey_appears_on_her_page_once_training_and_marketplace_events_reach_the_registry(
        web: Registry, browser: Browser, context: BrowserContext) -> None:  # noqa: F811
    machine = await realm_headers(web.realm).prefetch()
    name = f"Siti {tag()}"
    async with httpx.AsyncClient(base_url=web.url, timeout=60) as api:
        her = (await api.post("/women", json=woman_body(rng, full_name=name), headers=machine["dp3a"])).json()
        ref = UUID(her["person_ref"])
        business = await api.post("/businesses", headers=machine["diskop_ukm"], json={
            "owner_person_ref": str(ref), "name": "Amplang Bu Siti", "sector": "kuliner",
            "kecamatan_code": "64.02.06", "started_on": "2021-05-01"})
        assert business.status_code == 201, business.text
    business_ref = UUID(business.json()["business_ref"])

    page = await context.new_page()
    await signed_in(page, web, "dp3a.petugas")
    await page.goto(f"{web.url}/perempuan/{ref}")
    await declare_purpose(page)
    await page.wait_for_url(f"{web.url}/perempuan/{ref}")
    await expect(page.locator("#perjalanan-kosong")).to_contain_text("Belum ada kegiatan program yang tercatat")
    await expect(page.locator("#perjalanan-daftar")).to_have_count(0)

    sewing, cooking, fair = uuid4(), uuid4(), uuid4()
    await publish(web, TRAINING_EVENTS, [
        t.CourseScheduled(course_ref=sewing, organizer_opd="dp3a", field="kerajinan_tangan", kecamatan_code="64.02.06",
                          starts_on=date(2026, 6, 1), ends_on=date(2026, 6, 20), sessions=4, capacity=20),
        t.ParticipantEnrolled(course_ref=sewing, person_ref=ref, enrolled_on=date(2026, 5, 28)),
        t.ParticipantDropped(course_ref=sewing, person_ref=ref, dropped_on=date(2026, 6, 10), reason="keluarga"),
        t.CourseScheduled(course_ref=cooking, organizer_opd="distransnaker", field="kuliner",
                          kecamatan_code="64.02.06", starts_on=date(2026, 8, 3), ends_on=date(2026, 8, 14),
                          sessions=2, capacity=20),
        t.ParticipantEnrolled(course_ref=cooking, person_ref=ref, enrolled_on=date(2026, 8, 1)),
        t.TrainingCompleted(course_ref=cooking, person_ref=ref, completed_on=date(2026, 8, 17), attendance_rate=1.0,
                            certified=True),
        t.JobPlaced(placement_ref=uuid4(), person_ref=ref, course_ref=cooking, sector="kuliner", formal=True,
                    monthly_wage_idr=1_500_000, placed_on=date(2026, 9, 1)),
    ])
    await publish(web, MARKETPLACE_EVENTS, [
        m.BoothAssigned(fair_ref=fair, business_ref=business_ref, owner_person_ref=ref, booth_no=7),
    ], occurred_at=datetime(2026, 9, 4, 23, 30, tzinfo=UTC))  # 5 September in WITA
    await publish(web, MARKETPLACE_EVENTS, [
        m.ProductListed(product_ref=uuid4(), business_ref=business_ref, owner_person_ref=ref, channel="trade_fair",
                        category="makanan ringan", price_idr=25_000, listed_on=date(2026, 9, 6)),
        m.SaleRecorded(sale_ref=uuid4(), business_ref=business_ref, owner_person_ref=ref, channel="trade_fair",
                       fair_ref=fair, amount_idr=150_000, quantity=6, sold_on=date(2026, 9, 7)),
    ])

    steps = page.locator("#perjalanan-daftar li")
    for _ in range(60):  # the consumer applies them within seconds; the page shows them on the next visit
        await page.reload()
        if await steps.count() == 8:
            break
        await page.wait_for_timeout(1000)
    expected = [
        ("28 Mei 2026", "DP3A", "Terdaftar di pelatihan kerajinan tangan di Tenggarong (1 Juni 2026 – 20 Juni 2026)"),
        ("10 Juni 2026", "DP3A", "Berhenti dari pelatihan kerajinan tangan di Tenggarong; alasan: urusan keluarga"),
        ("1 Agustus 2026", "Distransnaker", "Terdaftar di pelatihan kuliner di Tenggarong"),
        ("17 Agustus 2026", "Distransnaker", "Lulus pelatihan kuliner di Tenggarong, kehadiran 100%, bersertifikat"),
        ("1 September 2026", "Distransnaker", "Bekerja di sektor kuliner (formal), upah Rp 1.500.000 sebulan"),
        ("5 September 2026", "Disperindag", "Mendapat stan pameran untuk Amplang Bu Siti"),
        ("6 September 2026", "Disperindag", "Produk Amplang Bu Siti dipasarkan di pameran, harga Rp 25.000"),
        ("7 September 2026", "Disperindag", "Penjualan Amplang Bu Siti di pameran: 6 barang, Rp 150.000"),
    ]
    texts = await steps.all_inner_texts()
    assert len(texts) == len(expected), texts
    for text, (when, opd, what) in zip(texts, expected, strict=True):
        assert text.startswith(f"{when} · {opd} — "), text
        assert what in text, (text, what)
    await expect(page.locator("#perjalanan-kosong")).to_have_count(0)
    await check_page(page, browser, context, "registri-perjalanan")


# -- the possible-duplicates queue -----------------------------------------------------------------------------------

async def pair_of_records(web: Registry, birth: date, **place: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """Two records that the registry flags as possibly one woman (same birth date and kecamatan, a title added)."""
    machine = await realm_headers(web.realm).prefetch()
    name = f"Rahmawati {tag()}"
    async with httpx.AsyncClient(base_url=web.url, timeout=60, headers=machine["dp3a"]) as api:
        first = (await api.post("/women", json=woman_body(rng, birth=birth, full_name=name, phone=None,
                                                          **place))).json()
        second = await api.post("/women", json=woman_body(rng, birth=birth, full_name=f"Hj. {name}", **place))
        assert second.status_code == 201, second.text
        assert second.json()["possible_duplicate_of"] == [first["person_ref"]]
    return first, second.json()


@pytest.mark.browser
async def test_a_dp3a_officer_merges_a_pair_undoes_it_and_dismisses_another(
        web: Registry, browser: Browser, context: BrowserContext) -> None:  # noqa: F811
    first, second = await pair_of_records(web, date(1979, 4, 21))
    other_a, other_b = await pair_of_records(web, date(1982, 2, 11))

    page = await context.new_page()
    await signed_in(page, web, "dp3a.petugas")
    await page.get_by_role("link", name="Kemungkinan data ganda").click()
    await declare_purpose(page)
    await page.wait_for_url(f"{web.url}/kemungkinan-ganda")
    await expect(page.locator("#antrean-caption")).to_have_text(re.compile(r"^\d+ pasangan menunggu ditinjau$"))
    rows = page.locator("#antrean tbody tr")
    listed = await rows.all_inner_texts()
    mine = [i for i, text in enumerate(listed) if first["full_name"] in text or other_a["full_name"] in text]
    assert len(mine) == 2 and first["full_name"] in listed[mine[0]]  # oldest first
    await check_page(page, browser, context, "registri-ganda")

    await page.get_by_role("link", name=f"{first['full_name']} dan {second['full_name']}").click()
    await page.wait_for_url(re.compile(r"/kemungkinan-ganda/[0-9a-f-]{36}/[0-9a-f-]{36}$"))
    differs = page.locator("#banding tr[data-differs] th")
    marked = {" ".join(text.split()) for text in await differs.all_inner_texts()}
    assert marked >= {"Nama (berbeda)", "NIK (berbeda)", "Nomor HP (berbeda)"}
    await expect(page.locator("#banding tr", has_text="Tanggal lahir")).not_to_have_attribute("data-differs", "")
    await expect(page.locator("#banding mark").first).to_be_visible()
    await check_page(page, browser, context, "registri-ganda-pasangan")
    pair_url = page.url

    # Nothing chosen: refused beside the choice, nothing merged.
    await page.get_by_role("button", name="Gabungkan kedua catatan").click()
    await expect(page.locator("#f-surviving-error")).to_contain_text("Pilih catatan yang dipertahankan")

    # A second tab merges the pair first; this tab's form (its own key) is then refused beside the choice (409).
    other_tab = await context.new_page()
    await other_tab.goto(pair_url)
    await other_tab.get_by_label(re.compile(f"^Catatan lama: {first['full_name']}")).check()
    await page.get_by_label(re.compile(f"^Catatan lama: {first['full_name']}")).check()
    await other_tab.get_by_role("button", name="Gabungkan kedua catatan").click()
    await other_tab.wait_for_url(re.compile(r"/penggabungan/[0-9a-f-]{36}$"))
    await expect(other_tab.locator(".flash")).to_contain_text("Digabung pada")
    await expect(other_tab.locator("#penggabungan")).to_contain_text(first["full_name"])
    await other_tab.close()
    await page.get_by_role("button", name="Gabungkan kedua catatan").click()
    await expect(page.locator("#f-surviving-error")).to_contain_text("sudah digabung")
    await assert_accessible(page)

    # Undo it from the latest merges.
    await page.goto(f"{web.url}/kemungkinan-ganda")
    await page.get_by_role("link", name=f"{second['full_name']} digabung ke {first['full_name']}").click()
    await page.wait_for_url(re.compile(r"/penggabungan/[0-9a-f-]{36}$"))
    merge_ref = UUID(page.url.rsplit("/", 1)[1])
    await check_page(page, browser, context, "registri-penggabungan")
    await page.get_by_role("button", name="Batalkan penggabungan").click()
    await expect(page.locator("#f-reason-error")).to_contain_text("Tuliskan alasannya")
    await assert_accessible(page)
    await page.locator("#f-reason").fill("Ternyata ibu dan anak dengan nama sama")
    await page.get_by_role("button", name="Batalkan penggabungan").click()
    await page.wait_for_url(f"{web.url}/kemungkinan-ganda")
    await expect(page.locator(".flash")).to_contain_text("Penggabungan dibatalkan pada")
    await expect(page.locator(".flash")).to_contain_text("alasan: Ternyata ibu dan anak dengan nama sama")
    await expect(page.locator("#penggabungan-terbaru")).to_have_count(0)

    # Dismiss the other pair.
    await page.get_by_role("link", name=f"{other_a['full_name']} dan {other_b['full_name']}").click()
    await page.get_by_role("button", name="Bukan orang yang sama").click()
    await page.wait_for_url(f"{web.url}/kemungkinan-ganda")
    await expect(page.locator(".flash")).to_contain_text("bukan orang yang sama")
    await expect(page.locator("#antrean")).not_to_contain_text(other_a["full_name"])

    conn = await asyncpg.connect(web.database_url)
    try:
        assert await conn.fetchval("SELECT count(*) FROM merges WHERE surviving_ref = $1",
                                   UUID(first["person_ref"])) == 1
        assert await conn.fetchval("SELECT unmerge_reason FROM merges WHERE merge_ref = $1", merge_ref) == \
            "Ternyata ibu dan anak dengan nama sama"
        statuses = await conn.fetch(
            "SELECT status FROM possible_duplicates WHERE person_ref = ANY($1::uuid[])",
            [UUID(second["person_ref"]), UUID(other_b["person_ref"])])
        assert sorted(r["status"] for r in statuses) == ["dismissed", "dismissed"]
        logged = await conn.fetchval("SELECT count(*) FROM pii_access_log WHERE person_ref = $1 AND what ="
                                     " 'GET /kemungkinan-ganda/{person_ref}/{other_ref}'", UUID(first["person_ref"]))
        assert logged >= 1
    finally:
        await conn.close()


@pytest.mark.browser
async def test_a_role_without_the_merge_scope_is_not_offered_the_queue_and_is_refused_it(
        web: Registry, context: BrowserContext) -> None:  # noqa: F811
    first, second = await pair_of_records(web, date(1990, 7, 9))
    page = await context.new_page()
    await signed_in(page, web, "diskop.petugas")  # personal_data:read, no women:write
    await expect(page.get_by_role("link", name="Cari perempuan")).to_be_visible()
    await expect(page.get_by_role("link", name="Kemungkinan data ganda")).to_have_count(0)
    for url in ("/kemungkinan-ganda", f"/kemungkinan-ganda/{second['person_ref']}/{first['person_ref']}"):
        forced = await page.goto(f"{web.url}{url}")
        assert forced is not None and forced.status == 403, url
        await expect(page.locator("main")).not_to_contain_text(first["full_name"])
    posted = await context.request.post(
        f"{web.url}/kemungkinan-ganda/{second['person_ref']}/{first['person_ref']}/gabung", max_redirects=0,
        form={"idempotency_key": str(uuid4()), "surviving": first["person_ref"], "nik_from": "surviving"},
        headers={"Origin": web.url})
    assert posted.status == 403
    conn = await asyncpg.connect(web.database_url)
    try:
        assert await conn.fetchval("SELECT count(*) FROM merges WHERE retired_ref = $1",
                                   UUID(second["person_ref"])) == 0
    finally:
        await conn.close()


@pytest.mark.browser
async def test_a_field_officer_reviews_only_her_kecamatan_and_a_form_sent_twice_merges_once(
        web: Registry, browser: Browser) -> None:  # noqa: F811
    here_a, here_b = await pair_of_records(web, date(1985, 3, 3))
    away_a, away_b = await pair_of_records(web, date(1985, 3, 3), kecamatan_code="64.02.07", desa_code=None)
    ctx = await new_context(browser)
    try:
        page = await ctx.new_page()
        await signed_in(page, web, "dp3a.lapangan")  # limited to kecamatan 64.02.06 (Tenggarong)
        await page.goto(f"{web.url}/kemungkinan-ganda")
        await declare_purpose(page)
        await page.wait_for_url(f"{web.url}/kemungkinan-ganda")
        await expect(page.locator("#antrean")).to_contain_text(here_a["full_name"])
        await expect(page.locator("#antrean")).not_to_contain_text(away_a["full_name"])
        refused = await page.goto(f"{web.url}/kemungkinan-ganda/{away_b['person_ref']}/{away_a['person_ref']}")
        assert refused is not None and refused.status == 403
        await expect(page.locator("main")).not_to_contain_text(away_a["full_name"])

        await page.goto(f"{web.url}/kemungkinan-ganda/{here_b['person_ref']}/{here_a['person_ref']}")
        form = {"idempotency_key": await page.locator("form[action$='/gabung'] input[name=idempotency_key]")
                .input_value(), "surviving": here_a["person_ref"], "nik_from": "surviving"}
        url = f"{web.url}/kemungkinan-ganda/{here_b['person_ref']}/{here_a['person_ref']}/gabung"
        answers = [await ctx.request.post(url, form=form, max_redirects=0, headers={"Origin": web.url})
                   for _ in range(2)]
        assert [a.status for a in answers] == [303, 303]
        assert answers[0].headers["location"] == answers[1].headers["location"]
        await page.goto(f"{web.url}/kemungkinan-ganda")
        await expect(page.locator("#penggabungan-terbaru")).to_contain_text(
            f"{here_b['full_name']} digabung ke {here_a['full_name']}")
    finally:
        await ctx.close()
    conn = await asyncpg.connect(web.database_url)
    try:
        assert await conn.fetchval("SELECT count(*) FROM merges WHERE retired_ref = $1",
                                   UUID(here_b["person_ref"])) == 1
    finally:
        await conn.close()
