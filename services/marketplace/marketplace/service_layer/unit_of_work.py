"""The marketplace's unit of work: its repositories on one transaction, and the outbox for its events."""

from collections.abc import Iterable
from typing import Any

import asyncpg
from berdaya_contracts import Envelope, new_envelope
from berdaya_shared.unit_of_work import SqlUnitOfWork

from ..adapters.replica import BusinessReplica
from ..adapters.repository import FairRepository, ListingRepository, SaleRepository
from . import translator


class MarketplaceUnitOfWork(SqlUnitOfWork):
    """What a marketplace command handler may touch (the fakes in tests/unit/marketplace mirror it)."""

    def __init__(self, conn: asyncpg.Connection, *, correlation_id: str | None = None) -> None:
        super().__init__(conn, lambda e: translator.to_contracts(e)[0], correlation_id=correlation_id)
        self.fairs = FairRepository(conn)
        self.listings = ListingRepository(conn)
        self.sales = SaleRepository(conn)
        self.businesses = BusinessReplica(conn)

    def envelopes(self, events: Iterable[Any]) -> list[Envelope]:
        """Every contract of every event: booths and sales go out in v1 and v2 (``translator.to_contracts``)."""
        return [new_envelope(p, correlation_id=self.correlation_id, causation_id=self.causation_id)
                for e in events for p in translator.to_contracts(e)]
