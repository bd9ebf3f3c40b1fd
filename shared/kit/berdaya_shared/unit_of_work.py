"""The unit-of-work seam between command handlers and storage (after cosmicpython's ``unit_of_work.py``).

A handler takes a unit of work: the service's repositories for one transaction, and ``publish`` for the domain
events the rules returned. In production ``SqlUnitOfWork`` wraps the transaction's asyncpg connection and
``publish`` translates each domain event into its contract and stages it in the outbox (same transaction as the
change). In unit tests a fake with in-memory repositories records what was published, so each handler is tested
without a database or a broker.

The transaction itself is opened and committed by the entrypoint kit's ``command`` (with the Idempotency-Key and
the audit row in it), not by the handler.
"""

from collections.abc import Callable, Iterable
from typing import Any

import asyncpg
from berdaya_contracts import Envelope, new_envelope
from berdaya_contracts.common import Payload

from .messaging import outbox

Translate = Callable[[Any], Payload]


class UnitOfWork:
    """What every service's unit of work offers beyond its repositories."""

    correlation_id: str | None = None

    async def publish(self, events: Iterable[Any]) -> None:
        raise NotImplementedError


class SqlUnitOfWork(UnitOfWork):
    """One transaction's connection; ``publish`` stages translated events in the outbox."""

    def __init__(self, conn: asyncpg.Connection, translate: Translate, *, correlation_id: str | None = None,
                 causation_id: Any = None) -> None:
        self.conn = conn
        self.translate = translate
        self.correlation_id = correlation_id
        self.causation_id = causation_id

    def envelopes(self, events: Iterable[Any]) -> list[Envelope]:
        return [new_envelope(self.translate(e), correlation_id=self.correlation_id, causation_id=self.causation_id)
                for e in events]

    async def publish(self, events: Iterable[Any]) -> None:
        await outbox.add_many(self.conn, self.envelopes(events))


class RecordingUnitOfWork(UnitOfWork):
    """The base of the services' fakes: keeps the published domain events in order, translated too, so a unit test
    also proves every event the rules return has a contract."""

    def __init__(self, translate: Translate | None = None) -> None:
        self.translate = translate
        self.published: list[Any] = []
        self.contracts: list[Payload] = []

    async def publish(self, events: Iterable[Any]) -> None:
        for event in events:
            self.published.append(event)
            if self.translate is not None:
                self.contracts.append(self.translate(event))
