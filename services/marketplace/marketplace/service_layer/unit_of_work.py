"""The marketplace's unit of work: its repositories on one transaction, and the outbox for its events."""

import asyncpg
from berdaya_shared.unit_of_work import SqlUnitOfWork

from ..adapters.replica import BusinessReplica
from ..adapters.repository import FairRepository, ListingRepository, SaleRepository
from . import translator


class MarketplaceUnitOfWork(SqlUnitOfWork):
    """What a marketplace command handler may touch (the fakes in tests/unit/marketplace mirror it)."""

    def __init__(self, conn: asyncpg.Connection, *, correlation_id: str | None = None) -> None:
        super().__init__(conn, translator.to_contract, correlation_id=correlation_id)
        self.fairs = FairRepository(conn)
        self.listings = ListingRepository(conn)
        self.sales = SaleRepository(conn)
        self.businesses = BusinessReplica(conn)
