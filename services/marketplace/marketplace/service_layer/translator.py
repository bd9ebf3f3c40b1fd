"""Domain events → shared v1 contracts, written to the outbox in the caller's transaction."""

from collections.abc import Iterable
from dataclasses import asdict
from typing import Any

import asyncpg
from berdaya_contracts import marketplace_v1 as v1
from berdaya_contracts import new_envelope
from berdaya_contracts.common import Payload
from berdaya_shared.messaging import outbox

from ..domain import events

# Field names match one to one; the mapping stays explicit so a contract rename cannot pass silently.
_CONTRACT: dict[type[Any], type[Payload]] = {
    events.TradeFairScheduled: v1.TradeFairScheduled,
    events.BoothAssigned: v1.BoothAssigned,
    events.ProductListed: v1.ProductListed,
    events.ProductDelisted: v1.ProductDelisted,
    events.SaleRecorded: v1.SaleRecorded,
}


async def publish(conn: asyncpg.Connection, domain_events: Iterable[Any], *, correlation_id: str | None) -> None:
    await outbox.add(conn, *(
        new_envelope(_CONTRACT[type(e)](**asdict(e)), correlation_id=correlation_id) for e in domain_events
    ))
