"""Sales, one at a time or a fair's whole sales sheet at once.

A sheet is checked row by row before anything is recorded: any refused row refuses the whole sheet, and the
refusal names every bad row and field (``rows.<i>.<field>``), so the clerk fixes the paper sheet in one pass.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from berdaya_shared.errors import FieldError, Invalid, Refusal

from . import events
from .model import Business, Fair, require_registered

TRADE_FAIR = "trade_fair"


@dataclass(frozen=True)
class Sale:
    """A sale as staff entered it; the owner comes from the registry replica when it is recorded."""

    sale_ref: UUID
    business_ref: UUID
    channel: str  # trade_fair | modern_retail | digital
    fair_ref: UUID | None  # the fair, for trade_fair sales only
    amount_idr: int
    quantity: int
    sold_on: date
    booth_no: int | None = None  # the booth it was sold at, when the clerk names it (checked against the fair)


@dataclass(frozen=True)
class RowError(FieldError):
    """A field error on one row of a sales sheet (``row`` counts from 0, as the rows were sent)."""

    row: int

    def as_dict(self) -> dict[str, Any]:
        return {**super().as_dict(), "row": self.row}


def check_place(sale: Sale, fair: Fair | None, *, at: str = "") -> int | None:
    """A fair sale names its fair, is of a business selling at a booth there (its own, or a shared booth held by
    an OPD, a cooperative or an outlet), during the fair (give or take a day); any other sale names no fair and
    no booth. Returns the booth number of a fair sale. Raises ``Invalid`` naming the field (prefixed with
    ``at``), also when the booth the clerk named is not the one the business sells at."""
    if sale.channel != TRADE_FAIR:
        if sale.fair_ref is not None or sale.booth_no is not None:
            name = "fair_ref" if sale.fair_ref is not None else "booth_no"
            raise Invalid(f"{name} hanya untuk penjualan di pameran (channel trade_fair)",
                          f"{name} is only for trade_fair sales", field=f"{at}{name}")
        return None
    if sale.fair_ref is None:
        raise Invalid("Penjualan di pameran harus menyebut pamerannya (fair_ref)", "trade_fair sales need a fair_ref",
                      field=f"{at}fair_ref")
    if fair is None:
        raise Invalid("Pameran tidak dikenal", f"unknown fair {sale.fair_ref}", field=f"{at}fair_ref")
    booth = fair.booth_of.get(sale.business_ref)
    if booth is None:
        raise Invalid("Usaha ini tidak punya stan di pameran tersebut dan tidak berjualan di stan bersama",
                      "the business sells at no booth of that fair, its own or shared", field=f"{at}business_ref")
    if sale.booth_no is not None and sale.booth_no != booth:
        raise Invalid(f"Usaha ini berjualan di stan {booth}, bukan stan {sale.booth_no}",
                      f"the business sells at booth {booth}", field=f"{at}booth_no")
    if not fair.covers(sale.sold_on):
        raise Invalid("Tanggal penjualan di luar tanggal pameran", "sold_on is outside the fair's dates",
                      field=f"{at}sold_on")
    return booth


def _recorded(sale: Sale, businesses: Mapping[UUID, Business], fairs: Mapping[UUID, Fair],
              at: str) -> events.SaleRecorded:
    owner = require_registered(businesses.get(sale.business_ref), sale.business_ref, field=f"{at}business_ref")
    fair = fairs.get(sale.fair_ref) if sale.fair_ref else None
    booth = check_place(sale, fair, at=at)
    return events.SaleRecorded(sale.sale_ref, sale.business_ref, owner, sale.channel, sale.fair_ref,
                               sale.amount_idr, sale.quantity, sale.sold_on, booth,
                               fair.holder_kind(booth) if fair and booth else None)


def record_one(sale: Sale, businesses: Mapping[UUID, Business], fairs: Mapping[UUID, Fair]) -> events.SaleRecorded:
    """One sale; raises ``Invalid`` naming the field when the business is unknown or the place is wrong."""
    return _recorded(sale, businesses, fairs, "")


def record_sheet(sales: Sequence[Sale], businesses: Mapping[UUID, Business],
                 fairs: Mapping[UUID, Fair]) -> list[events.SaleRecorded]:
    """Every row, or none: raises one ``Invalid`` with a ``RowError`` (row, ``rows.<i>.<field>``) per bad row."""
    recorded: list[events.SaleRecorded] = []
    problems: list[FieldError] = []
    for i, sale in enumerate(sales):
        try:
            recorded.append(_recorded(sale, businesses, fairs, f"rows.{i}."))
        except Refusal as refused:
            problems.append(RowError(refused.field or f"rows.{i}", refused.pesan, refused.detail, row=i))
    if problems:
        raise Invalid(f"{len(problems)} baris tidak valid; tidak ada penjualan yang dicatat",
                      f"{len(problems)} invalid rows; nothing recorded", errors=problems)
    return recorded
