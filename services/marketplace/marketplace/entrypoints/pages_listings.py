"""Disperindag's product listings page: what is offered on which channel (fair, modern retail, digital), list a
product, take one down."""

from typing import Any
from uuid import UUID

from berdaya_shared import errors
from berdaya_shared.auth import SessionRoute
from berdaya_shared.clock import today
from berdaya_shared.entrypoints import command, pool
from berdaya_shared.signin import CurrentUser
from berdaya_shared.ui import forms, render
from berdaya_shared.ui.formats import parse_rupiah, parse_tanggal, rupiah
from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError

from ..service_layer import trade
from ..service_layer.unit_of_work import MarketplaceUnitOfWork as Uow
from . import schemas_trade as t
from .pages_common import CHANNELS, business_choices, business_label, done

pages = APIRouter(route_class=SessionRoute, include_in_schema=False)
FIELDS = ("business_ref", "channel", "category", "price_idr", "listed_on")


async def _page(request: Request, user: Any, values: dict[str, str] | None = None,
                problems: dict[str, str] | None = None, status_code: int = 200) -> Response:
    async with pool(request).acquire() as conn:
        uow = Uow(conn)
        found = await trade.listings(uow, limit=200)
        labels = await business_choices(uow)
    rows = [{**x, "business": labels.get(x["business_ref"]) or business_label(None, x["business_ref"]),
             "channel_label": CHANNELS.get(x["channel"], x["channel"])} for x in found["items"]]
    return await render(request, "marketplace/listings.html", {
        "title": "Produk di pasar", "listings": rows, "total": found["total"], "businesses": list(labels.items()),
        "channels": list(CHANNELS.items()), "values": values or {}, "errors": problems or {},
        "can_write": user.has("listings:write")}, status_code=status_code)


@pages.get("/produk")
async def listings_page(request: Request, user: CurrentUser) -> Response:
    return await _page(request, user)


@pages.post("/produk")
async def list_product(request: Request, user: CurrentUser) -> Response:
    form = await request.form()
    forms.adopt_form_key(request, form)
    values = forms.values(form, FIELDS)
    problems: dict[str, str] = {}
    parsed: dict[str, Any] = {}
    for name, parse, required in (("price_idr", parse_rupiah, True), ("listed_on", parse_tanggal, False)):
        try:
            parsed[name] = parse(values[name], field=name, required=required)
        except errors.Invalid as refusal:
            problems.update(forms.from_refusal(refusal))
    try:
        body = t.ListingCreate.model_validate({
            "business_ref": values["business_ref"] or None, "channel": values["channel"] or None,
            "category": values["category"], "price_idr": parsed.get("price_idr") or 1,
            "listed_on": parsed.get("listed_on")})
    except ValidationError as invalid:
        problems = forms.merge(problems, forms.from_validation(invalid, {
            "business_ref": "Usaha", "channel": "Kanal", "category": "Kategori"}))
    if problems:
        return await _page(request, user, values, problems, 422)
    try:
        response = await command(request, lambda conn: trade.list_product(
            Uow(conn), business_ref=body.business_ref, channel=body.channel, category=body.category,
            price_idr=body.price_idr, listed_on=body.listed_on or today()), model=t.ListingRead, status=201)
        listing = forms.answered(response)
    except (errors.Invalid, errors.Conflict) as refusal:
        return await _page(request, user, values, forms.from_refusal(refusal), 422)
    return await done(request, response, f"Produk {listing['category']} tayang di "
                                         f"{CHANNELS[listing['channel']].lower()}, harga {rupiah(listing['price_idr'])}",
                      "/produk")


@pages.post("/produk/{product_ref}/turunkan")
async def delist(request: Request, user: CurrentUser, product_ref: UUID) -> Response:
    forms.adopt_form_key(request, await request.form())
    try:
        response = await command(request, lambda conn: trade.delist(Uow(conn), product_ref=product_ref,
                                                                    delisted_on=today()), model=t.ListingRead)
        listing = forms.answered(response)
    except (errors.Conflict, errors.Invalid) as refusal:
        return await _page(request, user, None, forms.from_refusal(refusal), 409)
    return await done(request, response, f"Produk {listing['category']} diturunkan", "/produk")
