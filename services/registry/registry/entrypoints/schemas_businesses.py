"""API schemas for women's businesses (UKM) and their monthly reports. Examples use Kukar data."""

from datetime import date
from uuid import UUID

from berdaya_contracts.common import KecamatanCode, Period, Sector
from berdaya_shared.schemas import Command, Page, Text
from pydantic import BaseModel, Field

from .schemas_welfare import Rupiah, example


class BusinessCreate(Command):
    model_config = example(owner_person_ref="0b9e3a4c-2f1d-4c8e-9a57-3e1f2d4c5b6a", name="Amplang Bu Siti",
                           sector="kuliner", kecamatan_code="64.02.06", nib="1234567890123", has_pirt=True,
                           has_halal=False, started_on="2021-05-01")

    owner_person_ref: UUID = Field(description="person_ref pemilik usaha (perempuan terdaftar)")
    name: Text = Field(min_length=2, max_length=150, description="Nama usaha")
    sector: Sector
    kecamatan_code: KecamatanCode = Field(description="Kecamatan lokasi usaha")
    nib: str | None = Field(None, pattern=r"^\d{13}$", description="Nomor Induk Berusaha (13 digit) bila ada")
    has_pirt: bool = Field(False, description="Memiliki izin PIRT")
    has_halal: bool = Field(False, description="Memiliki sertifikat halal")
    started_on: date = Field(description="Tanggal mulai usaha")
    registered_on: date | None = Field(None, description="Tanggal pendaftaran di program; kosong = hari ini (WITA)")


class BusinessRead(BaseModel):
    business_ref: UUID
    owner_person_ref: UUID
    name: str
    sector: Sector
    kecamatan_code: str
    has_nib: bool
    nib: str | None
    has_pirt: bool
    has_halal: bool
    started_on: date
    registered_on: date


class BusinessList(Page):
    items: list[BusinessRead]


class BusinessReportCreate(Command):
    model_config = example(period="2025-03", monthly_revenue_idr=4500000, workers=2, has_halal=True)

    period: Period
    monthly_revenue_idr: Rupiah = Field(ge=0, le=1_000_000_000_000, description="Omzet bulan itu (Rupiah)")
    workers: int = Field(ge=0, le=10_000, description="Jumlah pekerja")
    nib: str | None = Field(None, pattern=r"^\d{13}$", description="NIB baru bila baru didapat")
    has_pirt: bool | None = Field(None, description="Kosong = tidak berubah")
    has_halal: bool | None = Field(None, description="Kosong = tidak berubah")


class BusinessReportRead(BaseModel):
    business_ref: UUID
    period: str
    monthly_revenue_idr: int
    workers: int
    has_nib: bool
    has_pirt: bool
    has_halal: bool
