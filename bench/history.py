"""Realistic event histories of the program in Kukar, at any size, written to a benchmark's namespaced topics.

The shapes follow the demo scenario (deploy/demo/scenario.py): each woman is registered with a baseline
welfare assessment, many get a follow-up; some are trained (enrolment, attendance per session, completion or
drop-out, a job placement after Distransnaker courses); some register a business with monthly reports,
listings, booths and sales; cooperatives form and hold their RAT; capital and aid are given. Every message
is a real v1 envelope built with ``new_envelope`` and keyed by its aggregate, exactly as the services publish.

Generation is CPU-bound (pydantic models and JSON), so a large history is made by several processes, each
writing its own slice of women straight to Kafka.
"""

import asyncio
import multiprocessing
import random
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

from aiokafka import AIOKafkaProducer
from berdaya_contracts import Envelope, lookup, new_envelope
from berdaya_contracts import marketplace_v1 as m
from berdaya_contracts import registry_v1 as r
from berdaya_contracts import training_v1 as t
from berdaya_contracts.common import Payload
from berdaya_contracts.topics import physical
from berdaya_shared.messaging import MessagingSettings, kafka_client_kwargs

from deploy.demo.scenario import (
    GK_2024,
    POPULATION_WEIGHT,
    PRODUCT_CATEGORIES,
    SECTORS,
    TRAINING_FIELDS_DISTRANSNAKER,
    TRAINING_FIELDS_DP3A,
    _desa_codes,
)

KEC = list(POPULATION_WEIGHT)
KEC_WEIGHTS = [POPULATION_WEIGHT[k] for k in KEC]
AGE_BANDS = ["18-24", "25-34", "35-44", "45-54", "55-64", "65+"]
AGE_WEIGHTS = [10, 25, 28, 20, 11, 6]
START = date(2024, 1, 8)


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 2, 0, tzinfo=UTC)


def _month(day: date, months: int = 0) -> str:
    index = day.year * 12 + day.month - 1 + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


class History:
    """A generator of one slice of the history; ``seed`` makes it reproducible."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.desa = _desa_codes()
        self.open_course: dict[str, tuple[t.CourseScheduled, int]] = {}  # kecamatan -> (course, places left)
        self.fairs: list[uuid.UUID] = []
        self.coop_queue: dict[str, list[uuid.UUID]] = {}
        self.coops: list[tuple[uuid.UUID, date]] = []
        self.n = 0

    def _uuid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def _env(self, payload: Payload, day: date) -> Envelope:
        return new_envelope(payload, correlation_id=f"bench-{self.n}", occurred_at=_at(day))

    def events(self) -> Iterator[Envelope]:
        """An endless stream of envelopes, woman after woman (the caller stops it)."""
        rng = self.rng
        while True:
            self.n += 1
            if not self.fairs or rng.random() < 0.0005:
                fair_day = START + timedelta(days=rng.randint(120, 600))
                fair = m.TradeFairScheduled(fair_ref=self._uuid(), name=f"Pameran Produk Perempuan {self.n}",
                                            kecamatan_code=rng.choices(KEC, KEC_WEIGHTS)[0], starts_on=fair_day,
                                            ends_on=fair_day + timedelta(days=3), booths=200)
                self.fairs.append(fair.fair_ref)
                yield self._env(fair, fair_day - timedelta(days=30))
            yield from self._woman()

    def _woman(self) -> Iterator[Envelope]:
        rng = self.rng
        ref = self._uuid()
        kec = rng.choices(KEC, KEC_WEIGHTS)[0]
        registered = START + timedelta(days=rng.randint(0, 540))
        household = rng.choice([1, 2, 3, 3, 4, 4, 4, 5, 5, 6, 7])
        yield self._env(r.WomanRegistered(
            person_ref=ref, kecamatan_code=kec, desa_code=rng.choice(self.desa[kec]),
            age_band=rng.choices(AGE_BANDS, AGE_WEIGHTS)[0],
            pekka_category=rng.choices(["none", "productive", "child_marriage_risk", "elderly"], [60, 25, 5, 10])[0],
            household_size=household, registered_by_opd=rng.choice(["dp3a", "dp3a", "dp3a", "diskop_ukm"]),
            registered_on=registered), registered)
        per_capita = int(GK_2024 * rng.uniform(0.45, 1.8))
        yield self._welfare(ref, registered, household, per_capita * household, baseline=True)
        if rng.random() < 0.7:
            later = registered + timedelta(days=rng.randint(150, 330))
            yield self._welfare(ref, later, household, int(per_capita * household * rng.uniform(0.9, 1.9)),
                                baseline=False)
        if rng.random() < 0.04:
            yield self._env(r.AidProvided(aid_ref=self._uuid(), person_ref=ref,
                                          kind=rng.choice(["legal_assistance", "social_aid", "counselling", "shelter"]),
                                          provider_opd="dp3a", provided_on=registered + timedelta(days=20)),
                            registered + timedelta(days=20))
        completed_on = None
        if rng.random() < 0.45:
            completed_on = yield from self._training(ref, kec, registered)
        if rng.random() < (0.45 if completed_on else 0.2):
            yield from self._business(ref, kec, completed_on or registered)
        queue = self.coop_queue.setdefault(kec, [])
        queue.append(ref)
        if len(queue) >= 30:  # about a third of the women join a cooperative
            yield from self._coop(kec, queue[-12:], registered)
            queue.clear()
        elif self.coops and rng.random() < 0.03:
            coop_ref, formed = rng.choice(self.coops)
            yield self._env(r.CoopMemberJoined(coop_ref=coop_ref, person_ref=ref, joined_on=max(formed, registered)),
                            max(formed, registered))

    def _welfare(self, ref: uuid.UUID, on: date, household: int, income: int, *, baseline: bool) -> Envelope:
        per_capita = income // household
        return self._env(r.WelfareAssessed(
            assessment_ref=self._uuid(), person_ref=ref, assessed_on=on, household_size=household,
            monthly_household_income_idr=income, per_capita_income_idr=per_capita, poverty_line_idr=GK_2024,
            below_poverty_line=per_capita < GK_2024, is_baseline=baseline), on)

    def _training(self, ref: uuid.UUID, kec: str, registered: date) -> Iterator[Envelope]:
        rng = self.rng
        course, left = self.open_course.get(kec, (None, 0))
        if course is None or left <= 0 or course.starts_on < registered:
            dp3a = rng.random() < 0.67
            starts = registered + timedelta(days=rng.randint(7, 40))
            sessions = rng.choice([4, 6, 8])
            course = t.CourseScheduled(
                course_ref=self._uuid(), organizer_opd="dp3a" if dp3a else "distransnaker",
                field=rng.choice(TRAINING_FIELDS_DP3A if dp3a else TRAINING_FIELDS_DISTRANSNAKER),
                kecamatan_code=kec, starts_on=starts, ends_on=starts + timedelta(days=sessions * 2),
                sessions=sessions, capacity=rng.choice([20, 25, 30]))
            left = course.capacity
            yield self._env(course, registered)
        self.open_course[kec] = (course, left - 1)
        c = course.course_ref
        yield self._env(t.ParticipantEnrolled(course_ref=c, person_ref=ref, enrolled_on=registered), registered)
        dropped = rng.random() < 0.12
        last = course.sessions // 2 if dropped else course.sessions
        present = 0
        for session in range(1, last + 1):
            here = rng.random() < (0.6 if dropped else 0.93)
            present += here
            yield self._env(t.AttendanceRecorded(course_ref=c, person_ref=ref, session_no=session, present=here),
                            course.starts_on + timedelta(days=2 * session))
        if dropped:
            yield self._env(t.ParticipantDropped(course_ref=c, person_ref=ref, dropped_on=course.ends_on,
                                                 reason=rng.choice(["pekerjaan", "keluarga", "kesehatan", "biaya"])),
                            course.ends_on)
            return None
        yield self._env(t.TrainingCompleted(course_ref=c, person_ref=ref, completed_on=course.ends_on,
                                            attendance_rate=round(present / course.sessions, 3),
                                            certified=present / course.sessions >= 0.75), course.ends_on)
        if course.organizer_opd == "distransnaker" and rng.random() < 0.5:
            placed = course.ends_on + timedelta(days=rng.randint(14, 90))
            yield self._env(t.JobPlaced(placement_ref=self._uuid(), person_ref=ref, course_ref=c,
                                        sector=rng.choice(["manufaktur", "jasa", "perdagangan", "pertambangan"]),
                                        formal=rng.random() < 0.7, monthly_wage_idr=rng.randint(30, 55) * 100_000,
                                        placed_on=placed), placed)
        return course.ends_on

    def _business(self, owner: uuid.UUID, kec: str, after: date) -> Iterator[Envelope]:
        rng = self.rng
        b = self._uuid()
        sector = rng.choice(SECTORS)
        started = after + timedelta(days=rng.choice([20, 45, 90, 150, 240]))
        nib, pirt, halal = rng.random() < 0.5, sector == "kuliner" and rng.random() < 0.6, \
            sector == "kuliner" and rng.random() < 0.3
        yield self._env(r.BusinessRegistered(business_ref=b, owner_person_ref=owner, sector=sector, kecamatan_code=kec,
                                             has_nib=nib, has_pirt=pirt, has_halal=halal, started_on=started,
                                             registered_on=started + timedelta(days=3)), started + timedelta(days=3))
        revenue = rng.randint(8, 60) * 100_000
        for months, factor in ((1, 1.0), (4, rng.uniform(0.8, 1.6))):
            yield self._env(r.BusinessReported(business_ref=b, owner_person_ref=owner, period=_month(started, months),
                                               monthly_revenue_idr=int(revenue * factor), workers=rng.randint(1, 3),
                                               has_nib=nib, has_pirt=pirt, has_halal=halal),
                            started + timedelta(days=31 * months))
        if rng.random() < 0.5:
            channel = rng.choice(["trade_fair", "modern_retail", "digital"])
            listed = started + timedelta(days=30)
            yield self._env(m.ProductListed(product_ref=self._uuid(), business_ref=b, owner_person_ref=owner,
                                            channel=channel, category=rng.choice(PRODUCT_CATEGORIES[sector]),
                                            price_idr=rng.randint(2, 50) * 5_000, listed_on=listed), listed)
            fair = None
            if channel == "trade_fair":
                fair = rng.choice(self.fairs)
                yield self._env(m.BoothAssigned(fair_ref=fair, business_ref=b, owner_person_ref=owner,
                                                booth_no=rng.randint(1, 200)), listed)
            for _ in range(rng.randint(1, 3)):
                sold = listed + timedelta(days=rng.randint(1, 120))
                yield self._env(m.SaleRecorded(sale_ref=self._uuid(), business_ref=b, owner_person_ref=owner,
                                               channel=channel, fair_ref=fair, amount_idr=rng.randint(2, 40) * 25_000,
                                               quantity=rng.randint(1, 30), sold_on=sold), sold)
        if rng.random() < 0.2:
            yield self._env(r.CapitalDisbursed(disbursement_ref=self._uuid(), recipient_type="business",
                                               recipient_ref=b, source=rng.choice(["kur", "dp3a_grant", "diskop_grant"]),
                                               amount_idr=rng.randint(2, 20) * 1_000_000,
                                               disbursed_on=started + timedelta(days=60)), started + timedelta(days=60))

    def _coop(self, kec: str, members: list[uuid.UUID], on: date) -> Iterator[Envelope]:
        rng = self.rng
        coop = self._uuid()
        formed = on + timedelta(days=10)
        self.coops.append((coop, formed))
        yield self._env(r.CoopFormed(coop_ref=coop, kecamatan_code=kec, kind=rng.choice(["simpan_pinjam", "produsen",
                                     "serba_usaha"]), founding_member_refs=members[:5], formed_on=formed,
                                     has_legal_entity=rng.random() < 0.6), formed)
        for member in members[5:]:
            yield self._env(r.CoopMemberJoined(coop_ref=coop, person_ref=member, joined_on=formed + timedelta(days=5)),
                            formed + timedelta(days=5))
        if rng.random() < 0.6:
            held = date(formed.year + 1, 3, 15)
            yield self._env(r.CoopAnnualMeetingHeld(coop_ref=coop, fiscal_year=formed.year, held_on=held), held)
        if rng.random() < 0.5:
            yield self._env(r.CapitalDisbursed(disbursement_ref=self._uuid(), recipient_type="coop", recipient_ref=coop,
                                               source="coop_loan", amount_idr=rng.randint(10, 100) * 1_000_000,
                                               disbursed_on=formed + timedelta(days=40)), formed + timedelta(days=40))


def sample(count: int, seed: int = 1) -> list[Envelope]:
    """The first ``count`` envelopes of a slice (for checks and small runs)."""
    out = []
    for envelope in History(seed).events():
        out.append(envelope)
        if len(out) >= count:
            return out
    return out


async def _produce_slice(count: int, seed: int, namespace: str, bootstrap: str) -> dict[str, int]:
    # The connection's security comes from the environment the benchmark set up (bench/env.py).
    connect = kafka_client_kwargs(MessagingSettings(kafka_bootstrap_servers=bootstrap))
    producer = AIOKafkaProducer(**connect, enable_idempotence=True, linger_ms=20,
                                max_batch_size=512 * 1024, max_request_size=4 * 1024 * 1024)
    await producer.start()
    topics: Counter[str] = Counter()
    try:
        pending = []
        for i, envelope in enumerate(History(seed).events()):
            if i >= count:
                break
            topic = physical(lookup(envelope.event_type, envelope.event_version).topic, namespace)
            topics[topic] += 1
            pending.append(await producer.send(topic, envelope.to_bytes(), key=envelope.aggregate_id.encode()))
            if len(pending) >= 20_000:
                await asyncio.gather(*pending)
                pending.clear()
        await asyncio.gather(*pending)
    finally:
        await producer.stop()
    return dict(topics)


def _worker(args: tuple[int, int, str, str]) -> dict[str, int]:
    return asyncio.run(_produce_slice(*args))


def preload(total: int, namespace: str, bootstrap: str, *, workers: int = 2, seed: int = 20251) -> dict[str, object]:
    """Write ``total`` events to the namespace's three event topics; returns counts per topic and timings."""
    started = time.perf_counter()
    shares = [total // workers + (1 if i < total % workers else 0) for i in range(workers)]
    jobs = [(share, seed + i, namespace, bootstrap) for i, share in enumerate(shares) if share]
    with multiprocessing.get_context("spawn").Pool(len(jobs)) as pool:
        results = pool.map(_worker, jobs)
    per_topic: Counter[str] = Counter()
    for result in results:
        per_topic.update(result)
    elapsed = time.perf_counter() - started
    return {"events": sum(per_topic.values()), "per_topic": dict(per_topic), "seconds": round(elapsed, 2),
            "events_per_s": round(sum(per_topic.values()) / elapsed)}
