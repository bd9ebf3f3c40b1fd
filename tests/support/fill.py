"""Put one row into every table of a database, whatever its schema, and read them back for comparison.

Used by the migration tests: a database in an old schema is filled before migrating, then checked after. Values
are chosen from each column's type; a text column limited by a CHECK to listed literals gets the first literal;
every uuid column takes the same value, so foreign keys between tables are satisfied when parents come first.
"""

import re
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import asyncpg

REF = uuid.UUID("00000000-0000-4000-8000-00000000beef")
_VALUES: dict[str, Any] = {
    "uuid": REF, "text": "64.02.06", "character varying": "x", "integer": 1, "bigint": 1, "smallint": 1,
    "numeric": Decimal("1"), "real": 1.0, "double precision": 1.0, "boolean": True, "date": date(2024, 1, 1),
    "timestamp with time zone": datetime(2024, 1, 1, tzinfo=UTC), "bytea": b"\x01", "jsonb": "{}",
    "json": "{}",
}


async def _tables(conn: asyncpg.Connection) -> list[tuple[str, str]]:
    """Base tables in an order where every referenced table comes before the tables referencing it."""
    rows = await conn.fetch(
        "SELECT table_schema, table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE'"
        " AND table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2")
    edges = await conn.fetch(
        "SELECT cn.nspname AS child_schema, c.relname AS child, pn.nspname AS parent_schema, p.relname AS parent"
        " FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace cn ON cn.oid = c.relnamespace"
        " JOIN pg_class p ON p.oid = k.confrelid JOIN pg_namespace pn ON pn.oid = p.relnamespace WHERE k.contype = 'f'")
    parents: dict[tuple[str, str], set[tuple[str, str]]] = {(r[0], r[1]): set() for r in rows}
    for e in edges:
        if (e["child_schema"], e["child"]) != (e["parent_schema"], e["parent"]):
            parents[(e["child_schema"], e["child"])].add((e["parent_schema"], e["parent"]))
    ordered: list[tuple[str, str]] = []
    while parents:
        ready = sorted(t for t, ps in parents.items() if not ps - set(ordered))
        if not ready:
            raise RuntimeError(f"cyclic foreign keys among {sorted(parents)}")
        ordered += ready
        for t in ready:
            del parents[t]
    return ordered


async def _literals(conn: asyncpg.Connection, schema: str, table: str) -> dict[str, str]:
    """column -> first literal its CHECK constraints allow (``status IN ('open', ...)``)."""
    defs = await conn.fetch(
        "SELECT pg_get_constraintdef(k.oid) AS def FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid"
        " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE k.contype = 'c' AND n.nspname = $1 AND c.relname = $2",
        schema, table)
    found: dict[str, str] = {}
    for d in defs:
        match = re.search(r"\(?\(?(\w+)\)?(?:::text)? = (?:ANY \(+ARRAY\[)?'([^']*)'", d["def"])
        if match:
            found.setdefault(match[1], match[2])
    return found


async def fill_every_table(conn: asyncpg.Connection) -> list[tuple[str, str]]:
    """Insert one row in every base table; returns the tables filled. Raises when a table refuses the row."""
    filled = []
    for schema, table in await _tables(conn):
        columns = await conn.fetch(
            "SELECT column_name, data_type, column_default, is_nullable FROM information_schema.columns"
            " WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position", schema, table)
        literals = await _literals(conn, schema, table)
        names, values = [], []
        for c in columns:
            if c["column_default"] and c["column_default"].startswith("nextval("):
                continue
            value = literals.get(c["column_name"], _VALUES.get(c["data_type"]))
            if c["data_type"] == "ARRAY":
                value = []
            if value is None:
                continue
            names.append(c["column_name"])
            values.append(value)
        placeholders = ", ".join(f"${i}" for i in range(1, len(values) + 1))
        cols = ", ".join(f'"{n}"' for n in names)
        try:
            await conn.execute(f'INSERT INTO "{schema}"."{table}" ({cols}) VALUES ({placeholders})'
                               ' ON CONFLICT DO NOTHING', *values)  # a seeded row (a poverty line) may hold the key
        except asyncpg.PostgresError as exc:
            raise RuntimeError(f"cannot fill {schema}.{table}: {exc}") from exc
        filled.append((schema, table))
    return filled


async def snapshot_rows(conn: asyncpg.Connection, tables: list[tuple[str, str]],
                        columns: dict[tuple[str, str], list[str]] | None = None
                        ) -> tuple[dict[tuple[str, str], set[str]], dict[tuple[str, str], list[str]]]:
    """Each table's rows as text, over ``columns`` (default: the columns it has now), and the columns used, so a
    later snapshot over the same columns ignores columns added since."""
    out: dict[tuple[str, str], set[str]] = {}
    used: dict[tuple[str, str], list[str]] = {}
    for schema, table in tables:
        names = (columns or {}).get((schema, table)) or [r["column_name"] for r in await conn.fetch(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2"
            " ORDER BY column_name", schema, table)]
        rows = await conn.fetch(f'SELECT {", ".join(f"{chr(34)}{n}{chr(34)}" for n in names)} FROM "{schema}"."{table}"')
        out[(schema, table)] = {repr([str(v) for v in r]) for r in rows}
        used[(schema, table)] = names
    return out, used
