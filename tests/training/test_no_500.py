"""Anything a user can type gets a 4xx with a reason, never a 500."""

import random
from typing import Any

from tests.training.conftest import Training
from tests.training.flows import attend, course_body, enrol_when_arrived, schedule

rng = random.Random(11)
JUNK: list[Any] = [None, -1, 0, 10**20, 1.5, True, "", " ", "x" * 5000, [], {}, "2024-02-30", "9999-12-31",
                   "0001-01-01", "💥", "64.02.99", "00000000-0000-4000-8000-000000000000", "=1+1", "\x00",
                   "Pelatihan\x00Batik"]


def mutate(body: dict[str, Any]) -> dict[str, Any]:
    out = dict(body)
    for key in rng.sample(list(out), k=min(len(out), rng.randint(1, 2))):
        out[key] = rng.choice(JUNK)
    if rng.random() < 0.1:
        out["unknown_field"] = "?"
    return out


async def test_junk_in_every_command_field_is_refused_with_a_reason(training: Training) -> None:
    client = training.client
    course = (await schedule(client, sessions=3, capacity=100))["course_ref"]
    woman = await training.registry.register()
    await enrol_when_arrived(client, course, woman)
    await attend(client, course, 1, {woman: True})
    commands: list[tuple[str, dict[str, Any]]] = [
        ("/courses", course_body(completion_threshold="0.8")),
        (f"/courses/{course}/enrolments", {"person_ref": str(woman), "enrolled_on": "2025-03-03"}),
        (f"/courses/{course}/sessions/2/attendance", {"records": [{"person_ref": str(woman), "present": True}]}),
        (f"/courses/{course}/completions", {"person_ref": str(woman), "completed_on": "2025-03-14",
                                            "override_reason": "Sakit dengan surat dokter"}),
        (f"/courses/{course}/dropouts", {"person_ref": str(woman), "dropped_on": "2025-03-05", "reason": "biaya"}),
        ("/placements", {"person_ref": str(woman), "sector": "jasa", "formal": False, "monthly_wage_idr": 1_500_000,
                         "placed_on": "2025-10-01"}),
    ]
    failures = []
    for path, body in commands:
        for _ in range(25):
            junk = mutate(body)
            answer = await client.post(path, json=junk)
            if answer.status_code >= 500 or (answer.status_code >= 400 and not answer.json().get("pesan")):
                failures.append((path, junk, answer.status_code, answer.text[:200]))
    for path in ("/courses/nope", "/courses/nope/enrolments", f"/courses/{course}/sessions/0/attendance",
                 f"/courses/{course}/sessions/99999999999/attendance", f"/courses/{course}/enrolments/x",
                 "/placements/💥", "/courses?offset=-1", "/courses?limit=abc", "/courses?kecamatan_code=64.02.99"):
        answer = await client.get(path)
        if answer.status_code >= 500 or answer.status_code < 400:
            failures.append((path, None, answer.status_code, answer.text[:200]))
    for text in ("Pelatihan\x00Batik", "Batik\u0007Tenun"):
        answer = await client.post("/courses", json=course_body(title=text))
        if answer.status_code != 422 or answer.json()["kesalahan"][0]["field"] != "title":
            failures.append(("/courses", text, answer.status_code, answer.text[:200]))
    wage_as_flag = await client.post("/placements", json=commands[-1][1] | {"monthly_wage_idr": True})
    if wage_as_flag.status_code != 422:
        failures.append(("/placements", "wage true", wage_as_flag.status_code, wage_as_flag.text[:200]))
    for raw in (b"", b"{", b"[]", b"null", b"{\"records\": \"\x00\"}"):
        answer = await client.post(f"/courses/{course}/sessions/1/attendance", content=raw,
                                   headers={"content-type": "application/json"})
        if answer.status_code >= 500:
            failures.append(("raw", raw, answer.status_code, answer.text[:200]))
    assert not failures, failures
