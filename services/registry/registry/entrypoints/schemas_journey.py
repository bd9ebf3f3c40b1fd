"""API schemas for a woman's journey across OPDs and for the names a trainer reads."""

from datetime import date
from uuid import UUID

from berdaya_shared.schemas import Command
from pydantic import BaseModel, Field


class JourneyCourse(BaseModel):
    course_ref: UUID
    organizer_opd: str | None = Field(None, description="kosong bila jadwal pelatihannya belum diterima")
    field: str | None = None
    kecamatan_code: str | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    status: str = Field(description="enrolled | completed | dropped")
    enrolled_on: date | None = None
    completed_on: date | None = None
    attendance_rate: float | None = None
    certified: bool | None = None
    dropped_on: date | None = None
    drop_reason: str | None = None


class JourneyPlacement(BaseModel):
    placement_ref: UUID
    course_ref: UUID | None = None
    sector: str
    formal: bool
    monthly_wage_idr: int
    placed_on: date


class JourneyRead(BaseModel):
    person_ref: UUID
    courses: list[JourneyCourse]
    placements: list[JourneyPlacement]
    booths: int = Field(description="stan pameran yang pernah ditempati usahanya")
    listings: int = Field(description="produk yang pernah didaftarkan")
    sales: int = Field(description="penjualan tercatat")
    sales_idr: int = Field(description="jumlah penjualan (Rp)")


class NamesRequest(Command):
    person_refs: list[UUID] = Field(min_length=1, max_length=200, description="peserta yang namanya diminta")


class TraineeName(BaseModel):
    person_ref: UUID
    full_name: str


class NamesRead(BaseModel):
    items: list[TraineeName]


class UnreachedRead(BaseModel):
    person_ref: UUID
    full_name: str | None
    kecamatan_code: str
    kecamatan: str | None
    desa_code: str | None
    desa: str | None
    pekka_category: str
    age_band: str
    household_size: int
    assessed_on: date = Field(description="asesmen terakhir")
    per_capita_income_idr: int
    poverty_line_idr: int


class UnreachedList(BaseModel):
    items: list[UnreachedRead]
    total: int
    limit: int
    offset: int


class EnrolmentSearch(Command):
    course_ref: UUID = Field(description="pelatihan OPD pemanggil yang akan diikuti (tujuan pencarian)")
    name: str = Field(min_length=1, max_length=200, description="nama (sebagian boleh, tiap bagian utuh)")
    desa: str | None = Field(None, max_length=100, description="nama atau kode desa/kelurahan (pilihan)")
    birth_year: int | None = Field(None, ge=1900, le=2100, description="tahun lahir (pilihan)")


class EnrolmentCandidate(BaseModel):
    person_ref: UUID
    full_name: str | None
    desa_code: str | None
    desa: str | None
    kecamatan_code: str
    kecamatan: str | None
    birth_year: int | None


class EnrolmentCandidates(BaseModel):
    items: list[EnrolmentCandidate] = Field(max_length=5)
