"""API schemas for welfare, aid, UKM, cooperatives and capital. Examples use Kukar data."""

from datetime import date
from typing import Annotated, Literal
from uuid import UUID

from berdaya_contracts.common import OPD, KecamatanCode, Period, Sector
from berdaya_contracts.registry_v1 import CoopKind
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

Rupiah = int


def _printable(value: str) -> str:
    if any(ord(ch) < 32 and ch not in "\t\n\r" for ch in value):
        raise ValueError("Teks tidak boleh berisi karakter kontrol")
    return value.strip()


Text = Annotated[str, AfterValidator(_printable)]


def _cfg(example: dict) -> ConfigDict:
    return ConfigDict(extra="forbid", json_schema_extra={"examples": [example]})


class WelfareAssessmentCreate(BaseModel):
    model_config = _cfg({"assessed_on": "2024-07-15", "household_size": 4, "monthly_household_income_idr": 2500000})

    assessed_on: date = Field(description="Tanggal penilaian; garis kemiskinan yang berlaku pada tanggal ini dipakai")
    household_size: int = Field(ge=1, le=30, description="Jumlah anggota rumah tangga")
    monthly_household_income_idr: Rupiah = Field(
        ge=0, le=1_000_000_000_000, description="Pendapatan rumah tangga per bulan (Rupiah bulat)"
    )


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


class PovertyLineSet(BaseModel):
    model_config = _cfg({"idr": 753332, "source": "BPS Kutai Kartanegara 2024"})
    idr: Rupiah = Field(gt=0, le=100_000_000, description="Garis kemiskinan per kapita per bulan (Rupiah)")
    source: Text = Field(min_length=2, max_length=200, description="Sumber angka (mis. publikasi BPS)")


class PovertyLineRead(BaseModel):
    valid_from: date
    idr: int
    source: str


AidKind = Literal["legal_assistance", "social_aid", "counselling", "shelter"]


class AidCreate(BaseModel):
    model_config = _cfg({"kind": "legal_assistance", "provider_opd": "dp3a", "provided_on": "2025-03-10",
                         "case_note": "Pendampingan hukum kasus KDRT; rujukan ke UPTD PPA."})
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


class CaseNoteCreate(BaseModel):
    model_config = _cfg({"note": "Sidang pertama dijadwalkan 2025-04-02.", "written_by_opd": "dp3a"})
    note: str = Field(min_length=1, max_length=10_000)
    written_by_opd: OPD = "dp3a"


class CaseNoteRead(BaseModel):
    note_id: int
    aid_ref: UUID
    note: str
    written_by_opd: OPD


class BusinessCreate(BaseModel):
    model_config = _cfg({"owner_person_ref": "0b9e3a4c-2f1d-4c8e-9a57-3e1f2d4c5b6a", "name": "Amplang Bu Siti",
                         "sector": "kuliner", "kecamatan_code": "64.02.06", "nib": "1234567890123",
                         "has_pirt": True, "has_halal": False, "started_on": "2021-05-01"})
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


class BusinessPage(BaseModel):
    items: list[BusinessRead]
    total: int
    limit: int
    offset: int


class BusinessReportCreate(BaseModel):
    model_config = _cfg({"period": "2025-03", "monthly_revenue_idr": 4500000, "workers": 2, "has_halal": True})
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


class CoopCreate(BaseModel):
    model_config = _cfg({"name": "Koperasi Wanita Mandiri Tenggarong", "kecamatan_code": "64.02.06",
                         "kind": "simpan_pinjam", "formed_on": "2025-01-20", "has_legal_entity": True,
                         "legal_entity_number": "AHU-0001234.AH.01.26.TAHUN 2025",
                         "founding_member_refs": ["0b9e3a4c-2f1d-4c8e-9a57-3e1f2d4c5b6a"]})
    name: Text = Field(min_length=2, max_length=200)
    kecamatan_code: KecamatanCode
    kind: CoopKind = Field(description="Jenis koperasi")
    formed_on: date
    has_legal_entity: bool = Field(False, description="Sudah berbadan hukum")
    legal_entity_number: Text | None = Field(None, max_length=100, description="Nomor SK badan hukum")
    founding_member_refs: list[UUID] = Field(min_length=1, max_length=5000, description="person_ref anggota pendiri")


class CoopMember(BaseModel):
    person_ref: UUID
    joined_on: date
    left_on: date | None
    founding: bool


class CoopMeeting(BaseModel):
    fiscal_year: int
    held_on: date


class CoopRead(BaseModel):
    coop_ref: UUID
    name: str
    kecamatan_code: str
    kind: CoopKind
    formed_on: date
    has_legal_entity: bool
    legal_entity_number: str | None
    members: list[CoopMember]
    active_members: int
    annual_meetings: list[CoopMeeting] = Field(description="RAT yang tercatat")


class CoopMemberJoin(BaseModel):
    model_config = _cfg({"person_ref": "0b9e3a4c-2f1d-4c8e-9a57-3e1f2d4c5b6a", "joined_on": "2025-02-01"})
    person_ref: UUID
    joined_on: date


class CoopMemberLeave(BaseModel):
    model_config = _cfg({"left_on": "2025-06-30"})
    left_on: date


class AnnualMeetingCreate(BaseModel):
    model_config = _cfg({"fiscal_year": 2024, "held_on": "2025-03-15"})
    fiscal_year: int = Field(ge=2000, le=2100, description="Tahun buku yang dipertanggungjawabkan")
    held_on: date


class CapitalDisbursementCreate(BaseModel):
    model_config = _cfg({"recipient_type": "coop", "recipient_ref": "0b9e3a4c-2f1d-4c8e-9a57-3e1f2d4c5b6a",
                         "source": "diskop_grant", "amount_idr": 25000000, "disbursed_on": "2025-04-01",
                         "provider_opd": "diskop_ukm"})
    recipient_type: Literal["woman", "business", "coop"]
    recipient_ref: UUID
    source: Literal["coop_loan", "kur", "dp3a_grant", "diskop_grant", "other"] = Field(
        description="Sumber modal: pinjaman koperasi, KUR, hibah DP3A, hibah Diskop UKM, lainnya"
    )
    amount_idr: Rupiah = Field(gt=0, le=1_000_000_000_000, description="Jumlah (Rupiah bulat)")
    disbursed_on: date
    provider_opd: OPD = "diskop_ukm"


class ImportErrorReport(BaseModel):
    csv: str
    xlsx: str


class ImportRead(BaseModel):
    import_ref: UUID
    filename: str
    registered_by_opd: OPD
    rows_total: int = Field(description="Baris data yang tidak kosong")
    registered: int = Field(description="Baru didaftarkan pada impor ini")
    already_registered: int = Field(description="NIK sudah terdaftar sebelumnya (tidak didaftarkan ulang)")
    rejected: int = Field(description="Baris tidak valid (lihat laporan kesalahan)")
    possible_duplicates: int = Field(description="Baru didaftarkan tetapi mungkin ganda (perlu ditinjau)")
    error_report: ImportErrorReport
