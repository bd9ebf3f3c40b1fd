"""registry.events → the businesses replica. Runs inside the inbox consumer's transaction.

BusinessRegistered, and the merges of two records of one woman (WomenMerged, WomenUnmerged: her businesses follow
the surviving ref, an undo gives them back); every other registry event is recorded in the inbox and skipped.
PersonalDataErased needs no handling: the replica holds refs only, and past sales still count.
"""

import asyncpg
from berdaya_contracts import Event
from berdaya_contracts import registry_v1 as r
from berdaya_shared.messaging.consumer import EventHandler, dispatch

from ..adapters import replica


async def business_registered(conn: asyncpg.Connection, event: Event) -> None:
    p = event.payload
    assert isinstance(p, r.BusinessRegistered)
    await replica.upsert_business(
        conn, business_ref=p.business_ref, owner_person_ref=p.owner_person_ref, sector=p.sector,
        kecamatan_code=p.kecamatan_code, occurred_at=event.envelope.occurred_at, event_id=event.event_id,
    )


async def women_merged(conn: asyncpg.Connection, event: Event) -> None:
    p = event.payload
    assert isinstance(p, r.WomenMerged)
    await replica.record_merge(conn, merge_ref=p.merge_ref, surviving_ref=p.surviving_ref, retired_ref=p.retired_ref,
                               merged_on=p.merged_on)


async def women_unmerged(conn: asyncpg.Connection, event: Event) -> None:
    p = event.payload
    assert isinstance(p, r.WomenUnmerged)
    await replica.record_merge(conn, merge_ref=p.merge_ref, surviving_ref=p.surviving_ref, retired_ref=p.retired_ref,
                               unmerged_on=p.unmerged_on)


EVENT_HANDLERS: dict[str, EventHandler] = {
    "registry.BusinessRegistered": business_registered,
    "registry.WomenMerged": women_merged,
    "registry.WomenUnmerged": women_unmerged,
}

apply = dispatch(EVENT_HANDLERS)
