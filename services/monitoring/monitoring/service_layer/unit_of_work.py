"""The monitoring service's unit of work: its repositories on one transaction, the outbox for its events, and the
live figures a round compares itself with."""

from typing import Any

import asyncpg
from berdaya_shared.unit_of_work import SqlUnitOfWork

from ..adapters.repository import RoundRepository, TargetRepository
from . import indicators, translator


class MonitoringUnitOfWork(SqlUnitOfWork):
    """What a monitoring command handler may touch (the fakes in tests/unit/monitoring mirror it)."""

    def __init__(self, conn: asyncpg.Connection, *, correlation_id: str | None = None) -> None:
        super().__init__(conn, translator.to_contract, correlation_id=correlation_id)
        self.rounds = RoundRepository(conn)
        self.targets = TargetRepository(conn)

    async def live_figures(self, months: tuple[str, str], year: int) -> indicators.PeriodFigures:
        """The figures of ``months`` as the live projection has them now (reads only: opens its own snapshot)."""
        async with indicators.snapshot_on(self.conn) as conn:
            return await indicators.period_figures(conn, months, year)

    async def target_progress(self, year: int, kecamatan: str | None) -> list[dict[str, Any]]:
        """``year``'s targets with their actual values now (reads only: opens its own snapshot)."""
        async with indicators.snapshot_on(self.conn) as conn:
            return await indicators.targets_progress(conn, year, kecamatan)
