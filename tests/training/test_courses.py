"""Courses from enrolment to certificate and job, against the real broker and database."""

from collections import Counter
from uuid import uuid4

import httpx

from tests.support.auth import AllScopes
from tests.support.kafka import wait_for
from tests.training.conftest import Training
from tests.training.flows import attend, course_body, enrol_when_arrived, schedule
from tests.training.helpers import training_events

REF_FIELDS = ("course_ref", "person_ref", "placement_ref")


async def events_for(t: Training, ref: str, *, expected: int) -> list[dict]:
    async def collect() -> list[dict] | None:
        found = [e for e in await training_events(t.bootstrap, t.namespace)
                 if ref in (e["aggregate_id"], *(str(e["payload"].get(k)) for k in REF_FIELDS))]
        return found if len(found) >= expected else None

    return await wait_for(collect, timeout_s=30, interval_s=0.5)


async def test_a_registered_woman_is_enrolled_once_her_event_arrived_and_an_unknown_ref_is_refused(
    training: Training,
) -> None:
    client = training.client
    course = await schedule(client)
    assert course["fill_rate"] == 0 and course["seats_left"] == 25

    stranger = uuid4()
    refused = await client.post(f"/courses/{course['course_ref']}/enrolments",
                                json={"person_ref": str(stranger), "enrolled_on": "2025-03-03"})
    assert refused.status_code == 422
    body = refused.json()
    assert "belum terdaftar" in body["pesan"] and "belum sampai" in body["pesan"]
    assert body["kesalahan"][0]["field"] == "person_ref"

    # The registry registers her now: once her event has arrived the same request succeeds.
    await training.registry.register(person_ref=stranger)
    enrolment = await enrol_when_arrived(client, course["course_ref"], stranger)
    assert enrolment["status"] == "enrolled" and enrolment["person_ref"] == str(stranger)

    read = (await client.get(f"/courses/{course['course_ref']}")).json()
    assert read["enrolled"] == 1 and read["fill_rate"] == 0.04

    events = await events_for(training, course["course_ref"], expected=2)
    assert [e["event_type"] for e in events] == ["training.CourseScheduled", "training.ParticipantEnrolled"]
    assert events[1]["payload"]["person_ref"] == str(stranger)


async def test_capacity_and_double_enrolment_are_refused_and_a_drop_out_frees_her_seat(training: Training) -> None:
    client = training.client
    course = await schedule(client, capacity=2)
    ref = course["course_ref"]
    first, second, third = [await training.registry.register() for _ in range(3)]
    await enrol_when_arrived(client, ref, first)
    await enrol_when_arrived(client, ref, second)

    again = await client.post(f"/courses/{ref}/enrolments", json={"person_ref": str(first),
                                                                   "enrolled_on": "2025-03-03"})
    assert again.status_code == 409 and "sudah terdaftar" in again.json()["pesan"]

    # The third woman's event must have arrived before "full" is the reason she is refused.
    async def full() -> bool:
        answer = await client.post(f"/courses/{ref}/enrolments", json={"person_ref": str(third),
                                                                        "enrolled_on": "2025-03-03"})
        return answer.status_code == 409 and "penuh" in answer.json()["pesan"]

    await wait_for(full, timeout_s=30)
    assert (await client.get(f"/courses/{ref}")).json()["fill_rate"] == 1.0

    dropped = await client.post(f"/courses/{ref}/dropouts",
                                json={"person_ref": str(second), "dropped_on": "2025-03-05", "reason": "keluarga"})
    assert dropped.status_code == 201 and dropped.json()["status"] == "dropped"
    assert (await client.post(f"/courses/{ref}/enrolments", json={
        "person_ref": str(third), "enrolled_on": "2025-03-05"})).status_code == 201
    listed = (await client.get(f"/courses/{ref}/enrolments")).json()
    assert listed["total"] == 3
    assert Counter(e["status"] for e in listed["items"]) == {"enrolled": 2, "dropped": 1}
    events = await events_for(training, str(second), expected=2)
    dropped_event = next(e for e in events if e["event_type"] == "training.ParticipantDropped")
    assert dropped_event["payload"]["reason"] == "keluarga"


async def test_attendance_then_completion_gives_a_certificate_and_one_training_completed(training: Training) -> None:
    client = training.client
    course = await schedule(client, sessions=4)
    ref = course["course_ref"]
    siti = await training.registry.register()
    rina = await training.registry.register()
    await enrol_when_arrived(client, ref, siti)
    await enrol_when_arrived(client, ref, rina)

    for n in range(1, 5):
        answer = await attend(client, ref, n, {siti: True, rina: n == 1})
        assert answer.status_code == 200, answer.text
        assert {row["result"] for row in answer.json()["rows"]} == {"recorded"}
    # A trainer re-sending the same sheet changes nothing and publishes nothing.
    same = await attend(client, ref, 4, {siti: True, rina: False})
    assert same.json()["events_published"] == 0
    sheet = (await client.get(f"/courses/{ref}/sessions/1/attendance")).json()
    assert sheet["present"] == 2

    key = {"Idempotency-Key": f"complete-{uuid4()}"}
    body = {"person_ref": str(siti), "completed_on": "2025-03-14"}
    done = await client.post(f"/courses/{ref}/completions", json=body, headers=key)
    assert done.status_code == 201, done.text
    assert done.json()["certified"] is True and done.json()["certificate_no"].startswith("DP3A/2025/")
    retried = await client.post(f"/courses/{ref}/completions", json=body, headers=key)
    assert retried.status_code == 201 and retried.json() == done.json()
    assert retried.headers.get("Idempotent-Replayed") == "true"
    twice = await client.post(f"/courses/{ref}/completions", json=body)
    assert twice.status_code == 409

    # Attendance of a completed participant is closed.
    closed = await attend(client, ref, 2, {siti: False})
    assert closed.status_code == 422

    events = await events_for(training, str(siti), expected=6)
    completed = [e for e in events if e["event_type"] == "training.TrainingCompleted"]
    assert len(completed) == 1
    assert completed[0]["payload"] == {
        "course_ref": ref, "person_ref": str(siti), "completed_on": "2025-03-14", "attendance_rate": 1.0,
        "certified": True,
    }
    assert sum(e["event_type"] == "training.AttendanceRecorded" for e in events) == 4


async def test_the_threshold_rule_decides_the_certificate(training: Training) -> None:
    client = training.client
    course = await schedule(client, sessions=4)
    ref = course["course_ref"]
    assert course["completion_threshold"] == 0.75
    three, one, outsider = [await training.registry.register() for _ in range(3)]
    await enrol_when_arrived(client, ref, three)
    await enrol_when_arrived(client, ref, one)
    for n in range(1, 5):
        assert (await attend(client, ref, n, {three: n <= 3, one: n == 1})).status_code == 200

    exactly = await client.post(f"/courses/{ref}/completions",
                                json={"person_ref": str(three), "completed_on": "2025-03-14"})
    assert exactly.status_code == 201 and exactly.json()["certified"] is True  # 3 of 4 = 75 %

    below = await client.post(f"/courses/{ref}/completions",
                              json={"person_ref": str(one), "completed_on": "2025-03-14"})
    assert below.status_code == 422
    assert below.json()["kesalahan"][0]["field"] == "override_reason" and "25.0 %" in below.json()["pesan"]

    overridden = await client.post(f"/courses/{ref}/completions", json={
        "person_ref": str(one), "completed_on": "2025-03-14", "override_reason": "Sakit dengan surat dokter"})
    assert overridden.status_code == 201
    assert overridden.json()["certified"] is False and overridden.json()["certificate_no"] is None

    never = await client.post(f"/courses/{ref}/completions",
                              json={"person_ref": str(outsider), "completed_on": "2025-03-14"})
    assert never.status_code == 422 and "tidak pernah terdaftar" in never.json()["pesan"]

    # A course may set its own threshold.
    lenient = await schedule(client, sessions=2, completion_threshold="0.5")
    assert lenient["completion_threshold"] == 0.5
    await enrol_when_arrived(client, lenient["course_ref"], outsider)
    await attend(client, lenient["course_ref"], 1, {outsider: True})
    half = await client.post(f"/courses/{lenient['course_ref']}/completions",
                             json={"person_ref": str(outsider), "completed_on": "2025-03-14"})
    assert half.status_code == 201 and half.json()["certified"] is True


async def test_a_placement_after_training_is_published(training: Training) -> None:
    # Distransnaker's own client: only a course's organizer OPD may change it.
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=training.app), base_url="http://t", timeout=60,
                               auth=AllScopes("distransnaker"))
    course = await schedule(client, organizer_opd="distransnaker", field="manufaktur", sessions=1)
    ref = course["course_ref"]
    worker, untrained = await training.registry.register(), await training.registry.register()
    await enrol_when_arrived(client, ref, worker)
    await enrol_when_arrived(client, ref, untrained)
    await attend(client, ref, 1, {worker: True, untrained: False})
    assert (await client.post(f"/courses/{ref}/completions", json={
        "person_ref": str(worker), "completed_on": "2025-03-14"})).status_code == 201

    body = {"person_ref": str(worker), "course_ref": ref, "sector": "manufaktur", "formal": True,
            "monthly_wage_idr": 3_800_000, "placed_on": "2025-10-01"}
    placed = await client.post("/placements", json=body, headers={"X-OPD": "distransnaker"})
    assert placed.status_code == 201, placed.text
    placement = placed.json()
    assert (await client.get(f"/placements/{placement['placement_ref']}")).json() == placement

    not_completed = await client.post("/placements", json=body | {"person_ref": str(untrained)})
    assert not_completed.status_code == 422 and not_completed.json()["kesalahan"][0]["field"] == "course_ref"
    absurd = await client.post("/placements", json=body | {"monthly_wage_idr": 10**15})
    assert absurd.status_code == 422 and absurd.json()["kesalahan"][0]["field"] == "monthly_wage_idr"

    events = await events_for(training, placement["placement_ref"], expected=1)
    assert events[0]["event_type"] == "training.JobPlaced"
    assert events[0]["payload"] == {
        "placement_ref": placement["placement_ref"], "person_ref": str(worker), "course_ref": ref,
        "sector": "manufaktur", "formal": True, "monthly_wage_idr": 3_800_000, "placed_on": "2025-10-01",
    }


async def test_bad_input_is_answered_with_4xx_naming_the_field(training: Training) -> None:
    client = training.client
    course = await schedule(client, sessions=2)
    ref = course["course_ref"]
    cases = [
        ("get", "/courses/not-a-uuid", None, 422),
        ("get", f"/courses/{uuid4()}", None, 404),
        ("post", "/courses", {"field": "kuliner"}, 422),
        ("post", f"/courses/{ref}/sessions/3/attendance", {"records": [{"person_ref": str(uuid4()),
                                                                        "present": True}]}, 422),
        ("post", f"/courses/{ref}/sessions/1/attendance", {"records": [{"person_ref": str(uuid4()),
                                                                        "present": True}]}, 422),
        ("post", f"/courses/{ref}/enrolments", {"person_ref": str(uuid4()), "enrolled_on": "1999-12-31"}, 422),
        ("post", f"/courses/{ref}/dropouts", {"person_ref": str(uuid4()), "dropped_on": "2025-03-05",
                                              "reason": "bosan"}, 422),
        ("get", "/courses?limit=500", None, 422),
    ]
    for method, path, body, status in cases:
        answer = await client.request(method, path, json=body)
        assert answer.status_code == status, (path, answer.text)
        assert answer.json()["pesan"], path
    wrong_order = await client.post("/courses", json=course_body(ends_on="2025-03-01"))
    assert wrong_order.status_code == 422 and wrong_order.json()["kesalahan"][0]["field"] == "ends_on"
    other_opd = await client.post("/courses", json=course_body(), headers={"X-OPD": "distransnaker"})
    assert other_opd.status_code == 403


async def test_a_retried_enrolment_and_a_corrected_attendance_publish_what_changed(training: Training) -> None:
    client = training.client
    course = await schedule(client, sessions=2)
    ref = course["course_ref"]
    woman = await training.registry.register()
    await enrol_when_arrived(client, ref, await training.registry.register())  # replica is live
    key = {"Idempotency-Key": f"enrol-{uuid4()}"}
    body = {"person_ref": str(woman), "enrolled_on": "2025-03-03"}
    first = await wait_for(lambda: _enrol_ok(client, ref, body, key))
    retried = await client.post(f"/courses/{ref}/enrolments", json=body, headers=key)
    assert retried.status_code == 201 and retried.json() == first
    reused = await client.post(f"/courses/{ref}/enrolments", json=body | {"enrolled_on": "2025-03-04"}, headers=key)
    assert reused.status_code == 422 and reused.json()["kesalahan"][0]["field"] == "Idempotency-Key"

    assert (await attend(client, ref, 1, {woman: False})).json()["events_published"] == 1
    corrected = (await attend(client, ref, 1, {woman: True})).json()
    assert corrected["rows"][0]["result"] == "corrected" and corrected["events_published"] == 1
    assert (await client.get(f"/courses/{ref}/enrolments/{woman}")).json()["sessions_present"] == 1

    events = await events_for(training, str(woman), expected=3)
    assert [e["event_type"] for e in events].count("training.ParticipantEnrolled") == 1
    marks = [e["payload"]["present"] for e in events if e["event_type"] == "training.AttendanceRecorded"]
    assert marks == [False, True]


async def _enrol_ok(client, ref: str, body: dict, key: dict) -> dict | None:  # type: ignore[no-untyped-def]
    answer = await client.post(f"/courses/{ref}/enrolments", json=body, headers=key)
    return answer.json() if answer.status_code == 201 else None


async def test_courses_and_placements_are_listed_page_by_page(training: Training) -> None:
    client = training.client
    made = [await schedule(client, kecamatan_code="64.02.17", field="jasa") for _ in range(3)]
    page = (await client.get("/courses", params={"kecamatan_code": "64.02.17", "limit": 2})).json()
    assert page["total"] == 3 and len(page["items"]) == 2 and page["limit"] == 2
    rest = (await client.get("/courses", params={"kecamatan_code": "64.02.17", "limit": 2, "offset": 2})).json()
    assert {c["course_ref"] for c in page["items"] + rest["items"]} == {c["course_ref"] for c in made}
    assert all("fill_rate" in c for c in page["items"])
    assert (await client.get("/courses", params={"field": "bukan_bidang"})).status_code == 422
    assert (await client.get("/placements", params={"person_ref": str(uuid4())})).json()["total"] == 0
    assert (await client.get("/placements", params={"limit": 0})).status_code == 422


async def test_the_api_is_documented(training: Training) -> None:
    spec = (await training.client.get("/openapi.json")).json()
    for path in ("/courses", "/courses/{course_ref}/enrolments", "/courses/{course_ref}/sessions/{session_no}/attendance",
                 "/courses/{course_ref}/completions", "/courses/{course_ref}/dropouts", "/placements"):
        assert path in spec["paths"], path
    assert (await training.client.get("/ready")).status_code == 200


async def test_a_course_is_rescheduled_once_with_its_rules_answered_beside_the_field(training: Training) -> None:
    client = training.client
    course = await schedule(client, starts_on="2026-12-07", ends_on="2026-12-18", capacity=3)
    ref = course["course_ref"]
    women = [await training.registry.register() for _ in range(2)]
    for woman in women:
        await enrol_when_arrived(client, ref, woman, enrolled_on="2026-12-07")
    url = f"/courses/{ref}/schedule"
    new = {"starts_on": "2026-12-14", "ends_on": "2027-01-08", "capacity": 2}
    key = {"X-OPD": "dp3a", "Idempotency-Key": str(uuid4())}
    moved = await client.put(url, json=new, headers=key)
    assert moved.status_code == 200, moved.text
    assert (moved.json()["starts_on"], moved.json()["ends_on"], moved.json()["capacity"]) == (
        "2026-12-14", "2027-01-08", 2)
    assert moved.json()["seats_left"] == 0
    again = await client.put(url, json=new, headers=key)  # the same request again: answered once, applied once
    assert again.status_code == 200 and again.json() == moved.json()
    unchanged = await client.put(url, json=new, headers={"X-OPD": "dp3a"})  # the same values: no new event
    assert unchanged.status_code == 200

    below = await client.put(url, json={**new, "capacity": 1}, headers={"X-OPD": "dp3a"})
    assert below.status_code == 409, below.text
    assert below.json()["kesalahan"][0]["field"] == "capacity"
    assert "2 peserta yang sudah terdaftar" in below.json()["pesan"]
    backwards = await client.put(url, json={**new, "ends_on": "2026-12-01"}, headers={"X-OPD": "dp3a"})
    assert backwards.status_code == 422 and backwards.json()["kesalahan"][0]["field"] == "ends_on"
    assert "sebelum tanggal mulai" in backwards.json()["pesan"]
    typed_badly = await client.put(url, json={**new, "capacity": "banyak"}, headers={"X-OPD": "dp3a"})
    assert typed_badly.status_code == 422
    assert any(e["field"].endswith("capacity") for e in typed_badly.json()["kesalahan"])
    other = await client.put(url, json=new, headers={"X-OPD": "distransnaker"})  # another OPD's course
    assert other.status_code == 403, other.text

    finished = await schedule(client)  # 3 to 14 March 2025: over
    done = await client.put(f"/courses/{finished['course_ref']}/schedule", headers={"X-OPD": "dp3a"},
                            json={"starts_on": "2025-03-03", "ends_on": "2025-03-21", "capacity": 25})
    assert done.status_code == 409 and done.json()["kesalahan"][0]["field"] == "ends_on"
    assert "sudah selesai" in done.json()["pesan"]

    events = await events_for(training, ref, expected=4)
    rescheduled = [e for e in events if e["event_type"] == "training.CourseRescheduled"]
    assert [e["payload"] for e in rescheduled] == [{"course_ref": ref, **new}]
    assert rescheduled[0]["aggregate_id"] == ref
