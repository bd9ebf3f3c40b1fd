"""Maps registry state to the published v1 contracts. Only refs, codes and bands cross this line:
never a NIK, name, phone, exact birth date or case note."""

from datetime import date
from typing import Any
from uuid import UUID

from berdaya_contracts import Envelope, new_envelope
from berdaya_contracts import registry_v1 as v1
from berdaya_contracts.common import Payload

from ..adapters.women_repo import WomanRow


def envelope(payload: Payload, correlation_id: str | None) -> Envelope:
    return new_envelope(payload, correlation_id=correlation_id)


def woman_registered(row: WomanRow) -> v1.WomanRegistered:
    return v1.WomanRegistered(
        person_ref=row.person_ref,
        kecamatan_code=row.kecamatan_code,
        desa_code=row.desa_code,
        age_band=row.age_band,  # type: ignore[arg-type]
        pekka_category=row.pekka_category,  # type: ignore[arg-type]
        household_size=row.household_size,
        registered_by_opd=row.registered_by_opd,  # type: ignore[arg-type]
        registered_on=row.registered_on,
    )


def profile_corrected(profile: dict[str, Any], corrected_on: date) -> v1.WomanProfileCorrected:
    return v1.WomanProfileCorrected(
        person_ref=profile["person_ref"],
        kecamatan_code=profile["kecamatan_code"],
        desa_code=profile["desa_code"],
        age_band=profile["age_band"],
        pekka_category=profile["pekka_category"],
        household_size=profile["household_size"],
        corrected_on=corrected_on,
    )


def personal_data_erased(ref: UUID, on: date) -> v1.PersonalDataErased:
    return v1.PersonalDataErased(person_ref=ref, erased_on=on)
