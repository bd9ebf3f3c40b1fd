"""What the rebuild benchmarks apply: the monitoring service's own schema and apply function."""

from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg


async def prepare_database(database_url: str) -> None:
    """The monitoring service's tables in a fresh database, created by its own DDL."""
    from monitoring.adapters import prepare_database

    conn = await asyncpg.connect(database_url)
    try:
        await prepare_database(conn)
    finally:
        await conn.close()


def apply_function() -> Callable[[asyncpg.Connection, list[Any]], Awaitable[None]]:
    from monitoring.entrypoints.consumer import make_apply

    return make_apply()  # type: ignore[return-value]
