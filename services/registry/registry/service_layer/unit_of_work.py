"""The registry's unit of work: its repositories on one transaction, the PII cipher, and the outbox for its events."""

import asyncpg
from berdaya_shared.unit_of_work import SqlUnitOfWork

from ..adapters.crypto import PiiCipher
from ..adapters.repository import (
    AidRepository,
    BusinessRepository,
    CapitalRepository,
    CoopRepository,
    ImportRepository,
    VerificationRepository,
    WelfareRepository,
    WomenRepository,
)
from . import translator


class RegistryUnitOfWork(SqlUnitOfWork):
    """What a registry command handler may touch (the fakes in tests/unit/registry mirror it). ``cipher`` seals
    and opens personal data (pure computation, real in the unit tests too)."""

    def __init__(self, conn: asyncpg.Connection, cipher: PiiCipher, *, correlation_id: str | None = None) -> None:
        super().__init__(conn, translator.to_contract, correlation_id=correlation_id)
        self.cipher = cipher
        self.women = WomenRepository(conn)
        self.welfare = WelfareRepository(conn)
        self.aid = AidRepository(conn)
        self.businesses = BusinessRepository(conn)
        self.coops = CoopRepository(conn)
        self.capital = CapitalRepository(conn)
        self.imports = ImportRepository(conn)
        self.verification = VerificationRepository(conn)
