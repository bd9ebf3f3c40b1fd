"""Staff pages for UKM, cooperatives and capital (Diskop UKM; DP3A reads them): a business with its monthly
reports and the form for a month's report; a cooperative with its members (names: a personal-data read), its RATs
and the capital it received, with the forms to record a RAT and to add a member found by NIK; and the forms on a
woman's page to register her business and to record capital given to her. Each form runs the same service-layer
handler as the API route through ``entrypoints.command`` with the form's Idempotency-Key; a refusal re-renders the
page with the message beside the field (422), a success flashes what was recorded."""

from datetime import date
from typing import Any
from uuid import UUID, uuid4

import asyncpg
from berdaya_shared import errors
from berdaya_shared.auth import SessionRoute
from berdaya_shared.entrypoints import Today
from berdaya_shared.signin import CurrentUser, flash
from berdaya_shared.signin import Purpose as SessionPurpose
from berdaya_shared.ui import forms, render
from berdaya_shared.ui.formats import parse_rupiah, parse_tanggal, rupiah, tanggal
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from ..domain import nik as niks
from ..service_layer import businesses, capital, coops, women
from ..service_layer.overview import names_of
from .deps import Opd, Uow, log_reads
from .pages_common import place, read, submit
from .pages_woman import COOP_KINDS, SECTORS, SOURCES, show_woman

pages = APIRouter(route_class=SessionRoute, include_in_schema=False)



def _checked(form: Any, name: str) -> bool:
    return bool(form.get(name))


async def _read_form(request: Request, fields: tuple[str, ...]) -> tuple[Any, dict[str, str], dict[str, str]]:
    """(the posted form, what was typed in ``fields``, no problems yet)."""
    form = await request.form()
    return form, forms.values(form, fields), {}


async def _apply(request: Request, form: Any, problems: dict[str, str], handler: Any,
                 known: tuple[str, ...]) -> tuple[Any, dict[str, str]]:
    """The form's command when the form itself is fine: ``submit``'s (answer, problems)."""
    if problems:
        return None, problems
    return await submit(request, str(form.get("idempotency_key", "")), handler, model=dict[str, Any], known=known)


async def _recorded(request: Request, message: str, target: str) -> Response:
    """Flash what was recorded and go to ``target`` (POST-redirect-GET)."""
    await flash(request, message)
    return RedirectResponse(target, status_code=303)


def _parse(values: dict[str, str], problems: dict[str, str], name: str, parse: Any, **options: Any) -> Any:
    try:
        return parse(values.get(name, ""), field=name, **options)
    except errors.Invalid as refusal:
        problems.update(forms.from_refusal(refusal))
        return None


# -- her business and her capital (forms on her page) ---------------------------------------------------------------

BUSINESS_FIELDS = ("name", "sector", "kecamatan_code", "started_on", "nib", "has_pirt", "has_halal")
CAPITAL_FIELDS = ("source", "amount_idr", "disbursed_on")


@pages.post("/perempuan/{person_ref}/usaha")
async def register_business(person_ref: UUID, request: Request, user: CurrentUser, why: SessionPurpose,
                            today: Today, uow: Uow) -> Response:
    form, values, problems = await _read_form(request, BUSINESS_FIELDS)
    started_on = _parse(values, problems, "started_on", parse_tanggal)
    if len(values["name"].strip()) < 2:
        problems["name"] = "Nama usaha wajib diisi (paling sedikit 2 huruf)"
    if values["sector"] not in dict(SECTORS):
        problems["sector"] = "Pilih sektor usaha"
    nib = values["nib"].replace(" ", "") or None
    if nib is not None and not (nib.isdigit() and len(nib) == 13):
        problems["nib"] = "NIB harus 13 angka"
    answer, problems = await _apply(request, form, problems, lambda conn: businesses.create(
            uow(conn), owner_person_ref=person_ref, name=values["name"].strip(), sector=values["sector"],
            kecamatan_code=values["kecamatan_code"], nib=nib, has_pirt=_checked(form, "has_pirt"),
            has_halal=_checked(form, "has_halal"), started_on=started_on, registered_on=None, today=today), BUSINESS_FIELDS)
    if problems:
        return await show_woman(request, user, why, uow, person_ref, form_name="usaha", values=values,
                                problems=problems)
    return await _recorded(request, f"Usaha tercatat: {answer['name']}, {place(answer['kecamatan_code'])}, mulai "
                         f"{tanggal(date.fromisoformat(answer['started_on']))}.", f"/ukm/{answer['business_ref']}")


@pages.post("/perempuan/{person_ref}/modal")
async def give_capital(person_ref: UUID, request: Request, user: CurrentUser, why: SessionPurpose, opd: Opd,
                       today: Today, uow: Uow) -> Response:
    form, values, problems = await _read_form(request, CAPITAL_FIELDS)
    amount = _parse(values, problems, "amount_idr", parse_rupiah)
    disbursed_on = _parse(values, problems, "disbursed_on", parse_tanggal)
    if values["source"] not in dict(SOURCES):
        problems["source"] = "Pilih sumber modal"
    if amount is not None and amount <= 0:
        problems["amount_idr"] = "Jumlah modal harus lebih dari Rp 0"
    answer, problems = await _apply(request, form, problems, lambda conn: capital.disburse(
            uow(conn), recipient_type="woman", recipient_ref=person_ref, source=values["source"], amount_idr=amount,
            disbursed_on=disbursed_on, provider_opd=opd or "diskop_ukm", today=today), CAPITAL_FIELDS)
    if problems:
        return await show_woman(request, user, why, uow, person_ref, form_name="modal", values=values,
                                problems=problems)
    return await _recorded(request, f"Modal tercatat: {rupiah(answer['amount_idr'])} ({dict(SOURCES)[answer['source']]}) pada "
                         f"{tanggal(date.fromisoformat(answer['disbursed_on']))}.", f"/perempuan/{person_ref}")


# -- a business -----------------------------------------------------------------------------------------------------

REPORT_FIELDS = ("period", "monthly_revenue_idr", "workers", "nib", "has_pirt", "has_halal")


async def show_business(request: Request, why: str, uow: Uow, business_ref: UUID, *, values: dict[str, str] | None = None,
                        problems: dict[str, str] | None = None) -> Response:
    async def handle(conn: asyncpg.Connection) -> dict[str, Any]:
        work = uow(conn)
        business = await businesses.get(work, business_ref=business_ref)
        owner = (await names_of(work, [business["owner_person_ref"]])).get(business["owner_person_ref"])
        await log_reads(conn, request, [business["owner_person_ref"]], why=why)
        return {"business": business, "owner": owner,
                "reports": await businesses.reports(work, business_ref=business_ref)}

    found = await read(request, handle)
    return await render(request, "registry/business.html", {
        "title": found["business"]["name"], **found, "sectors": dict(SECTORS), "values": values or {},
        "errors": problems or {}, "form_key": str(uuid4()), "place_of": place},
        status_code=422 if problems else 200)


@pages.get("/ukm/{business_ref}")
async def business_page(business_ref: UUID, request: Request, user: CurrentUser, why: SessionPurpose,
                        uow: Uow) -> Response:
    return await show_business(request, why, uow, business_ref)


@pages.post("/ukm/{business_ref}/laporan")
async def report(business_ref: UUID, request: Request, user: CurrentUser, why: SessionPurpose, today: Today,
                 uow: Uow) -> Response:
    form, values, problems = await _read_form(request, REPORT_FIELDS)
    revenue = _parse(values, problems, "monthly_revenue_idr", parse_rupiah)
    period = values["period"].strip()
    if len(period) != 7 or period[4] != "-" or not (period[:4] + period[5:]).isdigit() or not "01" <= period[5:] <= "12":
        problems["period"] = "Pilih bulan laporan"
    workers = values["workers"].strip()
    if not workers.isdigit():
        problems["workers"] = "Tulis jumlah pekerja dengan angka"
    nib = values["nib"].replace(" ", "") or None
    if nib is not None and not (nib.isdigit() and len(nib) == 13):
        problems["nib"] = "NIB harus 13 angka"
    answer, problems = await _apply(request, form, problems, lambda conn: businesses.report(
            uow(conn), business_ref=business_ref, period=period, monthly_revenue_idr=revenue, workers=int(workers),
            nib=nib, has_pirt=True if _checked(form, "has_pirt") else None,
            has_halal=True if _checked(form, "has_halal") else None, today=today), REPORT_FIELDS)
    if problems:
        return await show_business(request, why, uow, business_ref, values=values, problems=problems)
    return await _recorded(request, f"Laporan {answer['period']} tercatat: omzet {rupiah(answer['monthly_revenue_idr'])}, "
                         f"{answer['workers']} pekerja.", f"/ukm/{business_ref}")


# -- a cooperative --------------------------------------------------------------------------------------------------

RAT_FIELDS = ("fiscal_year", "held_on")
MEMBER_FIELDS = ("nik", "joined_on")


@pages.get("/koperasi/{coop_ref}")
async def coop_page(coop_ref: UUID, request: Request, user: CurrentUser, why: SessionPurpose, uow: Uow) -> Response:
    return await show_coop(request, why, uow, coop_ref)


async def show_coop(request: Request, why: str, uow: Uow, coop_ref: UUID, *, form_name: str | None = None,
                    values: dict[str, str] | None = None, problems: dict[str, str] | None = None) -> Response:
    async def handle(conn: asyncpg.Connection) -> dict[str, Any]:
        work = uow(conn)
        coop = await coops.get(work, coop_ref=coop_ref)
        refs = [m["person_ref"] for m in coop["members"]]
        names = await names_of(work, refs)
        await log_reads(conn, request, refs, why=why)
        return {"coop": coop, "names": names, "capital": await work.overview.capital([coop_ref])}

    found = await read(request, handle)
    return await render(request, "registry/coop.html", {
        "title": found["coop"]["name"], **found, "coop_kinds": COOP_KINDS, "sources": dict(SOURCES),
        "form_name": form_name, "values": values or {}, "errors": problems or {},
        "form_keys": {"rat": str(uuid4()), "anggota": str(uuid4())}, "place_of": place},
        status_code=422 if problems else 200)


@pages.post("/koperasi/{coop_ref}/rat")
async def record_rat(coop_ref: UUID, request: Request, user: CurrentUser, why: SessionPurpose, today: Today,
                     uow: Uow) -> Response:
    form, values, problems = await _read_form(request, RAT_FIELDS)
    year = values["fiscal_year"].strip()
    if not (year.isdigit() and 2000 <= int(year) <= 2100):
        problems["fiscal_year"] = "Tulis tahun buku, misalnya 2025"
    held_on = _parse(values, problems, "held_on", parse_tanggal)
    answer, problems = await _apply(request, form, problems, lambda conn: coops.annual_meeting(
            uow(conn), coop_ref=coop_ref, fiscal_year=int(year), held_on=held_on, today=today), RAT_FIELDS)
    if problems:
        return await show_coop(request, why, uow, coop_ref, form_name="rat", values=values, problems=problems)
    return await _recorded(request, f"RAT tahun buku {answer['fiscal_year']} tercatat, diadakan "
                         f"{tanggal(date.fromisoformat(answer['held_on']))}.", f"/koperasi/{coop_ref}")


@pages.post("/koperasi/{coop_ref}/anggota")
async def add_member(coop_ref: UUID, request: Request, user: CurrentUser, why: SessionPurpose, today: Today,
                     uow: Uow) -> Response:
    form, values, problems = await _read_form(request, MEMBER_FIELDS)
    joined_on = _parse(values, problems, "joined_on", parse_tanggal)
    typed = values["nik"].replace(" ", "")
    if not (typed.isdigit() and len(typed) == 16):
        problems["nik"] = "NIK harus 16 angka"

    async def handle(conn: asyncpg.Connection) -> dict[str, Any]:
        work = uow(conn)
        found = await women.find(work, nik_value=typed, limit=1, area=user.kecamatan)
        if not found["items"]:
            raise errors.NotFound("Belum ada perempuan terdaftar dengan NIK ini", "no woman with this NIK",
                                  field="nik")
        joined = await coops.join(work, coop_ref=coop_ref, person_ref=found["items"][0]["person_ref"],
                                  joined_on=joined_on, today=today)
        return {**joined, "full_name": found["items"][0]["full_name"]}

    answer, problems = await _apply(request, form, problems, handle, MEMBER_FIELDS)
    if problems:
        return await show_coop(request, why, uow, coop_ref, form_name="anggota", values=values, problems=problems)
    return await _recorded(request, f"Anggota baru tercatat: {answer['full_name']} (NIK {niks.mask(typed)}), bergabung "
                         f"{tanggal(date.fromisoformat(answer['joined_on']))}.", f"/koperasi/{coop_ref}")
