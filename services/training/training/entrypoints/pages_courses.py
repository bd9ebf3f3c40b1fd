"""Training staff pages (DP3A and Distransnaker): the courses list, scheduling a course, a course with its
participants (enrol, complete, drop out) and a participant's printable certificate.

Every page calls the same service-layer handlers as the API, through ``command``/``query``; a change is refused
unless the signed-in user holds courses:write (``policy.PAGE_RULES``) and her OPD organizes the course
(``policy.course_ownership``). Names are never here: the browser asks the registry for them (``names.js``).
"""

import json
from decimal import Decimal
from typing import Any
from uuid import UUID

import asyncpg
from berdaya_shared import errors
from berdaya_shared.auth import SessionRoute
from berdaya_shared.entrypoints import Today, command
from berdaya_shared.http import status_of
from berdaya_shared.signin import CurrentUser, Purpose, flash
from berdaya_shared.ui import forms, render
from berdaya_shared.ui.formats import parse_tanggal, tanggal
from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from ..service_layer import courses, participants
from ..service_layer.unit_of_work import TrainingUnitOfWork as Uow
from .policy import course_ownership
from .words import DROP_REASONS, FIELDS, field_label

pages = APIRouter(route_class=SessionRoute, include_in_schema=False, dependencies=[Depends(course_ownership)])

COURSE_FIELDS = ("title", "field", "kecamatan_code", "starts_on", "ends_on", "sessions", "capacity")
LABELS = {"title": "Judul", "field": "Bidang", "kecamatan_code": "Kode kecamatan", "starts_on": "Tanggal mulai",
          "ends_on": "Tanggal selesai", "sessions": "Jumlah sesi", "capacity": "Kapasitas peserta"}


def _whole(text: str, name: str, low: int, high: int) -> int:
    try:
        value = int(text.strip().replace(".", ""))
    except ValueError:
        raise errors.Invalid(f"{LABELS[name]}: tulis angka bulat", f"{name}: not a whole number",
                             field=name) from None
    if not low <= value <= high:
        raise errors.Invalid(f"{LABELS[name]}: antara {low} dan {high}", f"{name}: out of range", field=name)
    return value


def _read_course(form: dict[str, str], threshold: Decimal) -> tuple[dict[str, Any], dict[str, str]]:
    """The course as typed, or the problems field by field."""
    problems: dict[str, str] = {}
    out: dict[str, Any] = {"completion_threshold": threshold}
    title = " ".join(form["title"].split())
    if len(title) < 3 or len(title) > 200:
        problems["title"] = "Judul: 3 sampai 200 karakter"
    out["title"] = title
    if form["field"] not in FIELDS:
        problems["field"] = "Bidang: pilih salah satu"
    out["field"] = form["field"]
    code = form["kecamatan_code"].strip()
    if not (len(code) == 8 and code.startswith("64.02.") and code[6:].isdigit()):
        problems["kecamatan_code"] = "Kode kecamatan Kutai Kartanegara, misalnya 64.02.06"
    out["kecamatan_code"] = code
    for name in ("starts_on", "ends_on"):
        try:
            out[name] = parse_tanggal(form[name], field=name)
        except errors.Invalid as refusal:
            problems.update(forms.from_refusal(refusal))
    for name, high in (("sessions", 365), ("capacity", 10_000)):
        try:
            out[name] = _whole(form[name], name, 1, high)
        except errors.Invalid as refusal:
            problems.update(forms.from_refusal(refusal))
    if not problems and out["ends_on"] < out["starts_on"]:
        problems["ends_on"] = "Tanggal selesai tidak boleh sebelum tanggal mulai"
    return out, problems


@pages.get("/pelatihan")
async def course_list(request: Request, user: CurrentUser) -> Response:
    async with request.app.state.runtime.pool.acquire() as conn:
        page = await courses.list_(Uow(conn), organizer_opd=user.opd, limit=200)
    return await render(request, "training/courses.html", {
        "title": "Pelatihan", "courses": page["items"], "total": page["total"], "field_label": field_label})


@pages.get("/pelatihan/baru")
async def course_form(request: Request, user: CurrentUser) -> Response:
    return await render(request, "training/course_form.html", {
        "title": "Jadwalkan pelatihan", "values": {}, "errors": {}, "fields": FIELDS.items()})


@pages.post("/pelatihan/baru")
async def course_create(request: Request, user: CurrentUser) -> Response:
    form = forms.values(await request.form(), COURSE_FIELDS)
    course, problems = _read_course(form, request.app.state.settings.completion_threshold)
    if problems or user.opd is None:
        problems = problems or {"_form": "Akun Anda tidak terhubung ke OPD mana pun"}
        return await render(request, "training/course_form.html", {
            "title": "Jadwalkan pelatihan", "values": form, "errors": problems, "fields": FIELDS.items()},
            status_code=422)
    try:
        created = await command(request, lambda conn: courses.create(Uow(conn), organizer_opd=user.opd, **course),
                                model=dict[str, Any], status=201)
    except errors.Refusal as refusal:
        return await render(request, "training/course_form.html", {
            "title": "Jadwalkan pelatihan", "values": form, "errors": forms.from_refusal(refusal),
            "fields": FIELDS.items()}, status_code=422)
    ref = _json(created)["course_ref"]
    await flash(request, f"Pelatihan dijadwalkan: {course['title']}, {tanggal(course['starts_on'])} sampai "
                         f"{tanggal(course['ends_on'])}, {course['sessions']} sesi, kapasitas {course['capacity']}")
    return RedirectResponse(f"/pelatihan/{ref}", status_code=303)


def _json(response: Response) -> dict[str, Any]:
    return json.loads(bytes(response.body))  # type: ignore[no-any-return]


async def _course_and_people(conn: asyncpg.Connection, course_ref: UUID) -> tuple[dict[str, Any], list[dict]]:
    course = await courses.get(Uow(conn), course_ref=course_ref)
    people = await participants.list_(Uow(conn), course_ref=course_ref, limit=200)
    return course, people["items"]


@pages.get("/pelatihan/{course_ref}")
async def course_page(request: Request, user: CurrentUser, purpose: Purpose, course_ref: UUID) -> Response:
    async with request.app.state.runtime.pool.acquire() as conn:
        course, people = await _course_and_people(conn, course_ref)
    return await render(request, "training/course.html", {
        "title": course["title"], "course": course, "people": people, "field_label": field_label,
        "reasons": DROP_REASONS.items(), "mine": course["organizer_opd"] == user.opd, "errors": {},
        "schedule": _schedule_values(course)})


def _schedule_values(course: dict[str, Any]) -> dict[str, str]:
    return {"starts_on": course["starts_on"].isoformat(), "ends_on": course["ends_on"].isoformat(),
            "capacity": str(course["capacity"])}


async def _act(request: Request, course_ref: UUID, handler: Any, done: str, *, status: int = 201,
               typed: dict[str, str] | None = None) -> Response:
    """Run a command from a form on the course page; a refusal is shown there beside its field (409/422), with
    the schedule form keeping what was ``typed``."""
    try:
        await command(request, handler, model=dict[str, Any], status=status)
    except errors.Refusal as refusal:
        return await _shown_with(request, course_ref, forms.from_refusal(refusal), status_of(refusal), typed)
    await flash(request, done)
    return RedirectResponse(f"/pelatihan/{course_ref}", status_code=303)


async def _shown_with(request: Request, course_ref: UUID, problems: dict[str, str], status: int,
                      typed: dict[str, str] | None) -> Response:
    async with request.app.state.runtime.pool.acquire() as conn:
        course, people = await _course_and_people(conn, course_ref)
    user = request.state.principal
    return await render(request, "training/course.html", {
        "title": course["title"], "course": course, "people": people, "field_label": field_label,
        "reasons": DROP_REASONS.items(), "mine": course["organizer_opd"] == user.opd, "errors": problems,
        "schedule": typed or _schedule_values(course)}, status_code=status)


@pages.post("/pelatihan/{course_ref}/jadwal")
async def reschedule(request: Request, user: CurrentUser, today: Today, course_ref: UUID) -> Response:
    """The course's new dates and capacity (``courses.reschedule``); each mistake beside its field."""
    typed = forms.values(await request.form(), ("starts_on", "ends_on", "capacity"))
    problems: dict[str, str] = {}
    values: dict[str, Any] = {}
    for name in ("starts_on", "ends_on"):
        try:
            values[name] = parse_tanggal(typed[name], field=name)
        except errors.Invalid as refusal:
            problems.update(forms.from_refusal(refusal))
    try:
        values["capacity"] = _whole(typed["capacity"], "capacity", 1, 10_000)
    except errors.Invalid as refusal:
        problems.update(forms.from_refusal(refusal))
    if problems:
        return await _shown_with(request, course_ref, problems, 422, typed)
    return await _act(request, course_ref, lambda conn: courses.reschedule(
        Uow(conn), course_ref=course_ref, today=today, **values),
        f"Jadwal diubah: {tanggal(values['starts_on'])} sampai {tanggal(values['ends_on'])}, kapasitas "
        f"{values['capacity']}", status=200, typed=typed)


def _ref(text: str, field: str) -> UUID:
    try:
        return UUID(text.strip())
    except ValueError:
        raise errors.Invalid("Nomor peserta dari registri tidak dikenali (36 karakter, misalnya "
                             "0b6f…-…)", f"{field}: not a UUID", field=field) from None


@pages.post("/pelatihan/{course_ref}/peserta")
async def enrol(request: Request, user: CurrentUser, today: Today, course_ref: UUID) -> Response:
    form = await request.form()
    try:
        # the woman chosen from the registry's answers (a radio) or her ref typed in: one of the two
        given = {str(v).strip() for v in form.getlist("person_ref")} - {""}
        if len(given) != 1:
            raise errors.Invalid("Pilih satu perempuan dari hasil pencarian, atau tulis nomor registrinya"
                                 if not given else "Pilih dari hasil pencarian atau tulis nomor registri, bukan "
                                 "keduanya", "person_ref: exactly one woman", field="person_ref")
        person_ref = _ref(given.pop(), "person_ref")
        enrolled_on = parse_tanggal(str(form.get("enrolled_on", "")), field="enrolled_on", required=False)
    except errors.Invalid as refusal:
        return await _act(request, course_ref, _raise(refusal), "")
    return await _act(request, course_ref, lambda conn: participants.enrol(
        Uow(conn), course_ref=course_ref, person_ref=person_ref, enrolled_on=enrolled_on or today),
        f"Peserta terdaftar (nomor {str(person_ref)[:8]})")


def _raise(refusal: errors.Refusal) -> Any:
    async def handler(_conn: asyncpg.Connection) -> None:
        raise refusal

    return handler


@pages.post("/pelatihan/{course_ref}/lulus")
async def complete(request: Request, user: CurrentUser, course_ref: UUID) -> Response:
    form = await request.form()
    try:
        person_ref = _ref(str(form.get("person_ref", "")), "person_ref")
        completed_on = parse_tanggal(str(form.get("completed_on", "")), field="completed_on")
    except errors.Invalid as refusal:
        return await _act(request, course_ref, _raise(refusal), "")
    reason = " ".join(str(form.get("override_reason", "")).split()) or None
    return await _act(request, course_ref, lambda conn: participants.complete(
        Uow(conn), course_ref=course_ref, person_ref=person_ref, completed_on=completed_on, override_reason=reason),
        f"Kelulusan tercatat pada {tanggal(completed_on)}")


@pages.post("/pelatihan/{course_ref}/keluar")
async def drop(request: Request, user: CurrentUser, course_ref: UUID) -> Response:
    form = await request.form()
    reason = str(form.get("reason", ""))
    try:
        person_ref = _ref(str(form.get("person_ref", "")), "person_ref")
        dropped_on = parse_tanggal(str(form.get("dropped_on", "")), field="dropped_on")
        if reason not in DROP_REASONS:
            raise errors.Invalid("Alasan keluar: pilih salah satu", "reason missing", field="reason")
    except errors.Invalid as refusal:
        return await _act(request, course_ref, _raise(refusal), "")
    return await _act(request, course_ref, lambda conn: participants.drop(
        Uow(conn), course_ref=course_ref, person_ref=person_ref, dropped_on=dropped_on, reason=reason),
        f"Peserta keluar pada {tanggal(dropped_on)}: {DROP_REASONS[reason]}")


@pages.get("/pelatihan/{course_ref}/sertifikat/{person_ref}")
async def certificate(request: Request, user: CurrentUser, purpose: Purpose, course_ref: UUID,
                      person_ref: UUID) -> Response:
    async with request.app.state.runtime.pool.acquire() as conn:
        course = await courses.get(Uow(conn), course_ref=course_ref)
        enrolment = await participants.get(Uow(conn), course_ref=course_ref, person_ref=person_ref)
    if not enrolment["certified"]:
        raise errors.NotFound("Peserta ini belum lulus dengan sertifikat", "no certificate", field="person_ref")
    return await render(request, "training/certificate.html", {
        "title": "Sertifikat pelatihan", "course": course, "enrolment": enrolment, "field_label": field_label})

