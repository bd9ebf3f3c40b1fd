"""The lists Diskop UKM starts from: the cooperatives (with the form to form one from its founders' NIKs) and the
UKM of a kecamatan. Limited to the user's kecamatan like every read; founders are found by NIK with
``women.find`` and the cooperative formed with ``coops.form`` through ``entrypoints.command``."""

from typing import Any
from uuid import uuid4

import asyncpg
from berdaya_shared import errors
from berdaya_shared.auth import SessionRoute
from berdaya_shared.entrypoints import Today
from berdaya_shared.signin import CurrentUser, flash
from berdaya_shared.signin import Purpose as SessionPurpose
from berdaya_shared.ui import forms, render
from berdaya_shared.ui.formats import parse_tanggal
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from ..service_layer import businesses, coops, women
from .deps import Uow
from .pages_common import KECAMATAN_CHOICES, place, read, submit
from .pages_woman import COOP_KINDS, SECTORS

pages = APIRouter(route_class=SessionRoute, include_in_schema=False)
COOP_FIELDS = ("name", "kecamatan_code", "kind", "formed_on", "legal_entity_number", "founders")
MOST = 500


async def _coops_page(request: Request, user: Any, uow: Uow, *, values: dict[str, str] | None = None,
                      problems: dict[str, str] | None = None) -> Response:
    found = await read(request, lambda conn: uow(conn).overview.coops(
        sorted(user.kecamatan) if user.kecamatan is not None else None, MOST))
    return await render(request, "registry/coops.html", {
        "title": "Koperasi", "coops": found, "kinds": COOP_KINDS, "kecamatan": KECAMATAN_CHOICES, "place_of": place,
        "values": values or {}, "errors": problems or {}, "form_key": str(uuid4())},
        status_code=422 if problems else 200)


@pages.get("/koperasi")
async def coops_page(request: Request, user: CurrentUser, uow: Uow) -> Response:
    return await _coops_page(request, user, uow)


@pages.post("/koperasi")
async def form_coop(request: Request, user: CurrentUser, why: SessionPurpose, today: Today, uow: Uow) -> Response:
    form = await request.form()
    values = forms.values(form, COOP_FIELDS)
    problems: dict[str, str] = {}
    if len(values["name"].strip()) < 2:
        problems["name"] = "Nama koperasi wajib diisi"
    if values["kecamatan_code"] not in dict(KECAMATAN_CHOICES):
        problems["kecamatan_code"] = "Pilih kecamatan"
    if values["kind"] not in COOP_KINDS:
        problems["kind"] = "Pilih jenis koperasi"
    try:
        formed_on = parse_tanggal(values["formed_on"], field="formed_on")
    except errors.Invalid as refusal:
        problems.update(forms.from_refusal(refusal))
    niks = [line.replace(" ", "") for line in values["founders"].splitlines() if line.strip()]
    wrong = [str(n) for n, value in enumerate(niks, start=1) if not (value.isdigit() and len(value) == 16)]
    if not niks:
        problems["founders"] = "Tulis NIK anggota pendiri, satu per baris"
    elif wrong:
        problems["founders"] = f"NIK harus 16 angka (baris {', '.join(wrong)})"

    async def handle(conn: asyncpg.Connection) -> dict[str, Any]:
        work = uow(conn)
        refs, unknown = [], []
        for n, value in enumerate(niks, start=1):
            found = await women.find(work, nik_value=value, limit=1, area=user.kecamatan)
            if found["items"]:
                refs.append(found["items"][0]["person_ref"])
            else:
                unknown.append(str(n))
        if unknown:
            raise errors.Invalid(f"Belum terdaftar: NIK di baris {', '.join(unknown)}; daftarkan dia dahulu",
                                 "founders not registered", field="founders")
        return await coops.form(work, name=values["name"].strip(), kecamatan_code=values["kecamatan_code"],
                                kind=values["kind"], formed_on=formed_on,
                                has_legal_entity=bool(values["legal_entity_number"].strip()),
                                legal_entity_number=values["legal_entity_number"].strip() or None,
                                founding_member_refs=list(dict.fromkeys(refs)), today=today)

    answer = None
    if not problems:
        answer, problems = await submit(request, str(form.get("idempotency_key", "")), handle,
                                        model=dict[str, Any], known=COOP_FIELDS)
    if problems:
        return await _coops_page(request, user, uow, values=values, problems=problems)
    await flash(request, f"Koperasi tercatat: {answer['name']}, {place(answer['kecamatan_code'])}, "
                         f"{answer['active_members']} anggota pendiri.")
    return RedirectResponse(f"/koperasi/{answer['coop_ref']}", status_code=303)


@pages.get("/ukm")
async def businesses_page(request: Request, user: CurrentUser, uow: Uow,
                          kecamatan: str | None = None) -> Response:
    chosen = kecamatan if kecamatan in dict(KECAMATAN_CHOICES) else None
    if chosen is not None and user.kecamatan is not None and chosen not in user.kecamatan:
        raise errors.Forbidden("Kecamatan ini di luar wilayah kerja Anda", "kecamatan outside the user's area",
                               field="kecamatan")
    found = None
    if chosen is not None:
        found = await read(request, lambda conn: businesses.search(uow(conn), owner_person_ref=None,
                                                                   kecamatan_code=chosen, sector=None, limit=MOST,
                                                                   offset=0))
    return await render(request, "registry/businesses.html", {
        "title": "UKM", "kecamatan": KECAMATAN_CHOICES, "chosen": chosen,
        "chosen_name": dict(KECAMATAN_CHOICES).get(chosen or ""), "found": found, "sectors": dict(SECTORS)})
