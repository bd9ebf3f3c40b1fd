"""Course API schemas in families: <Thing>Create for commands, <Thing>Read for answers."""

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal
from uuid import UUID

from berdaya_contracts.common import OPD, KecamatanCode
from berdaya_contracts.training_v1 import ParticipantDropped, TrainingField
from berdaya_shared.schemas import Command, Page, PlausibleDate, Text
from pydantic import AfterValidator, BaseModel, Field

DropReason = ParticipantDropped.model_fields["reason"].annotation
EnrolmentStatus = Literal["enrolled", "completed", "dropped"]


def _at_least_three(value: str) -> str:
    if len(value) < 3:
        raise ValueError("teks terlalu pendek (minimal 3 karakter)")
    return value


PlainText = Annotated[Text, AfterValidator(_at_least_three)]


class CourseCreate(Command):
    organizer_opd: OPD | None = Field(
        None, description="OPD penyelenggara; kosong = OPD dari header X-OPD", examples=["dp3a"]
    )
    field: TrainingField = Field(description="Training field", examples=["kuliner"])
    kecamatan_code: KecamatanCode
    title: PlainText = Field(min_length=3, max_length=200, examples=["Pelatihan Olahan Ikan Asin Muara Badak"])
    starts_on: PlausibleDate
    ends_on: PlausibleDate = Field(examples=["2025-03-21"])
    sessions: int = Field(strict=True, ge=1, le=365, description="Jumlah sesi", examples=[8])
    capacity: int = Field(strict=True, ge=1, le=10_000, description="Jumlah peserta paling banyak", examples=[25])
    completion_threshold: Decimal | None = Field(
        None, gt=0, le=1, max_digits=4, decimal_places=3,
        description="Bagian sesi yang wajib dihadiri untuk sertifikat; bawaan layanan 0,75",
        examples=["0.75"],
    )


class CourseReschedule(Command):
    """Jadwal baru seutuhnya: kedua tanggal dan kapasitas (jumlah sesi tidak diubah di sini)."""

    starts_on: PlausibleDate = Field(examples=["2025-03-10"])
    ends_on: PlausibleDate = Field(examples=["2025-04-04"])
    capacity: int = Field(strict=True, ge=1, le=10_000, description="Jumlah peserta paling banyak; tidak kurang "
                          "dari peserta yang sudah terdaftar", examples=[30])


class CourseRead(BaseModel):
    course_ref: UUID
    organizer_opd: OPD
    field: TrainingField
    kecamatan_code: str
    title: str
    starts_on: date
    ends_on: date
    sessions: int
    capacity: int
    completion_threshold: float
    enrolled: int = Field(description="Peserta yang masih mengikuti pelatihan")
    completed: int
    certified: int
    dropped: int
    seats_taken: int = Field(description="peserta aktif + selesai; peserta yang keluar mengosongkan kursinya")
    seats_left: int
    fill_rate: float = Field(description="kursi terisi ÷ kapasitas", examples=[0.8])


class CourseList(Page):
    items: list[CourseRead]


class EnrolmentCreate(Command):
    person_ref: UUID = Field(description="Referensi perempuan dari registri", examples=[
        "00000000-0000-4000-8000-000000000001"])
    enrolled_on: PlausibleDate | None = Field(None, description="Kosong = hari ini (WITA)")


class EnrolmentRead(BaseModel):
    course_ref: UUID
    person_ref: UUID
    status: EnrolmentStatus
    enrolled_on: date
    sessions_present: int
    course_sessions: int
    attendance_rate: float = Field(description="sesi dihadiri ÷ jumlah sesi pelatihan")
    completed_on: date | None
    certified: bool | None
    certificate_no: str | None = Field(description="Diterbitkan hanya bila kehadiran mencapai batas",
                                       examples=["DP3A/2025/3F9A0C21B7"])
    override_reason: str | None
    dropped_on: date | None
    drop_reason: DropReason | None  # type: ignore[valid-type]


class EnrolmentList(Page):
    items: list[EnrolmentRead]


class AttendanceMark(Command):
    person_ref: UUID
    present: bool = Field(examples=[True])


class AttendanceBatch(Command):
    records: list[AttendanceMark] = Field(min_length=1, max_length=10_000,
                                          description="Seluruh kelas untuk sesi ini, satu baris per peserta")


class AttendanceRowRead(BaseModel):
    person_ref: UUID
    present: bool
    result: Literal["recorded", "corrected", "unchanged"] = Field(
        description="recorded: dicatat pertama kali; corrected: nilainya berubah (peristiwa baru); unchanged: tanpa peristiwa"
    )


class AttendanceRead(BaseModel):
    course_ref: UUID
    session_no: int
    rows: list[AttendanceRowRead]
    events_published: int


class SessionSheetRow(BaseModel):
    person_ref: UUID
    present: bool


class SessionSheetRead(BaseModel):
    course_ref: UUID
    session_no: int
    rows: list[SessionSheetRow]
    present: int


class CompletionCreate(Command):
    person_ref: UUID
    completed_on: PlausibleDate
    override_reason: PlainText | None = Field(
        None, min_length=3, max_length=500,
        description="Wajib bila kehadiran di bawah batas; kelulusan lalu dicatat tanpa sertifikat",
        examples=["Sakit dengan surat dokter, tugas akhir sudah dikumpulkan"],
    )


class DropoutCreate(Command):
    person_ref: UUID
    dropped_on: PlausibleDate
    reason: DropReason = Field(examples=["pekerjaan"])  # type: ignore[valid-type]
