"""Staff pages for women (DP3A, Diskop UKM): find a woman by name, NIK, desa or kecamatan; register a woman with her
baseline welfare assessment.

Both show personal data, so both need the purpose the user declared for this session (asked once, logged with
every read). The search travels in a POST body (names and NIKs stay out of URLs and access logs); its results are
limited to the user's kecamatan like the API's. Registration is offered only to users with women:write and
welfare:write (``policy.POLICY``), runs ``women.create`` and ``welfare.assess`` in one transaction through
``entrypoints.command`` with the form's Idempotency-Key, so a double submission registers her once."""

from datetime import date
from typing import Any
from uuid import uuid4

import asyncpg
from berdaya_shared import audit, errors
from berdaya_shared import scopes as s
from berdaya_shared.auth import SessionRoute
from berdaya_shared.entrypoints import Today, command
from berdaya_shared.signin import CurrentUser, flash
from berdaya_shared.signin import Purpose as SessionPurpose
from berdaya_shared.ui import forms, render
from berdaya_shared.ui.formats import parse_rupiah, parse_tanggal, rupiah, tanggal
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, ValidationError

from ..adapters import audit_store
from ..service_layer import welfare, women
from .deps import Opd, Uow, log_reads
from .pages_common import (
    KECAMATAN_CHOICES,
    PEKKA,
    PEKKA_LABELS,
    answer_of,
    desa_groups,
    errors_of,
    place,
    read,
    refusal_errors,
    use_form_key,
)
from .schemas_welfare import WelfareAssessmentRead
from .schemas_women import WomanCreate, WomanRead, WomanSearch

pages = APIRouter(route_class=SessionRoute, include_in_schema=False)

SEARCH_FIELDS = ("name", "nik", "kecamatan_code", "desa_code")
PAGE_SIZE = 20
REGISTER_FIELDS = ("nik", "full_name", "birth_date", "phone", "kecamatan_code", "desa_code", "household_size",
                   "pekka_category", "monthly_household_income_idr", "assessed_on",
                   "confirm_birth_date_differs_from_nik", "confirm_low_income")
LABELS = {"nik": "NIK", "full_name": "Nama lengkap", "birth_date": "Tanggal lahir", "phone": "Nomor HP",
          "kecamatan_code": "Kecamatan", "desa_code": "Desa/kelurahan", "household_size": "Jumlah anggota rumah tangga",
          "pekka_category": "Kategori PEKKA", "name": "Nama"}


class Registered(BaseModel):
    woman: WomanRead
    assessment: WelfareAssessmentRead


def _choices() -> dict[str, Any]:
    return {"kecamatan": KECAMATAN_CHOICES, "desa": desa_groups(), "pekka": PEKKA}


def row_of(woman: dict[str, Any]) -> dict[str, Any]:
    """A found woman as the results table shows her."""
    return {**woman, "place": place(woman["kecamatan_code"], woman["desa_code"]),
            "pekka": PEKKA_LABELS.get(woman["pekka_category"], woman["pekka_category"])}


# -- find ------------------------------------------------------------------------------------------------------------

@pages.get("/perempuan")
async def search_page(request: Request, user: CurrentUser, why: SessionPurpose) -> Response:
    return await render(request, "registry/search.html", {
        "title": "Cari perempuan", "values": {}, "errors": {}, "found": None, **_choices()})


@pages.post("/perempuan")
async def search(request: Request, user: CurrentUser, why: SessionPurpose, uow: Uow) -> Response:
    form = await request.form()
    values = forms.values(form, SEARCH_FIELDS)
    page = max(1, int(form.get("halaman", "1")) if str(form.get("halaman", "1")).isdigit() else 1)
    context = {"title": "Cari perempuan", "values": values, **_choices()}
    try:
        asked = WomanSearch.model_validate({k: (v.strip() or None) for k, v in values.items()}
                                           | {"limit": PAGE_SIZE, "offset": (page - 1) * PAGE_SIZE})
    except ValidationError as invalid:
        problems = forms.from_validation(invalid, LABELS)
        if "nik" in problems:
            problems["nik"] = "NIK harus 16 angka"
        return await render(request, "registry/search.html", {**context, "errors": problems, "found": None},
                            block="search", status_code=422)

    async def handle(conn: asyncpg.Connection) -> dict[str, Any]:
        found = await women.find(uow(conn), name=asked.name, nik_value=asked.nik, kecamatan_code=asked.kecamatan_code,
                                 desa_code=asked.desa_code, limit=asked.limit, offset=asked.offset,
                                 area=user.kecamatan)
        await log_reads(conn, request, [w["person_ref"] for w in found["items"]], why=why)
        return found

    try:
        found = await read(request, handle)
    except (errors.Invalid, errors.Forbidden) as refusal:
        return await render(request, "registry/search.html", {
            **context, "errors": errors_of(refusal, SEARCH_FIELDS), "found": None}, block="search", status_code=422)
    pages_total = max(1, -(-found["total"] // PAGE_SIZE))
    return await render(request, "registry/search.html", {
        **context, "errors": {}, "found": [row_of(w) for w in found["items"]], "total": found["total"],
        "page": page, "pages": pages_total}, block="search")


# -- register --------------------------------------------------------------------------------------------------------

async def _register_page(request: Request, values: dict[str, Any], problems: dict[str, str],
                         status_code: int = 200) -> Response:
    return await render(request, "registry/register.html", {
        "title": "Daftarkan perempuan", "values": values, "errors": problems, "form_key": str(uuid4()),
        **_choices()}, block="form", status_code=status_code)


@pages.get("/perempuan/daftar")
async def register_page(request: Request, user: CurrentUser, why: SessionPurpose, today: Today) -> Response:
    return await _register_page(request, {"assessed_on": today.isoformat(), "pekka_category": "none"}, {})


def _read_form(values: dict[str, str]) -> tuple[WomanCreate | None, int | None, date | None, dict[str, str]]:
    """The registration form read as the API reads it: (her record, monthly income, assessment date, errors)."""
    problems: dict[str, str] = {}
    parsed: dict[str, Any] = {}
    for name, parse in (("birth_date", parse_tanggal), ("monthly_household_income_idr", parse_rupiah),
                        ("assessed_on", parse_tanggal)):
        try:
            parsed[name] = parse(values[name], field=name)
        except errors.Invalid as refusal:
            problems.update(forms.from_refusal(refusal))
    record = {name: values[name].strip() or None for name in
              ("nik", "full_name", "phone", "kecamatan_code", "desa_code", "household_size", "pekka_category")}
    record["confirm_birth_date_differs_from_nik"] = bool(values["confirm_birth_date_differs_from_nik"])
    if parsed.get("birth_date"):
        record["birth_date"] = parsed["birth_date"]
    woman = None
    try:
        woman = WomanCreate.model_validate({k: v for k, v in record.items() if v is not None})
    except ValidationError as invalid:
        problems = forms.merge(problems, forms.from_validation(invalid, LABELS))
    ordered = {name: problems[name] for name in REGISTER_FIELDS if name in problems}
    ordered.update({k: v for k, v in problems.items() if k not in ordered})
    return woman, parsed.get("monthly_household_income_idr"), parsed.get("assessed_on"), ordered


@pages.post("/perempuan/daftar")
async def register(request: Request, user: CurrentUser, why: SessionPurpose, opd: Opd, today: Today,
                   uow: Uow) -> Response:
    if not user.has(s.WELFARE_WRITE):
        raise errors.Forbidden("Pendaftaran dengan asesmen awal perlu izin mencatat asesmen kesejahteraan",
                               "welfare:write required", field="monthly_household_income_idr")
    form = await request.form()
    values = forms.values(form, REGISTER_FIELDS)
    use_form_key(request, str(form.get("idempotency_key", "")))
    woman, income, assessed_on, problems = _read_form(values)
    if problems or woman is None or income is None or assessed_on is None:
        return await _register_page(request, values, problems, 422)
    new = woman.new_woman(registered_by_opd=opd)

    async def handle(conn: asyncpg.Connection) -> dict[str, Any]:
        work = uow(conn)
        registered = await women.create(work, woman=new, today=today)
        for ref, stored in work.women.inserted.items():
            audit.written(request, "person_ref", ref,
                          audit_store.safe_state(stored, request.app.state.cipher.audit_key))
        baseline = await welfare.assess(work, person_ref=registered["person_ref"], assessed_on=assessed_on,
                                        household_size=new.household_size, monthly_income_idr=income, today=today,
                                        confirmed_low_income=bool(values["confirm_low_income"]))
        return {"woman": registered, "assessment": baseline}

    try:
        status, body = answer_of(await command(request, handle, model=Registered, status=201))
    except errors.Refusal as refusal:
        return await _register_page(request, values, errors_of(refusal, REGISTER_FIELDS), 422)
    if status >= 400:  # a stored refusal replayed (her NIK was already registered)
        return await _register_page(request, values, refusal_errors(body, REGISTER_FIELDS), 422)
    her, baseline = body["woman"], body["assessment"]
    where = "di bawah" if baseline["below_poverty_line"] else "di atas"
    await flash(request, f"Tercatat: {her['full_name']} (NIK {her['nik_masked']}), "
                         f"{place(her['kecamatan_code'], her['desa_code'])}, terdaftar "
                         f"{tanggal(date.fromisoformat(her['registered_on']))}. Asesmen awal: pendapatan rumah tangga "
                         f"{rupiah(baseline['monthly_household_income_idr'])} sebulan untuk "
                         f"{baseline['household_size']} orang, per kapita {rupiah(baseline['per_capita_income_idr'])} "
                         f"— {where} garis kemiskinan {rupiah(baseline['poverty_line_idr'])}.")
    target = f"/perempuan/{her['person_ref']}"
    if "HX-Request" in request.headers:
        return Response(status_code=204, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)
