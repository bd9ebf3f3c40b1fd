"""Women, erasures and aid (registry.events)."""

from typing import Any

from berdaya_contracts import Envelope

from .batch import Handler, StatementBatch
from .fact import Fact

_LATEST = "CASE WHEN EXCLUDED.profile_version > women.profile_version THEN EXCLUDED.{0} ELSE women.{0} END"

# The profile in force is the one with the greatest version (see _version); the registration's own facts (who
# registered her, when) are kept from whichever event carried them.
WOMEN = Fact(
    "women",
    "person_ref kecamatan_code desa_code age_band pekka_category household_size profile_version registered_by_opd"
    " registered_on",
    "(person_ref) DO UPDATE SET"
    " registered_by_opd = COALESCE(EXCLUDED.registered_by_opd, women.registered_by_opd),"
    " registered_on = COALESCE(EXCLUDED.registered_on, women.registered_on), "
    + ", ".join(f"{c} = {_LATEST.format(c)}"
                for c in ("kecamatan_code", "desa_code", "age_band", "pekka_category", "household_size"))
    + ", profile_version = GREATEST(EXCLUDED.profile_version, women.profile_version)",
)
ERASURES = Fact("erasures", "person_ref erased_on")
AID = Fact("aid", "aid_ref person_ref kind provider_opd provided_on")


def _version(on: Any, rank: int, env: Envelope) -> str:
    # The profile in force is the one with the latest date; a correction beats the registration on the
    # same day; the event id breaks any remaining tie, so arrival order never decides.
    return f"{on.isoformat()}|{rank}|{env.event_id}"


async def woman_registered(batch: StatementBatch, p: Any, env: Envelope) -> None:
    await WOMEN.store(batch, p.person_ref, p.kecamatan_code, p.desa_code, p.age_band, p.pekka_category,
                      p.household_size, _version(p.registered_on, 0, env), p.registered_by_opd, p.registered_on)


async def profile_corrected(batch: StatementBatch, p: Any, env: Envelope) -> None:
    await WOMEN.store(batch, p.person_ref, p.kecamatan_code, p.desa_code, p.age_band, p.pekka_category,
                      p.household_size, _version(p.corrected_on, 1, env), None, None)


HANDLERS: dict[str, Handler] = {
    "registry.WomanRegistered": woman_registered,
    "registry.WomanProfileCorrected": profile_corrected,
    # Refs stay and counts remain: the projection never held personal data to remove.
    "registry.PersonalDataErased": ERASURES.copy,
    "registry.AidProvided": AID.copy,
}
