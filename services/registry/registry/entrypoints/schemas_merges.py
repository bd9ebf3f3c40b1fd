"""API schemas for the duplicate queue and merges of two records of one woman."""

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from berdaya_contracts.common import OPD, AgeBand, PekkaCategory
from berdaya_shared.schemas import Command, Page, Text
from pydantic import BaseModel, ConfigDict, Field

PairStatus = Literal["open", "dismissed", "merged"]


class RecordFacts(BaseModel):
    """Berapa data yang dimiliki catatan ini: yang akan dipindahkan penggabungan ke catatan yang dipertahankan."""

    welfare_assessments: int
    aid_records: int
    businesses: int
    coop_memberships: int
    capital_disbursements: int


class PairRecord(BaseModel):
    person_ref: UUID
    nik_masked: str | None = Field(None, description="NIK tersamar: 4 digit awal dan 4 digit akhir",
                                   examples=["6402********7110"])
    full_name: str | None = None
    birth_date: date | None = None
    phone: str | None = None
    kecamatan_code: str
    desa_code: str | None = None
    household_size: int
    pekka_category: PekkaCategory
    age_band: AgeBand
    registered_on: date
    registered_by_opd: OPD
    merged_into: UUID | None = Field(None, description="Catatan ini telah digabung ke catatan tersebut")
    erased: bool
    facts: RecordFacts


class PairRead(BaseModel):
    person_ref: UUID = Field(description="Catatan yang ditandai (yang lebih baru)")
    other_ref: UUID = Field(description="Catatan yang mirip dengannya")
    status: PairStatus = Field(description="open: perlu ditinjau; dismissed: dua orang berbeda; merged: digabung")
    score: float | None = Field(None, description="Kemiripan nama 0-100 (tanggal lahir dan kecamatan sama)")
    flagged_at: datetime
    decided_at: datetime | None = None
    decided_by_opd: OPD | None = None
    records: list[PairRecord] = Field(description="Kedua catatan: yang lebih dulu, lalu yang ditandai")
    differences: list[str] = Field(description="Isian yang berbeda antara kedua catatan",
                                   examples=[["nik_masked", "full_name", "phone"]])


class PairList(Page):
    items: list[PairRead]


class MergeCreate(Command):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "surviving_ref": "0b6f4c1e-2f0a-4d3b-9c55-1f1e8f0c2a11", "retired_ref": "5d2e8a90-7b1c-4e6f-8a3d-2c4b6e8f0a13",
        "nik_from": "retired"}]})

    surviving_ref: UUID = Field(description="Catatan yang dipertahankan; riwayat catatan lain pindah ke sini")
    retired_ref: UUID = Field(description="Catatan yang digabung (dipensiunkan)")
    nik_from: Literal["surviving", "retired"] = Field(
        "surviving", description="NIK siapa yang dipakai: 'retired' bila NIK catatan yang dipertahankan salah "
                                 "(mis. digit terakhir dibulatkan Excel) dan catatan lain memuat NIK yang benar")


class MergeUndo(Command):
    reason: Text = Field(min_length=3, max_length=500, description="Mengapa penggabungan ini keliru",
                         examples=["Ternyata dua orang berbeda: ibu dan anak dengan nama sama"])


class MovedFacts(BaseModel):
    welfare_assessments: int = 0
    aid_records: int = 0
    businesses: int = 0
    coop_memberships: int = 0
    capital_disbursements: int = 0


class MergeRead(BaseModel):
    merge_ref: UUID
    surviving_ref: UUID
    retired_ref: UUID
    status: Literal["merged", "undone"]
    merged_on: date
    merged_by_opd: OPD
    nik_from: Literal["surviving", "retired"]
    moved: MovedFacts = Field(description="Berapa catatan yang pindah ke catatan yang dipertahankan")
    unmerged_on: date | None = None
    unmerged_by_opd: OPD | None = None
    unmerge_reason: str | None = None
