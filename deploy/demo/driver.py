"""Loads a scenario through the public HTTP APIs, as OPD staff would, so every event flows the real path.

Every command carries an Idempotency-Key derived from the scenario, so loading the same scenario twice
registers nothing twice and returns the same refs. Commands that depend on another service's events
(an enrolment needs the registry's WomanRegistered in training's replica) are retried while the service
answers 422 "not registered yet".
"""

import asyncio
import logging
import zlib
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any

import httpx

from .scenario import Scenario

log = logging.getLogger("berdaya.demo")


@dataclass(frozen=True)
class Endpoints:
    registry: str = "http://127.0.0.1:8001"
    training: str = "http://127.0.0.1:8002"
    marketplace: str = "http://127.0.0.1:8003"
    monitoring: str = "http://127.0.0.1:8004"


class LoadError(RuntimeError):
    pass


class Driver:
    def __init__(
        self,
        endpoints: Endpoints,
        *,
        namespace: str = "demo",
        concurrency: int = 16,
        headers: dict[str, dict[str, str]] | None = None,
        replica_wait_s: float = 60.0,
    ) -> None:
        self.endpoints = endpoints
        self.namespace = namespace
        self._sem = asyncio.Semaphore(concurrency)
        self._headers = headers or {}
        self._replica_wait_s = replica_wait_s
        self.client = httpx.AsyncClient(timeout=30.0)
        self.sent = 0
        self.retries = 0
        self.server_errors: list[str] = []  # 5xx other than 503 ("send again"), each retried but worth a look

    async def close(self) -> None:
        await self.client.aclose()

    def _auth(self, opd: str) -> dict[str, str]:
        return {"X-OPD": opd, **self._headers.get(opd, {})}

    async def post(self, base: str, path: str, body: dict[str, Any], *, key: str, opd: str,
                   accept: Iterable[int] = (200, 201), wait_for_replica: bool = False) -> dict[str, Any]:
        """POST with an Idempotency-Key; retried on connection errors and, when asked, on replica lag."""
        headers = {"Idempotency-Key": f"{self.namespace}:{key}", **self._auth(opd)}
        deadline = asyncio.get_running_loop().time() + self._replica_wait_s
        delay = 0.2
        async with self._sem:
            while True:
                try:
                    response = await self.client.post(base + path, json=body, headers=headers)
                except httpx.TransportError as exc:
                    if asyncio.get_running_loop().time() > deadline:
                        raise LoadError(f"POST {path}: {exc}") from exc
                    self.retries += 1
                    await asyncio.sleep(delay)
                    continue
                if response.status_code in accept:
                    self.sent += 1
                    return response.json() if response.content else {}
                if response.status_code >= 500 and response.status_code != 503:
                    self.server_errors.append(f"POST {path} -> {response.status_code} {response.text[:200]}")
                lagging = response.status_code == 422 and wait_for_replica
                if (lagging or response.status_code >= 500) and asyncio.get_running_loop().time() < deadline:
                    self.retries += 1
                    await asyncio.sleep(delay)
                    delay = min(delay * 1.5, 2.0)
                    continue
                raise LoadError(f"POST {path} -> {response.status_code}: {response.text[:400]}")

    async def gather(self, calls: Iterable[Awaitable[Any]]) -> list[Any]:
        return list(await asyncio.gather(*calls))


async def load(driver: Driver, s: Scenario, *, progress: Callable[[str], None] = print) -> dict[str, int]:
    e = driver.endpoints

    async def register(w: Any) -> None:
        body = {
            "nik": w.nik, "full_name": w.full_name, "birth_date": w.birth_date.isoformat(), "phone": w.phone,
            "kecamatan_code": w.kecamatan_code, "desa_code": w.desa_code, "household_size": w.household_size,
            "pekka_category": w.pekka_category, "registered_by_opd": "dp3a",
            "registered_on": w.registered_on.isoformat(),
        }
        try:
            answer = await driver.post(e.registry, "/women", body, key=f"woman:{w.key}", opd="dp3a")
        except LoadError as exc:
            if " 409:" not in str(exc):
                raise
            answer = {"person_ref": _existing_ref(str(exc))}
        w.person_ref = answer["person_ref"]
        await driver.post(e.registry, f"/women/{w.person_ref}/welfare-assessments", {
            "assessed_on": w.registered_on.isoformat(), "household_size": w.household_size,
            "monthly_household_income_idr": w.baseline_income,
        }, key=f"baseline:{w.key}", opd="dp3a")

    await driver.gather(register(w) for w in s.women)
    progress(f"  {len(s.women)} women registered with a baseline welfare assessment")

    ref = {w.key: w.person_ref for w in s.women}

    async def run_course(c: Any) -> None:
        answer = await driver.post(e.training, "/courses", {
            "organizer_opd": c.organizer_opd, "field": c.field, "kecamatan_code": c.kecamatan_code, "title": c.title,
            "starts_on": c.starts_on.isoformat(), "ends_on": c.ends_on.isoformat(), "sessions": c.sessions,
            "capacity": c.capacity,
        }, key=f"course:{c.key}", opd=c.organizer_opd)
        c.course_ref = answer["course_ref"]
        base = f"/courses/{c.course_ref}"
        for w in c.participants:
            await driver.post(e.training, base + "/enrolments", {
                "person_ref": ref[w], "enrolled_on": c.starts_on.isoformat(),
            }, key=f"enrol:{c.key}:{w}", opd=c.organizer_opd, wait_for_replica=True)
        for n in range(1, c.sessions + 1):
            records = [{"person_ref": ref[w], "present": c.attended[w] >= n} for w in c.participants]
            await driver.post(e.training, f"{base}/sessions/{n}/attendance", {"records": records},
                              key=f"attendance:{c.key}:{n}", opd=c.organizer_opd)
        for w in c.dropped:
            await driver.post(e.training, base + "/dropouts", {
                "person_ref": ref[w], "dropped_on": c.starts_on.isoformat(), "reason": "keluarga",
            }, key=f"drop:{c.key}:{w}", opd=c.organizer_opd)
        for w in c.completed:
            await driver.post(e.training, base + "/completions", {
                "person_ref": ref[w], "completed_on": c.ends_on.isoformat(),
            }, key=f"complete:{c.key}:{w}", opd=c.organizer_opd)

    await driver.gather(run_course(c) for c in s.courses)
    progress(f"  {len(s.courses)} courses with enrolments, attendance, completions and drop-outs")

    async def open_business(b: Any) -> None:
        answer = await driver.post(e.registry, "/businesses", {
            "owner_person_ref": ref[b.owner], "name": f"Usaha {b.sector.title()} {b.key.upper()}", "sector": b.sector,
            "kecamatan_code": b.kecamatan_code, "nib": f"91{zlib.crc32(b.key.encode()) % 10**11:011d}" if b.has_nib else None,
            "has_pirt": b.has_pirt, "has_halal": b.has_halal, "started_on": b.started_on.isoformat(),
            "registered_on": b.registered_on.isoformat(),
        }, key=f"business:{b.key}", opd="diskop_ukm")
        b.business_ref = answer["business_ref"]
        for period, revenue, workers in b.reports:
            await driver.post(e.registry, f"/businesses/{b.business_ref}/reports", {
                "period": period, "monthly_revenue_idr": revenue, "workers": workers,
            }, key=f"report:{b.key}:{period}", opd="diskop_ukm")

    await driver.gather(open_business(b) for b in s.businesses)
    progress(f"  {len(s.businesses)} women's businesses with monthly reports")

    biz = {b.key: b.business_ref for b in s.businesses}
    coop = await driver.post(e.registry, "/coops", {
        "name": "Koperasi Perempuan Mandiri Tenggarong", "kecamatan_code": s.coop_kecamatan, "kind": "produsen",
        "formed_on": s.coop_formed_on.isoformat(), "has_legal_entity": True,
        "founding_member_refs": [ref[w] for w in s.coop_members],
    }, key="coop:1", opd="diskop_ukm")
    await driver.post(e.registry, f"/coops/{coop['coop_ref']}/annual-meetings", {
        "fiscal_year": 2025, "held_on": "2026-02-20"}, key="rat:1:2025", opd="diskop_ukm")
    await driver.gather(
        driver.post(e.registry, "/capital-disbursements", {
            "recipient_type": "business", "recipient_ref": biz[b], "source": source, "amount_idr": amount,
            "disbursed_on": on.isoformat(), "provider_opd": "diskop_ukm",
        }, key=f"capital:{b}", opd="diskop_ukm")
        for b, source, amount, on in s.capital
    )
    await driver.gather(
        driver.post(e.registry, f"/women/{ref[w]}/aid", {
            "kind": kind, "provider_opd": "dp3a", "provided_on": on.isoformat(),
        }, key=f"aid:{w}", opd="dp3a")
        for w, kind, on in s.aid
    )
    progress(f"  a cooperative of {len(s.coop_members)} women, {len(s.capital)} capital disbursements, {len(s.aid)} aid records")

    await load_market(driver, s, biz, ref)
    progress(f"  a trade fair with {len(s.booth_businesses)} booths and a shared booth for {len(s.shared_booth)} "
             f"businesses, {len(s.listings)} listings, {len(s.sales)} sales")

    courses = {c.key: c.course_ref for c in s.courses}
    await driver.gather(
        driver.post(e.training, "/placements", {
            "person_ref": ref[w], "course_ref": courses[c], "sector": "manufaktur", "formal": formal,
            "monthly_wage_idr": wage, "placed_on": on.isoformat(),
        }, key=f"placement:{w}", opd="distransnaker")
        for w, c, formal, wage, on in s.placements
    )
    await driver.gather(
        driver.post(e.registry, f"/women/{w.person_ref}/welfare-assessments", {
            "assessed_on": w.followup_on.isoformat(), "household_size": w.household_size,
            "monthly_household_income_idr": w.followup_income,
        }, key=f"followup:{w.key}", opd="dp3a")
        for w in s.women if w.followup_income is not None and w.followup_on is not None
    )
    progress(f"  {len(s.placements)} job placements and the welfare follow-ups")
    return {"commands": driver.sent}


async def load_market(driver: Driver, s: Scenario, biz: dict[str, Any], ref: dict[str, Any]) -> None:
    e = driver.endpoints
    ends = s.fair_starts_on.toordinal() + 2
    fair = await driver.post(e.marketplace, "/fairs", {
        "name": s.fair_name, "kecamatan_code": s.fair_kecamatan, "location": "Pulau Kumala, Tenggarong",
        "starts_on": s.fair_starts_on.isoformat(), "ends_on": type(s.fair_starts_on).fromordinal(ends).isoformat(),
        "booths": max(len(s.booth_businesses), 1) + 11,
    }, key="fair:1", opd="disperindag")
    fair_ref = fair["fair_ref"]
    await driver.gather(
        driver.post(e.marketplace, f"/fairs/{fair_ref}/booths", {"business_ref": biz[b]},
                    key=f"booth:{b}", opd="disperindag", wait_for_replica=True)
        for b in s.booth_businesses
    )
    if s.shared_booth:
        await driver.post(e.marketplace, f"/fairs/{fair_ref}/shared-booths", {
            "holder_kind": "outlet", "holder_label": "Gerai PEKKA Tenggarong",
            "business_refs": [biz[b] for b in s.shared_booth]}, key="shared-booth:1", opd="disperindag",
            wait_for_replica=True)
    await driver.gather(
        driver.post(e.marketplace, "/listings", {
            "business_ref": biz[b], "channel": channel, "category": category, "price_idr": price,
            "listed_on": s.fair_starts_on.isoformat(),
        }, key=f"listing:{b}", opd="disperindag", wait_for_replica=True)
        for b, channel, category, price in s.listings
    )
    fair_rows = [{"business_ref": biz[x.business], "amount_idr": x.amount_idr, "quantity": x.quantity,
                  "sold_on": x.sold_on.isoformat()} for x in s.sales if x.channel == "trade_fair"]
    if fair_rows:
        await driver.post(e.marketplace, f"/fairs/{fair_ref}/sales-sheet", {"rows": fair_rows},
                          key="sales-sheet:1", opd="disperindag")
    await driver.gather(
        driver.post(e.marketplace, "/sales", {
            "business_ref": biz[x.business], "channel": x.channel, "amount_idr": x.amount_idr,
            "quantity": x.quantity, "sold_on": x.sold_on.isoformat(),
        }, key=f"sale:{x.business}:{x.channel}:{i}", opd="disperindag", wait_for_replica=True)
        for i, x in enumerate(s.sales) if x.channel != "trade_fair"
    )


def _existing_ref(message: str) -> str:
    import json
    import re

    body = message.split(": ", 1)[1]
    try:
        return json.loads(body)["person_ref"]
    except (ValueError, KeyError):
        match = re.search(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", body)
        if not match:
            raise LoadError(f"409 without a person_ref: {body}") from None
        return match.group(0)
