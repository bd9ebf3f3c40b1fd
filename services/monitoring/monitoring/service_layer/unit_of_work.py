"""The monitoring service's unit of work: its repositories on one transaction, the outbox for its events, and the
live figures a round compares itself with."""

from typing import Any

import asyncpg
from berdaya_shared.unit_of_work import SqlUnitOfWork

from ..adapters.repository import RoundRepository, TargetRepository
from . import indicators, public_views, translator


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

    async def public_figures(self, months: tuple[str, str]) -> list[dict[str, Any]]:
        """The period's figures as the publication has them (the public face of a round)."""
        return await public_views.round_figures(self.conn, months)

    async def public_targets(self, year: int, kecamatan: str | None = "all") -> list[dict[str, Any]]:
        """``year``'s targets (the regency's by default) with their actual values as published."""
        return await public_views.targets(self.conn, year, kecamatan)
