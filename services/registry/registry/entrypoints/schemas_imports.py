"""API schemas for bulk imports: the job, its held rows, an officer's decision on one."""

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from berdaya_contracts.common import OPD
from berdaya_shared.schemas import Command
from pydantic import BaseModel, Field

Confirmation = Literal["confirm_birth_date_differs_from_nik", "confirm_low_income"]


class ImportErrorReport(BaseModel):
    csv: str
    xlsx: str


class ImportRead(BaseModel):
    import_ref: UUID
    filename: str = Field(description="Nama berkas seperti diunggah")
    registered_by_opd: OPD = Field(description="OPD yang mendaftarkan perempuan dari berkas ini")
    status: Literal["running", "done", "failed", "interrupted"] = Field(
        description="running: sedang berjalan; done: selesai; failed: gagal (yang sudah tersimpan tetap); "
                    "interrupted: terputus (layanan dimulai ulang) — unggah lagi, NIK yang sudah terdaftar dilewati")
    rows_total: int = Field(description="Baris data yang tidak kosong")
    rows_read: int = Field(description="Baris yang sudah diproses")
    registered: int = Field(description="Baru didaftarkan pada impor ini")
    already_registered: int = Field(description="NIK sudah terdaftar untuk perempuan yang sama (tidak didaftarkan ulang)")
    rejected: int = Field(description="Baris ditolak (lihat laporan)")
    held: int = Field(description="Baris ditahan: menunggu konfirmasi petugas (lihat held_rows)")
    reported: int = Field(description="Baris dilaporkan dan tidak didaftarkan: NIK dipakai orang lain, atau baris ganda")
    with_warnings: int = Field(description="Didaftarkan dengan peringatan (kolom opsional tidak terbaca, dikosongkan)")
    possible_duplicates: int = Field(description="Baru didaftarkan tetapi mungkin ganda (perlu ditinjau)")
    assessed: int = Field(description="Penilaian kesejahteraan awal (baseline) yang dicatat dari kolom pendapatan")
    sheet_name: str | None = Field(None, description="Lembar XLSX yang dibaca")
    header_row: int | None = Field(None, description="Nomor baris judul kolom di berkas")
    encoding: str | None = Field(None, description="Pengodean huruf berkas CSV")
    columns: dict[str, str] = Field(description="Kolom yang dikenali: nama isian -> judul kolom di berkas")
    started_at: datetime
    finished_at: datetime | None = None
    error_report: ImportErrorReport
    held_rows: str


class HeldConfirmation(BaseModel):
    field: str
    column: str = Field(description="Judul kolom seperti di berkas")
    problem: str
    fix: str


class HeldRow(BaseModel):
    row_no: int = Field(description="Nomor baris di berkas")
    confirm: list[HeldConfirmation]
    full_name: str
    nik_masked: str | None
    birth_date_in_nik: date | None = Field(description="Tanggal lahir yang tertulis di NIK")
    birth_date: date | None = Field(description="Tanggal lahir yang tertulis di berkas")
    monthly_household_income_idr: int | None


class HeldList(BaseModel):
    import_ref: UUID
    items: list[HeldRow]


class HeldDecision(Command):
    model_config = {"json_schema_extra": {"examples": [{"confirm": ["confirm_birth_date_differs_from_nik"]},
                                                       {"monthly_household_income_idr": 800000}]}}

    confirm: list[Confirmation] = Field(default_factory=list, description=(
        "Yang dikonfirmasi petugas: confirm_birth_date_differs_from_nik (tanggal lahir sesuai KTP walau berbeda "
        "dengan NIK; data ditandai untuk verifikasi), confirm_low_income (pendapatan rendah memang benar)"))
    monthly_household_income_idr: int | None = Field(None, ge=0, le=1_000_000_000_000, description=(
        "Pendapatan yang dibetulkan (mis. 800000 untuk '800' yang ditulis dalam ribuan), menggantikan isi berkas"))
    discard: bool = Field(False, description="Batalkan baris ini: tidak didaftarkan, dihitung sebagai ditolak")


class HeldDecided(BaseModel):
    import_ref: UUID
    row_no: int
    status: Literal["registered", "discarded"]
    person_ref: UUID | None = None
