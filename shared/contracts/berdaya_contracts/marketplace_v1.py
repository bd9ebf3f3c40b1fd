"""Version 1 payloads published by the marketplace service on ``marketplace.events``."""

from datetime import date
from typing import Literal
from uuid import UUID

from pydantic import Field, model_validator

from .common import KecamatanCode, Payload, Rupiah

Channel = Literal["trade_fair", "modern_retail", "digital"]


class TradeFairScheduled(Payload):
    fair_ref: UUID
    name: str = Field(min_length=3, max_length=200)
    kecamatan_code: KecamatanCode | None = None
    outside_kukar: bool = False
    starts_on: date
    ends_on: date
    booths: int = Field(ge=1, le=5_000)

    @model_validator(mode="after")
    def _place(self) -> "TradeFairScheduled":
        if (self.kecamatan_code is None) != self.outside_kukar:
            raise ValueError("a fair is either in a Kukar kecamatan or outside_kukar, exactly one")
        return self


class BoothAssigned(Payload):
    fair_ref: UUID
    business_ref: UUID
    owner_person_ref: UUID
    booth_no: int = Field(ge=1, le=5_000)


class ProductListed(Payload):
    product_ref: UUID
    business_ref: UUID
    owner_person_ref: UUID
    channel: Channel
    category: str = Field(min_length=2, max_length=80)
    price_idr: Rupiah = Field(gt=0)
    listed_on: date


class ProductDelisted(Payload):
    product_ref: UUID
    business_ref: UUID
    owner_person_ref: UUID
    channel: Channel
    delisted_on: date


class SaleRecorded(Payload):
    sale_ref: UUID
    business_ref: UUID
    owner_person_ref: UUID
    channel: Channel
    fair_ref: UUID | None = None
    amount_idr: Rupiah = Field(gt=0)
    quantity: int = Field(ge=1, le=1_000_000)
    sold_on: date
