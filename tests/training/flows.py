"""HTTP steps the training tests share: a course, an enrolment once the replica has the woman."""

from typing import Any
from uuid import UUID

import httpx

from tests.support.kafka import wait_for


def course_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "organizer_opd": "dp3a", "field": "kuliner", "kecamatan_code": "64.02.06",
        "title": "Pelatihan Olahan Ikan Asin Tenggarong", "starts_on": "2025-03-03", "ends_on": "2025-03-14",
        "sessions": 4, "capacity": 25,
    }
    body.update(overrides)
    return body


async def schedule(client: httpx.AsyncClient, **overrides: Any) -> dict[str, Any]:
    answer = await client.post("/courses", json=course_body(**overrides), headers={"X-OPD": "dp3a"}
                               if overrides.get("organizer_opd", "dp3a") == "dp3a" else {})
    assert answer.status_code == 201, answer.text
    return answer.json()


async def enrol_when_arrived(client: httpx.AsyncClient, course_ref: str, person_ref: UUID,
                             enrolled_on: str = "2025-03-03") -> dict[str, Any]:
    """Enrol, retrying while the registry's event has not reached the replica (as the demo loader does)."""

    async def attempt() -> dict[str, Any] | None:
        answer = await client.post(f"/courses/{course_ref}/enrolments",
                                   json={"person_ref": str(person_ref), "enrolled_on": enrolled_on})
        if answer.status_code == 422:
            return None
        assert answer.status_code == 201, answer.text
        return answer.json()

    return await wait_for(attempt, timeout_s=30, interval_s=0.2)


async def attend(client: httpx.AsyncClient, course_ref: str, session_no: int,
                 marks: dict[UUID, bool], **kw: Any) -> httpx.Response:
    records = [{"person_ref": str(ref), "present": present} for ref, present in marks.items()]
    return await client.post(f"/courses/{course_ref}/sessions/{session_no}/attendance",
                             json={"records": records}, **kw)
