"""registry.events → the women replica and the merges of her records. Runs inside the inbox consumer's transaction.

Only the events the replica needs have handlers; every other registry event is ignored (it is
still recorded in the inbox, so a replay skips it cheaply).
"""


import asyncpg
from berdaya_contracts import Event
from berdaya_contracts import registry_v1 as r
from berdaya_shared.messaging.consumer import EventHandler, dispatch

from ..adapters import merges, replica


async def woman_profile(conn: asyncpg.Connection, event: Event) -> None:
    p = event.payload
    assert isinstance(p, r.WomanRegistered | r.WomanProfileCorrected)
    await replica.upsert_profile(
        conn, person_ref=p.person_ref, kecamatan_code=p.kecamatan_code, age_band=p.age_band,
        pekka_category=p.pekka_category, occurred_at=event.envelope.occurred_at, event_id=event.event_id,
    )


async def personal_data_erased(conn: asyncpg.Connection, event: Event) -> None:
    p = event.payload
    assert isinstance(p, r.PersonalDataErased)
    await replica.mark_erased(conn, person_ref=p.person_ref, erased_on=p.erased_on)


async def women_merged(conn: asyncpg.Connection, event: Event) -> None:
    p = event.payload
    assert isinstance(p, r.WomenMerged)
    await merges.merged(conn, merge_ref=p.merge_ref, surviving_ref=p.surviving_ref, retired_ref=p.retired_ref,
                        merged_on=p.merged_on)


async def women_unmerged(conn: asyncpg.Connection, event: Event) -> None:
    p = event.payload
    assert isinstance(p, r.WomenUnmerged)
    await merges.unmerged(conn, merge_ref=p.merge_ref, surviving_ref=p.surviving_ref, retired_ref=p.retired_ref,
                          unmerged_on=p.unmerged_on)


EVENT_HANDLERS: dict[str, EventHandler] = {
    "registry.WomanRegistered": woman_profile,
    "registry.WomanProfileCorrected": woman_profile,
    "registry.PersonalDataErased": personal_data_erased,
    "registry.WomenMerged": women_merged,
    "registry.WomenUnmerged": women_unmerged,
}


apply = dispatch(EVENT_HANDLERS)
