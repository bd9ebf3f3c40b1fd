"""Evaluation rounds against the real broker and database: frozen figures, late data, approval, comparison."""

import asyncio
import io
import json
from datetime import date
from pathlib import Path
from typing import Any
from uuid import uuid4

import openpyxl
from berdaya_contracts import new_envelope
from berdaya_contracts import registry_v1 as r
from berdaya_contracts.topics import MONITORING_INDICATORS, physical
from playwright.async_api import async_playwright, expect

from tests.monitoring.conftest import Monitoring
from tests.support.auth import bearer
from tests.support.kafka import read_all, wait_for

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
DP3A = {"X-OPD": "dp3a"}
DISPERINDAG = {"X-OPD": "disperindag"}
STATE: dict[str, Any] = {}


def women(n: int, on: date, kecamatan: str = "64.02.09") -> list:
    return [new_envelope(r.WomanRegistered(
        person_ref=uuid4(), kecamatan_code=kecamatan, age_band="25-34", pekka_category="productive",
        household_size=3, registered_by_opd="dp3a", registered_on=on)) for _ in range(n)]


async def live_q1(m: Monitoring) -> Any:
    resp = await m.client.get("/api/indicators", params={"indicator": "women_registered", "period_from": "2025-01",
                                                          "period_to": "2025-03"})
    return resp.json()["indicators"][0]["cells"][0]["value"]


def cell(round_body: dict[str, Any], indicator: str, kec: str | None) -> dict[str, Any]:
    return next(c for c in round_body["figures"] if c["indicator"] == indicator and c["kecamatan_code"] == kec)


async def test_snapshot_stays_frozen_while_live_figures_take_late_data(monitoring: Monitoring) -> None:
    await monitoring.events.publish(women(6, date(2025, 3, 5)) + women(2, date(2025, 3, 6), "64.02.10"))
    await wait_for(lambda: _equals(live_q1(monitoring), 8.0))
    target = {"year": 2025, "kecamatan_code": "all", "indicator": "women_registered", "target_value": 40}
    assert (await monitoring.client.put("/api/targets", json=target)).status_code == 200
    resp = await monitoring.client.post("/api/rounds", json={"period_kind": "quarter", "period": "2025-Q1",
                                                             "title": "Rapat koordinasi triwulan I"}, headers=DP3A)
    assert resp.status_code == 201, resp.text
    q1 = resp.json()
    STATE["q1"] = q1["round_ref"]
    assert cell(q1, "women_registered", None)["value"] == 8.0
    assert cell(q1, "women_registered", "64.02.09")["value"] == 6.0
    # The evaluation team's round holds the exact figures, however small; the public reads the publication, where
    # nothing of 2025 is released yet.
    assert cell(q1, "women_registered", "64.02.10") == {"indicator": "women_registered", "kecamatan_code": "64.02.10",
                                                        "value": 2.0, "suppressed": False}
    public = (await monitoring.public.get(f"/api/rounds/{q1['round_ref']}")).json()
    assert public["figures"] == []  # nothing of the period released yet

    await monitoring.events.publish(women(5, date(2025, 2, 10)))  # arrives after the meeting saw the figures
    await wait_for(lambda: _equals(live_q1(monitoring), 13.0))
    again = (await monitoring.client.get(f"/api/rounds/{q1['round_ref']}")).json()
    assert cell(again, "women_registered", None)["value"] == 8.0
    assert again["figures"] == q1["figures"]

    late = (await monitoring.client.get(f"/api/rounds/{q1['round_ref']}/late-data")).json()
    changes = {(c["indicator"], c["kecamatan_code"]): c for c in late["changes"]}
    assert changes[("women_registered", None)]["frozen"] == 8.0
    assert changes[("women_registered", None)]["live"] == 13.0
    assert changes[("women_registered", None)]["change"] == 5.0
    assert changes[("women_registered", "64.02.09")]["change"] == 5.0
    assert ("women_registered", "64.02.10") not in changes  # unchanged
    public_late = (await monitoring.public.get(f"/api/rounds/{q1['round_ref']}/late-data")).json()
    assert (public_late["changed_cells"], public_late["changes"]) == (0, [])  # the publication is never revised


async def _equals(value: Any, expected: float) -> bool:
    return await value == expected


async def test_each_opd_writes_only_its_own_notes_obstacles_and_actions(monitoring: Monitoring) -> None:
    ref = STATE["q1"]
    c = monitoring.client
    ok = await c.put(f"/api/rounds/{ref}/notes/disperindag", json={"progress_note": "Pameran Tenggarong terlaksana"},
                     headers=DISPERINDAG)
    assert ok.status_code == 200, ok.text
    other = await c.put(f"/api/rounds/{ref}/notes/diskop_ukm", json={"progress_note": "x"}, headers=DISPERINDAG)
    assert other.status_code == 403
    # An outside agency's token has no rounds:write; a token holding it without an OPD has no acting OPD at all,
    # so it may write nothing either.
    anonymous = await c.put(f"/api/rounds/{ref}/notes/disperindag", json={"progress_note": "x"},
                            headers=bearer("subscriber"))
    assert anonymous.status_code == 403 and anonymous.json()["required_scope"] == "rounds:write"
    no_opd = await c.put(f"/api/rounds/{ref}/notes/disperindag", json={"progress_note": "x"},
                         headers=bearer(scopes=["rounds:write"]))
    assert no_opd.status_code == 403 and "OPD program" in no_opd.json()["pesan"]
    # The acting OPD is the token's: a header naming another OPD changes nothing.
    spoofed = await c.put(f"/api/rounds/{ref}/notes/disperindag", json={"progress_note": "x"},
                          headers={**bearer("dp3a"), "X-OPD": "disperindag"})
    assert spoofed.status_code == 403
    obstacle = {"opd": "disperindag", "category": "budget", "severity": "high",
                "description": "=HYPERLINK(\"http://x\") anggaran pameran terlambat"}
    assert (await c.post(f"/api/rounds/{ref}/obstacles", json=obstacle, headers=DISPERINDAG)).status_code == 201
    wrong = await c.post(f"/api/rounds/{ref}/obstacles", json={**obstacle, "opd": "dp3a"}, headers=DISPERINDAG)
    assert wrong.status_code == 403
    bad = await c.post(f"/api/rounds/{ref}/obstacles", json={**obstacle, "category": "weather"}, headers=DISPERINDAG)
    assert bad.status_code == 422 and "category" in bad.text
    action = {"opd": "disperindag", "owner_opd": "diskop_ukm", "description": "Fasilitasi NIB peserta pameran",
              "due_on": "2025-05-31"}
    resp = await c.post(f"/api/rounds/{ref}/actions", json=action, headers=DISPERINDAG)
    assert resp.status_code == 201, resp.text
    STATE["action"] = resp.json()["action_ref"]
    assert (await c.post(f"/api/rounds/{ref}/actions", json=action, headers=DP3A)).status_code == 403
    assert (await c.get(f"/api/rounds/{uuid4()}")).status_code == 404
    assert (await c.get("/api/rounds/not-a-uuid")).status_code == 422


async def test_approved_round_is_read_only_and_published_once(monitoring: Monitoring) -> None:
    ref = STATE["q1"]
    c = monitoring.client
    assert (await c.post("/api/admin/releases")).status_code == 200  # 2025 is released: 13 women in Q1
    assert (await c.post(f"/api/rounds/{ref}/approve", headers=DISPERINDAG)).status_code == 403
    resp = await c.post(f"/api/rounds/{ref}/approve", headers={**DP3A, "Idempotency-Key": "approve-q1"})
    assert resp.status_code == 200, resp.text
    assert resp.json()["status"] == "approved" and resp.json()["approved_by_opd"] == "dp3a"
    retry = await c.post(f"/api/rounds/{ref}/approve", headers={**DP3A, "Idempotency-Key": "approve-q1"})
    assert retry.status_code == 200
    assert (await c.post(f"/api/rounds/{ref}/approve", headers=DP3A)).status_code == 409
    edit = await c.put(f"/api/rounds/{ref}/notes/disperindag", json={"progress_note": "ubah"}, headers=DISPERINDAG)
    assert edit.status_code == 409 and "disetujui" in edit.json()["pesan"]
    obstacle = {"opd": "disperindag", "category": "data", "severity": "low", "description": "terlambat"}
    assert (await c.post(f"/api/rounds/{ref}/obstacles", json=obstacle, headers=DISPERINDAG)).status_code == 409

    topic = physical(MONITORING_INDICATORS, monitoring.namespace)

    async def approvals() -> list[dict[str, Any]]:
        return [json.loads(rec.value) for rec in await read_all(monitoring.bootstrap, topic, idle_s=0.3)
                if json.loads(rec.value)["event_type"] == "monitoring.EvaluationRoundApproved"
                and json.loads(rec.value)["payload"]["round_ref"] == ref]

    await wait_for(lambda: _nonempty(approvals()), timeout_s=20)
    await asyncio.sleep(1.0)  # a second copy, if any, would have been relayed by now
    events = await approvals()
    assert len(events) == 1
    payload = events[0]["payload"]
    assert (payload["period_kind"], payload["period"], payload["approved_by_opd"]) == ("quarter", "2025-Q1", "dp3a")
    figures = {(f["indicator"], f["kecamatan_code"]): f for f in payload["figures"]}
    # Other agencies get the period as published (13, late data included before the release), never the exact
    # frozen cells: the kecamatan of 2 women is withheld, and the one of 11 with it (13 - 11 would give it away).
    assert figures[("women_registered", None)]["value"] == 13.0
    for kec in ("64.02.10", "64.02.09"):
        assert figures[("women_registered", kec)] == {"indicator": "women_registered", "kecamatan_code": kec,
                                                      "value": None, "suppressed": True}


async def _nonempty(result: Any) -> bool:
    return bool(await result)


async def test_action_carries_over_and_two_rounds_compare(monitoring: Monitoring) -> None:
    c = monitoring.client
    q1, action = STATE["q1"], STATE["action"]
    resp = await c.post("/api/rounds", json={"period_kind": "month", "period": "2025-04"}, headers=DP3A)
    assert resp.status_code == 201, resp.text
    april = resp.json()
    STATE["april"] = april["round_ref"]
    carried = [a for a in april["actions"] if a["action_ref"] == action]
    assert carried and carried[0]["carried_over"] and carried[0]["opened_round_ref"] == q1
    assert carried[0]["status"] == "open" and carried[0]["status_in_round"] is None
    wrong = await c.put(f"/api/rounds/{april['round_ref']}/actions/{action}", json={"status": "done"},
                        headers={"X-OPD": "distransnaker"})
    assert wrong.status_code == 403
    done = await c.put(f"/api/rounds/{april['round_ref']}/actions/{action}", json={"status": "done", "note": "120 NIB"},
                       headers={"X-OPD": "diskop_ukm"})
    assert done.status_code == 200, done.text
    april = (await c.get(f"/api/rounds/{april['round_ref']}")).json()
    [a] = [a for a in april["actions"] if a["action_ref"] == action]
    assert (a["status_in_round"], a["closed_round_ref"], a["opened_round_ref"]) == ("done", april["round_ref"], q1)
    first = (await c.get(f"/api/rounds/{q1}")).json()
    assert [a["action_ref"] for a in first["actions"]] == [action]  # still listed where it was opened

    cmp = (await c.get("/api/rounds/compare", params={"a": q1, "b": april["round_ref"]})).json()
    cells = {(x["indicator"], x["kecamatan_code"]): x for x in cmp["indicators"]}
    assert cells[("women_registered", None)] == {"indicator": "women_registered", "kecamatan_code": None,
                                                 "a": 8.0, "b": 0.0, "change": -8.0}
    [progress] = [t for t in cmp["targets"] if t["indicator"] == "women_registered"]
    assert (progress["target"], progress["a"], progress["b"]) == (40, 0.2, 0.325)  # 8 then 13 of 40 in 2025
    assert cmp["a"]["actions_opened"] == [action] and cmp["a"]["actions_closed"] == []
    assert cmp["b"]["actions_opened"] == [] and cmp["b"]["actions_closed"] == [action]
    later = await c.post(f"/api/rounds/{april['round_ref']}/actions", headers=DP3A, json={
        "opd": "dp3a", "owner_opd": "dp3a", "description": "Rekap data peserta", "due_on": "2025-06-30"})
    assert later.status_code == 201
    older_round = await c.put(f"/api/rounds/{q1}/actions/{later.json()['action_ref']}", json={"status": "done"},
                              headers=DP3A)
    assert older_round.status_code == 409  # q1 is approved; and it never saw this action
    missing = await c.get("/api/rounds/compare", params={"a": q1, "b": str(uuid4())})
    assert missing.status_code == 404


async def test_round_exports_as_xlsx_with_guarded_free_text(monitoring: Monitoring) -> None:
    resp = await monitoring.client.get(f"/api/rounds/{STATE['q1']}/export.xlsx")
    assert resp.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(resp.content))
    assert wb.sheetnames == ["Ringkasan", "Indikator", "Target", "Catatan", "Hambatan", "Tindak lanjut"]
    assert wb["Ringkasan"]["B2"].value == "Triwulan I 2025"
    rows = list(wb["Indikator"].iter_rows(values_only=True))
    assert ("women_registered", "Perempuan terdaftar", "Kabupaten", 8, "tidak") in rows
    assert ("women_registered", "Perempuan terdaftar", "64.02.10", 2, "tidak") in rows  # exact: the team's copy
    public = await monitoring.public.get(f"/api/rounds/{STATE['q1']}/export.xlsx")
    rows = list(openpyxl.load_workbook(io.BytesIO(public.content))["Indikator"].iter_rows(values_only=True))
    assert ("women_registered", "Perempuan terdaftar", "Kabupaten", 13, "tidak") in rows
    assert ("women_registered", "Perempuan terdaftar", "64.02.10", "x", "ya") in rows
    description = wb["Hambatan"]["C2"].value
    assert description.startswith("'=HYPERLINK")  # shown as text, never evaluated by the spreadsheet


async def test_printable_page_opens_in_chromium(monitoring: Monitoring, base_url: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            page = await browser.new_page(viewport={"width": 1000, "height": 1200}, locale="id-ID")
            await page.goto(f"{base_url}/rounds/{STATE['q1']}/cetak")
            await expect(page.locator("h1")).to_have_text("Rapat koordinasi triwulan I")
            await expect(page.locator("#status")).to_contain_text("Disetujui DP3A")
            # A browser carries no token: the printable page shows the publication (13 released for Q1 2025).
            await expect(page.locator('#figures [data-indicator="women_registered"]')).to_contain_text("13")
            await expect(page.locator("#obstacles")).to_contain_text("Anggaran")
            await expect(page.locator("#obstacles")).to_contain_text('=HYPERLINK("http://x")')  # escaped text
            await expect(page.locator("#actions")).to_contain_text("Diskop UKM")
            await expect(page.locator("#targets")).to_contain_text("32,5%")  # published progress: 13 of 40
            await page.emulate_media(media="print")
            await page.screenshot(path=str(ARTIFACTS / "monitoring-round-print.png"), full_page=True)
        finally:
            await browser.close()
    assert (ARTIFACTS / "monitoring-round-print.png").stat().st_size > 10_000


async def test_bad_round_input_is_refused_naming_the_field(monitoring: Monitoring) -> None:
    c = monitoring.client
    for body in ({"period_kind": "month", "period": "2025-Q1"}, {"period_kind": "quarter", "period": "2025-Q5"},
                 {"period_kind": "month", "period": "2025-13"}, {"period_kind": "year", "period": "2025"}):
        resp = await c.post("/api/rounds", json=body, headers=DP3A)
        assert resp.status_code == 422 and "period" in resp.text, (body, resp.text)
    # A token of an agency outside the program opens no round.
    assert (await c.post("/api/rounds", json={"period_kind": "month", "period": "2025-05"},
                         headers={"X-OPD": "bappeda"})).status_code == 403
    action = {"opd": "dp3a", "owner_opd": "dp3a", "description": "x", "due_on": "2025-02-30"}
    resp = await c.post(f"/api/rounds/{STATE['april']}/actions", json=action, headers=DP3A)
    assert resp.status_code == 422 and "due_on" in resp.text
    assert (await c.get("/api/rounds", params={"limit": 500})).status_code == 422
    # Free text with a NUL (PostgreSQL refuses it) or another control character is refused, naming the field.
    april = STATE["april"]
    for path, method, body in (
            ("/api/rounds", "POST", {"period_kind": "month", "period": "2025-06", "title": "Rapat\x00"}),
            (f"/api/rounds/{april}/actions", "POST", action | {"due_on": "2025-06-30", "description": "Rekap\x00"}),
            (f"/api/rounds/{april}/obstacles", "POST", {"opd": "dp3a", "category": "budget", "severity": "high",
                                                        "description": "Dana\x07"}),
            (f"/api/rounds/{april}/notes/dp3a", "PUT", {"progress_note": "\x00"})):
        resp = await c.request(method, path, json=body, headers=DP3A)
        assert resp.status_code == 422, (path, resp.text)
        assert resp.json()["kesalahan"][0]["pesan"] == "Teks tidak boleh berisi karakter kontrol", resp.text
    listed = (await c.get("/api/rounds")).json()
    assert {x["round_ref"] for x in listed} >= {STATE["q1"], STATE["april"]}


async def test_a_round_is_approved_on_todays_date_in_kutai_kartanegara(monitoring: Monitoring,
                                                                       new_year_in_kukar: date) -> None:
    c = monitoring.client
    opened = await c.post("/api/rounds", json={"period_kind": "month", "period": "2025-07"}, headers=DP3A)
    assert opened.status_code == 201, opened.text
    approved = await c.post(f"/api/rounds/{opened.json()['round_ref']}/approve", headers=DP3A)
    assert approved.status_code == 200, approved.text
    assert approved.json()["approved_on"] == "2027-01-01" == new_year_in_kukar.isoformat()
