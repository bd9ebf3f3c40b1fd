"""The commands of the four services as a client sends them, for tests/foundation/test_idempotency_commands.py: for
each write route, how to set up what it needs (through the services' own APIs) and what one run stages in the
outbox; and the write routes that are not commands, with the reason.
"""

import random
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import asyncpg
import httpx

from tests.registry.helpers import woman_body
from tests.support.auth import all_scopes
from tests.support.kafka import wait_for

NOT_COMMANDS = {
    ("registry", "POST", "/women/lookup"): "a read: the NIK travels in the body so that it stays out of URLs and logs",
    ("registry", "POST", "/women/search"): "a read: names and NIKs travel in the body so that they stay out of URLs",
    ("registry", "POST", "/women/names"): "a read: the refs travel in the body (tests/registry/test_journey.py)",
    ("registry", "POST", "/women/enrolment-search"): "a read: the name travels in the body (tests/registry/"
                                                     "test_journey.py)",
    ("registry", "POST", "/women/imports"): "a multipart upload held with http.claimed (copies: tests/registry/test_import.py)",
    ("monitoring", "POST", "/api/admin/rebuild"): "starts a background replay; refused (409) while one runs",
    ("monitoring", "POST", "/api/admin/releases"): "idempotent by nature: a repeat finds no closed month left to "
                                                    "release and answers release_id null",
}
rng = random.Random()


@dataclass
class World:
    clients: dict[str, httpx.AsyncClient]
    pools: dict[str, asyncpg.Pool]

    async def send(self, service: str, method: str, path: str, body: Any = None, *, opd: str,
                   key: str | None = None, correlation: str | None = None) -> httpx.Response:
        headers = {**all_scopes(opd), "X-OPD": opd, "X-Purpose": "pengujian otomatis"}
        if key is not None:
            headers["Idempotency-Key"] = key
        if correlation is not None:
            headers["X-Correlation-ID"] = correlation
        return await self.clients[service].request(method, path, json=body, headers=headers)

    async def ok(self, service: str, method: str, path: str, body: Any = None, *, opd: str) -> dict[str, Any]:
        answer = await self.send(service, method, path, body, opd=opd)
        assert answer.is_success, f"{method} {path}: {answer.status_code} {answer.text}"
        return answer.json()

    async def woman(self, **overrides: Any) -> str:
        body = woman_body(rng, **{"kecamatan_code": "64.02.06", "desa_code": "64.02.06.1001", **overrides})
        return (await self.ok("registry", "POST", "/women", body, opd="dp3a"))["person_ref"]

    async def replicated(self, service: str, table: str, column: str, ref: str) -> None:
        sql = f"SELECT registered FROM {table} WHERE {column} = $1"
        await wait_for(lambda: self.pools[service].fetchval(sql, uuid.UUID(ref)), timeout_s=60)

    async def woman_in_training(self) -> str:
        ref = await self.woman()
        await self.replicated("training", "women_replica", "person_ref", ref)
        return ref

    async def business(self) -> str:
        body = {"owner_person_ref": await self.woman(), "name": "Amplang Bu Siti", "sector": "kuliner",
                "kecamatan_code": "64.02.06", "started_on": "2021-05-01"}
        return (await self.ok("registry", "POST", "/businesses", body, opd="diskop_ukm"))["business_ref"]

    async def business_in_market(self) -> str:
        ref = await self.business()
        await self.replicated("marketplace", "businesses_replica", "business_ref", ref)
        return ref

    async def coop(self) -> tuple[str, list[str]]:
        founders = [await self.woman() for _ in range(3)]
        coop = await self.ok("registry", "POST", "/coops", {
            "name": "Koperasi Wanita Mandiri", "kecamatan_code": "64.02.06", "kind": "simpan_pinjam",
            "formed_on": "2025-01-20", "has_legal_entity": True, "founding_member_refs": founders}, opd="diskop_ukm")
        return coop["coop_ref"], founders

    async def course(self, sessions: int = 4) -> str:
        return (await self.ok("training", "POST", "/courses", course_body(sessions), opd="distransnaker"))["course_ref"]

    async def enrolled(self, sessions: int = 4) -> tuple[str, str]:
        course, person = await self.course(sessions), await self.woman_in_training()
        await self.ok("training", "POST", f"/courses/{course}/enrolments",
                      {"person_ref": person, "enrolled_on": "2025-03-03"}, opd="distransnaker")
        return course, person

    async def fair(self) -> str:
        return (await self.ok("marketplace", "POST", "/fairs", fair_body(), opd="disperindag"))["fair_ref"]

    async def round(self) -> str:
        return (await self.ok("monitoring", "POST", "/api/rounds", {"period_kind": "month", "period": "2025-04"},
                              opd="dp3a"))["round_ref"]


def course_body(sessions: int = 4) -> dict[str, Any]:
    return {"organizer_opd": "distransnaker", "field": "kuliner", "kecamatan_code": "64.02.06",
            "title": "Pelatihan Olahan Ikan Asin", "starts_on": "2025-03-03", "ends_on": "2025-03-14",
            "sessions": sessions, "capacity": 25}


def fair_body() -> dict[str, Any]:
    return {"name": "Pameran Produk Tenggarong", "kecamatan_code": "64.02.06", "starts_on": "2025-08-15",
            "ends_on": "2025-08-17", "booths": 10}


Prepared = tuple[str, Any]  # the concrete path and the body of the command
Prepare = Callable[[World], Awaitable[Prepared]]


@dataclass(frozen=True)
class Case:
    service: str
    method: str
    route: str  # the OpenAPI path template
    opd: str
    prepare: Prepare
    events: tuple[str, ...]  # what one run stages in the outbox
    status: int = 201

    @property
    def id(self) -> str:
        return f"{self.service} {self.method} {self.route}"


async def _women(w: World) -> Prepared:
    return "/women", woman_body(rng, kecamatan_code="64.02.06", desa_code=None)


async def _correct(w: World) -> Prepared:
    return f"/women/{await w.woman()}", {"household_size": 6}


async def _dismiss(w: World) -> Prepared:
    birth, name = date(1978, 3, 9), "Siti " + "".join(rng.choice("bcdfghjklmnprstw") for _ in range(8)).capitalize()
    first = await w.woman(birth=birth, full_name=name, desa_code="64.02.06.1004")
    second = await w.woman(birth=birth, full_name=name, desa_code="64.02.06.1004")
    return f"/women/{second}/possible-duplicates/{first}/dismiss", None


async def _merge(w: World) -> Prepared:
    return "/merges", {"surviving_ref": await w.woman(), "retired_ref": await w.woman()}


async def _unmerge(w: World) -> Prepared:
    merge = await w.ok("registry", "POST", "/merges", {"surviving_ref": await w.woman(),
                                                       "retired_ref": await w.woman()}, opd="dp3a")
    return f"/merges/{merge['merge_ref']}/undo", {"reason": "dua orang berbeda"}


async def _held_row(w: World) -> Prepared:
    """An import row held because its KTP birth date differs from the NIK's; the command confirms it."""
    body = woman_body(rng, kecamatan_code="64.02.06", desa_code=None)
    born = date.fromisoformat(body["birth_date"])
    text = ("NIK,Nama,Tanggal Lahir,Kecamatan,Jumlah Anggota Keluarga\n"
            f"{body['nik']},{body['full_name']},{born.day % 27 + 1:02d}/{born.month:02d}/{born.year},Tenggarong,4\n")
    headers = {**all_scopes("dp3a"), "X-OPD": "dp3a"}
    upload = await w.clients["registry"].post("/women/imports", files={"file": ("held.csv", text.encode())},
                                              headers=headers)
    assert upload.status_code == 202, upload.text
    ref = upload.json()["import_ref"]
    await wait_for(lambda: _held(w, ref, headers), timeout_s=60)
    return f"/women/imports/{ref}/held/2", {"confirm": ["confirm_birth_date_differs_from_nik"]}


async def _held(w: World, ref: str, headers: dict[str, str]) -> bool:
    summary = (await w.clients["registry"].get(f"/women/imports/{ref}", headers=headers)).json()
    return summary["status"] == "done" and summary["held"] == 1


async def _erase(w: World) -> Prepared:
    return f"/women/{await w.woman()}/personal-data", None


async def _assess(w: World) -> Prepared:
    return f"/women/{await w.woman()}/welfare-assessments", {
        "assessed_on": "2024-08-01", "household_size": 4, "monthly_household_income_idr": 3_000_000}


async def _poverty_line(w: World) -> Prepared:
    return f"/poverty-lines/{2030 + rng.randint(0, 60)}-{rng.randint(1, 12):02d}-01", {
        "idr": 800_000, "source": "uji: angka contoh"}


async def _aid(w: World) -> Prepared:
    return f"/women/{await w.woman()}/aid", {"kind": "legal_assistance", "provided_on": "2025-03-10",
                                              "case_note": "rujukan UPTD PPA"}


async def _case_note(w: World) -> Prepared:
    aid = await w.ok("registry", "POST", f"/women/{await w.woman()}/aid",
                     {"kind": "counselling", "provided_on": "2025-03-10"}, opd="dp3a")
    return f"/aid/{aid['aid_ref']}/case-notes", {"note": "Sesi konseling kedua"}


async def _business(w: World) -> Prepared:
    return "/businesses", {"owner_person_ref": await w.woman(), "name": "Amplang Bu Siti", "sector": "kuliner",
                           "kecamatan_code": "64.02.06", "has_pirt": True, "started_on": "2021-05-01"}


async def _report(w: World) -> Prepared:
    return f"/businesses/{await w.business()}/reports", {"period": "2025-03", "monthly_revenue_idr": 4_500_000,
                                                         "workers": 2}


async def _coop(w: World) -> Prepared:
    return "/coops", {"name": "Koperasi Wanita Sejahtera", "kecamatan_code": "64.02.06", "kind": "produsen",
                      "formed_on": "2025-01-20", "founding_member_refs": [await w.woman() for _ in range(3)]}


async def _join(w: World) -> Prepared:
    coop, _ = await w.coop()
    return f"/coops/{coop}/members", {"person_ref": await w.woman(), "joined_on": "2025-02-01"}


async def _leave(w: World) -> Prepared:
    coop, founders = await w.coop()
    return f"/coops/{coop}/members/{founders[0]}/leave", {"left_on": "2025-06-30"}


async def _meeting(w: World) -> Prepared:
    coop, _ = await w.coop()
    return f"/coops/{coop}/annual-meetings", {"fiscal_year": 2024, "held_on": "2025-03-15"}


async def _capital(w: World) -> Prepared:
    coop, _ = await w.coop()
    return "/capital-disbursements", {"recipient_type": "coop", "recipient_ref": coop, "source": "diskop_grant",
                                      "amount_idr": 25_000_000, "disbursed_on": "2025-04-01"}


async def _course(w: World) -> Prepared:
    return "/courses", course_body()


async def _reschedule(w: World) -> Prepared:
    course = await w.ok("training", "POST", "/courses", {**course_body(), "starts_on": "2026-12-07",
                                                          "ends_on": "2026-12-18"}, opd="distransnaker")
    return f"/courses/{course['course_ref']}/schedule", {"starts_on": "2026-12-14", "ends_on": "2027-01-08",
                                                          "capacity": 30}


async def _enrol(w: World) -> Prepared:
    course, person = await w.course(), await w.woman_in_training()
    return f"/courses/{course}/enrolments", {"person_ref": person, "enrolled_on": "2025-03-03"}


async def _attend(w: World) -> Prepared:
    course, person = await w.enrolled()
    return f"/courses/{course}/sessions/1/attendance", {"records": [{"person_ref": person, "present": True}]}


async def _complete(w: World) -> Prepared:
    course, person = await w.enrolled(sessions=1)
    await w.ok("training", "POST", f"/courses/{course}/sessions/1/attendance",
               {"records": [{"person_ref": person, "present": True}]}, opd="distransnaker")
    return f"/courses/{course}/completions", {"person_ref": person, "completed_on": "2025-03-14"}


async def _drop(w: World) -> Prepared:
    course, person = await w.enrolled()
    return f"/courses/{course}/dropouts", {"person_ref": person, "dropped_on": "2025-03-05", "reason": "keluarga"}


async def _place(w: World) -> Prepared:
    return "/placements", {"person_ref": await w.woman_in_training(), "course_ref": None, "sector": "manufaktur",
                           "formal": True, "monthly_wage_idr": 3_800_000, "placed_on": "2025-10-01"}


async def _fair(w: World) -> Prepared:
    return "/fairs", fair_body()


async def _booth(w: World) -> Prepared:
    return f"/fairs/{await w.fair()}/booths", {"business_ref": await w.business_in_market()}


async def _sheet(w: World) -> Prepared:
    fair, businesses = await w.fair(), [await w.business_in_market() for _ in range(2)]
    for business in businesses:
        await w.ok("marketplace", "POST", f"/fairs/{fair}/booths", {"business_ref": business}, opd="disperindag")
    return f"/fairs/{fair}/sales-sheet", {"rows": [
        {"business_ref": b, "amount_idr": 100_000 * (i + 1), "quantity": i + 1, "sold_on": "2025-08-16"}
        for i, b in enumerate(businesses)]}


async def _shared_booth(w: World) -> Prepared:
    return f"/fairs/{await w.fair()}/shared-booths", {
        "holder_kind": "outlet", "holder_label": "Gerai PEKKA Tenggarong",
        "business_refs": [await w.business_in_market(), await w.business_in_market()]}


async def _shared_booth_joined(w: World) -> Prepared:
    fair = await w.fair()
    booth = await w.ok("marketplace", "POST", f"/fairs/{fair}/shared-booths", {
        "holder_kind": "opd", "holder_opd": "dp3a", "business_refs": [await w.business_in_market()]},
        opd="disperindag")
    return (f"/fairs/{fair}/shared-booths/{booth['booth_no']}/businesses",
            {"business_refs": [await w.business_in_market()]})


async def _listing(w: World) -> Prepared:
    return "/listings", {"business_ref": await w.business_in_market(), "channel": "digital", "category": "makanan",
                         "price_idr": 45_000}


async def _delist(w: World) -> Prepared:
    listing = await w.ok("marketplace", "POST", "/listings", {
        "business_ref": await w.business_in_market(), "channel": "digital", "category": "makanan",
        "price_idr": 45_000}, opd="disperindag")
    return f"/listings/{listing['product_ref']}/delist", {"delisted_on": None}  # today


async def _sale(w: World) -> Prepared:
    return "/sales", {"business_ref": await w.business_in_market(), "channel": "digital", "amount_idr": 450_000,
                      "quantity": 3, "sold_on": "2025-09-01"}


async def _target(w: World) -> Prepared:
    return "/api/targets", {"year": 2025, "kecamatan_code": "64.02.06", "indicator": "women_registered",
                            "target_value": rng.randint(10, 500)}


async def _round(w: World) -> Prepared:
    return "/api/rounds", {"period_kind": "month", "period": "2025-05", "title": "Rapat koordinasi"}


async def _note(w: World) -> Prepared:
    return f"/api/rounds/{await w.round()}/notes/disperindag", {"progress_note": "Pameran Tenggarong terlaksana"}


async def _obstacle(w: World) -> Prepared:
    return f"/api/rounds/{await w.round()}/obstacles", {"opd": "disperindag", "category": "budget",
                                                        "severity": "high", "description": "Anggaran terlambat"}


async def _action(w: World) -> Prepared:
    return f"/api/rounds/{await w.round()}/actions", {"opd": "disperindag", "owner_opd": "disperindag",
                                                      "description": "Fasilitasi NIB", "due_on": "2025-05-31"}


async def _action_status(w: World) -> Prepared:
    round_ref = await w.round()
    action = await w.ok("monitoring", "POST", f"/api/rounds/{round_ref}/actions", {
        "opd": "disperindag", "owner_opd": "disperindag", "description": "Fasilitasi NIB", "due_on": "2025-05-31"},
        opd="disperindag")
    return f"/api/rounds/{round_ref}/actions/{action['action_ref']}", {"status": "done", "note": "120 NIB"}


async def _approve(w: World) -> Prepared:
    return f"/api/rounds/{await w.round()}/approve", None


CASES = [
    Case("registry", "POST", "/women", "dp3a", _women, ("registry.WomanRegistered",)),
    Case("registry", "PATCH", "/women/{person_ref}", "dp3a", _correct, ("registry.WomanProfileCorrected",), 200),
    Case("registry", "POST", "/women/{person_ref}/possible-duplicates/{other_ref}/dismiss", "dp3a", _dismiss, (),
         200),
    Case("registry", "POST", "/women/imports/{import_ref}/held/{row_no}", "dp3a", _held_row,
         ("registry.WomanRegistered",), 200),
    Case("registry", "DELETE", "/women/{person_ref}/personal-data", "dp3a", _erase, ("registry.PersonalDataErased",),
         200),
    Case("registry", "POST", "/merges", "dp3a", _merge, ("registry.WomenMerged",)),
    Case("registry", "POST", "/merges/{merge_ref}/undo", "dp3a", _unmerge, ("registry.WomenUnmerged",), 200),
    Case("registry", "POST", "/women/{person_ref}/welfare-assessments", "dp3a", _assess, ("registry.WelfareAssessed",)),
    Case("registry", "PUT", "/poverty-lines/{valid_from}", "dp3a", _poverty_line, (), 200),
    Case("registry", "POST", "/women/{person_ref}/aid", "dp3a", _aid, ("registry.AidProvided",)),
    Case("registry", "POST", "/aid/{aid_ref}/case-notes", "dp3a", _case_note, ()),
    Case("registry", "POST", "/businesses", "diskop_ukm", _business, ("registry.BusinessRegistered",)),
    Case("registry", "POST", "/businesses/{business_ref}/reports", "diskop_ukm", _report,
         ("registry.BusinessReported",)),
    Case("registry", "POST", "/coops", "diskop_ukm", _coop, ("registry.CoopFormed",)),
    Case("registry", "POST", "/coops/{coop_ref}/members", "diskop_ukm", _join, ("registry.CoopMemberJoined",)),
    Case("registry", "POST", "/coops/{coop_ref}/members/{person_ref}/leave", "diskop_ukm", _leave,
         ("registry.CoopMemberLeft",), 200),
    Case("registry", "POST", "/coops/{coop_ref}/annual-meetings", "diskop_ukm", _meeting,
         ("registry.CoopAnnualMeetingHeld",)),
    Case("registry", "POST", "/capital-disbursements", "diskop_ukm", _capital, ("registry.CapitalDisbursed",)),
    Case("training", "POST", "/courses", "distransnaker", _course, ("training.CourseScheduled",)),
    Case("training", "PUT", "/courses/{course_ref}/schedule", "distransnaker", _reschedule,
         ("training.CourseRescheduled",), 200),
    Case("training", "POST", "/courses/{course_ref}/enrolments", "distransnaker", _enrol,
         ("training.ParticipantEnrolled",)),
    Case("training", "POST", "/courses/{course_ref}/sessions/{session_no}/attendance", "distransnaker", _attend,
         ("training.AttendanceRecorded",), 200),
    Case("training", "POST", "/courses/{course_ref}/completions", "distransnaker", _complete,
         ("training.TrainingCompleted",)),
    Case("training", "POST", "/courses/{course_ref}/dropouts", "distransnaker", _drop, ("training.ParticipantDropped",)),
    Case("training", "POST", "/placements", "distransnaker", _place, ("training.JobPlaced",)),
    Case("marketplace", "POST", "/fairs", "disperindag", _fair, ("marketplace.TradeFairScheduled",)),
    # Booths and sales stage their v1 and v2 envelopes (marketplace_v2 is published beside v1).
    Case("marketplace", "POST", "/fairs/{fair_ref}/booths", "disperindag", _booth, ("marketplace.BoothAssigned",) * 2),
    Case("marketplace", "POST", "/fairs/{fair_ref}/shared-booths", "disperindag", _shared_booth,
         ("marketplace.BoothAssigned",) * 3),
    Case("marketplace", "POST", "/fairs/{fair_ref}/shared-booths/{booth_no}/businesses", "disperindag",
         _shared_booth_joined, ("marketplace.BoothAssigned",) * 2),
    Case("marketplace", "POST", "/fairs/{fair_ref}/sales-sheet", "disperindag", _sheet,
         ("marketplace.SaleRecorded",) * 4),
    Case("marketplace", "POST", "/listings", "disperindag", _listing, ("marketplace.ProductListed",)),
    Case("marketplace", "POST", "/listings/{product_ref}/delist", "disperindag", _delist,
         ("marketplace.ProductDelisted",), 200),
    Case("marketplace", "POST", "/sales", "disperindag", _sale, ("marketplace.SaleRecorded",) * 2),
    Case("monitoring", "PUT", "/api/targets", "dp3a", _target, (), 200),
    Case("monitoring", "POST", "/api/rounds", "dp3a", _round, ()),
    Case("monitoring", "PUT", "/api/rounds/{round_ref}/notes/{opd}", "disperindag", _note, (), 200),
    Case("monitoring", "POST", "/api/rounds/{round_ref}/obstacles", "disperindag", _obstacle, ()),
    Case("monitoring", "POST", "/api/rounds/{round_ref}/actions", "disperindag", _action, ()),
    Case("monitoring", "PUT", "/api/rounds/{round_ref}/actions/{action_ref}", "disperindag", _action_status, (),
         200),
    Case("monitoring", "POST", "/api/rounds/{round_ref}/approve", "dp3a", _approve, ("monitoring.EvaluationRoundApproved",),
         200),
]


async def _registered_nik(w: World) -> Prepared:
    body = woman_body(rng, kecamatan_code="64.02.06", desa_code=None)
    await w.ok("registry", "POST", "/women", body, opd="dp3a")
    return "/women", {**body, "full_name": "Nama Lain Sekali"}  # the NIK is registered already: 409


async def _enrolled_twice(w: World) -> Prepared:
    course, person = await w.enrolled()
    return f"/courses/{course}/enrolments", {"person_ref": person, "enrolled_on": "2025-03-04"}


REFUSALS = [
    Case("registry", "POST", "/women", "dp3a", _registered_nik, (), 409),
    Case("training", "POST", "/courses/{course_ref}/enrolments", "distransnaker", _enrolled_twice, (), 409),
]
