"""Fair API schemas, in families: <Thing>Create for commands, <Thing>Read for answers, <Thing>List for pages."""

from datetime import date
from typing import Annotated, Literal
from uuid import UUID

from berdaya_contracts.common import OPD, KecamatanCode
from berdaya_contracts.marketplace_v2 import HolderKind
from berdaya_shared.schemas import Command, Page, PlausibleDate, Text
from pydantic import BaseModel, ConfigDict, Field, model_validator

BoothNo = Annotated[int, Field(strict=True, ge=1, le=5_000)]


class FairCreate(Command):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "name": "Pameran Produk Perempuan Kukar 2025", "kecamatan_code": "64.02.06", "location": "Pulau Kumala",
        "starts_on": "2025-08-15", "ends_on": "2025-08-17", "booths": 40}]})

    name: Annotated[Text, Field(min_length=3, max_length=200, description="Nama pameran")]
    kecamatan_code: KecamatanCode | None = Field(None, description="Kecamatan tempat pameran di Kukar")
    outside_kukar: bool = Field(False, description="true bila pameran di luar Kukar (mis. Samarinda, Jakarta)")
    location: Annotated[Text, Field(max_length=200)] | None = Field(None, description="Tempat (gedung, kota)")
    starts_on: PlausibleDate = Field(description="Hari pertama pameran")
    ends_on: PlausibleDate = Field(description="Hari terakhir pameran; paling lama 120 hari setelah hari pertama")
    booths: BoothNo = Field(description="Jumlah stan")

    @model_validator(mode="after")
    def _place(self) -> "FairCreate":
        if (self.kecamatan_code is None) != self.outside_kukar:
            raise ValueError("Isi kecamatan_code untuk pameran di Kukar, atau outside_kukar=true untuk di luar Kukar")
        return self


class FairRead(BaseModel):
    fair_ref: UUID = Field(description="Referensi pameran")
    name: str
    kecamatan_code: str | None = Field(description="Kosong bila pameran di luar Kukar")
    outside_kukar: bool
    location: str | None
    starts_on: date
    ends_on: date
    booths: int = Field(description="Jumlah stan")
    booths_assigned: int = Field(description="Stan yang sudah diberikan ke usaha")
    sales_idr: int = Field(description="Penjualan tercatat di pameran ini (Rupiah)")
    recorded_by_opd: OPD = Field(description="OPD yang mencatat pameran")


class FairList(Page):
    items: list[FairRead]


class BoothCreate(Command):
    business_ref: UUID = Field(description="business_ref usaha perempuan dari registri")
    booth_no: BoothNo | None = Field(None, description="Nomor stan; kosong = stan kosong terkecil")


class BoothRead(BaseModel):
    fair_ref: UUID
    business_ref: UUID
    owner_person_ref: UUID = Field(description="Pemilik usaha (ref dari registri, tanpa data pribadi)")
    booth_no: int = Field(description="Nomor stan")
    holder_kind: HolderKind = Field("business", description="Pemegang stan: business (stan usaha sendiri), opd, "
                                                            "coop atau outlet (stan bersama)")
    holder_opd: OPD | None = Field(None, description="OPD pemegang stan bersama")
    holder_label: str | None = Field(None, description="Nama koperasi atau gerai pemegang stan bersama")


class SharedBoothCreate(Command):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "holder_kind": "outlet", "holder_label": "Gerai PEKKA Tenggarong",
        "business_refs": ["3f0c2a9e-5b1d-4c3e-9f7a-1b2c3d4e5f60", "7a1d0c4e-2b3f-4d5e-8f9a-0b1c2d3e4f50"]}]})

    holder_kind: Literal["opd", "coop", "outlet"] = Field(description="opd (mis. stan DP3A), coop (koperasi) atau "
                                                                       "outlet (gerai, mis. gerai PEKKA)")
    holder_opd: OPD | None = Field(None, description="Untuk holder_kind opd: OPD pemegang stan")
    holder_label: Annotated[Text, Field(max_length=200)] | None = Field(
        None, description="Untuk coop atau outlet: nama koperasi atau gerai")
    booth_no: BoothNo | None = Field(None, description="Nomor stan; kosong = stan kosong terkecil")
    business_refs: list[UUID] = Field(min_length=1, max_length=500,
                                      description="Usaha perempuan yang produknya dijual di stan ini")


class SharedBoothAdd(Command):
    business_refs: list[UUID] = Field(min_length=1, max_length=500, description="Usaha yang ditambahkan ke stan")


class BoothBusinessRead(BaseModel):
    business_ref: UUID
    owner_person_ref: UUID


class SharedBoothRead(BaseModel):
    fair_ref: UUID
    booth_no: int
    holder_kind: HolderKind
    holder_opd: OPD | None
    holder_label: str | None
    businesses: list[BoothBusinessRead] = Field(description="Usaha yang dicatat dengan perintah ini")
