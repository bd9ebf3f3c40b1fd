"""API schemas for women: registration, correction, lookup, reads. Examples use Kukar data.

The fields of a woman's record and their rules are defined once, in ``service_layer.validation.WomanFields``
(the bulk import validates each row with it too); the NIK fields hold a parsed ``domain.nik.Nik``."""

from datetime import date, datetime
from uuid import UUID

from berdaya_contracts.common import OPD, AgeBand, DesaCode, KecamatanCode, PekkaCategory
from berdaya_shared.schemas import Command, Page
from pydantic import BaseModel, ConfigDict, Field

from ..service_layer.validation import BirthDate, FullName, NikText, Phone, WomanFields


class WomanCreate(WomanFields):
    model_config = ConfigDict(
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

    registered_on: date | None = Field(None, description="Tanggal pendaftaran; kosong = hari ini (WITA)")


class WomanCorrect(Command):
    """Hanya isian yang dikirim yang dikoreksi."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"desa_code": "64.02.06.1002", "household_size": 5}]})

    nik: NikText | None = None
    full_name: FullName | None = None
    birth_date: BirthDate | None = None
    phone: Phone = None
    kecamatan_code: KecamatanCode | None = None
    desa_code: DesaCode | None = None
    household_size: int | None = Field(None, ge=1, le=30)
    pekka_category: PekkaCategory | None = None
    confirm_birth_date_differs_from_nik: bool = Field(
        False, description="Konfirmasi tanggal lahir sesuai KTP yang berbeda dengan tanggal pada NIK")


class NikLookup(Command):
    nik: NikText


class WomanSearch(Command):
    """Cari perempuan menurut nama, NIK, desa atau kecamatan (semua yang diisi harus cocok). Dikirim di badan
    permintaan, agar nama dan NIK tidak tercatat di log akses yang menyimpan URL."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"name": "siti aminah", "kecamatan_code": "64.02.06"}]})

    name: str | None = Field(None, max_length=100, description="Bagian nama (setiap kata harus ada di namanya; "
                                                                "huruf besar/kecil dan tanda baca diabaikan)")
    nik: str | None = Field(None, pattern=r"^[0-9]{16}$", description="NIK lengkap 16 angka")
    kecamatan_code: KecamatanCode | None = None
    desa_code: DesaCode | None = None
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0)


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
        default_factory=list, description="Catatan lain dengan tanggal lahir dan kecamatan sama dan nama mirip "
                                          "(perlu ditinjau: GET /possible-duplicates)"
    )
    merged_into: UUID | None = Field(
        None, description="Catatan ini telah digabung ke catatan tersebut (perempuan yang sama); gunakan referensi itu")
    needs_verification: list[str] = Field(
        default_factory=list, description="Alasan data ini perlu diverifikasi DP3A, mis. birth_date_differs_from_nik "
                                          "(tanggal lahir KTP berbeda dengan NIK, dikonfirmasi petugas)")
    erased: bool = Field(False, description="Data pribadi telah dihapus atas permintaan (UU PDP)")
    erased_at: datetime | None = None


class WomanList(Page):
    items: list[WomanRead]
