"""Registry migration 0007 on a real database: the plain SHA-256 fingerprints an older trail holds are removed
(they reverse by hashing every candidate value); keyed ones and everything else stay; a second run changes
nothing."""

import json
from collections.abc import AsyncIterator
from importlib.resources import files

import asyncpg
import pytest_asyncio
from berdaya_shared import migrate

from tests.support import infra

SQL = files("registry.adapters.migrations").joinpath("0007_audit_fingerprints_keyed.sql").read_text(encoding="utf-8")


@pytest_asyncio.fixture(loop_scope="session")
async def conn(database_server_url: str) -> AsyncIterator[asyncpg.Connection]:
    url = await infra.create_database(database_server_url, prefix="aud")
    connection = await asyncpg.connect(url)
    try:
        await migrate.migrate(connection, migrate.kit_migrations())  # the kit's tables, the audit log among them
        yield connection
    finally:
        await connection.close()
        await infra.drop_database(database_server_url, url)


async def test_plain_fingerprints_are_removed_and_the_rest_kept(conn: asyncpg.Connection) -> None:
    old_before = {"person_ref": "0b9e3a4c-2f1d-4c8e-9a57-3e1f2d4c5b6a", "birth_date": "sha256:d82635694e69",
                  "name_cipher": "sha256:0123456789ab", "household_size": 4}
    old_after = {**old_before, "household_size": 7, "members": [{"nik_hmac": "sha256:ba9876543210"}]}
    keyed = {"person_ref": "0b9e3a4c-2f1d-4c8e-9a57-3e1f2d4c5b6a", "birth_date": "hmac:0123456789abcdef"}
    await conn.executemany(
        "INSERT INTO audit_log (client_id, opd, method, path, status, entity_ref, before, after)"
        " VALUES ('machine-dp3a', 'dp3a', 'PATCH', '/women/{person_ref}', 200, $1, $2::jsonb, $3::jsonb)",
        [("person_ref=0b9e3a4c-2f1d-4c8e-9a57-3e1f2d4c5b6a", json.dumps(old_before), json.dumps(old_after)),
         ("person_ref=0b9e3a4c-2f1d-4c8e-9a57-3e1f2d4c5b6a", None, json.dumps(keyed))])
    await conn.execute(SQL)
    rows = await conn.fetch("SELECT before, after FROM audit_log ORDER BY id")
    before, after = json.loads(rows[0]["before"]), json.loads(rows[0]["after"])
    assert before == {**old_before, "birth_date": None, "name_cipher": None}
    assert after == {**old_after, "birth_date": None, "name_cipher": None, "members": [{"nik_hmac": None}]}
    assert json.loads(rows[1]["after"]) == keyed and rows[1]["before"] is None
    assert await conn.fetchval("SELECT count(*) FROM audit_log WHERE before::text ~ 'sha256:'"
                               " OR after::text ~ 'sha256:'") == 0
    assert (await conn.execute(SQL)) == "UPDATE 0"  # idempotent
