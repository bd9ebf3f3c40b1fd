"""Versioned schema migrations: numbered SQL files, each applied once, in order, recorded in ``schema_migrations``.

A component (the kit's own tables, or one service) keeps its migrations as ``NNNN_what_it_does.sql`` files in a
package directory. ``migrate`` applies the ones a database has not had yet, each in its own transaction, and
records ``(component, version, name, checksum)``; a migration already applied whose file has since changed is
refused (a released migration is never edited: write the next one). Several processes starting at once on one
database take turns through an advisory lock.

Why numbered SQL rather than Alembic: the services speak asyncpg, not SQLAlchemy, and every schema here is plain
PostgreSQL DDL; the runner is the 100 lines below. ``0001`` of each component is the schema as it stood before
migrations existed, written with ``IF NOT EXISTS``, so a database created then is adopted as it is.
"""

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from importlib.resources import files

import asyncpg

_FILE = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
_LOCK = "berdaya-migrations"
_TABLE = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    component  text        NOT NULL,
    version    integer     NOT NULL,
    name       text        NOT NULL,
    checksum   text        NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (component, version)
)
"""


class MigrationError(RuntimeError):
    """The migrations on disk and the database disagree (an edited migration, a gap in the numbering)."""


@dataclass(frozen=True)
class Migration:
    component: str
    version: int
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()

    @property
    def label(self) -> str:
        return f"{self.component} {self.version:04d}_{self.name}"


@dataclass(frozen=True)
class Applied:
    migration: Migration
    applied_at: datetime | None  # None: pending


def load(component: str, package: str) -> list[Migration]:
    """The migrations in ``package``'s directory (``NNNN_name.sql``), in version order.

    Raises MigrationError when two files share a number or the numbering has a gap."""
    found = []
    for entry in files(package).iterdir():
        match = _FILE.match(entry.name)
        if match:
            found.append(Migration(component, int(match[1]), match[2], entry.read_text(encoding="utf-8")))
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if versions != list(range(1, len(found) + 1)):
        raise MigrationError(f"{component}: migrations must be numbered 0001, 0002, ... without gaps; found {versions}")
    return found


async def _recorded(conn: asyncpg.Connection) -> dict[tuple[str, int], asyncpg.Record]:
    rows = await conn.fetch("SELECT component, version, name, checksum, applied_at FROM schema_migrations")
    return {(r["component"], r["version"]): r for r in rows}


def _check(migration: Migration, row: asyncpg.Record) -> None:
    if row["checksum"] != migration.checksum:
        raise MigrationError(
            f"{migration.label} was applied with another content (checksum {row['checksum'][:12]}, file "
            f"{migration.checksum[:12]}): released migrations must not be edited; add a new one"
        )


async def migrate(conn: asyncpg.Connection, migrations: Iterable[Migration]) -> list[Migration]:
    """Apply every migration not yet recorded, in order; returns those applied now.

    Raises MigrationError for an edited migration; a failing migration's SQL error propagates and leaves the
    database at the migration before it (each runs in its own transaction)."""
    plan = list(migrations)
    await conn.execute("SELECT pg_advisory_lock(hashtext($1))", _LOCK)
    try:
        await conn.execute(_TABLE)
        recorded = await _recorded(conn)
        applied = []
        for migration in plan:
            row = recorded.get((migration.component, migration.version))
            if row is not None:
                _check(migration, row)
                continue
            async with conn.transaction():
                await conn.execute(migration.sql)
                await conn.execute(
                    "INSERT INTO schema_migrations (component, version, name, checksum) VALUES ($1, $2, $3, $4)",
                    migration.component, migration.version, migration.name, migration.checksum,
                )
            applied.append(migration)
        return applied
    finally:
        await conn.execute("SELECT pg_advisory_unlock(hashtext($1))", _LOCK)


async def status(conn: asyncpg.Connection, migrations: Sequence[Migration]) -> list[Applied]:
    """Each migration with the time it was applied (None while pending)."""
    exists = await conn.fetchval("SELECT to_regclass('schema_migrations') IS NOT NULL")
    recorded = await _recorded(conn) if exists else {}
    out = []
    for migration in migrations:
        row = recorded.get((migration.component, migration.version))
        if row is not None:
            _check(migration, row)
        out.append(Applied(migration, row["applied_at"] if row else None))
    return out


KIT = "berdaya_shared"


def kit_migrations() -> list[Migration]:
    """The kit's own tables in every service database: outbox, inbox, idempotency keys, audit log."""
    return load(KIT, "berdaya_shared.sql")
