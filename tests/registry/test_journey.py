"""The registry reads training.events and marketplace.events (the real training service, marketplace events as
published) into each woman's journey, exactly once; a trainer's browser reads her participants' names — only for
her own OPD's courses, each read logged with the trainer and the purpose; CORS only for the configured origins."""

import random
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date
from uuid import UUID, uuid4

import asyncpg
import httpx
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
from registry.bootstrap import create_app as create_registry
from registry.config import Settings as RegistrySettings
from training.bootstrap import create_app as create_training

from tests.registry.helpers import woman_body
from tests.support import infra
from tests.support.auth import AllScopes, bearer
from tests.support.kafka import client_kwargs, unique, wait_for
from tests.training.conftest import settings_for
from tests.training.flows import attend, enrol_when_arrived, schedule

TRAINING_ORIGIN = "http://127.0.0.1:8002"
TRAINER_AUDIENCE = "berdaya-training"  # the token a trainer signed in with on the training pages


@dataclass
class Pair:
    registry: httpx.AsyncClient
    training: httpx.AsyncClient
    registry_db: str
    market: AIOKafkaProducer
    namespace: str


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def pair(kafka_bootstrap: str, database_server_url: str) -> AsyncIterator[Pair]:
    namespace = unique("jrn").lower()
    admin = AIOKafkaAdminClient(**client_kwargs(kafka_bootstrap))
    await admin.start()
    try:
        await admin.create_topics(
            [NewTopic(physical(t, namespace), EVENT_TOPIC_PARTITIONS, 1)
             for t in (REGISTRY_EVENTS, TRAINING_EVENTS, MARKETPLACE_EVENTS)]
            + [NewTopic(physical(dlq_topic(c), namespace), 1, 1) for c in ("registry", "training")])
    finally:
        await admin.close()
    reg_url = await infra.create_database(database_server_url, prefix="reg")
    trn_url = await infra.create_database(database_server_url, prefix="trn")
    reg_settings = RegistrySettings(database_url=reg_url, messaging=MessagingSettings(
        kafka_bootstrap_servers=kafka_bootstrap, topic_namespace=namespace, relay_poll_interval_s=0.2,
        consumer_batch_timeout_ms=50))
    registry = create_registry(reg_settings, group_id=unique("g"),
                               ui=UiSettings(service_urls={"registry": "http://127.0.0.1:8001",
                                                           "training": TRAINING_ORIGIN}))
    training = create_training(settings_for(kafka_bootstrap, namespace, trn_url), group_id=unique("g"))
    market = AIOKafkaProducer(**client_kwargs(kafka_bootstrap), enable_idempotence=True)
    await market.start()
    try:
        async with registry.state.runtime.lifespan(), training.state.runtime.lifespan():
            async with (
                httpx.AsyncClient(transport=httpx.ASGITransport(app=registry), base_url="http://r", timeout=60,
                                  auth=AllScopes()) as r,
                httpx.AsyncClient(transport=httpx.ASGITransport(app=training), base_url="http://t", timeout=60,
                                  auth=AllScopes("distransnaker")) as t,  # a Distransnaker course
            ):
                yield Pair(r, t, reg_url, market, namespace)
    finally:
        await market.stop()
        await infra.drop_database(database_server_url, reg_url)
        await infra.drop_database(database_server_url, trn_url)


async def register(pair: Pair, name: str) -> str:
    body = woman_body(random.Random(), kecamatan_code="64.02.06", desa_code="64.02.06.1001")
    body["full_name"] = name
    answer = await pair.registry.post("/women", json=body, headers={"X-OPD": "dp3a"})
    assert answer.status_code == 201, answer.text
    return str(answer.json()["person_ref"])


async def journey_when(pair: Pair, ref: str, ready: object) -> dict:
    async def attempt() -> dict | None:
        answer = await pair.registry.get(f"/women/{ref}/journey")
        assert answer.status_code == 200, answer.text
        body = answer.json()
        return body if ready(body) else None  # type: ignore[operator]

    return await wait_for(attempt, timeout_s=60)


def trainer(opd: str) -> dict[str, str]:
    return {**bearer(opd=opd, scopes={"courses:write", "trainee_names:read"}, audience=TRAINER_AUDIENCE,
                     client_id=f"{opd}.pelatih"),
            "X-Purpose": "absensi pelatihan"}


async def test_courses_placements_and_market_activity_reach_her_journey_once(pair: Pair) -> None:
    siti = await register(pair, "Siti Aminah")
    nur = await register(pair, "Nur Hasanah")
    course = await schedule(pair.training, organizer_opd="distransnaker", sessions=1)
    ref = course["course_ref"]
    for woman in (siti, nur):
        await enrol_when_arrived(pair.training, ref, UUID(woman))
    assert (await attend(pair.training, ref, 1, {UUID(siti): True, UUID(nur): False},
                         headers={"X-OPD": "distransnaker"})).status_code == 200
    done = await pair.training.post(f"/courses/{ref}/completions", headers={"X-OPD": "distransnaker"},
                                    json={"person_ref": siti, "completed_on": "2025-03-14"})
    assert done.status_code == 201, done.text
    dropped = await pair.training.post(f"/courses/{ref}/dropouts", headers={"X-OPD": "distransnaker"},
                                       json={"person_ref": nur, "dropped_on": "2025-03-05", "reason": "keluarga"})
    assert dropped.status_code == 201, dropped.text
    placed = await pair.training.post("/placements", headers={"X-OPD": "distransnaker"}, json={
        "person_ref": siti, "course_ref": ref, "sector": "kuliner", "formal": True, "monthly_wage_idr": 3_500_000,
        "placed_on": "2025-04-01"})
    assert placed.status_code == 201, placed.text

    business, fair = uuid4(), uuid4()
    topic = physical(MARKETPLACE_EVENTS, pair.namespace)
    sale = new_envelope(m.SaleRecorded(sale_ref=uuid4(), business_ref=business, owner_person_ref=UUID(siti),
                                       channel="trade_fair", fair_ref=fair, amount_idr=150_000, quantity=3,
                                       sold_on=date(2025, 5, 2)), correlation_id="c")
    booth = new_envelope(m.BoothAssigned(fair_ref=fair, business_ref=business, owner_person_ref=UUID(siti),
                                         booth_no=7), correlation_id="c")
    for envelope in (booth, sale, sale):  # the sale delivered twice: applied once
        await pair.market.send_and_wait(topic, envelope.to_bytes(), key=envelope.aggregate_id.encode())

    mine = await journey_when(pair, siti, lambda j: j["sales"] and j["placements"] and j["courses"]
                              and j["courses"][0]["status"] == "completed")
    assert mine["courses"][0]["organizer_opd"] == "distransnaker"
    assert mine["courses"][0]["certified"] is True and mine["courses"][0]["attendance_rate"] == 1.0
    assert mine["placements"][0]["monthly_wage_idr"] == 3_500_000
    assert (mine["booths"], mine["sales"], mine["sales_idr"]) == (1, 1, 150_000)
    hers = await journey_when(pair, nur, lambda j: j["courses"] and j["courses"][0]["status"] == "dropped")
    assert hers["courses"][0]["drop_reason"] == "keluarga" and hers["sales"] == 0


async def test_a_trainer_reads_only_her_own_opds_participants_and_each_read_is_logged(pair: Pair) -> None:
    enrolled = await register(pair, "Rahmawati Nur'aini")
    outsider = await register(pair, "Halimah")
    course = await schedule(pair.training, organizer_opd="distransnaker", sessions=2)
    await enrol_when_arrived(pair.training, course["course_ref"], UUID(enrolled))
    await journey_when(pair, enrolled, lambda j: j["courses"] and j["courses"][0]["organizer_opd"])

    body = {"person_refs": [enrolled, outsider, str(uuid4())]}
    answer = await pair.registry.post("/women/names", json=body, headers=trainer("distransnaker"))
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"items": [{"person_ref": enrolled, "full_name": "Rahmawati Nur'aini"}]}

    other_opd = await pair.registry.post("/women/names", json=body, headers=trainer("dp3a"))
    assert other_opd.status_code == 200 and other_opd.json() == {"items": []}
    no_scope = await pair.registry.post("/women/names", json=body, headers={
        **bearer("disperindag", audience=TRAINER_AUDIENCE), "X-Purpose": "absensi pelatihan"})
    assert no_scope.status_code == 403
    no_purpose = await pair.registry.post("/women/names", json=body, headers=bearer(
        "distransnaker", audience=TRAINER_AUDIENCE))
    assert no_purpose.status_code == 400 and no_purpose.json()["kesalahan"][0]["field"] == "X-Purpose"
    wrong_audience = await pair.registry.post("/women/names", json=body, headers={
        **bearer("distransnaker", audience="berdaya-marketplace"), "X-Purpose": "absensi"})
    assert wrong_audience.status_code == 401

    conn = await asyncpg.connect(pair.registry_db)
    try:
        logged = await conn.fetch("SELECT client_id, opd, person_ref::text AS ref, what, purpose FROM pii_access_log"
                                  " WHERE what = 'POST /women/names'")
    finally:
        await conn.close()
    assert [dict(r) for r in logged] == [{"client_id": "distransnaker.pelatih", "opd": "distransnaker",
                                          "ref": enrolled, "what": "POST /women/names",
                                          "purpose": "absensi pelatihan"}]


async def test_a_rescheduled_course_shows_its_new_dates_in_her_journey(pair: Pair) -> None:
    sri = await register(pair, "Sri Rahayu")
    course = await schedule(pair.training, organizer_opd="distransnaker", sessions=1, starts_on="2026-12-07",
                            ends_on="2026-12-18")
    ref = course["course_ref"]
    await enrol_when_arrived(pair.training, ref, UUID(sri), enrolled_on="2026-12-07")
    await journey_when(pair, sri, lambda j: j["courses"] and j["courses"][0]["starts_on"] == "2026-12-07")
    moved = await pair.training.put(f"/courses/{ref}/schedule", headers={"X-OPD": "distransnaker"},
                                    json={"starts_on": "2027-01-04", "ends_on": "2027-01-15", "capacity": 10})
    assert moved.status_code == 200, moved.text
    hers = await journey_when(pair, sri, lambda j: j["courses"][0]["starts_on"] == "2027-01-04")
    assert hers["courses"][0]["ends_on"] == "2027-01-15" and hers["courses"][0]["status"] == "enrolled"
    conn = await asyncpg.connect(pair.registry_db)
    try:
        applied = await conn.fetchval("SELECT capacity FROM journey_courses WHERE course_ref = $1", UUID(ref))
    finally:
        await conn.close()
    assert applied == 10


def enroller(opd: str, scopes: frozenset[str] = frozenset({"courses:write", "enrolment_search:read"})
             ) -> dict[str, str]:
    return {**bearer(opd=opd, scopes=set(scopes), audience=TRAINER_AUDIENCE, client_id=f"{opd}.pelatih"),
            "X-Purpose": "pendaftaran peserta"}


async def test_a_trainer_finds_a_woman_to_enrol_by_name_seeing_only_what_choosing_needs(pair: Pair) -> None:
    wartini = await register(pair, "Wartini Sulastri")
    juleha = [await register(pair, f"Juleha {suffix}") for suffix in ("Aisyah", "Bunga", "Citra", "Dewi", "Endah",
                                                                        "Fitri")]
    course = await schedule(pair.training, organizer_opd="distransnaker", sessions=1)
    ref = course["course_ref"]
    search = "/women/enrolment-search"

    async def known() -> httpx.Response | None:  # the course's schedule reaches the registry through Kafka
        answer = await pair.registry.post(search, json={"course_ref": ref, "name": "wartini"},
                                          headers=enroller("distransnaker"))
        return None if answer.status_code == 409 else answer

    found = await wait_for(known, timeout_s=60)
    assert found.status_code == 200, found.text
    [item] = found.json()["items"]
    assert set(item) == {"person_ref", "full_name", "desa_code", "desa", "kecamatan_code", "kecamatan", "birth_year"}
    assert (item["person_ref"], item["full_name"], item["kecamatan"]) == (wartini, "Wartini Sulastri", "Tenggarong")
    assert item["desa_code"] == "64.02.06.1001" and item["desa"]

    # Too broad: more than five answers are refused whole; a birth year (or desa) narrows it.
    broad = await pair.registry.post(search, json={"course_ref": ref, "name": "JULEHA"},
                                     headers=enroller("distransnaker"))
    assert broad.status_code == 422 and broad.json()["kesalahan"][0]["field"] == "name", broad.text
    assert "Juleha" not in broad.text
    woman = await pair.registry.get(f"/women/{juleha[2]}", headers={"X-OPD": "dp3a", "X-Purpose": "uji"})
    year = int(woman.json()["birth_date"][:4])
    narrowed = await pair.registry.post(search, json={"course_ref": ref, "name": "juleha", "birth_year": year,
                                                      "desa": "64.02.06.1001"}, headers=enroller("distransnaker"))
    assert narrowed.status_code in (200, 422), narrowed.text
    if narrowed.status_code == 200:  # (six random birth years may share one)
        assert juleha[2] in [i["person_ref"] for i in narrowed.json()["items"]]
    exact = await pair.registry.post(search, json={"course_ref": ref, "name": "juleha citra"},
                                     headers=enroller("distransnaker"))
    assert [i["person_ref"] for i in exact.json()["items"]] == [juleha[2]]
    unknown_desa = await pair.registry.post(search, json={"course_ref": ref, "name": "wartini", "desa": "Atlantis"},
                                            headers=enroller("distransnaker"))
    assert unknown_desa.status_code == 422 and unknown_desa.json()["kesalahan"][0]["field"] == "desa"
    nobody = await pair.registry.post(search, json={"course_ref": ref, "name": "Zulaikha"},
                                      headers=enroller("distransnaker"))
    assert nobody.status_code == 200 and nobody.json() == {"items": []}

    # Only for her own OPD's course, only with the scope, only with a purpose; never in a URL.
    other_opd = await pair.registry.post(search, json={"course_ref": ref, "name": "wartini"},
                                         headers=enroller("dp3a"))
    assert other_opd.status_code == 403 and other_opd.json()["kesalahan"][0]["field"] == "course_ref"
    unknown = await pair.registry.post(search, json={"course_ref": str(uuid4()), "name": "wartini"},
                                       headers=enroller("distransnaker"))
    assert unknown.status_code == 409 and "Wartini" not in unknown.text
    no_scope = await pair.registry.post(search, json={"course_ref": ref, "name": "wartini"},
                                        headers=enroller("distransnaker", frozenset({"trainee_names:read"})))
    assert no_scope.status_code == 403 and no_scope.json()["required_scope"] == "enrolment_search:read"
    no_purpose = await pair.registry.post(search, json={"course_ref": ref, "name": "wartini"}, headers=bearer(
        opd="distransnaker", scopes={"enrolment_search:read"}, audience=TRAINER_AUDIENCE))
    assert no_purpose.status_code == 400

    conn = await asyncpg.connect(pair.registry_db)
    try:
        logged = await conn.fetch("SELECT client_id, opd, person_ref::text AS ref, purpose FROM pii_access_log"
                                  " WHERE what = 'POST /women/enrolment-search' ORDER BY at")
    finally:
        await conn.close()
    purpose = f"pendaftaran peserta; pendaftaran ke pelatihan {ref}"
    assert [dict(r) for r in logged][:1] == [{"client_id": "distransnaker.pelatih", "opd": "distransnaker",
                                              "ref": wartini, "purpose": purpose}]
    answered = 1 + (len(narrowed.json()["items"]) if narrowed.status_code == 200 else 0) + 1
    assert len(logged) == answered  # one row per woman answered, none for a refused or empty search


async def test_browsers_may_ask_only_from_the_configured_service_origins(pair: Pair) -> None:
    preflight = {"Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "authorization,content-type,x-purpose"}
    allowed = await pair.registry.options("/women/names", headers={"Origin": TRAINING_ORIGIN, **preflight})
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == TRAINING_ORIGIN
    elsewhere = await pair.registry.options("/women/names", headers={"Origin": "https://evil.example", **preflight})
    assert "access-control-allow-origin" not in elsewhere.headers


async def assess(pair: Pair, ref: str, income: int) -> None:
    answer = await pair.registry.post(f"/women/{ref}/welfare-assessments", headers={"X-OPD": "dp3a"}, json={
        "assessed_on": "2025-01-10", "household_size": 4, "monthly_household_income_idr": income})
    assert answer.status_code == 201, answer.text


async def unreached(pair: Pair, **params: str) -> list[str]:
    answer = await pair.registry.get("/unreached-women", params={"kecamatan_code": "64.02.17", **params},
                                     headers={"X-OPD": "dp3a", "X-Purpose": "rencana kunjungan lapangan"})
    assert answer.status_code == 200, answer.text
    return [i["full_name"] for i in answer.json()["items"]]


async def test_the_not_yet_reached_list_puts_pekka_first_and_loses_a_woman_once_she_is_enrolled(pair: Pair) -> None:
    refs = {}
    for name, pekka, income in (("Aminah Binti Said", "none", 1_000_000), ("Juwita Sari", "elderly", 1_600_000),
                                ("Kartini Dewi", "none", 9_000_000)):
        body = woman_body(random.Random(), kecamatan_code="64.02.17", desa_code=None, pekka_category=pekka)
        body["full_name"] = name
        answer = await pair.registry.post("/women", json=body, headers={"X-OPD": "dp3a"})
        assert answer.status_code == 201, answer.text
        refs[name] = answer.json()["person_ref"]
        await assess(pair, refs[name], income)
    # Kartini is above the poverty line; Juwita (PEKKA) comes before Aminah although her income is higher.
    assert await unreached(pair) == ["Juwita Sari", "Aminah Binti Said"]

    course = await schedule(pair.training, organizer_opd="distransnaker", kecamatan_code="64.02.17")
    await enrol_when_arrived(pair.training, course["course_ref"], UUID(refs["Juwita Sari"]))

    async def left() -> list[str] | None:
        names = await unreached(pair)
        return names if names == ["Aminah Binti Said"] else None

    assert await wait_for(left, timeout_s=60) == ["Aminah Binti Said"]
    csv = await pair.registry.get("/unreached-women.csv", params={"kecamatan_code": "64.02.17"},
                                  headers={"X-OPD": "dp3a", "X-Purpose": "rencana kunjungan lapangan"})
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("No;Nama;Kecamatan") and lines[1].startswith("1;Aminah Binti Said;Marang Kayu;")
    assert len(lines) == 2


async def test_an_outcome_is_never_undone_by_a_late_enrolment(pair: Pair) -> None:
    woman = await register(pair, "Wahyuni")
    course = uuid4()
    topic = physical(TRAINING_EVENTS, pair.namespace)
    scheduled = new_envelope(t.CourseScheduled(
        course_ref=course, organizer_opd="dp3a", field="kuliner", kecamatan_code="64.02.06",
        starts_on=date(2025, 3, 3), ends_on=date(2025, 3, 14), sessions=2, capacity=10), correlation_id="c")
    done = new_envelope(t.TrainingCompleted(course_ref=course, person_ref=UUID(woman), completed_on=date(2025, 3, 14),
                                            attendance_rate=0.5, certified=False), correlation_id="c")
    late = new_envelope(t.ParticipantEnrolled(course_ref=course, person_ref=UUID(woman),
                                              enrolled_on=date(2025, 3, 3)), correlation_id="c")
    for envelope in (scheduled, done, late):  # a replay's order: the outcome before the enrolment
        await pair.market.send_and_wait(topic, envelope.to_bytes(), key=str(course).encode())
    hers = await journey_when(pair, woman, lambda j: j["courses"] and j["courses"][0]["enrolled_on"])
    assert (hers["courses"][0]["status"], hers["courses"][0]["completed_on"]) == ("completed", "2025-03-14")
