"""Idempotency-Key handling of the kit, on a small app of its own against the real PostgreSQL.

What a client on a patchy connection notices: every copy of a request gets the first answer (same status, same
body), whether it arrives after the first finished or while the first is still running; the command takes effect
once; a copy is not blocked forever by a first request whose process died; another client's key is its own.
"""

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import asyncpg
import httpx
import pytest
import pytest_asyncio
from berdaya_shared import errors, migrate
from berdaya_shared.auth import ANY_TOKEN, Policy, install_auth
from berdaya_shared.entrypoints import command
from berdaya_shared.http import claimed, install_error_handlers
from berdaya_shared.messaging import idempotency
from fastapi import FastAPI, Request
from fastapi.responses import Response
from pydantic import BaseModel

from tests.support.auth import bearer
from tests.support.auth import settings as auth_settings

SCHEMA = """
CREATE TABLE notes (id serial PRIMARY KEY, name text NOT NULL UNIQUE);
CREATE TABLE attempts (id serial PRIMARY KEY, name text NOT NULL);
CREATE TABLE known (name text PRIMARY KEY);
"""


class NoteCreate(BaseModel):
    name: str
    hold_s: float = 0.0  # keep the transaction open this long (forces overlap)


class NoteRead(BaseModel):
    id: int
    name: str


@dataclass
class Kit:
    client: httpx.AsyncClient
    pool: asyncpg.Pool
    started: asyncio.Queue[int]  # backend pid of each command as it starts
    release: asyncio.Event  # commands with hold_s < 0 wait for this


def build(pool: asyncpg.Pool, started: asyncio.Queue[int], release: asyncio.Event) -> FastAPI:
    app = FastAPI()
    app.state.runtime = SimpleNamespace(pool=pool)
    install_error_handlers(app)
    install_auth(app, Policy({("POST", "/notes"): ANY_TOKEN, ("POST", "/checked-notes"): ANY_TOKEN,
                              ("POST", "/batches"): ANY_TOKEN}), auth_settings())

    async def create(conn: asyncpg.Connection, body: NoteCreate) -> dict[str, Any]:
        await started.put(await conn.fetchval("SELECT pg_backend_pid()"))
        await conn.execute("INSERT INTO attempts (name) VALUES ($1)", body.name)
        if body.hold_s < 0:
            await release.wait()
        elif body.hold_s:
            await conn.execute("SELECT pg_sleep($1)", body.hold_s)
        if await conn.fetchval("SELECT 1 FROM notes WHERE name = $1", body.name):
            raise errors.Conflict("Nama ini sudah terdaftar", "name already registered", field="name")
        row = await conn.fetchrow("INSERT INTO notes (name) VALUES ($1) RETURNING id, name", body.name)
        return dict(row)

    @app.post("/notes", status_code=201)
    async def notes(body: NoteCreate, request: Request) -> Response:
        return await command(request, lambda conn: create(conn, body), model=NoteRead, status=201)

    async def create_known(conn: asyncpg.Connection, body: NoteCreate) -> dict[str, Any]:
        if not await conn.fetchval("SELECT 1 FROM known WHERE name = $1", body.name):  # like a replica lagging
            raise errors.Invalid("Nama ini belum dikenal; coba lagi sebentar", "name not known yet", field="name")
        return await create(conn, body)

    @app.post("/checked-notes", status_code=201)
    async def checked(body: NoteCreate, request: Request) -> Response:
        return await command(request, lambda conn: create_known(conn, body), model=NoteRead, status=201)

    @app.post("/batches", status_code=201)
    async def batches(body: NoteCreate, request: Request) -> Response:
        raw = await request.body()
        async with claimed(request, pool, fingerprint=idempotency.request_fingerprint("POST", "/batches", raw)) as key:
            if key.replay is not None:
                return key.replay
            async with pool.acquire() as conn, conn.transaction():  # first transaction
                await started.put(await conn.fetchval("SELECT pg_backend_pid()"))
                await conn.execute("INSERT INTO attempts (name) VALUES ($1)", body.name)
            if body.hold_s < 0:
                await release.wait()
            async with pool.acquire() as conn, conn.transaction():  # last transaction: the answer with it
                row = await conn.fetchrow("INSERT INTO notes (name) VALUES ($1) RETURNING id, name", body.name)
                answer = json.dumps(dict(row)).encode()
                await key.store(conn, 201, answer)
        return Response(answer, status_code=201, media_type="application/json")

    return app


@pytest_asyncio.fixture
async def kit(fresh_database: str) -> AsyncIterator[Kit]:
    conn = await asyncpg.connect(fresh_database)
    try:
        await migrate.migrate(conn, migrate.kit_migrations())
        await conn.execute(SCHEMA)
    finally:
        await conn.close()
    pool = await asyncpg.create_pool(fresh_database, min_size=2, max_size=12)
    started: asyncio.Queue[int] = asyncio.Queue()
    release = asyncio.Event()
    transport = httpx.ASGITransport(app=build(pool, started, release))
    async with httpx.AsyncClient(transport=transport, base_url="http://kit", timeout=60,
                                 headers=bearer(opd="dp3a", client_id="petugas-a")) as client:
        yield Kit(client, pool, started, release)
    await pool.close()


def post(kit: Kit, path: str, body: dict[str, Any], key: str, **headers: str) -> Any:
    return kit.client.post(path, json=body, headers={"Idempotency-Key": key, **headers})


def answers(responses: list[httpx.Response]) -> set[tuple[int, bytes]]:
    return {(r.status_code, r.content) for r in responses}


def first_runs(responses: list[httpx.Response]) -> int:
    return sum(r.headers.get("Idempotent-Replayed") != "true" for r in responses)


async def count(kit: Kit, table: str) -> int:
    return await kit.pool.fetchval(f"SELECT count(*) FROM {table}")


async def test_copies_sent_at_the_same_moment_get_the_first_answer_and_it_takes_effect_once(kit: Kit) -> None:
    copies = await asyncio.gather(*(post(kit, "/notes", {"name": "Siti", "hold_s": 0.3}, "k-1") for _ in range(6)))
    later = [await post(kit, "/notes", {"name": "Siti", "hold_s": 0.3}, "k-1") for _ in range(2)]
    assert answers(copies + later) == {(201, copies[0].content)}
    assert first_runs(copies) == 1 and first_runs(later) == 0
    assert (await count(kit, "notes"), await count(kit, "attempts"), await count(kit, "audit_log")) == (1, 1, 1)


async def test_a_copy_runs_the_command_itself_when_the_first_request_dies_mid_transaction(kit: Kit) -> None:
    first = asyncio.create_task(post(kit, "/notes", {"name": "Rina", "hold_s": -1}, "k-2"))
    first_pid = await asyncio.wait_for(kit.started.get(), 10)  # the first holds the key, inside its transaction
    copy = asyncio.create_task(post(kit, "/notes", {"name": "Rina", "hold_s": -1}, "k-2"))
    await asyncio.sleep(0.5)
    assert not copy.done() and kit.started.empty(), "the copy must wait for the first, not run beside it"
    async with kit.pool.acquire() as conn:  # the first request's process dies: its session ends
        assert await conn.fetchval("SELECT pg_terminate_backend($1)", first_pid)
    await asyncio.wait_for(kit.started.get(), 10)  # now the copy runs the command
    kit.release.set()
    died, ran = await first, await copy
    assert died.status_code == 503, died.text  # nothing committed: "send it again"
    assert ran.status_code == 201 and "Idempotent-Replayed" not in ran.headers
    again = await post(kit, "/notes", {"name": "Rina", "hold_s": -1}, "k-2")
    assert (again.status_code, again.content, again.headers["Idempotent-Replayed"]) == (201, ran.content, "true")
    assert (await count(kit, "notes"), await count(kit, "audit_log")) == (1, 1)


async def test_a_copy_that_waits_too_long_is_told_the_first_is_still_in_flight(
        kit: Kit, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(idempotency, "LOCK_WAIT_S", 0.3)
    first = asyncio.create_task(post(kit, "/notes", {"name": "Wati", "hold_s": -1}, "k-3"))
    await asyncio.wait_for(kit.started.get(), 10)
    copy = await post(kit, "/notes", {"name": "Wati", "hold_s": -1}, "k-3")
    assert copy.status_code == 409 and copy.headers["Retry-After"] == "2"
    assert copy.json()["kesalahan"][0]["field"] == "Idempotency-Key" and "masih diproses" in copy.json()["pesan"]
    kit.release.set()
    done = await first
    retried = await post(kit, "/notes", {"name": "Wati", "hold_s": -1}, "k-3")
    assert (retried.status_code, retried.content) == (201, done.content)


async def test_a_conflict_refusal_is_the_answer_for_its_key_and_its_partial_changes_are_undone(kit: Kit) -> None:
    assert (await post(kit, "/notes", {"name": "Ani"}, "k-4")).status_code == 201
    copies = await asyncio.gather(*(post(kit, "/notes", {"name": "Ani", "hold_s": 0.2}, "k-5") for _ in range(5)))
    assert {r.status_code for r in copies} == {409} and len(answers(copies)) == 1 and first_runs(copies) == 1
    assert copies[0].json()["pesan"] == "Nama ini sudah terdaftar"
    await kit.pool.execute("DELETE FROM notes WHERE name = 'Ani'")  # even once the conflict is gone...
    again = await post(kit, "/notes", {"name": "Ani", "hold_s": 0.2}, "k-5")
    assert (again.status_code, again.content, again.headers["Idempotent-Replayed"]) == (409, copies[0].content, "true")
    assert await count(kit, "attempts") == 1  # the refused run's own insert was rolled back with it
    assert await count(kit, "audit_log") == 1  # a refusal changes nothing, so it leaves no audit row


async def test_a_refusal_about_something_not_known_yet_is_not_kept_so_the_retry_succeeds(kit: Kit) -> None:
    early = await post(kit, "/checked-notes", {"name": "Dewi"}, "k-6")
    assert early.status_code == 422 and early.json()["kesalahan"][0]["field"] == "name"
    await kit.pool.execute("INSERT INTO known VALUES ('Dewi')")  # the replica caught up
    late = await post(kit, "/checked-notes", {"name": "Dewi"}, "k-6")
    assert late.status_code == 201 and "Idempotent-Replayed" not in late.headers


async def test_the_same_key_with_another_body_is_refused_and_nothing_runs(kit: Kit) -> None:
    assert (await post(kit, "/notes", {"name": "Lina"}, "k-7")).status_code == 201
    other = await post(kit, "/notes", {"name": "Yuli"}, "k-7")
    assert other.status_code == 422 and other.json()["kesalahan"][0]["field"] == "Idempotency-Key"
    too_long = await post(kit, "/notes", {"name": "Yuli"}, "k" * 201)
    assert too_long.status_code == 400 and too_long.json()["kesalahan"][0]["field"] == "Idempotency-Key"
    assert await count(kit, "notes") == 1


async def test_another_callers_key_is_another_key(kit: Kit) -> None:
    mine = await post(kit, "/notes", {"name": "Mira"}, "shared-key")
    theirs = await post(kit, "/notes", {"name": "Nur"}, "shared-key", **bearer(opd="dp3a", client_id="petugas-b"))
    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert "Idempotent-Replayed" not in theirs.headers and theirs.json()["name"] == "Nur"
    assert await count(kit, "notes") == 2


async def test_answers_stored_before_callers_were_recorded_are_still_replayed(kit: Kit) -> None:
    body = json.dumps({"name": "Lama", "hold_s": 0.0}, separators=(",", ":")).encode()
    fingerprint = idempotency.request_fingerprint("POST", "/notes", body)
    await kit.pool.execute(
        "INSERT INTO idempotency_keys (scope, caller, key, request_hash, status_code, response_body)"
        " VALUES ('POST /notes', '', 'legacy', $1, 201, $2)", fingerprint, b'{"id":7,"name":"Lama"}')
    replay = await kit.client.post("/notes", content=body, headers={"Idempotency-Key": "legacy",
                                                                   "Content-Type": "application/json"})
    assert (replay.status_code, replay.json(), replay.headers["Idempotent-Replayed"]) == (201, {"id": 7, "name": "Lama"},
                                                                                          "true")
    assert await count(kit, "notes") == 0


async def test_stored_answers_are_kept_for_the_published_retention_and_purged_after(kit: Kit) -> None:
    for key, age in (("young", timedelta(days=89)), ("old", timedelta(days=91))):
        await kit.pool.execute(
            "INSERT INTO idempotency_keys (scope, caller, key, request_hash, status_code, response_body, created_at)"
            " VALUES ('POST /notes', 'petugas-a', $1, 'h', 201, '{}', now() - $2::interval)", key, age)
    async with kit.pool.acquire() as conn:
        assert await idempotency.purge_expired(conn, batch=1) == 1
        with pytest.raises(ValueError):
            await idempotency.purge_expired(conn, retention=idempotency.RETENTION / 2)
    assert await kit.pool.fetchval("SELECT array_agg(key) FROM idempotency_keys") == ["young"]
    assert idempotency.RETENTION.days == 90


async def test_a_command_in_several_transactions_holds_its_key_until_done_and_releases_it_when_it_dies(
        kit: Kit) -> None:
    first = asyncio.create_task(post(kit, "/batches", {"name": "Batch", "hold_s": -1}, "b-1"))
    await asyncio.wait_for(kit.started.get(), 10)
    copy = asyncio.create_task(post(kit, "/batches", {"name": "Batch", "hold_s": -1}, "b-1"))
    await asyncio.sleep(0.5)
    assert not copy.done() and kit.started.empty()
    kit.release.set()
    done, replayed = await first, await copy
    assert (done.status_code, replayed.status_code, replayed.content) == (201, 201, done.content)
    assert replayed.headers["Idempotent-Replayed"] == "true" and await count(kit, "attempts") == 1

    # The holder's session dies (its process was killed): the key is free again, the copy runs the command.
    kit.release.clear()
    dying = asyncio.create_task(post(kit, "/batches", {"name": "Batch 2", "hold_s": -1}, "b-2"))
    await asyncio.wait_for(kit.started.get(), 10)
    holder = await kit.pool.fetchval("SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted"
                                        " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())")
    retry = asyncio.create_task(post(kit, "/batches", {"name": "Batch 2", "hold_s": -1}, "b-2"))
    await asyncio.sleep(0.3)
    assert not retry.done()
    await kit.pool.execute("SELECT pg_terminate_backend($1)", holder)
    dying.cancel()  # ... and its request with it
    await asyncio.wait_for(kit.started.get(), 10)
    kit.release.set()
    await asyncio.gather(dying, return_exceptions=True)
    assert (await retry).status_code == 201
    assert await kit.pool.fetchval("SELECT count(*) FROM notes WHERE name = 'Batch 2'") == 1
    assert await kit.pool.fetchval("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND database ="
                                   " (SELECT oid FROM pg_database WHERE datname = current_database())") == 0
