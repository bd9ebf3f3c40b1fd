"""Who may call what on the training service: scopes per route, and course ownership.

DP3A and Distransnaker both hold courses:write, but each changes only its own courses: a course
belongs to its organizer OPD (the token's OPD must match). The course catalogue (with fill rates) is open to any
token; who takes part, attends and is placed are records about a person and need records:read (OPD staff).
"""

from typing import Any
from uuid import UUID

from berdaya_shared import errors
from berdaya_shared import scopes as s
from berdaya_shared.auth import ANY_TOKEN, PUBLIC, WRITE_METHODS, Policy, Rule, authenticated
from fastapi import Request

POLICY = Policy({
    ("GET", "/asyncapi"): PUBLIC,
    ("GET", "/asyncapi.json"): PUBLIC,
    ("POST", "/courses"): Rule(s.COURSES_WRITE),
    ("POST", "/courses/{course_ref}/enrolments"): Rule(s.COURSES_WRITE),
    ("PUT", "/courses/{course_ref}/schedule"): Rule(s.COURSES_WRITE),
    ("POST", "/courses/{course_ref}/sessions/{session_no}/attendance"): Rule(s.COURSES_WRITE),
    ("POST", "/courses/{course_ref}/completions"): Rule(s.COURSES_WRITE),
    ("POST", "/courses/{course_ref}/dropouts"): Rule(s.COURSES_WRITE),
    ("POST", "/placements"): Rule(s.PLACEMENTS_WRITE),
    # staff pages (pages_*.py): the same scopes as the API
    ("POST", "/pelatihan/baru"): Rule(s.COURSES_WRITE),
    ("POST", "/pelatihan/{course_ref}/peserta"): Rule(s.COURSES_WRITE),
    ("POST", "/pelatihan/{course_ref}/jadwal"): Rule(s.COURSES_WRITE),
    ("POST", "/pelatihan/{course_ref}/sesi/{session_no}"): Rule(s.COURSES_WRITE),
    ("POST", "/pelatihan/{course_ref}/lulus"): Rule(s.COURSES_WRITE),
    ("POST", "/pelatihan/{course_ref}/keluar"): Rule(s.COURSES_WRITE),
    ("POST", "/penempatan"): Rule(s.PLACEMENTS_WRITE),
    ("GET", "/pelatihan"): ANY_TOKEN,  # the catalogue, like GET /courses
    ("GET", "/pelatihan/baru"): Rule(s.COURSES_WRITE),
    ("GET", "/pelatihan/kunci-registri"): Rule(s.TRAINEE_NAMES_READ),  # the token the page asks the registry with
    ("GET", "/pelatihan/{course_ref}"): Rule(s.RECORDS_READ),
    ("GET", "/pelatihan/{course_ref}/sertifikat/{person_ref}"): Rule(s.RECORDS_READ),
    ("GET", "/pelatihan/{course_ref}/sesi/{session_no}"): Rule(s.COURSES_WRITE),
    ("GET", "/penempatan"): Rule(s.RECORDS_READ),
    ("GET", "/courses"): ANY_TOKEN,
    ("GET", "/courses/{course_ref}"): ANY_TOKEN,
    ("GET", "/courses/{course_ref}/enrolments"): Rule(s.RECORDS_READ),
    ("GET", "/courses/{course_ref}/enrolments/{person_ref}"): Rule(s.RECORDS_READ),
    ("GET", "/courses/{course_ref}/sessions/{session_no}/attendance"): Rule(s.RECORDS_READ),
    ("GET", "/placements"): Rule(s.RECORDS_READ),
    ("GET", "/placements/{placement_ref}"): Rule(s.RECORDS_READ),
}, default_read=None, body_limits={("POST", "/courses/{course_ref}/sessions/{session_no}/attendance"): 2 * 2**20})


def _not_yours(organizer: Any, opd: str | None) -> errors.Refusal:
    return errors.Forbidden(
        f"Pelatihan ini milik OPD {organizer}; hanya OPD penyelenggara yang dapat mengubahnya",
        f"course belongs to {organizer}, caller's OPD is {opd or 'none'}", organizer_opd=organizer,
    )


async def course_ownership(request: Request) -> None:
    """Router dependency: a change to a course (or its participants) must come from its organizer OPD."""
    if request.method not in WRITE_METHODS:
        return
    principal = authenticated(request)
    raw = request.path_params.get("course_ref")
    if raw is None:  # scheduling: the organizer named in the body must be the caller's OPD
        try:
            body = await request.json()
        except ValueError:
            return  # malformed JSON is answered by validation
        organizer = body.get("organizer_opd") if isinstance(body, dict) else None
        if organizer is not None and organizer != principal.opd:
            raise _not_yours(organizer, principal.opd)
        return
    try:
        course_ref = UUID(str(raw))
    except ValueError:
        return  # the route's own validation answers 422
    async with request.app.state.runtime.pool.acquire() as conn:
        organizer = await conn.fetchval("SELECT organizer_opd FROM courses WHERE course_ref = $1", course_ref)
    if organizer is not None and organizer != principal.opd:
        raise _not_yours(organizer, principal.opd)
