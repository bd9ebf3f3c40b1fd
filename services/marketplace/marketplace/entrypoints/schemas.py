"""API schemas, in families: *Create for commands, *Read for answers. Examples from Kukar."""

from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any
from uuid import UUID

from berdaya_contracts.common import KecamatanCode
from berdaya_contracts.marketplace_v1 import Channel
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from ..domain.model import MAX_PRICE_IDR, MAX_SALE_IDR


def _plausible(value: date) -> date:
    today = (datetime.now(UTC) + timedelta(hours=8)).date()
    if not date(2000, 1, 1) <= value <= today + timedelta(days=365):
        raise ValueError("Tanggal harus antara 2000-01-01 dan satu tahun dari hari ini")
    return value


def _text(value: str) -> str:
    value = value.strip()
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        raise ValueError("Teks tidak boleh berisi karakter kontrol")
    return value


PlausibleDate = Annotated[date, AfterValidator(_plausible)]
Text = Annotated[str, AfterValidator(_text)]
# Strict: 1.5, "1500" and true are refused rather than silently coerced into Rupiah.
SaleIdr = Annotated[int, Field(strict=True, gt=0, le=MAX_SALE_IDR, description="Whole Rupiah, at most Rp 10 miliar")]
PriceIdr = Annotated[int, Field(strict=True, gt=0, le=MAX_PRICE_IDR, description="Whole Rupiah per unit")]
Quantity = Annotated[int, Field(strict=True, ge=1, le=1_000_000, description="Units sold")]


class Command(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FairCreate(Command):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "name": "Pameran Produk Perempuan Kukar 2025", "kecamatan_code": "64.02.06", "location": "Pulau Kumala",
        "starts_on": "2025-08-15", "ends_on": "2025-08-17", "booths": 40}]})

    name: Annotated[Text, Field(min_length=3, max_length=200, description="Nama pameran")]
    kecamatan_code: KecamatanCode | None = Field(None, description="Kecamatan tempat pameran di Kukar")
    outside_kukar: bool = Field(False, description="true bila pameran di luar Kukar (mis. Samarinda, Jakarta)")
    location: Annotated[Text, Field(max_length=200)] | None = Field(None, description="Tempat (gedung, kota)")
    starts_on: PlausibleDate
    ends_on: PlausibleDate
    booths: int = Field(strict=True, ge=1, le=5_000, description="Jumlah stan")

    @model_validator(mode="after")
    def _place(self) -> "FairCreate":
        if (self.kecamatan_code is None) != self.outside_kukar:
            raise ValueError("Isi kecamatan_code untuk pameran di Kukar, atau outside_kukar=true untuk di luar Kukar")
        return self


class FairRead(BaseModel):
    fair_ref: UUID
    name: str
    kecamatan_code: str | None
    outside_kukar: bool
    location: str | None
    starts_on: date
    ends_on: date
    booths: int
    booths_assigned: int
    sales_idr: int = Field(description="Penjualan tercatat di pameran ini (Rupiah)")
    recorded_by_opd: str


class Page(BaseModel):
    total: int
    limit: int
    offset: int


class FairList(Page):
    items: list[FairRead]


class BoothCreate(Command):
    business_ref: UUID = Field(description="business_ref usaha perempuan dari registri")
    booth_no: int | None = Field(None, strict=True, ge=1, le=5_000, description="Kosong = stan kosong terkecil")


class BoothRead(BaseModel):
    fair_ref: UUID
    business_ref: UUID
    owner_person_ref: UUID
    booth_no: int


class ListingCreate(Command):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "business_ref": "3f0c2a9e-5b1d-4c3e-9f7a-1b2c3d4e5f60", "channel": "digital", "category": "amplang",
        "price_idr": 25000}]})

    business_ref: UUID
    channel: Channel = Field(description="trade_fair (pameran), modern_retail (pasar modern), digital (pasar digital)")
    category: Annotated[Text, Field(min_length=2, max_length=80, description="Kategori produk, mis. amplang")]
    price_idr: PriceIdr
    listed_on: PlausibleDate | None = Field(None, description="Kosong = hari ini (WITA)")


class DelistCreate(Command):
    delisted_on: PlausibleDate | None = Field(None, description="Kosong = hari ini (WITA)")


class ListingRead(BaseModel):
    product_ref: UUID
    business_ref: UUID
    owner_person_ref: UUID
    channel: str
    category: str
    price_idr: int
    listed_on: date
    delisted_on: date | None


class ListingList(Page):
    items: list[ListingRead]


class SaleCreate(Command):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "business_ref": "3f0c2a9e-5b1d-4c3e-9f7a-1b2c3d4e5f60", "channel": "modern_retail", "amount_idr": 750000,
        "quantity": 30, "sold_on": "2025-09-12"}]})

    business_ref: UUID
    channel: Channel
    fair_ref: UUID | None = Field(None, description="Wajib untuk channel trade_fair; usaha harus punya stan di sana")
    amount_idr: SaleIdr
    quantity: Quantity
    sold_on: PlausibleDate


class SheetRow(Command):
    business_ref: UUID
    amount_idr: SaleIdr
    quantity: Quantity
    sold_on: PlausibleDate


class SalesSheet(Command):
    rows: list[SheetRow] = Field(min_length=1, max_length=5_000, description="Satu baris per penjualan")


class SaleRead(BaseModel):
    sale_ref: UUID
    business_ref: UUID
    owner_person_ref: UUID
    channel: str
    fair_ref: UUID | None
    amount_idr: int
    quantity: int
    sold_on: date


class SaleList(Page):
    items: list[SaleRead]


class SheetRead(BaseModel):
    fair_ref: UUID
    recorded: int
    amount_idr: int
    sales: list[SaleRead]


def dump(model: type[BaseModel], value: Any) -> dict[str, Any]:
    return model.model_validate(value).model_dump(mode="json")
