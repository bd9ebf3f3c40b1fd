"""Job placements as a page (Distransnaker): the form and the placements recorded so far."""

from typing import Any
from uuid import UUID

from berdaya_shared import errors
from berdaya_shared.auth import SessionRoute
from berdaya_shared.entrypoints import command
from berdaya_shared.signin import CurrentUser, flash
from berdaya_shared.ui import forms, render
from berdaya_shared.ui.formats import parse_rupiah, parse_tanggal, rupiah, tanggal
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from ..service_layer import placements
from ..service_layer.unit_of_work import TrainingUnitOfWork as Uow
from .words import SECTORS

pages = APIRouter(route_class=SessionRoute, include_in_schema=False)
FIELDS = ("person_ref", "course_ref", "sector", "formal", "monthly_wage_idr", "placed_on")


async def _page(request: Request, values: dict[str, str], problems: dict[str, str], status: int = 200) -> Response:
    async with request.app.state.runtime.pool.acquire() as conn:
        recent = await placements.list_(Uow(conn), limit=50)
    return await render(request, "training/placements.html", {
        "title": "Penempatan kerja", "values": values, "errors": problems, "sectors": SECTORS.items(),
        "placements": recent["items"], "sector_label": SECTORS}, status_code=status)


@pages.get("/penempatan")
async def placement_page(request: Request, user: CurrentUser) -> Response:
    return await _page(request, {}, {})


def _uuid(text: str, field: str, *, required: bool) -> UUID | None:
    if not text.strip() and not required:
        return None
    try:
        return UUID(text.strip())
    except ValueError:
        raise errors.Invalid("Nomor referensi tidak dikenali (36 karakter)", f"{field}: not a UUID",
                             field=field) from None


@pages.post("/penempatan")
async def placement_save(request: Request, user: CurrentUser) -> Response:
    values = forms.values(await request.form(), FIELDS)
    problems: dict[str, str] = {}
    parsed: dict[str, Any] = {}
    for name, read in (("person_ref", lambda v: _uuid(v, "person_ref", required=True)),
                       ("course_ref", lambda v: _uuid(v, "course_ref", required=False)),
                       ("monthly_wage_idr", lambda v: parse_rupiah(v, field="monthly_wage_idr")),
                       ("placed_on", lambda v: parse_tanggal(v, field="placed_on"))):
        try:
            parsed[name] = read(values[name])
        except errors.Invalid as refusal:
            problems.update(forms.from_refusal(refusal))
    if values["sector"] not in SECTORS:
        problems["sector"] = "Sektor: pilih salah satu"
    if problems:
        return await _page(request, values, problems, 422)
    try:
        await command(request, lambda conn: placements.create(
            Uow(conn), sector=values["sector"], formal=values["formal"] == "1",
            recorded_by_opd=user.opd or "distransnaker", **parsed), model=dict[str, Any], status=201)
    except errors.Refusal as refusal:
        return await _page(request, values, forms.from_refusal(refusal), 422)
    await flash(request, f"Penempatan kerja tercatat: {SECTORS[values['sector']]}, "
                         f"{rupiah(parsed['monthly_wage_idr'])} per bulan, mulai {tanggal(parsed['placed_on'])}")
    return RedirectResponse("/penempatan", status_code=303)
