"""Version 1 payloads published by the registry on ``registry.events``."""

from datetime import date
from typing import Literal
from uuid import UUID

from pydantic import Field

from .common import OPD, AgeBand, DesaCode, KecamatanCode, Payload, PekkaCategory, Period, Rupiah, Sector


class WomanRegistered(Payload):
    person_ref: UUID
    kecamatan_code: KecamatanCode
    desa_code: DesaCode | None = None
    age_band: AgeBand
    pekka_category: PekkaCategory
    household_size: int = Field(ge=1, le=30)
    registered_by_opd: OPD
    registered_on: date


class WomanProfileCorrected(Payload):
    """A correction of the non-personal profile; carries the full corrected profile."""

    person_ref: UUID
    kecamatan_code: KecamatanCode
    desa_code: DesaCode | None = None
    age_band: AgeBand
    pekka_category: PekkaCategory
    household_size: int = Field(ge=1, le=30)
    corrected_on: date


class WelfareAssessed(Payload):
    assessment_ref: UUID
    person_ref: UUID
    assessed_on: date
    household_size: int = Field(ge=1, le=30)
    monthly_household_income_idr: Rupiah
    per_capita_income_idr: Rupiah
    poverty_line_idr: Rupiah
    below_poverty_line: bool
    is_baseline: bool


class AidProvided(Payload):
    """That aid was given: never the case details."""

    aid_ref: UUID
    person_ref: UUID
    kind: Literal["legal_assistance", "social_aid", "counselling", "shelter"]
    provider_opd: OPD
    provided_on: date


class BusinessRegistered(Payload):
    business_ref: UUID
    owner_person_ref: UUID
    sector: Sector
    kecamatan_code: KecamatanCode
    has_nib: bool
    has_pirt: bool
    has_halal: bool
    started_on: date
    registered_on: date


class BusinessReported(Payload):
    business_ref: UUID
    owner_person_ref: UUID
    period: Period
    monthly_revenue_idr: Rupiah
    workers: int = Field(ge=0, le=10_000)
    has_nib: bool
    has_pirt: bool
    has_halal: bool


CoopKind = Literal["simpan_pinjam", "produsen", "konsumen", "pemasaran", "jasa", "serba_usaha"]


class CoopFormed(Payload):
    coop_ref: UUID
    kecamatan_code: KecamatanCode
    kind: CoopKind
    founding_member_refs: list[UUID] = Field(min_length=1)
    formed_on: date
    has_legal_entity: bool


class CoopMemberJoined(Payload):
    coop_ref: UUID
    person_ref: UUID
    joined_on: date


class CoopMemberLeft(Payload):
    coop_ref: UUID
    person_ref: UUID
    left_on: date


class CoopAnnualMeetingHeld(Payload):
    """The RAT: a cooperative that holds it for a fiscal year is compliant for that year."""

    coop_ref: UUID
    fiscal_year: int = Field(ge=2000, le=2100)
    held_on: date


class CapitalDisbursed(Payload):
    disbursement_ref: UUID
    recipient_type: Literal["woman", "business", "coop"]
    recipient_ref: UUID
    source: Literal["coop_loan", "kur", "dp3a_grant", "diskop_grant", "other"]
    amount_idr: Rupiah = Field(gt=0)
    disbursed_on: date


class PersonalDataErased(Payload):
    person_ref: UUID
    erased_on: date


class WomenMerged(Payload):
    """Two records of one woman became one. Every fact about ``retired_ref`` — those already published and any
    event naming it that arrives later — counts for ``surviving_ref`` from now on: she is one woman in every
    figure. Refs in events are the refs facts were recorded under; resolve them through the merges in force.
    Keyed by ``retired_ref``, so it follows every earlier event about the retired record on its partition."""

    merge_ref: UUID
    surviving_ref: UUID
    retired_ref: UUID
    merged_on: date


class WomenUnmerged(Payload):
    """The merge ``merge_ref`` was a mistake and is undone: ``retired_ref`` is a woman of her own again, with the
    facts recorded under her ref; facts recorded under ``surviving_ref`` stay there. Keyed by ``retired_ref``."""

    merge_ref: UUID
    surviving_ref: UUID
    retired_ref: UUID
    unmerged_on: date
