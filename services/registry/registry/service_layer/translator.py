"""Domain events → the v1 contracts published on registry.events (the unit of work stages them in the outbox).

Only refs, codes, bands, amounts and dates cross this line: never a NIK, name, phone, exact birth date or case note
(the domain events do not carry them in the first place)."""

from collections.abc import Callable
from typing import Any

from berdaya_contracts import registry_v1 as v1
from berdaya_contracts.common import Payload

from ..domain import events as e


def _profile(p: e.Profile) -> dict[str, Any]:
    return {"kecamatan_code": p.kecamatan_code, "desa_code": p.desa_code, "age_band": p.age_band,
            "pekka_category": p.pekka_category, "household_size": p.household_size}


def _legality(flags: e.Legality) -> dict[str, bool]:
    return {"has_nib": flags.has_nib, "has_pirt": flags.has_pirt, "has_halal": flags.has_halal}


_TRANSLATE: dict[type[Any], Callable[[Any], Payload]] = {
    e.WomanRegistered: lambda x: v1.WomanRegistered(
        person_ref=x.person_ref, **_profile(x.profile), registered_by_opd=x.registered_by_opd,
        registered_on=x.registered_on),
    e.WomanProfileCorrected: lambda x: v1.WomanProfileCorrected(
        person_ref=x.person_ref, **_profile(x.profile), corrected_on=x.corrected_on),
    e.PersonalDataErased: lambda x: v1.PersonalDataErased(person_ref=x.person_ref, erased_on=x.erased_on),
    e.WomenMerged: lambda x: v1.WomenMerged(
        merge_ref=x.merge_ref, surviving_ref=x.surviving_ref, retired_ref=x.retired_ref, merged_on=x.merged_on),
    e.WomenUnmerged: lambda x: v1.WomenUnmerged(
        merge_ref=x.merge_ref, surviving_ref=x.surviving_ref, retired_ref=x.retired_ref, unmerged_on=x.unmerged_on),
    e.WelfareAssessed: lambda x: v1.WelfareAssessed(
        assessment_ref=x.assessment_ref, person_ref=x.person_ref, assessed_on=x.assessed_on,
        household_size=x.household_size, monthly_household_income_idr=x.monthly_household_income_idr,
        per_capita_income_idr=x.per_capita_income_idr, poverty_line_idr=x.poverty_line.idr,
        below_poverty_line=x.below_poverty_line, is_baseline=x.is_baseline),
    e.AidProvided: lambda x: v1.AidProvided(
        aid_ref=x.aid_ref, person_ref=x.person_ref, kind=x.kind, provider_opd=x.provider_opd,
        provided_on=x.provided_on),
    e.BusinessRegistered: lambda x: v1.BusinessRegistered(
        business_ref=x.business_ref, owner_person_ref=x.owner_person_ref, sector=x.sector,
        kecamatan_code=x.kecamatan_code, **_legality(x.legality), started_on=x.started_on,
        registered_on=x.registered_on),
    e.BusinessReported: lambda x: v1.BusinessReported(
        business_ref=x.business_ref, owner_person_ref=x.owner_person_ref, period=x.period,
        monthly_revenue_idr=x.monthly_revenue_idr, workers=x.workers, **_legality(x.legality)),
    e.CoopFormed: lambda x: v1.CoopFormed(
        coop_ref=x.coop_ref, kecamatan_code=x.kecamatan_code, kind=x.kind,
        founding_member_refs=list(x.founding_member_refs), formed_on=x.formed_on, has_legal_entity=x.has_legal_entity),
    e.CoopMemberJoined: lambda x: v1.CoopMemberJoined(
        coop_ref=x.membership.coop_ref, person_ref=x.membership.person_ref, joined_on=x.membership.joined_on),
    e.CoopMemberLeft: lambda x: v1.CoopMemberLeft(
        coop_ref=x.membership.coop_ref, person_ref=x.membership.person_ref, left_on=x.left_on),
    e.CoopAnnualMeetingHeld: lambda x: v1.CoopAnnualMeetingHeld(
        coop_ref=x.coop_ref, fiscal_year=x.fiscal_year, held_on=x.held_on),
    e.CapitalDisbursed: lambda x: v1.CapitalDisbursed(
        disbursement_ref=x.disbursement_ref, recipient_type=x.recipient_type, recipient_ref=x.recipient_ref,
        source=x.source, amount_idr=x.amount_idr, disbursed_on=x.disbursed_on),
}


def to_contract(event: Any) -> Payload:
    """The v1 payload of a registry domain event (KeyError for a type without a contract: a bug)."""
    return _TRANSLATE[type(event)](event)
