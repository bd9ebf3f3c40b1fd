"""What the rebuild benchmarks apply: the monitoring service's own schema and apply function."""

from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
from berdaya_shared.messaging import outbox


async def prepare_database(database_url: str) -> None:
    """The monitoring service's tables in a fresh database, created by its own DDL."""
    from monitoring.adapters import LIVE_SCHEMA, projection_ddl, service_ddl

    conn = await asyncpg.connect(database_url)
    try:
        async with conn.transaction():
            await outbox.install(conn)
            await conn.execute(service_ddl())
            await conn.execute(projection_ddl(LIVE_SCHEMA))
    finally:
        await conn.close()


def apply_function() -> Callable[[asyncpg.Connection, list[Any]], Awaitable[None]]:
    from monitoring.entrypoints.consumer import make_apply

    return make_apply()  # type: ignore[return-value]
