"""The attendance sheet of one session, on a phone, working without signal (the kit's offline outbox), and the
key the sheet's script uses to ask the registry for the participants' names.

The sheet lists the course's participants by ref; ``names.js`` fills in their names from the registry with the
trainer's own token (``/pelatihan/kunci-registri``) and keeps that one list on the phone at most
``BERDAYA_OFFLINE_DAYS`` days, wiped at sign-out. Each submitted version of the sheet carries its own
Idempotency-Key, so a sheet sent again after a lost answer is applied once.
"""

from typing import Annotated, Any
from uuid import UUID

from berdaya_shared import errors
from berdaya_shared.auth import SessionRoute
from berdaya_shared.entrypoints import command
from berdaya_shared.signin import CurrentUser, Purpose, flash
from berdaya_shared.ui import render
from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from ..service_layer import courses, participants
from ..service_layer.unit_of_work import TrainingUnitOfWork as Uow
from .policy import course_ownership

pages = APIRouter(route_class=SessionRoute, include_in_schema=False, dependencies=[Depends(course_ownership)])


@pages.get("/pelatihan/kunci-registri")
async def registry_key(request: Request, user: CurrentUser, purpose: Purpose) -> Response:
    """The signed-in user's access token (audience: this service's client, accepted by the registry for
    POST /women/names), her declared purpose and the registry's address, for the page's own script only:
    never cached, and the CSP lets the page's scripts talk to the configured services alone."""
    session = request.state.web_session
    ui = request.app.state.ui.settings
    return JSONResponse({"access_token": session["access_token"], "purpose": purpose,
                         "registry_url": ui.service_urls.get("registry", ""), "offline_days": ui.offline_days},
                        headers={"Cache-Control": "no-store"})


@pages.get("/pelatihan/{course_ref}/sesi/{session_no}")
async def sheet(request: Request, user: CurrentUser, purpose: Purpose, course_ref: UUID, session_no: int) -> Response:
    async with request.app.state.runtime.pool.acquire() as conn:
        work = Uow(conn)
        course = await courses.get(work, course_ref=course_ref)
        recorded = await participants.session_sheet(work, course_ref=course_ref, session_no=session_no)
        people = await participants.list_(work, course_ref=course_ref, status="enrolled", limit=200)
    present = {row["person_ref"] for row in recorded["rows"] if row["present"]}
    return await render(request, "training/sheet.html", {
        "title": f"Absensi sesi {session_no}", "course": course, "session_no": session_no,
        "people": people["items"], "present": present, "recorded": bool(recorded["rows"])}, offline=True)


@pages.post("/pelatihan/{course_ref}/sesi/{session_no}")
async def sheet_save(request: Request, user: CurrentUser, course_ref: UUID, session_no: int,
                     participant: Annotated[list[str] | None, Form()] = None,
                     present: Annotated[list[str] | None, Form()] = None) -> Response:
    try:
        everyone = [UUID(ref) for ref in participant or []]
        here = {UUID(ref) for ref in present or []}
    except ValueError:
        raise errors.Invalid("Lembar absensi rusak; muat ulang halaman", "malformed participant ref",
                             field="participant") from None
    if not everyone:
        raise errors.Invalid("Belum ada peserta untuk diabsen", "no participants on the sheet", field="participant")
    marks = [(ref, ref in here) for ref in everyone]

    answer = await command(request, lambda conn: participants.record_attendance(
        Uow(conn), course_ref=course_ref, session_no=session_no, marks=marks), model=dict[str, Any])
    if "application/json" in request.headers.get("accept", ""):
        return answer
    await flash(request, f"Absensi sesi {session_no} tercatat: {len(here)} dari {len(everyone)} hadir")
    return RedirectResponse(f"/pelatihan/{course_ref}/sesi/{session_no}", status_code=303)
