"""The fair sales sheet: one grid (a row per sale: the business whose product sold — at its own booth or a shared
one —, quantity, amount, date) that works on a 360 px phone and offline (the kit's outbox: each submitted version is
kept on the phone with its own Idempotency-Key and applied once when it reaches the service)."""

from typing import Any
from uuid import UUID

from berdaya_shared import errors
from berdaya_shared.auth import SessionRoute
from berdaya_shared.entrypoints import command, pool
from berdaya_shared.errors import FieldError
from berdaya_shared.signin import CurrentUser
from berdaya_shared.ui import forms, render
from berdaya_shared.ui.formats import parse_rupiah, parse_tanggal, rupiah
from fastapi import APIRouter, Request
from fastapi.responses import Response

from ..service_layer import fairs, trade
from ..service_layer.unit_of_work import MarketplaceUnitOfWork as Uow
from . import schemas_trade as t
from .pages_common import HOLDERS, business_choices, business_label, done

pages = APIRouter(route_class=SessionRoute, include_in_schema=False)
ROWS, MAX_ROWS = 6, 60
COLUMNS = ("b", "q", "n", "t")  # business (with its booth), quantity, amount (Rupiah), date


async def _sheet(request: Request, fair_ref: UUID, rows: int, values: dict[str, str] | None = None,
                 problems: dict[str, str] | None = None, status_code: int = 200) -> Response:
    async with pool(request).acquire() as conn:
        uow = Uow(conn)
        fair = await fairs.get(uow, fair_ref=fair_ref)
        booths = await fairs.booths(uow, fair_ref=fair_ref)
        labels = await business_choices(uow)
    sellers = []
    for b in booths:
        holder = b["holder_label"] or (b["holder_opd"] or "").upper().replace("_", " ") or HOLDERS["business"]
        where = f"Stan {b['booth_no']}" + (f" ({holder})" if b["holder_kind"] != "business" else "")
        sellers.append((str(b["business_ref"]),
                        f"{where} · {labels.get(b['business_ref']) or business_label(None, b['business_ref'])}"))
    return await render(request, "marketplace/sales_sheet.html", {
        "title": f"Lembar penjualan {fair['name']}", "fair": fair, "sellers": sellers, "rows": range(rows),
        "row_count": rows, "values": values or {}, "errors": problems or {}, "default_day": fair["starts_on"]},
        status_code=status_code, offline=True)


@pages.get("/pameran/{fair_ref}/penjualan")
async def sheet_page(request: Request, user: CurrentUser, fair_ref: UUID, baris: int = ROWS) -> Response:
    return await _sheet(request, fair_ref, min(max(baris, 1), MAX_ROWS))


def _read(form: Any, rows: int) -> tuple[list[dict[str, Any]], list[int], list[FieldError]]:
    """The filled rows (empty ones skipped), the form row each came from, and the problems of what was typed."""
    out, origin, problems = [], [], []
    for i in range(rows):
        cell = {c: str(form.get(f"{c}-{i}", "")).strip() for c in COLUMNS}
        if not cell["b"] and not cell["n"] and not cell["q"]:
            continue
        row: dict[str, Any] = {}
        try:
            row["business_ref"] = UUID(cell["b"])
        except ValueError:
            problems.append(FieldError(f"b-{i}", f"Baris {i + 1}: pilih usaha yang produknya terjual", "no business"))
        try:
            row["amount_idr"] = parse_rupiah(cell["n"], field=f"n-{i}")
        except errors.Invalid as bad:
            problems.append(FieldError(f"n-{i}", f"Baris {i + 1}: {bad.pesan}", bad.detail))
        if cell["q"].isdigit() and 1 <= int(cell["q"]) <= 1_000_000:
            row["quantity"] = int(cell["q"])
        else:
            problems.append(FieldError(f"q-{i}", f"Baris {i + 1}: jumlah barang harus angka 1 atau lebih",
                                       "quantity is not a positive whole number"))
        try:
            row["sold_on"] = parse_tanggal(cell["t"], field=f"t-{i}")
        except errors.Invalid as bad:
            problems.append(FieldError(f"t-{i}", f"Baris {i + 1}: {bad.pesan}", bad.detail))
        out.append(row)
        origin.append(i)
    return out, origin, problems


_COLUMN_OF = {"business_ref": "b", "booth_no": "b", "amount_idr": "n", "quantity": "q", "sold_on": "t"}


@pages.post("/pameran/{fair_ref}/penjualan")
async def sheet_save(request: Request, user: CurrentUser, fair_ref: UUID) -> Response:
    form = await request.form()
    count = str(form.get("baris", ROWS))
    rows = min(max(int(count), 1), MAX_ROWS) if count.isdigit() else ROWS
    values = {f"{c}-{i}": str(form.get(f"{c}-{i}", "")) for i in range(rows) for c in COLUMNS}
    entered, origin, problems = _read(form, rows)
    if not entered and not problems:
        problems.append(FieldError("b-0", "Lembar masih kosong: isi paling sedikit satu baris", "no rows"))
    try:
        if problems:
            raise errors.Invalid(f"{len(problems)} isian perlu diperbaiki; belum ada penjualan yang dicatat",
                                 "invalid rows", errors=problems)
        response = await command(request, lambda conn: trade.record_sheet(Uow(conn), fair_ref=fair_ref, rows=entered),
                                 model=t.SalesSheetRead, status=201)
        sheet = response if "application/json" in request.headers.get("accept", "") else forms.answered(response)
    except errors.Invalid as refusal:
        if refusal.errors and not problems:  # the rules named rows.<i>.<field>: back to the grid's own cells
            refusal = errors.Invalid(refusal.pesan, refusal.detail, errors=[
                FieldError(_cell(e.field, origin), f"Baris {_row(e.field, origin) + 1}: {e.pesan}", e.detail)
                for e in refusal.errors])
        if "application/json" in request.headers.get("accept", ""):
            raise refusal
        return await _sheet(request, fair_ref, rows, values, forms.from_refusal(refusal), 422)
    if not isinstance(sheet, dict):
        return response  # the outbox's JSON request: the answer as the API gives it (a replayed refusal included)
    return await done(request, response, f"{sheet['recorded']} penjualan tercatat, jumlah {rupiah(sheet['amount_idr'])}",
                      f"/pameran/{fair_ref}/penjualan")


def _row(field: str, origin: list[int]) -> int:
    parts = field.split(".")
    return origin[int(parts[1])] if len(parts) > 1 and parts[1].isdigit() and int(parts[1]) < len(origin) else 0


def _cell(field: str, origin: list[int]) -> str:
    return f"{_COLUMN_OF.get(field.split('.')[-1], 'b')}-{_row(field, origin)}"
