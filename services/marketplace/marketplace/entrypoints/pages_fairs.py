"""Disperindag's fair pages: the fairs (list, schedule one), a fair with the plan of its booths (a business's own
booth, a shared booth held by an OPD, a cooperative or an outlet), and the fair's sales sheet (sales.py).

Every change goes through the same service-layer handlers as the API, by the kit's ``command`` (one transaction,
Idempotency-Key, audit row); the policy's scopes apply to these pages as to the API.
"""

from typing import Any
from uuid import UUID

from berdaya_shared import errors
from berdaya_shared.auth import SessionRoute
from berdaya_shared.entrypoints import command, pool
from berdaya_shared.signin import CurrentUser
from berdaya_shared.ui import forms, render
from berdaya_shared.ui.formats import parse_tanggal, tanggal
from berdaya_shared.ui.places import KECAMATAN, kecamatan_name
from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError

from ..service_layer import fairs
from ..service_layer.unit_of_work import MarketplaceUnitOfWork as Uow
from . import schemas_fairs as s
from .pages_common import HOLDERS, business_choices, business_label, done

pages = APIRouter(route_class=SessionRoute, include_in_schema=False)

FAIR_FIELDS = ("name", "kecamatan_code", "outside_kukar", "location", "starts_on", "ends_on", "booths")
OPDS = [("dp3a", "DP3A"), ("diskop_ukm", "Diskop UKM"), ("distransnaker", "Distransnaker"),
        ("disperindag", "Disperindag")]


def _can(user: Any, scope: str) -> bool:
    return bool(user.has(scope))


@pages.get("/pameran")
async def fair_list(request: Request, user: CurrentUser, page: int = 1) -> Response:
    size = 20
    async with pool(request).acquire() as conn:
        found = await fairs.list_(Uow(conn), limit=size, offset=(max(page, 1) - 1) * size)
    rows = [{**f, "place": f["location"] or "" if f["outside_kukar"] else kecamatan_name(f["kecamatan_code"])}
            for f in found["items"]]
    return await render(request, "marketplace/fairs.html", {
        "title": "Pameran", "fairs": rows, "page": page, "pages": max(1, -(-found["total"] // size)),
        "can_write": _can(user, "fairs:write")})


@pages.get("/pameran/baru")
async def fair_form(request: Request, user: CurrentUser) -> Response:
    return await _fair_form(request, {"booths": "20"}, {})


async def _fair_form(request: Request, values: dict[str, str], problems: dict[str, str],
                     status_code: int = 200) -> Response:
    return await render(request, "marketplace/fair_new.html", {
        "title": "Jadwalkan pameran", "values": values, "errors": problems,
        "kecamatan": sorted(KECAMATAN.items(), key=lambda kv: kv[1])}, status_code=status_code)


@pages.post("/pameran/baru")
async def fair_create(request: Request, user: CurrentUser) -> Response:
    form = await request.form()
    forms.adopt_form_key(request, form)
    values = forms.values(form, FAIR_FIELDS)
    problems: dict[str, str] = {}
    dates: dict[str, Any] = {}
    for name in ("starts_on", "ends_on"):
        try:
            dates[name] = parse_tanggal(values[name], field=name)
        except errors.Invalid as refusal:
            problems.update(forms.from_refusal(refusal))
    outside = values["outside_kukar"] == "1"
    try:
        body = s.FairCreate.model_validate({
            "name": values["name"], "kecamatan_code": None if outside else (values["kecamatan_code"] or None),
            "outside_kukar": outside, "location": values["location"] or None,
            "starts_on": dates.get("starts_on"), "ends_on": dates.get("ends_on"),
            "booths": int(values["booths"]) if values["booths"].strip().isdigit() else values["booths"]})
    except ValidationError as invalid:
        found = forms.from_validation(invalid, {"name": "Nama", "booths": "Jumlah stan"})
        if "_form" in found or "" in found:
            found["kecamatan_code"] = "Pilih kecamatan, atau centang 'di luar Kukar' dan isi tempatnya"
            found.pop("_form", None)
            found.pop("", None)
        problems = forms.merge(problems, {k: v for k, v in found.items() if k not in problems})
        return await _fair_form(request, values, problems, 422)
    if problems:
        return await _fair_form(request, values, problems, 422)
    try:
        response = await command(request, lambda conn: fairs.schedule(
            Uow(conn), name=body.name, kecamatan_code=body.kecamatan_code, location=body.location,
            starts_on=body.starts_on, ends_on=body.ends_on, booths=body.booths,
            recorded_by_opd=user.opd or "disperindag"), model=s.FairRead, status=201)
        fair = forms.answered(response)
    except (errors.Invalid, errors.Conflict) as refusal:
        return await _fair_form(request, values, forms.from_refusal(refusal), 422)
    return await done(request, response, f"Pameran tercatat: {fair['name']}, {tanggal(body.starts_on)} sampai "
                                         f"{tanggal(body.ends_on)}, {fair['booths']} stan",
                      f"/pameran/{fair['fair_ref']}")


async def _fair_page(request: Request, user: Any, fair_ref: UUID, *, values: dict[str, Any] | None = None,
                     problems: dict[str, str] | None = None, status_code: int = 200) -> Response:
    async with pool(request).acquire() as conn:
        uow = Uow(conn)
        fair = await fairs.get(uow, fair_ref=fair_ref)
        booths = await fairs.booths(uow, fair_ref=fair_ref)
        choices = await business_choices(uow)
    plan: list[dict[str, Any]] = [{"no": n, "holder": None, "businesses": []} for n in range(1, fair["booths"] + 1)]
    selling = set()
    for row in booths:
        cell = plan[row["booth_no"] - 1]
        cell["holder"] = row["holder_label"] or (dict(OPDS).get(row["holder_opd"]) if row["holder_opd"] else None) \
            or HOLDERS["business"]
        cell["kind"] = row["holder_kind"]
        cell["businesses"].append(choices.get(row["business_ref"]) or business_label(None, row["business_ref"]))
        selling.add(row["business_ref"])
    free = [(ref, label) for ref, label in choices.items() if ref not in selling]
    shared = [(c["no"], f"Stan {c['no']} · {c['holder']}") for c in plan if c.get("kind") not in (None, "business")]
    return await render(request, "marketplace/fair.html", {
        "title": fair["name"], "fair": fair, "plan": plan, "free_businesses": free, "shared_booths": shared,
        "free_booths": [c["no"] for c in plan if c["holder"] is None], "opds": OPDS,
        "place": fair["location"] if fair["outside_kukar"] else kecamatan_name(fair["kecamatan_code"]),
        "values": values or {}, "errors": problems or {}, "can_write": _can(user, "fairs:write"),
        "can_sell": _can(user, "sales:write")}, status_code=status_code)


@pages.get("/pameran/{fair_ref}")
async def fair_page(request: Request, user: CurrentUser, fair_ref: UUID) -> Response:
    return await _fair_page(request, user, fair_ref)


def _booth_no(text: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    if not text.isdigit() or not 1 <= int(text) <= 5_000:
        raise errors.Invalid("Nomor stan harus angka 1 sampai 5.000", "booth_no is not a number", field="booth_no")
    return int(text)


def _ref(text: str, field: str) -> UUID:
    try:
        return UUID(text)
    except ValueError:
        raise errors.Invalid("Pilih usaha dari daftar", f"{field} is not a business_ref", field=field) from None


@pages.post("/pameran/{fair_ref}/stan")
async def assign_booth(request: Request, user: CurrentUser, fair_ref: UUID) -> Response:
    form = await request.form()
    forms.adopt_form_key(request, form)
    values = forms.values(form, ("business_ref", "booth_no"))
    try:
        business_ref = _ref(values["business_ref"], "business_ref")
        booth_no = _booth_no(values["booth_no"])
        response = await command(request, lambda conn: fairs.assign_booth(
            Uow(conn), fair_ref=fair_ref, business_ref=business_ref, booth_no=booth_no), model=s.BoothRead, status=201)
        booth = forms.answered(response)
    except (errors.Invalid, errors.Conflict) as refusal:
        return await _fair_page(request, user, fair_ref, values=values, problems=forms.from_refusal(refusal),
                                status_code=422 if isinstance(refusal, errors.Invalid) else 409)
    return await done(request, response, f"Stan {booth['booth_no']} diberikan ke usaha {str(business_ref)[:8]}",
                      f"/pameran/{fair_ref}")


@pages.post("/pameran/{fair_ref}/stan-bersama")
async def assign_shared(request: Request, user: CurrentUser, fair_ref: UUID) -> Response:
    form = await request.form()
    forms.adopt_form_key(request, form)
    values: dict[str, Any] = forms.values(form, ("holder_kind", "holder_opd", "holder_label", "shared_booth_no"))
    values["business_refs"] = [str(v) for v in form.getlist("business_refs")]
    try:
        refs = [_ref(v, "business_refs") for v in values["business_refs"]]
        kind = values["holder_kind"]
        if kind not in ("opd", "coop", "outlet"):
            raise errors.Invalid("Pilih pemegang stan bersama", "holder_kind missing", field="holder_kind")
        try:
            booth_no = _booth_no(values["shared_booth_no"])
        except errors.Invalid as bad:
            raise errors.Invalid(bad.pesan, bad.detail, field="shared_booth_no") from None
        response = await command(request, lambda conn: fairs.assign_shared_booth(
            Uow(conn), fair_ref=fair_ref, holder_kind=kind, holder_opd=values["holder_opd"] or None,
            holder_label=values["holder_label"] or None, booth_no=booth_no, business_refs=refs),
            model=s.SharedBoothRead, status=201)
        booth = forms.answered(response)
    except (errors.Invalid, errors.Conflict) as refusal:
        problems = {("shared_booth_no" if k == "booth_no" else k.split(".")[0]): v
                    for k, v in forms.from_refusal(refusal).items()}
        return await _fair_page(request, user, fair_ref, values=values, problems=problems,
                                status_code=422 if isinstance(refusal, errors.Invalid) else 409)
    holder = booth["holder_label"] or dict(OPDS).get(booth["holder_opd"] or "", "")
    return await done(request, response, f"Stan bersama {booth['booth_no']} ({holder}) tercatat dengan "
                                         f"{len(booth['businesses'])} usaha", f"/pameran/{fair_ref}")


@pages.post("/pameran/{fair_ref}/stan-bersama/tambah")
async def add_to_shared(request: Request, user: CurrentUser, fair_ref: UUID) -> Response:
    form = await request.form()
    forms.adopt_form_key(request, form)
    values: dict[str, Any] = forms.values(form, ("join_booth_no",))
    values["join_refs"] = [str(v) for v in form.getlist("join_refs")]
    try:
        refs = [_ref(v, "join_refs") for v in values["join_refs"]]
        if not values["join_booth_no"].strip().isdigit():
            raise errors.Invalid("Pilih stan bersama", "join_booth_no missing", field="join_booth_no")
        booth_no = int(values["join_booth_no"])
        response = await command(request, lambda conn: fairs.add_to_shared_booth(
            Uow(conn), fair_ref=fair_ref, booth_no=booth_no, business_refs=refs), model=s.SharedBoothRead, status=201)
        booth = forms.answered(response)
    except (errors.Invalid, errors.Conflict) as refusal:
        names = {"booth_no": "join_booth_no", "business_refs": "join_refs"}
        problems = {names.get(k.split(".")[0], k): v for k, v in forms.from_refusal(refusal).items()}
        return await _fair_page(request, user, fair_ref, values=values, problems=problems,
                                status_code=422 if isinstance(refusal, errors.Invalid) else 409)
    return await done(request, response, f"{len(booth['businesses'])} usaha ditambahkan ke stan bersama "
                                         f"{booth['booth_no']}", f"/pameran/{fair_ref}")
