"""Women, erasures and aid."""

from typing import Any

from berdaya_contracts import Envelope

from . import Handler, StatementBatch

_UPSERT_WOMAN = """
INSERT INTO women (person_ref, kecamatan_code, desa_code, age_band, pekka_category, household_size,
                   profile_version, registered_by_opd, registered_on)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
ON CONFLICT (person_ref) DO UPDATE SET
    registered_by_opd = COALESCE(EXCLUDED.registered_by_opd, women.registered_by_opd),
    registered_on = COALESCE(EXCLUDED.registered_on, women.registered_on),
    kecamatan_code = CASE WHEN EXCLUDED.profile_version > women.profile_version
                          THEN EXCLUDED.kecamatan_code ELSE women.kecamatan_code END,
    desa_code = CASE WHEN EXCLUDED.profile_version > women.profile_version
                     THEN EXCLUDED.desa_code ELSE women.desa_code END,
    age_band = CASE WHEN EXCLUDED.profile_version > women.profile_version
                    THEN EXCLUDED.age_band ELSE women.age_band END,
    pekka_category = CASE WHEN EXCLUDED.profile_version > women.profile_version
                          THEN EXCLUDED.pekka_category ELSE women.pekka_category END,
    household_size = CASE WHEN EXCLUDED.profile_version > women.profile_version
                          THEN EXCLUDED.household_size ELSE women.household_size END,
    profile_version = GREATEST(EXCLUDED.profile_version, women.profile_version)
"""


def _version(on: Any, rank: int, env: Envelope) -> str:
    # The profile in force is the one with the latest date; a correction beats the registration on the
    # same day; the event id breaks any remaining tie, so arrival order never decides.
    return f"{on.isoformat()}|{rank}|{env.event_id}"


async def woman_registered(conn: StatementBatch, p: Any, env: Envelope) -> None:
    await conn.execute(
        _UPSERT_WOMAN, p.person_ref, p.kecamatan_code, p.desa_code, p.age_band, p.pekka_category,
        p.household_size, _version(p.registered_on, 0, env), p.registered_by_opd, p.registered_on,
    )


async def profile_corrected(conn: StatementBatch, p: Any, env: Envelope) -> None:
    await conn.execute(
        _UPSERT_WOMAN, p.person_ref, p.kecamatan_code, p.desa_code, p.age_band, p.pekka_category,
        p.household_size, _version(p.corrected_on, 1, env), None, None,
    )


async def personal_data_erased(conn: StatementBatch, p: Any, env: Envelope) -> None:
    # Refs stay and counts remain: the projection never held personal data to remove.
    await conn.execute(
        "INSERT INTO erasures (person_ref, erased_on) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        p.person_ref, p.erased_on,
    )


async def aid_provided(conn: StatementBatch, p: Any, env: Envelope) -> None:
    await conn.execute(
        "INSERT INTO aid (aid_ref, person_ref, kind, provider_opd, provided_on) VALUES ($1, $2, $3, $4, $5)"
        " ON CONFLICT DO NOTHING",
        p.aid_ref, p.person_ref, p.kind, p.provider_opd, p.provided_on,
    )


HANDLERS: dict[str, Handler] = {
    "registry.WomanRegistered": woman_registered,
    "registry.WomanProfileCorrected": profile_corrected,
    "registry.PersonalDataErased": personal_data_erased,
    "registry.AidProvided": aid_provided,
}
