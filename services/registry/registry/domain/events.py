"""The registry domain's own events. They stay inside the service; the translator maps them to the v1 contracts.

None carries a NIK, a name, a phone number, an exact birth date or a case note: the rules that raise them work
with personal data, the events never do.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any, dataclass_transform
from uuid import UUID


@dataclass_transform(frozen_default=True)
class Event:
    """Base of the registry's domain events: every subclass is a frozen dataclass (compared by value)."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        dataclass(frozen=True)(cls)


@dataclass(frozen=True)
class Profile:
    """The public, non-personal profile of a woman: what other services and agencies may know about her."""

    kecamatan_code: str
    desa_code: str | None
    age_band: str
    pekka_category: str
    household_size: int


class WomanRegistered(Event):
    person_ref: UUID
    profile: Profile
    registered_by_opd: str
    registered_on: date


class WomanProfileCorrected(Event):
    person_ref: UUID
    profile: Profile
    corrected_on: date


class PersonalDataErased(Event):
    person_ref: UUID
    erased_on: date


class WomenMerged(Event):
    """Two records of one woman became one: the retired ref's facts follow the surviving ref."""

    merge_ref: UUID
    surviving_ref: UUID
    retired_ref: UUID
    merged_on: date


class WomenUnmerged(Event):
    """A mistaken merge undone: the retired ref is a woman of her own again, with the facts recorded under it."""

    merge_ref: UUID
    surviving_ref: UUID
    retired_ref: UUID
    unmerged_on: date


@dataclass(frozen=True)
class PovertyLine:
    """Garis kemiskinan (GK): Rupiah per capita per month, in force from ``valid_from`` until the next line."""

    valid_from: date
    idr: int


class WelfareAssessed(Event):
    assessment_ref: UUID
    person_ref: UUID
    assessed_on: date
    household_size: int
    monthly_household_income_idr: int
    per_capita_income_idr: int
    poverty_line: PovertyLine
    below_poverty_line: bool
    is_baseline: bool


class AidProvided(Event):
    aid_ref: UUID
    person_ref: UUID
    kind: str
    provider_opd: str
    provided_on: date


@dataclass(frozen=True)
class Legality:
    """A business's papers: NIB (business id), PIRT (home-food licence), halal certificate."""

    has_nib: bool
    has_pirt: bool
    has_halal: bool


class BusinessRegistered(Event):
    business_ref: UUID
    owner_person_ref: UUID
    sector: str
    kecamatan_code: str
    legality: Legality
    started_on: date
    registered_on: date


class BusinessReported(Event):
    business_ref: UUID
    owner_person_ref: UUID
    period: str
    monthly_revenue_idr: int
    workers: int
    legality: Legality


class CoopFormed(Event):
    coop_ref: UUID
    kecamatan_code: str
    kind: str
    founding_member_refs: tuple[UUID, ...]
    formed_on: date
    has_legal_entity: bool


@dataclass(frozen=True)
class Membership:
    """A woman's membership of a cooperative, from the day she joined (to the day she left)."""

    coop_ref: UUID
    person_ref: UUID
    joined_on: date


class CoopMemberJoined(Event):
    membership: Membership


class CoopMemberLeft(Event):
    membership: Membership
    left_on: date


class CoopAnnualMeetingHeld(Event):
    coop_ref: UUID
    fiscal_year: int
    held_on: date


class CapitalDisbursed(Event):
    disbursement_ref: UUID
    recipient_type: str
    recipient_ref: UUID
    source: str
    amount_idr: int
    disbursed_on: date
    provider_opd: str

