"""Listing and sales API schemas (a fair's sales sheet included), in families: <Thing>Create for commands,
<Thing>Read for answers, <Thing>List for pages.

Money is whole Rupiah, strictly typed: 1.5, "150000" and true are refused rather than silently coerced."""

from datetime import date
from typing import Annotated
from uuid import UUID

from berdaya_contracts.marketplace_v1 import Channel
from berdaya_contracts.marketplace_v2 import HolderKind
from berdaya_shared.schemas import Command, Page, PlausibleDate, Text
from pydantic import BaseModel, ConfigDict, Field

from ..domain.model import MAX_PRICE_IDR, MAX_SALE_IDR
from .schemas_fairs import BoothNo

SaleIdr = Annotated[int, Field(strict=True, gt=0, le=MAX_SALE_IDR, description="Rupiah utuh, paling banyak Rp 10 miliar")]
PriceIdr = Annotated[int, Field(strict=True, gt=0, le=MAX_PRICE_IDR,
                                description="Harga satuan, Rupiah utuh, paling banyak Rp 1 miliar")]
Quantity = Annotated[int, Field(strict=True, ge=1, le=1_000_000, description="Jumlah barang terjual")]
CHANNELS = "trade_fair (pameran), modern_retail (pasar modern), digital (pasar digital)"


class ListingCreate(Command):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "business_ref": "3f0c2a9e-5b1d-4c3e-9f7a-1b2c3d4e5f60", "channel": "digital", "category": "amplang",
        "price_idr": 25000}]})

    business_ref: UUID = Field(description="business_ref usaha perempuan dari registri")
    channel: Channel = Field(description=CHANNELS)
    category: Annotated[Text, Field(min_length=2, max_length=80, description="Kategori produk, mis. amplang")]
    price_idr: PriceIdr
    listed_on: PlausibleDate | None = Field(None, description="Kosong = hari ini (WITA)")


class DelistCreate(Command):
    delisted_on: PlausibleDate | None = Field(None, description="Kosong = hari ini (WITA)")


class ListingRead(BaseModel):
    product_ref: UUID = Field(description="Referensi produk")
    business_ref: UUID
    owner_person_ref: UUID = Field(description="Pemilik usaha (ref dari registri, tanpa data pribadi)")
    channel: Channel
    category: str
    price_idr: int = Field(description="Harga satuan (Rupiah)")
    listed_on: date
    delisted_on: date | None = Field(description="Kosong selama produk masih tayang")


class ListingList(Page):
    items: list[ListingRead]


class SaleCreate(Command):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "business_ref": "3f0c2a9e-5b1d-4c3e-9f7a-1b2c3d4e5f60", "channel": "modern_retail", "amount_idr": 750000,
        "quantity": 30, "sold_on": "2025-09-12"}]})

    business_ref: UUID = Field(description="business_ref usaha perempuan dari registri")
    channel: Channel = Field(description=CHANNELS)
    fair_ref: UUID | None = Field(None, description="Wajib untuk channel trade_fair; usaha harus punya stan di sana")
    amount_idr: SaleIdr
    quantity: Quantity
    sold_on: PlausibleDate = Field(description="Tanggal penjualan; di pameran: tanggal pameran, lebih kurang sehari")
    booth_no: BoothNo | None = Field(None, description="Stan tempat terjual (boleh kosong); harus stan tempat usaha "
                                                       "ini berjualan, sendiri atau bersama")


class SalesSheetRow(Command):
    business_ref: UUID = Field(description="business_ref usaha yang produknya terjual; usaha itu berjualan di stan "
                                           "sendiri atau di stan bersama pameran ini")
    amount_idr: SaleIdr
    quantity: Quantity
    sold_on: PlausibleDate
    booth_no: BoothNo | None = Field(None, description="Stan tempat terjual (boleh kosong: stan usaha itu)")


class SalesSheetCreate(Command):
    rows: list[SalesSheetRow] = Field(min_length=1, max_length=5_000, description="Satu baris per penjualan")


class SaleRead(BaseModel):
    sale_ref: UUID = Field(description="Referensi penjualan")
    business_ref: UUID
    owner_person_ref: UUID = Field(description="Pemilik usaha (ref dari registri, tanpa data pribadi)")
    channel: Channel
    fair_ref: UUID | None = Field(description="Pameran, untuk penjualan di pameran")
    amount_idr: int = Field(description="Nilai penjualan (Rupiah)")
    quantity: int
    sold_on: date
    booth_no: int | None = Field(None, description="Stan tempat terjual, untuk penjualan di pameran")
    booth_holder_kind: HolderKind | None = Field(
        None, description="Pemegang stan itu: business (stan usaha sendiri), opd, coop, outlet (stan bersama)")


class SaleList(Page):
    items: list[SaleRead]


class SalesSheetRead(BaseModel):
    fair_ref: UUID
    recorded: int = Field(description="Jumlah penjualan yang dicatat")
    amount_idr: int = Field(description="Jumlah nilai penjualan lembar ini (Rupiah)")
    sales: list[SaleRead]
