"""The training service's unit of work: its repositories on one transaction, and the outbox for its events."""

import asyncpg
from berdaya_shared.unit_of_work import SqlUnitOfWork

from ..adapters.replica import WomenReplica
from ..adapters.repository import CourseRepository, PlacementRepository
from . import translator


class TrainingUnitOfWork(SqlUnitOfWork):
    """What a training command handler may touch (the fakes in tests/unit/training mirror it)."""

    def __init__(self, conn: asyncpg.Connection, *, correlation_id: str | None = None) -> None:
        super().__init__(conn, translator.to_contract, correlation_id=correlation_id)
        self.courses = CourseRepository(conn)
        self.placements = PlacementRepository(conn)
        self.women = WomenReplica(conn)
