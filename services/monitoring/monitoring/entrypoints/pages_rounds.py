"""The coordination round as forms, beside the dashboard and the printable page: open a round, each OPD's progress
note, obstacles, follow-up actions and their status, approval by DP3A.

Every form calls the same handlers as ``api_rounds`` through the kit's ``command``; the rules of
``domain/rounds.py`` decide as for the API (each OPD writes its own entries, an action is reviewed by the OPD that
recorded it or owns it, only DP3A's evaluation team approves: rounds:approve). A form the user's OPD or scopes may not use is not
offered.
"""

from typing import Any
from uuid import UUID

from berdaya_shared import errors, scopes
from berdaya_shared.auth import SessionRoute
from berdaya_shared.clock import today
from berdaya_shared.entrypoints import command, pool
from berdaya_shared.signin import CurrentUser, flash
from berdaya_shared.ui import forms, render
from berdaya_shared.ui.formats import parse_tanggal
from berdaya_shared.ui.nav import OPD_LABELS
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from ..service_layer import indicators, rounds
from ..service_layer.unit_of_work import MonitoringUnitOfWork as Uow
from . import schemas_rounds as s

pages = APIRouter(route_class=SessionRoute, include_in_schema=False)

CATEGORIES = {"budget": "Anggaran", "participants": "Peserta", "market_access": "Akses pasar", "data": "Data",
              "coordination": "Koordinasi", "other": "Lainnya"}
SEVERITIES = {"low": "Rendah", "medium": "Sedang", "high": "Tinggi"}
STATUSES = {"open": "Terbuka", "in_progress": "Sedang dikerjakan", "done": "Selesai"}
KINDS = {"quarter": "Triwulan (mis. 2026-Q3)", "month": "Bulan (mis. 2026-08)"}
REFUSED = (errors.Invalid, errors.Forbidden, errors.Conflict, errors.NotFound)


async def _list(request: Request, user: Any, values: dict[str, str] | None = None,
                problems: dict[str, str] | None = None, status_code: int = 200) -> Response:
    async with pool(request).acquire() as conn:
        found = await rounds.list_(Uow(conn), limit=50, offset=0)
    return await render(request, "monitoring/rounds.html", {
        "title": "Putaran evaluasi", "rounds": found, "kinds": list(KINDS.items()),
        "values": values or {"period_kind": "quarter"},
        "errors": problems or {}, "can_open": bool(user.opd) and scopes.ROUNDS_WRITE in user.scopes}, status_code=status_code)


@pages.get("/putaran")
async def rounds_page(request: Request, user: CurrentUser) -> Response:
    return await _list(request, user)


@pages.post("/putaran")
async def open_round(request: Request, user: CurrentUser) -> Response:
    form = await request.form()
    forms.adopt_form_key(request, form)
    values = forms.values(form, ("period_kind", "period", "title"))
    try:
        body = s.RoundCreate.model_validate({"period_kind": values["period_kind"] or None,
                                            "period": values["period"].strip(), "title": values["title"]})
        async with indicators.snapshot(pool(request)) as conn:
            frozen = await rounds.freeze(conn, body.period_kind, body.period)
        response = await command(request, lambda conn: rounds.open_round(
            Uow(conn), kind=body.period_kind, period=body.period, title=body.title, opd=user.opd, frozen=frozen),
            model=s.RoundRead, status=201)
        ref = forms.answered(response)["round_ref"]
    except ValidationError as invalid:
        return await _list(request, user, values, forms.from_validation(invalid, {"period": "Periode"}), 422)
    except REFUSED as refusal:
        problems = {("period" if k == "_form" else k): v for k, v in forms.from_refusal(refusal).items()}
        return await _list(request, user, values, problems, 422)
    await flash(request, f"Putaran {body.period} dibuka; angka periode itu dibekukan")
    return RedirectResponse(f"/putaran/{ref}", status_code=303)


async def _round(request: Request, user: Any, round_ref: UUID, *, values: dict[str, str] | None = None,
                 problems: dict[str, str] | None = None, status_code: int = 200) -> Response:
    async with pool(request).acquire() as conn:
        r = await rounds.get(Uow(conn), round_ref=round_ref, internal=user.has("figures:internal"))
    mine = next((n["progress_note"] for n in r["notes"] if n["opd"] == user.opd), "")
    open_ = r["status"] == "open"
    return await render(request, "monitoring/round.html", {
        "title": f"Putaran {r['period']}", "r": r, "opd": user.opd, "opd_labels": OPD_LABELS,
        "opds": list(OPD_LABELS.items()), "categories": CATEGORIES, "severities": SEVERITIES, "statuses": STATUSES,
        "values": values or {"progress_note": mine}, "errors": problems or {},
        "can_write": open_ and bool(user.opd) and scopes.ROUNDS_WRITE in user.scopes,
        "can_approve": open_ and user.opd == "dp3a" and scopes.ROUNDS_APPROVE in user.scopes},
        status_code=status_code)


@pages.get("/putaran/{round_ref}")
async def round_page(request: Request, user: CurrentUser, round_ref: UUID) -> Response:
    return await _round(request, user, round_ref)


async def _write(request: Request, user: Any, round_ref: UUID, values: dict[str, str], run: Any,
                 message: str, field_of: dict[str, str] | None = None) -> Response:
    try:
        await run()
    except REFUSED as refusal:
        names = {"opd": "_form", **(field_of or {})}
        problems = {names.get(k, k): v for k, v in forms.from_refusal(refusal).items()}
        return await _round(request, user, round_ref, values=values, problems=problems,
                            status_code=403 if isinstance(refusal, errors.Forbidden) else 422)
    await flash(request, message)
    return RedirectResponse(f"/putaran/{round_ref}", status_code=303)


@pages.post("/putaran/{round_ref}/catatan")
async def note(request: Request, user: CurrentUser, round_ref: UUID) -> Response:
    form = await request.form()
    forms.adopt_form_key(request, form)
    values = forms.values(form, ("progress_note",))
    text = values["progress_note"].strip()

    async def run() -> None:
        if not text:
            raise errors.Invalid("Tulis catatan kemajuan OPD Anda", "empty note", field="progress_note")
        forms.answered(await command(request, lambda conn: rounds.put_note(
            Uow(conn), round_ref=round_ref, opd=user.opd or "", acting_opd=user.opd, note=text), model=s.NoteWritten))
    return await _write(request, user, round_ref, values, run,
                        f"Catatan {OPD_LABELS.get(user.opd or '', '')} tersimpan", {"_form": "progress_note"})


@pages.post("/putaran/{round_ref}/hambatan")
async def obstacle(request: Request, user: CurrentUser, round_ref: UUID) -> Response:
    form = await request.form()
    forms.adopt_form_key(request, form)
    values = forms.values(form, ("category", "severity", "obstacle"))

    async def run() -> None:
        problems = {}
        if values["category"] not in CATEGORIES:
            problems["category"] = "Pilih jenis hambatan"
        if values["severity"] not in SEVERITIES:
            problems["severity"] = "Pilih tingkat hambatan"
        if not values["obstacle"].strip():
            problems["obstacle"] = "Tulis hambatannya"
        if problems:
            raise errors.Invalid("Isian hambatan belum lengkap", "incomplete obstacle",
                                 errors=[errors.FieldError(k, v, k) for k, v in problems.items()])
        forms.answered(await command(request, lambda conn: rounds.add_obstacle(
            Uow(conn), round_ref=round_ref, acting_opd=user.opd, opd=user.opd or "", category=values["category"],
            description=values["obstacle"].strip(), severity=values["severity"]),
            model=s.ObstacleWritten, status=201))
    return await _write(request, user, round_ref, values, run, "Hambatan tercatat", {"_form": "obstacle"})


@pages.post("/putaran/{round_ref}/tindak-lanjut")
async def action(request: Request, user: CurrentUser, round_ref: UUID) -> Response:
    form = await request.form()
    forms.adopt_form_key(request, form)
    values = forms.values(form, ("owner_opd", "action", "due_on"))

    async def run() -> None:
        problems = {}
        if values["owner_opd"] not in OPD_LABELS:
            problems["owner_opd"] = "Pilih OPD penanggung jawab"
        if not values["action"].strip():
            problems["action"] = "Tulis tindak lanjutnya"
        due = None
        try:
            due = parse_tanggal(values["due_on"], field="due_on")
        except errors.Invalid as bad:
            problems["due_on"] = bad.pesan
        if problems:
            raise errors.Invalid("Isian tindak lanjut belum lengkap", "incomplete action",
                                 errors=[errors.FieldError(k, v, k) for k, v in problems.items()])
        assert due is not None
        forms.answered(await command(request, lambda conn: rounds.add_action(
            Uow(conn), round_ref=round_ref, acting_opd=user.opd, opd=user.opd or "", owner_opd=values["owner_opd"],
            description=values["action"].strip(), due_on=due), model=s.ActionWritten, status=201))
    return await _write(request, user, round_ref, values, run, "Tindak lanjut tercatat", {"_form": "action"})


@pages.post("/putaran/{round_ref}/tindak-lanjut/{action_ref}")
async def review(request: Request, user: CurrentUser, round_ref: UUID, action_ref: UUID) -> Response:
    form = await request.form()
    forms.adopt_form_key(request, form)
    values = forms.values(form, ("status", "review_note"))
    field = f"status-{action_ref}"

    async def run() -> None:
        if values["status"] not in STATUSES:
            raise errors.Invalid("Pilih status tindak lanjut", "status missing", field=field)
        forms.answered(await command(request, lambda conn: rounds.review_action(
            Uow(conn), round_ref=round_ref, action_ref=action_ref, acting_opd=user.opd, status=values["status"],
            note=values["review_note"].strip()), model=s.ActionReviewRead))
    return await _write(request, user, round_ref, values, run,
                        f"Status tindak lanjut: {STATUSES.get(values['status'], '')}", {"_form": field})


@pages.post("/putaran/{round_ref}/setujui")
async def approve(request: Request, user: CurrentUser, round_ref: UUID) -> Response:
    forms.adopt_form_key(request, await request.form())

    async def run() -> None:
        forms.answered(await command(request, lambda conn: rounds.approve(
            Uow(conn), round_ref=round_ref, acting_opd=user.opd, today=today()), model=s.RoundRead))
    return await _write(request, user, round_ref, {}, run, "Putaran disetujui DP3A; kini hanya dapat dibaca")
