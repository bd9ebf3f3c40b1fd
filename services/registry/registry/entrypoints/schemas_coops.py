"""API schemas for cooperatives (members, RAT) and capital disbursements. Examples use Kukar data."""

from datetime import date
from typing import Literal
from uuid import UUID

from berdaya_contracts.common import OPD, KecamatanCode
from berdaya_contracts.registry_v1 import CapitalDisbursed, CoopKind
from berdaya_shared.schemas import Command, Text
from pydantic import BaseModel, Field

from .schemas_welfare import Rupiah, example

_A_WOMAN = "0b9e3a4c-2f1d-4c8e-9a57-3e1f2d4c5b6a"
RecipientType = Literal["woman", "business", "coop"]
CapitalSource = CapitalDisbursed.model_fields["source"].annotation


class CoopCreate(Command):
    model_config = example(name="Koperasi Wanita Mandiri Tenggarong", kecamatan_code="64.02.06", kind="simpan_pinjam",
                           formed_on="2025-01-20", has_legal_entity=True,
                           legal_entity_number="AHU-0001234.AH.01.26.TAHUN 2025", founding_member_refs=[_A_WOMAN])

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


class CoopMemberJoin(Command):
    model_config = example(person_ref=_A_WOMAN, joined_on="2025-02-01")

    person_ref: UUID
    joined_on: date


class CoopMemberJoinRead(BaseModel):
    coop_ref: UUID
    person_ref: UUID
    joined_on: date


class CoopMemberLeave(Command):
    model_config = example(left_on="2025-06-30")

    left_on: date


class CoopMemberLeaveRead(BaseModel):
    coop_ref: UUID
    person_ref: UUID
    left_on: date


class AnnualMeetingCreate(Command):
    model_config = example(fiscal_year=2024, held_on="2025-03-15")

    fiscal_year: int = Field(ge=2000, le=2100, description="Tahun buku yang dipertanggungjawabkan (satu RAT per tahun "
                                                           "buku; koperasi yang mengadakannya patuh untuk tahun itu)")
    held_on: date = Field(description="Tidak sebelum tahun buku itu berjalan")


class AnnualMeetingRead(BaseModel):
    coop_ref: UUID
    fiscal_year: int
    held_on: date


class CapitalDisbursementCreate(Command):
    model_config = example(recipient_type="coop", recipient_ref=_A_WOMAN, source="diskop_grant", amount_idr=25000000,
                           disbursed_on="2025-04-01", provider_opd="diskop_ukm")

    recipient_type: RecipientType
    recipient_ref: UUID
    source: CapitalSource = Field(  # type: ignore[valid-type]
        description="Sumber modal: pinjaman koperasi, KUR, hibah DP3A, hibah Diskop UKM, lainnya"
    )
    amount_idr: Rupiah = Field(gt=0, le=1_000_000_000_000, description="Jumlah (Rupiah bulat)")
    disbursed_on: date
    provider_opd: OPD = "diskop_ukm"


class CapitalDisbursementRead(BaseModel):
    disbursement_ref: UUID
    recipient_type: RecipientType
    recipient_ref: UUID
    source: CapitalSource  # type: ignore[valid-type]
    amount_idr: int
    disbursed_on: date
    provider_opd: OPD
