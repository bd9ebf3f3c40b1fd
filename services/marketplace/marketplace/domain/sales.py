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


@dataclass(frozen=True)
class RowError(FieldError):
    """A field error on one row of a sales sheet (``row`` counts from 0, as the rows were sent)."""

    row: int

    def as_dict(self) -> dict[str, Any]:
        return {**super().as_dict(), "row": self.row}


def check_place(sale: Sale, fair: Fair | None, *, at: str = "") -> None:
    """A fair sale names its fair, is made by a business with a booth there, during the fair (give or take a
    day); any other sale names no fair. Raises ``Invalid`` naming the field (prefixed with ``at``)."""
    if sale.channel != TRADE_FAIR:
        if sale.fair_ref is not None:
            raise Invalid("fair_ref hanya untuk penjualan di pameran (channel trade_fair)",
                          "fair_ref is only for trade_fair sales", field=f"{at}fair_ref")
        return
    if sale.fair_ref is None:
        raise Invalid("Penjualan di pameran harus menyebut pamerannya (fair_ref)", "trade_fair sales need a fair_ref",
                      field=f"{at}fair_ref")
    if fair is None:
        raise Invalid("Pameran tidak dikenal", f"unknown fair {sale.fair_ref}", field=f"{at}fair_ref")
    if not fair.holds(sale.business_ref):
        raise Invalid("Usaha ini tidak punya stan di pameran tersebut", "the business has no booth at that fair",
                      field=f"{at}business_ref")
    if not fair.covers(sale.sold_on):
        raise Invalid("Tanggal penjualan di luar tanggal pameran", "sold_on is outside the fair's dates",
                      field=f"{at}sold_on")


def _recorded(sale: Sale, businesses: Mapping[UUID, Business], fairs: Mapping[UUID, Fair],
              at: str) -> events.SaleRecorded:
    owner = require_registered(businesses.get(sale.business_ref), sale.business_ref, field=f"{at}business_ref")
    check_place(sale, fairs.get(sale.fair_ref) if sale.fair_ref else None, at=at)
    return events.SaleRecorded(sale.sale_ref, sale.business_ref, owner, sale.channel, sale.fair_ref,
                               sale.amount_idr, sale.quantity, sale.sold_on)


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
