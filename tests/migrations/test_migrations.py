"""Versioned migrations: a database created by the last release before migrations (commit 6cba04a) is adopted and
brought to the current schema with nothing lost, and it ends up identical to a database created fresh.

The fixtures in ``fixtures/`` are the DDL that commit ran at every start, per service. Every table is filled with
a row before migrating; after it, every row is still there with the same values.
"""

import importlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from berdaya_shared import migrate

from tests.support import infra
from tests.support.fill import fill_every_table, snapshot_rows

FIXTURES = Path(__file__).parent / "fixtures"
SERVICES = ("registry", "training", "marketplace", "monitoring")
# Tables a later migration drops on purpose: the registry's home-made token server's clients (0002).
RETIRED = {("public", "oauth_clients")}


def plan(service: str) -> list[migrate.Migration]:
    spec = importlib.import_module(f"{service}.bootstrap").SPEC
    return [*migrate.kit_migrations(), *migrate.load(spec.name, spec.migrations)]


async def prepare(service: str, conn: asyncpg.Connection) -> None:
    await migrate.migrate(conn, plan(service))
    if service == "monitoring":  # the rebuildable projection schema is created, not migrated
        from monitoring.adapters import prepare_projection

        await prepare_projection(conn)


@pytest.fixture
async def two_databases(database_server_url: str) -> AsyncIterator[tuple[asyncpg.Connection, asyncpg.Connection]]:
    urls = [await infra.create_database(database_server_url, prefix="mig") for _ in range(2)]
    conns = [await asyncpg.connect(u) for u in urls]
    try:
        yield conns[0], conns[1]
    finally:
        for conn in conns:
            await conn.close()
        for url in urls:
            await infra.drop_database(database_server_url, url)


async def schema_of(conn: asyncpg.Connection) -> dict[str, Any]:
    """Tables, columns (type, nullability, default), indexes and constraints of the non-system schemas."""
    columns = await conn.fetch(
        "SELECT table_schema, table_name, column_name, data_type, is_nullable, column_default"
        " FROM information_schema.columns WHERE table_schema NOT IN ('pg_catalog', 'information_schema')"
        " ORDER BY 1, 2, 3")
    indexes = await conn.fetch(
        "SELECT schemaname, tablename, indexdef FROM pg_indexes"
        " WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2, 3")
    constraints = await conn.fetch(
        "SELECT n.nspname, t.relname, pg_get_constraintdef(c.oid) AS def FROM pg_constraint c"
        " JOIN pg_class t ON t.oid = c.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace"
        " WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2, 3")
    return {"columns": [tuple(r) for r in columns], "indexes": [tuple(r) for r in indexes],
            "constraints": [tuple(r) for r in constraints]}


@pytest.mark.parametrize("service", SERVICES)
async def test_a_database_of_6cba04a_is_migrated_with_nothing_lost(
        service: str, two_databases: tuple[asyncpg.Connection, asyncpg.Connection]) -> None:
    old, fresh = two_databases
    await old.execute((FIXTURES / f"{service}-6cba04a.sql").read_text())
    filled = [t for t in await fill_every_table(old) if t not in RETIRED]
    assert len(filled) >= 5, filled  # every table of the old schema got a row
    before, columns = await snapshot_rows(old, filled)

    applied = await migrate.migrate(old, plan(service))
    await prepare(service, old)

    assert [m.label for m in applied] == [m.label for m in plan(service)]  # recorded once, in order
    after, _ = await snapshot_rows(old, filled, columns)
    for table, rows in before.items():
        assert set(rows) <= set(after[table]), f"{service}: rows of {table} lost or changed by the migrations"

    await prepare(service, fresh)
    assert await schema_of(old) == await schema_of(fresh), f"{service}: migrated and fresh schemas differ"
    assert await migrate.migrate(old, plan(service)) == []  # a second start applies nothing


async def test_an_edited_released_migration_is_refused(
        two_databases: tuple[asyncpg.Connection, asyncpg.Connection]) -> None:
    conn, _ = two_databases
    released = plan("training")
    await migrate.migrate(conn, released)
    edited = [*released[:-1], migrate.Migration(released[-1].component, released[-1].version, released[-1].name,
                                                released[-1].sql + "\n-- edited after release\n")]
    with pytest.raises(migrate.MigrationError, match="must not be edited"):
        await migrate.migrate(conn, edited)
    statuses = await migrate.status(conn, released)
    assert all(s.applied_at is not None for s in statuses)


async def test_a_failing_migration_leaves_the_database_at_the_one_before(
        two_databases: tuple[asyncpg.Connection, asyncpg.Connection]) -> None:
    conn, _ = two_databases
    good = migrate.Migration("demo", 1, "create", "CREATE TABLE demo (id int PRIMARY KEY)")
    bad = migrate.Migration("demo", 2, "broken", "ALTER TABLE demo ADD COLUMN note text; SELECT 1/0")
    with pytest.raises(asyncpg.DivisionByZeroError):
        await migrate.migrate(conn, [good, bad])
    columns = await conn.fetch("SELECT column_name FROM information_schema.columns WHERE table_name = 'demo'")
    assert [r["column_name"] for r in columns] == ["id"]
    assert await conn.fetchval("SELECT max(version) FROM schema_migrations WHERE component = 'demo'") == 1
