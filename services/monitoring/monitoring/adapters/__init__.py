"""Database adapters: the versioned service tables (migrations) and the rebuildable projection schema.

The service's own tables (targets, published figures, evaluation rounds) change through numbered migrations in
``adapters/migrations``. The projection tables are not migrated: they are facts derived from Kafka, created in a
schema of their own (``proj``) and rebuilt by replay into ``proj_shadow`` with an atomic swap when they change.
"""

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
    from ..projections import readmodel  # the read models' SQL is built from the indicator definitions

    async with conn.transaction():
        await conn.execute(projection_ddl(LIVE_SCHEMA))
        await conn.execute(f"SET LOCAL search_path TO {LIVE_SCHEMA}, public")
        await readmodel.ensure_built(conn)
        await conn.execute("SET LOCAL search_path TO public")


async def recreate_shadow(conn: asyncpg.Connection) -> None:
    """An empty shadow schema for a rebuild (a leftover one from a failed rebuild is dropped first)."""
    await conn.execute(f"DROP SCHEMA IF EXISTS {SHADOW_SCHEMA} CASCADE")
    await conn.execute(projection_ddl(SHADOW_SCHEMA))


async def swap_in_shadow(conn: asyncpg.Connection) -> None:
    """The shadow schema becomes the live one and the old live schema is dropped (the caller's transaction)."""
    await conn.execute(f"ALTER SCHEMA {LIVE_SCHEMA} RENAME TO {LIVE_SCHEMA}_old")
    await conn.execute(f"ALTER SCHEMA {SHADOW_SCHEMA} RENAME TO {LIVE_SCHEMA}")
    await conn.execute(f"DROP SCHEMA {LIVE_SCHEMA}_old CASCADE")


async def prepare_database(conn: asyncpg.Connection) -> None:
    """A monitoring database ready to apply events: every migration applied, the live projection present."""
    await migrate.migrate(conn, [*migrate.kit_migrations(), *migrate.load("monitoring", MIGRATIONS)])
    await prepare_projection(conn)
