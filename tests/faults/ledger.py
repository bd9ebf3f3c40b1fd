"""The fault runs' load driver and ledger.

The load sends a steady stream of commands through the services' HTTP APIs, as OPD staff would: each woman is
registered, assessed, given a business, enrolled in a course and makes a sale. Every command carries a unique
Idempotency-Key and is retried (same key) on a dropped connection, a 5xx, or a replica that has not caught up yet —
what a client on a rural connection does. Every acknowledged command is written in the ledger with the ref the
service answered.

``check`` then compares, kind by kind: the acknowledged refs, the outbox rows of the producing service, the event ids
on Kafka, the events monitoring recorded in its inbox, and the rows in monitoring's projections; and the dead-letter
topics with the poison messages injected so far.
"""

import asyncio
import contextlib
import json
import random
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import httpx
from berdaya_contracts.topics import CONSUMERS, EVENT_TOPICS, dlq_topic, physical

from deploy.demo.driver import Driver
from deploy.demo.scenario import Woman, generate
from deploy.keycloak.tokens import ClientCredentials
from tests.support.kafka import read_all
from tests.support.platform import Platform


@dataclass(frozen=True)
class Kind:
    service: str
    event_type: str
    table: str
    ref_sql: str  # the projection row's identity, as text


KINDS: dict[str, Kind] = {
    "course": Kind("training", "training.CourseScheduled", "courses", "course_ref::text"),
    "woman": Kind("registry", "registry.WomanRegistered", "women", "person_ref::text"),
    "assessment": Kind("registry", "registry.WelfareAssessed", "assessments", "assessment_ref::text"),
    "business": Kind("registry", "registry.BusinessRegistered", "businesses", "business_ref::text"),
    "enrolment": Kind("training", "training.ParticipantEnrolled", "enrolments",
                      "course_ref::text || '/' || person_ref::text"),
    "sale": Kind("marketplace", "marketplace.SaleRecorded", "sales", "sale_ref::text"),
}
REF_FIELD = {"woman": "person_ref"}  # the answer's field holding the ref, when not "<kind>_ref"
COURSE = {"organizer_opd": "distransnaker", "field": "industri_kreatif", "kecamatan_code": "64.02.03",
          "title": "Pelatihan Menjahit Uji Ketahanan", "starts_on": "2025-02-01", "ends_on": "2025-03-01",
          "sessions": 4, "capacity": 10_000}
SECTORS = ("kuliner", "kerajinan", "fesyen", "pertanian", "jasa")


@dataclass
class Ledger:
    """Every acknowledged command, by kind: ref → Rupiah (sales) or 0."""

    acked: dict[str, dict[str, int]] = field(default_factory=lambda: defaultdict(dict))
    poison: dict[str, list[bytes]] = field(default_factory=lambda: defaultdict(list))  # dlq topic → values

    def count(self) -> int:
        return sum(len(v) for v in self.acked.values())

    def snapshot(self) -> dict[str, set[str]]:
        return {kind: set(refs) for kind, refs in self.acked.items()}


class Load:
    """Open-loop load: a new woman's journey starts every ``1 / journeys_per_s`` seconds while ``running``."""

    def __init__(self, platform: Platform, ledger: Ledger, headers: ClientCredentials, *, seed: int,
                 women: int = 2000, deadline_s: float = 300.0) -> None:
        self.platform = platform
        self.ledger = ledger
        # The demo's driver: retried with the same key on a dropped connection, a 5xx or a lagging replica; its
        # tokens come from the realm's machine clients (client-credentials grant), like any outside client's.
        self.driver = Driver(platform.endpoints, namespace="fault", concurrency=64, headers=headers,
                             replica_wait_s=deadline_s)
        self._women = iter(generate(women, seed=seed).women)
        self._rng = random.Random(seed)
        self.course_ref: str | None = None

    async def close(self) -> None:
        await self.driver.close()

    async def post(self, service: str, path: str, body: dict[str, Any], *, opd: str, kind: str,
                   ref: str | None = None, replica: bool = False) -> dict[str, Any]:
        answer = await self.driver.post(self.platform.url(service), path, body, key=str(uuid.uuid4()), opd=opd,
                                        wait_for_replica=replica)
        self.ledger.acked[kind][ref or answer[REF_FIELD.get(kind, f"{kind}_ref")]] = int(body.get("amount_idr", 0))
        return answer

    async def schedule_course(self) -> None:
        answer = await self.post("training", "/courses", COURSE, opd="distransnaker", kind="course")
        self.course_ref = answer["course_ref"]

    def registration(self, w: Woman | None = None) -> dict[str, Any]:
        """The registration form of the next woman of the scenario (or of ``w``)."""
        w = w or next(self._women)
        return {"nik": w.nik, "full_name": w.full_name, "birth_date": w.birth_date.isoformat(),
                "kecamatan_code": w.kecamatan_code, "desa_code": w.desa_code, "household_size": w.household_size,
                "pekka_category": w.pekka_category, "registered_on": w.registered_on.isoformat()}

    async def journey(self, w: Woman) -> None:
        woman = await self.post("registry", "/women", self.registration(w), opd="dp3a", kind="woman")
        ref = woman["person_ref"]
        await self.post("registry", f"/women/{ref}/welfare-assessments", {
            "assessed_on": w.registered_on.isoformat(), "household_size": w.household_size,
            "monthly_household_income_idr": w.baseline_income}, opd="dp3a", kind="assessment")
        sector = self._rng.choice(SECTORS)
        business = await self.post("registry", "/businesses", {
            "owner_person_ref": ref, "name": f"Usaha {sector.title()} {w.full_name.split()[0]}", "sector": sector,
            "kecamatan_code": w.kecamatan_code, "nib": None, "has_pirt": False, "has_halal": False,
            "started_on": "2025-01-10", "registered_on": "2025-01-15"}, opd="diskop_ukm", kind="business")
        await self.post("training", f"/courses/{self.course_ref}/enrolments", {
            "person_ref": ref, "enrolled_on": "2025-02-01"}, opd="distransnaker", kind="enrolment",
            ref=f"{self.course_ref}/{ref}", replica=True)
        await self.post("marketplace", "/sales", {
            "business_ref": business["business_ref"], "channel": "digital",
            "amount_idr": self._rng.randrange(50, 500) * 1000, "quantity": self._rng.randint(1, 9),
            "sold_on": "2025-04-02"}, opd="disperindag", kind="sale", replica=True)

    async def run(self, stop: asyncio.Event, journeys_per_s: float = 4.0, in_flight: int = 32) -> int:
        """Start journeys until ``stop`` is set (at most ``in_flight`` at once: staff wait for a stuck form
        before starting the next), then wait for every one of them to be acknowledged."""
        if self.course_ref is None:
            await self.schedule_course()
        slots = asyncio.Semaphore(in_flight)
        tasks = []

        async def journey(w: Woman) -> None:
            try:
                await self.journey(w)
            finally:
                slots.release()

        while not stop.is_set():
            await slots.acquire()
            tasks.append(asyncio.create_task(journey(next(self._women))))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 1 / journeys_per_s)
        await asyncio.gather(*tasks)
        return len(tasks)


async def _rows(url: str, sql: str, *args: Any) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(url)
    try:
        return await conn.fetch(sql, *args)
    finally:
        await conn.close()


async def projected(platform: Platform) -> dict[str, set[str]]:
    """Monitoring's projection rows, by kind."""
    out = {}
    for kind, spec in KINDS.items():
        rows = await _rows(platform.databases["monitoring"], f"SELECT {spec.ref_sql} AS ref FROM proj.{spec.table}")
        out[kind] = {r["ref"] for r in rows}
    return out


async def caught_up(platform: Platform, snapshot: dict[str, set[str]]) -> bool:
    now = await projected(platform)
    return all(refs <= now.get(kind, set()) for kind, refs in snapshot.items())


async def diagnose(platform: Platform, snapshot: dict[str, set[str]]) -> str:
    """Why monitoring has not caught up: what is missing, and where each service's outbox stands."""
    now = await projected(platform)
    lines = [f"{kind}: {len(refs - now.get(kind, set()))} of {len(refs)} acknowledged not in monitoring"
             for kind, refs in snapshot.items()]
    for service in ("registry", "training", "marketplace", "monitoring"):
        rows = await _rows(platform.databases[service], "SELECT count(*) FILTER (WHERE published_at IS NULL) AS "
                           "backlog, count(*) AS total FROM outbox")
        inbox = await _rows(platform.databases[service], "SELECT count(*) AS n FROM inbox")
        lines.append(f"{service}: outbox {rows[0]['total']} rows, {rows[0]['backlog']} unpublished; "
                     f"inbox {inbox[0]['n']}; log: ...{platform.log_tail(service, 8)[-1500:]}")
    return "\n".join(lines)


@dataclass
class Check:
    acknowledged: int
    lost: int
    applied_twice: int
    redelivered: int
    dead_lettered: int
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


async def check(platform: Platform, bootstrap: str, ledger: Ledger, server_errors: list[str],
                headers: ClientCredentials) -> Check:
    problems: list[str] = []
    lost = twice = 0
    acked = ledger.snapshot()

    outbox: dict[str, set[str]] = {}
    outbox_rows: Counter[str] = Counter()
    for service in {k.service for k in KINDS.values()}:
        for r in await _rows(platform.databases[service], "SELECT event_type, event_id::text AS id FROM outbox"):
            outbox.setdefault(r["event_type"], set()).add(r["id"])
            outbox_rows[r["event_type"]] += 1

    on_kafka: dict[str, set[str]] = defaultdict(set)
    copies = 0
    injected = {value for values in ledger.poison.values() for value in values}
    for topic in EVENT_TOPICS:
        for record in await read_all(bootstrap, physical(topic, platform.namespace), idle_s=0.5, timeout_s=60):
            if record.value in injected:
                continue  # poison injected on purpose; the dead-letter check accounts for it
            try:
                event = json.loads(record.value)
                on_kafka[event["event_type"]].add(event["event_id"])
                copies += 1
            except (ValueError, TypeError, KeyError):
                problems.append(f"{topic}: a record no producer of ours wrote: {record.value[:80]!r}")

    inbox: dict[str, set[str]] = defaultdict(set)
    for r in await _rows(platform.databases["monitoring"],
                         "SELECT event_type, event_id::text AS id FROM inbox WHERE consumer = 'monitoring'"):
        inbox[r["event_type"]].add(r["id"])

    now = await projected(platform)
    for kind, spec in KINDS.items():
        want = acked.get(kind, set())
        ids = outbox.get(spec.event_type, set())
        if outbox_rows[spec.event_type] != len(want):
            problems.append(f"{kind}: {len(want)} acknowledged but {outbox_rows[spec.event_type]} outbox rows")
            lost += max(0, len(want) - outbox_rows[spec.event_type])
            twice += max(0, outbox_rows[spec.event_type] - len(want))
        if missing := ids - on_kafka[spec.event_type]:
            problems.append(f"{kind}: {len(missing)} outbox events never reached Kafka")
            lost += len(missing)
        if ids != inbox[spec.event_type] & ids or on_kafka[spec.event_type] - ids:
            problems.append(f"{kind}: monitoring's inbox or Kafka differ from the outbox")
        if missing := want - now[kind]:
            problems.append(f"{kind}: {len(missing)} acknowledged commands missing from monitoring")
            lost += len(missing)
        if extra := now[kind] - want:
            problems.append(f"{kind}: {len(extra)} rows in monitoring no acknowledged command explains")
            twice += len(extra)

    # What a dashboard user sees: the public figures equal the acknowledged commands.
    figures = await public_figures(platform, headers)
    expected = {"women_registered": len(acked.get("woman", ())), "enrolments": len(acked.get("enrolment", ())),
                "sales_total_idr": sum(ledger.acked["sale"].values())}
    for name, value in expected.items():
        if figures[name] != value:
            problems.append(f"dashboard {name} = {figures[name]}, acknowledged commands give {value}")
            twice += int(figures[name] or 0) > value

    dead = 0
    for consumer in CONSUMERS:
        topic = physical(dlq_topic(consumer), platform.namespace)
        values = sorted(r.value for r in await read_all(bootstrap, topic, idle_s=0.3))
        dead += len(values)
        if values != sorted(ledger.poison.get(topic, [])):
            problems.append(f"{topic}: {len(values)} messages, expected exactly the "
                            f"{len(ledger.poison.get(topic, []))} poison messages")
    if server_errors:
        problems.append(f"{len(server_errors)} server errors (not 503), first: {server_errors[0]}")
    redelivered = copies - sum(len(v) for v in on_kafka.values())
    return Check(ledger.count(), lost, twice, redelivered, dead, problems)


async def public_figures(platform: Platform, headers: ClientCredentials) -> dict[str, float | None]:
    """The exact figures (the evaluation team's face: the public's are released at a fixed cadence)."""
    async with httpx.AsyncClient(base_url=platform.endpoints.monitoring, timeout=30,
                                 headers=headers["dp3a_evaluation"]) as client:
        response = await client.get("/api/indicators", params=[
            ("indicator", "women_registered"), ("indicator", "enrolments"), ("indicator", "sales_total_idr")])
        response.raise_for_status()
    return {i["indicator"]: i["cells"][0]["value"] for i in response.json()["indicators"]}


@dataclass
class Row:
    """One line of the fault table."""

    fault: str
    acknowledged: int
    lost: int
    applied_twice: int
    redelivered: int
    dead_lettered: int
    recovered_s: float
    client_retries: int
    problems: list[str]
    first_2xx_s: float | None = None  # a killed service: from its restart to its first successful command


RESULTS: list[Row] = []
SUMMARIES: list[str] = []  # one line per service from the schemathesis runs (tests/faults/test_bad_input.py)
