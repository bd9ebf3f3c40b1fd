"""StatementBatch: many-row INSERTs run as one set-based statement and end exactly as row by row would,
including a DO UPDATE that meets the same key twice in one batch."""

from collections.abc import AsyncIterator
from datetime import date
from uuid import UUID, uuid4

import asyncpg
import pytest_asyncio
from monitoring.projections.batch import SET_MIN_ROWS, StatementBatch, set_form

from tests.support import infra

DDL = """
CREATE TABLE meetings (coop uuid, year int, held_on date, PRIMARY KEY (coop, year));
CREATE TABLE members (coop uuid, person uuid, kind text, PRIMARY KEY (coop, person, kind));
"""
UPSERT = ("INSERT INTO meetings VALUES ($1, $2, $3) ON CONFLICT (coop, year)"
          " DO UPDATE SET held_on = LEAST(meetings.held_on, EXCLUDED.held_on)")
JOIN = "INSERT INTO members VALUES ($1, $2, 'join') ON CONFLICT DO NOTHING"


@pytest_asyncio.fixture(loop_scope="session")
async def conn(database_server_url: str) -> AsyncIterator[asyncpg.Connection]:
    url = await infra.create_database(database_server_url)
    c = await asyncpg.connect(url)
    await c.execute(DDL)
    yield c
    await c.close()
    await infra.drop_database(database_server_url, url)


async def _run(conn: asyncpg.Connection, sql: str, rows: list[tuple[object, ...]], *, set_based: bool) -> None:
    batch = StatementBatch()
    await batch.executemany(sql, rows)
    async with conn.transaction():
        if set_based:
            await batch.flush(conn)
        else:
            await conn.executemany(sql, rows)


async def _table(conn: asyncpg.Connection, table: str) -> list[tuple[object, ...]]:
    return sorted(tuple(r.values()) for r in await conn.fetch(f"SELECT * FROM {table}"))  # type: ignore[misc]


async def test_insert_values_becomes_one_unnest_statement(conn: asyncpg.Connection) -> None:
    form = await set_form(conn, JOIN)
    assert form is not None
    assert "unnest($1::pg_catalog.uuid[], $2::pg_catalog.uuid[])" in form
    assert "SELECT u.p1, u.p2, 'join' FROM" in form
    assert await set_form(conn, "UPDATE members SET kind = $1 WHERE coop = $2") is None


async def test_repeated_keys_end_as_row_by_row(conn: asyncpg.Connection) -> None:
    coops = [uuid4() for _ in range(3)]
    rows: list[tuple[object, ...]] = [(coops[i % 3], 2024 + i % 2, date(2024, 1 + i % 12, 1 + i)) for i in range(20)]
    members: list[tuple[object, ...]] = [(coops[i % 3], UUID(int=i % 7)) for i in range(SET_MIN_ROWS * 3)]
    for set_based in (False, True):
        await conn.execute("TRUNCATE meetings, members")
        await _run(conn, UPSERT, rows, set_based=set_based)  # keys repeat: the set form falls back
        await _run(conn, JOIN, members, set_based=set_based)
        result = (await _table(conn, "meetings"), await _table(conn, "members"))
        if not set_based:
            expected = result
    assert result == expected
    assert len(result[0]) == 6 and len(result[1]) == len(set(members))


async def test_distinct_keys_upsert_in_one_statement_keeps_the_rule(conn: asyncpg.Connection) -> None:
    coop = uuid4()
    await conn.execute("TRUNCATE meetings")
    await _run(conn, UPSERT, [(coop, y, date(y, 6, 1)) for y in range(2000, 2010)], set_based=True)
    await _run(conn, UPSERT, [(coop, y, date(y, 3 if y % 2 else 9, 1)) for y in range(2000, 2010)], set_based=True)
    held = {r["year"]: r["held_on"] for r in await conn.fetch("SELECT year, held_on FROM meetings")}
    assert held == {y: date(y, 3 if y % 2 else 6, 1) for y in range(2000, 2010)}
