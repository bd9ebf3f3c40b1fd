"""API schemas for bulk imports."""

from uuid import UUID

from berdaya_contracts.common import OPD
from pydantic import BaseModel, Field


class ImportErrorReport(BaseModel):
    csv: str
    xlsx: str


class ImportRead(BaseModel):
    import_ref: UUID
    filename: str = Field(description="Nama berkas seperti diunggah")
    registered_by_opd: OPD = Field(description="OPD yang mendaftarkan perempuan dari berkas ini")
    rows_total: int = Field(description="Baris data yang tidak kosong")
    registered: int = Field(description="Baru didaftarkan pada impor ini")
    already_registered: int = Field(description="NIK sudah terdaftar sebelumnya (tidak didaftarkan ulang)")
    rejected: int = Field(description="Baris tidak valid (lihat laporan kesalahan)")
    possible_duplicates: int = Field(description="Baru didaftarkan tetapi mungkin ganda (perlu ditinjau)")
    error_report: ImportErrorReport
