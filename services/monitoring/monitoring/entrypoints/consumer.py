"""The inbox consumer's apply: each batch of events into the live projection.

The event -> facts table (``EVENT_HANDLERS``) and the apply itself live in ``monitoring.projections``, shared with
the rebuild; here only the live feeds are told that figures may have changed: every instance's, by a NOTIFY
delivered when this batch's transaction commits (``live.notify``), and this instance's at once (``on_applied``, for
when its LISTEN connection is down).
"""

from collections.abc import Callable

import asyncpg
from berdaya_contracts import Event

from .. import projections
from ..projections import EVENT_HANDLERS
from ..service_layer import live

__all__ = ["EVENT_HANDLERS", "make_apply"]


def make_apply(on_applied: Callable[[int], None] | None = None) -> Callable[[asyncpg.Connection, list[Event]], object]:
    """The ``apply`` of the inbox consumer; ``on_applied(count)`` runs inside the transaction, before its commit."""

    async def apply(conn: asyncpg.Connection, events: list[Event]) -> None:
        rewritten = await projections.apply_live(conn, events)
        await live.notify(conn, live.applied(rewritten))  # the feeds re-read only what the batch rewrote
        if on_applied is not None:
            on_applied(len(events))

    return apply
