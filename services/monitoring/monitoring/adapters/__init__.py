"""Database adapters: the versioned service tables (migrations) and the rebuildable projection schema.

The service's own tables (targets, published figures, evaluation rounds) change through numbered migrations in
``adapters/migrations``. The projection tables are not migrated: they are facts derived from Kafka, created in a
schema of their own (``proj``) and rebuilt by replay into ``proj_shadow`` with an atomic swap when they change.
"""

import asyncio
from importlib.resources import files

import asyncpg
from berdaya_shared import migrate

LIVE_SCHEMA = "proj"
SHADOW_SCHEMA = "proj_shadow"
MIGRATIONS = "monitoring.adapters.migrations"


def projection_ddl(schema: str) -> str:
    """DDL of the projection tables inside ``schema`` (created if missing)."""
    body = "\n".join(files(__package__).joinpath(name).read_text() for name in ("projection.sql", "readmodel.sql"))
    return (f"CREATE SCHEMA IF NOT EXISTS {schema};\nSET LOCAL search_path TO {schema}, public;\n{body}\n"
            "SET LOCAL search_path TO public;")


async def prepare_projection(conn: asyncpg.Connection) -> None:
    """The live projection schema, created when missing."""
    from ..projections import readmodel_build  # the read models' SQL is built from the indicator definitions

    async with conn.transaction():
        await conn.execute(projection_ddl(LIVE_SCHEMA))
        await conn.execute(f"SET LOCAL search_path TO {LIVE_SCHEMA}, public")
        await readmodel_build.ensure_built(conn)
        await conn.execute("SET LOCAL search_path TO public")


async def recreate_shadow(conn: asyncpg.Connection) -> None:
    """An empty shadow schema for a rebuild (a leftover one from a failed rebuild is dropped first)."""
    await conn.execute(f"DROP SCHEMA IF EXISTS {SHADOW_SCHEMA} CASCADE")
    await conn.execute(projection_ddl(SHADOW_SCHEMA))


OLD_SCHEMA = f"{LIVE_SCHEMA}_old"


async def swap_in_shadow(conn: asyncpg.Connection) -> None:
    """The shadow schema becomes the live one (the caller's transaction); the old live schema is kept under
    ``OLD_SCHEMA`` until ``drop_old_schema`` runs after the commit. Dropping it here would lock its tables one by
    one inside the swap, while a reader that began before the swap holds one of them and waits for the next (the
    merge views read several tables): a deadlock that failed the whole rebuild."""
    await conn.execute(f"DROP SCHEMA IF EXISTS {OLD_SCHEMA} CASCADE")  # a leftover of an interrupted cleanup
    await conn.execute(f"ALTER SCHEMA {LIVE_SCHEMA} RENAME TO {OLD_SCHEMA}")
    await conn.execute(f"ALTER SCHEMA {SHADOW_SCHEMA} RENAME TO {LIVE_SCHEMA}")


async def drop_old_schema(pool: asyncpg.Pool, attempts: int = 10) -> bool:
    """Drop the schema a swap replaced, once the readers that began before it are done; retried when PostgreSQL
    picks the drop as a deadlock's victim. True when it is gone (a later swap drops a leftover anyway)."""
    for attempt in range(attempts):
        try:
            async with pool.acquire() as conn:
                await conn.execute(f"DROP SCHEMA IF EXISTS {OLD_SCHEMA} CASCADE")
            return True
        except asyncpg.exceptions.DeadlockDetectedError:
            await asyncio.sleep(0.2 * (attempt + 1))
    return False


async def prepare_database(conn: asyncpg.Connection) -> None:
    """A monitoring database ready to apply events: every migration applied, the live projection present."""
    await migrate.migrate(conn, [*migrate.kit_migrations(), *migrate.load("monitoring", MIGRATIONS)])
    await prepare_projection(conn)
