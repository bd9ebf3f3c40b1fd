"""registry.events → the businesses replica. Runs inside the inbox consumer's transaction.

Only BusinessRegistered matters here; every other registry event is recorded in the inbox and skipped.
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


EVENT_HANDLERS: dict[str, EventHandler] = {
    "registry.BusinessRegistered": business_registered,
}

apply = dispatch(EVENT_HANDLERS)
