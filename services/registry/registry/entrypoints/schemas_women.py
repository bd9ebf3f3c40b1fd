"""API schemas for women: registration, correction, reads. Examples use Kukar data."""

import re
from datetime import date, datetime
from typing import Annotated
from uuid import UUID

from berdaya_contracts.common import OPD, AgeBand, DesaCode, KecamatanCode, PekkaCategory
from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..clock import today
from ..domain import nik as nik_rules

_NAME_PUNCTUATION = frozenset(" .,'’`-")  # titles as OPD lists write them: "R. Icha Andriani, S.E.I"
_PHONE_OK = re.compile(r"^(\+62|62|0)\d{7,13}$")

NikField = Annotated[
    str,
    Field(
        description="NIK 16 digit sesuai KTP/KK. Digit 7-8 = tanggal lahir + 40 (NIK perempuan: 41-71).",
        examples=["6402064508850003"],
    ),
]


def clean_name(value: str) -> str:
    value = " ".join(value.split())
    if not 2 <= len(value) <= 100:
        raise ValueError("Nama lengkap harus 2 sampai 100 karakter")
    if not value[0].isalpha() or any(not (ch.isalpha() or ch in _NAME_PUNCTUATION) for ch in value):
        raise ValueError("Nama lengkap hanya boleh berisi huruf, spasi, titik, koma, apostrof dan tanda hubung")
    return value


def clean_phone(value: str | None) -> str | None:
    if value is None:
        return None
    value = re.sub(r"[\s\-.()]", "", value)
    if not value:
        return None
    if not _PHONE_OK.match(value):
        raise ValueError("Nomor telepon tidak valid (contoh: 081234567890 atau +6281234567890)")
    return value


def check_birth_date(value: date) -> date:
    if value > today():
        raise ValueError("Tanggal lahir tidak boleh di masa depan")
    if value.year < 1900:
        raise ValueError("Tanggal lahir tidak masuk akal (sebelum 1900)")
    return value


class WomanCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "nik": "6402064508850003",
                    "full_name": "Siti Aminah",
                    "birth_date": "1985-08-05",
                    "phone": "081234567890",
                    "kecamatan_code": "64.02.06",
                    "desa_code": "64.02.06.1001",
                    "household_size": 4,
                    "pekka_category": "productive",
                    "registered_by_opd": "dp3a",
                }
            ]
        },
    )

    nik: NikField
    full_name: str = Field(description="Nama lengkap sesuai KTP", examples=["Siti Aminah"])
    birth_date: date = Field(description="Tanggal lahir (YYYY-MM-DD); harus sama dengan tanggal pada NIK")
    phone: str | None = Field(None, description="Nomor HP/telepon (opsional)", examples=["081234567890"])
    kecamatan_code: KecamatanCode = Field(description="Kecamatan domisili (kode Kemendagri)")
    desa_code: DesaCode | None = Field(None, description="Desa/kelurahan domisili (kode Kemendagri)")
    household_size: int = Field(ge=1, le=30, description="Jumlah anggota rumah tangga", examples=[4])
    pekka_category: PekkaCategory = Field(
        "none", description="Kategori PEKKA: none, productive, child_marriage_risk, elderly"
    )
    registered_by_opd: OPD = Field("dp3a", description="OPD yang mendaftarkan (header X-OPD diutamakan)")
    registered_on: date | None = Field(None, description="Tanggal pendaftaran; kosong = hari ini (WITA)")

    @field_validator("nik")
    @classmethod
    def _nik(cls, value: str) -> str:
        try:
            return nik_rules.parse(value, today=today()).value
        except nik_rules.NikError as err:
            raise ValueError(err.pesan) from None

    _name = field_validator("full_name")(lambda cls, v: clean_name(v))
    _phone = field_validator("phone")(lambda cls, v: clean_phone(v))
    _birth = field_validator("birth_date")(lambda cls, v: check_birth_date(v))


class WomanCorrect(BaseModel):
    """Only the fields sent are corrected."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"desa_code": "64.02.06.1002", "household_size": 5}]},
    )

    nik: NikField | None = None
    full_name: str | None = None
    birth_date: date | None = None
    phone: str | None = None
    kecamatan_code: KecamatanCode | None = None
    desa_code: DesaCode | None = None
    household_size: int | None = Field(None, ge=1, le=30)
    pekka_category: PekkaCategory | None = None

    _nik = field_validator("nik")(lambda cls, v: None if v is None else WomanCreate._nik(v))
    _name = field_validator("full_name")(lambda cls, v: None if v is None else clean_name(v))
    _phone = field_validator("phone")(lambda cls, v: clean_phone(v))
    _birth = field_validator("birth_date")(lambda cls, v: None if v is None else check_birth_date(v))


class NikLookup(BaseModel):
    model_config = ConfigDict(extra="forbid")
    nik: NikField


class WomanRead(BaseModel):
    person_ref: UUID = Field(description="Referensi acak orang ini; dipakai di semua layanan lain")
    nik_masked: str | None = Field(None, examples=["6402********0003"])
    full_name: str | None = None
    birth_date: date | None = None
    phone: str | None = None
    age_band: AgeBand
    kecamatan_code: str
    desa_code: str | None = None
    household_size: int
    pekka_category: PekkaCategory
    registered_by_opd: OPD
    registered_on: date
    possible_duplicate_of: list[UUID] = Field(
        default_factory=list, description="Orang lain dengan nama, tanggal lahir dan desa sama (perlu ditinjau)"
    )
    erased: bool = Field(False, description="Data pribadi telah dihapus atas permintaan (UU PDP)")
    erased_at: datetime | None = None


class WomanPage(BaseModel):
    items: list[WomanRead]
    total: int
    limit: int
    offset: int
