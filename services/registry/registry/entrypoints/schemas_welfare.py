"""API schemas for welfare assessments, the poverty-line configuration, aid and case notes. Examples use Kukar
data."""

from datetime import date
from typing import Any, Literal
from uuid import UUID

from berdaya_contracts.common import OPD
from berdaya_shared.schemas import Command, Text
from pydantic import BaseModel, ConfigDict, Field

Rupiah = int
AidKind = Literal["legal_assistance", "social_aid", "counselling", "shelter"]


def example(**values: Any) -> ConfigDict:
    """A request body's example for the API documentation."""
    return ConfigDict(json_schema_extra={"examples": [values]})


class WelfareAssessmentCreate(Command):
    model_config = example(assessed_on="2024-07-15", household_size=4, monthly_household_income_idr=2500000)

    assessed_on: date = Field(description="Tanggal penilaian; garis kemiskinan yang berlaku pada tanggal ini dipakai")
    household_size: int = Field(ge=1, le=30, description="Jumlah anggota rumah tangga")
    monthly_household_income_idr: Rupiah = Field(
        ge=0, le=1_000_000_000_000, description="Pendapatan rumah tangga per bulan (Rupiah bulat)"
    )
    confirm_low_income: bool = Field(
        False, description="Konfirmasi pendapatan yang sangat rendah (di bawah Rp 10.000 per bulan atau per kapita "
                           "di bawah Rp 50.000): tanpa konfirmasi ditolak, karena biasanya jumlah ditulis dalam "
                           "ribuan (800 berarti Rp 800.000)")


class WelfareAssessmentRead(BaseModel):
    assessment_ref: UUID
    person_ref: UUID
    assessed_on: date
    household_size: int
    monthly_household_income_idr: int
    per_capita_income_idr: int = Field(description="Pendapatan per kapita = pendapatan ÷ anggota (dibulatkan ke bawah)")
    poverty_line_idr: int = Field(description="Garis kemiskinan (GK) per kapita per bulan yang berlaku")
    poverty_line_valid_from: date
    below_poverty_line: bool
    is_baseline: bool = Field(description="Penilaian pertama orang ini (baseline)")


class PovertyLineSet(Command):
    model_config = example(idr=753332, source="BPS Kutai Kartanegara 2024")

    idr: Rupiah = Field(gt=0, le=100_000_000, description="Garis kemiskinan per kapita per bulan (Rupiah)")
    source: Text = Field(min_length=2, max_length=200, description="Sumber angka (mis. publikasi BPS)")


class PovertyLineRead(BaseModel):
    valid_from: date
    idr: int
    source: str


class AidCreate(Command):
    model_config = example(kind="legal_assistance", provider_opd="dp3a", provided_on="2025-03-10",
                           case_note="Pendampingan hukum kasus KDRT; rujukan ke UPTD PPA.")

    kind: AidKind = Field(description="legal_assistance (pendampingan hukum), social_aid (bantuan sosial), "
                                      "counselling (konseling), shelter (rumah aman)")
    provider_opd: OPD = Field("dp3a", description="OPD pemberi bantuan (header X-OPD diutamakan)")
    provided_on: date
    case_note: str | None = Field(None, max_length=10_000, description="Catatan kasus (rahasia, tidak pernah "
                                                                       "dipublikasikan)")


class AidRead(BaseModel):
    aid_ref: UUID
    person_ref: UUID
    kind: AidKind
    provider_opd: OPD
    provided_on: date
    case_notes: int = Field(description="Jumlah catatan kasus (isinya hanya lewat endpoint catatan kasus)")


class CaseNoteCreate(Command):
    model_config = example(note="Sidang pertama dijadwalkan 2025-04-02.", written_by_opd="dp3a")

    note: str = Field(min_length=1, max_length=10_000)
    written_by_opd: OPD = "dp3a"


class CaseNoteRead(BaseModel):
    note_id: int
    aid_ref: UUID
    note: str
    written_by_opd: OPD
