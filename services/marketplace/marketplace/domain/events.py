"""What happened in the marketplace. The events stay inside the service; a translator maps them to contracts."""

from dataclasses import dataclass
from datetime import date
from uuid import UUID


@dataclass(frozen=True)
class TradeFairScheduled:
    fair_ref: UUID
    name: str
    kecamatan_code: str | None
    outside_kukar: bool
    starts_on: date
    ends_on: date
    booths: int


@dataclass(frozen=True)
class BoothAssigned:
    fair_ref: UUID
    business_ref: UUID
    owner_person_ref: UUID
    booth_no: int


@dataclass(frozen=True)
class SharedBoothAssigned:
    """A booth held by an OPD, a cooperative or an outlet, selling the products of ``businesses`` ((business_ref,
    owner_person_ref) pairs); a later one for the same booth adds businesses to it."""

    fair_ref: UUID
    booth_no: int
    holder_kind: str  # opd | coop | outlet
    holder_opd: str | None
    holder_label: str | None
    businesses: tuple[tuple[UUID, UUID], ...]


@dataclass(frozen=True)
class ProductListed:
    product_ref: UUID
    business_ref: UUID
    owner_person_ref: UUID
    channel: str
    category: str
    price_idr: int
    listed_on: date


@dataclass(frozen=True)
class ProductDelisted:
    product_ref: UUID
    business_ref: UUID
    owner_person_ref: UUID
    channel: str
    delisted_on: date


@dataclass(frozen=True)
class SaleRecorded:
    sale_ref: UUID
    business_ref: UUID
    owner_person_ref: UUID
    channel: str
    fair_ref: UUID | None
    amount_idr: int
    quantity: int
    sold_on: date
    booth_no: int | None = None  # the booth a fair sale was made at (its own or a shared one)
    booth_holder_kind: str | None = None  # business | opd | coop | outlet, for fair sales


DomainEvent = (TradeFairScheduled | BoothAssigned | SharedBoothAssigned | ProductListed | ProductDelisted
               | SaleRecorded)
