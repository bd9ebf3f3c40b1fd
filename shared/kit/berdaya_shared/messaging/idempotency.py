"""Idempotent commands: every request sent with the same ``Idempotency-Key`` gets the first one's answer, even when
the copies overlap, and the command takes effect once.

Semantics (after draft-ietf-httpapi-idempotency-key-header-07; ``berdaya_shared.http`` says where we differ):

* A key is scoped to its caller and its request: (scope = ``METHOD path``, caller = the token's ``sub``, key).
  Another caller's identical key is another key; it never sees this caller's answer.
* Copies take turns. A request first takes a transaction-level advisory lock on its scoped key (waiting at most
  ``LOCK_WAIT_S``), then looks for a stored answer. A copy of a request still in flight therefore waits, then
  replays the stored answer. If the first request rolled back or its process died, PostgreSQL released the lock
  with its transaction and the copy runs the command itself: a claim never outlives the request that made it.
* The answer (status and body) is stored in the command's own transaction, beside its state change and its
  outbox rows: an answered command and its stored answer commit together or not at all.
* The request body is fingerprinted (SHA-256 of method, path and body); the same key with another body is refused.
* Keys are kept at least ``RETENTION`` (90 days): longer than an offline sheet is expected to wait on a phone.

A command that spans several transactions (the registry's bulk import) uses ``claim`` instead, which holds a
session-level advisory lock on a connection of its own for the whole command.
"""

import hashlib
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta

import asyncpg

Command = Callable[[asyncpg.Connection], Awaitable[tuple[int, bytes]]]
Refused = Callable[[Exception], tuple[int, bytes] | None]
"""Given what a command raised: the answer to store for it (status, body), or None to store nothing and re-raise."""

RETENTION = timedelta(days=90)
"""How long a stored answer is kept at least; the purge deletes only older ones. Our choice, not a measured figure:
offline sheets mint their key when the sheet opens (DESIGN.md section 8) and may wait days, at worst weeks, for a
connection; a quarter of a year covers that with room to spare, and a stored answer is well under 1 KB."""
LOCK_WAIT_S = 10.0
"""How long a copy waits for the request holding its key before it is answered "still in flight" (409). Our
choice: commands take milliseconds; ten seconds covers one slowed down by a busy database while a waiting copy
holds a pooled connection for no longer than that."""

_CLAIM = "SELECT request_hash, status_code, response_body FROM idempotency_claim($1, $2, $3, $4)"
_STORE = ("INSERT INTO idempotency_keys (scope, caller, key, request_hash, status_code, response_body)"
          " VALUES ($1, $2, $3, $4, $5, $6)")
_SAVEPOINT = "idempotent_command"


class IdempotencyKeyReused(Exception):
    """The key was already used for a different request (another body, method or path)."""


class IdempotencyKeyInFlight(Exception):
    """A request with this key is still being processed and did not finish within the lock wait."""


@dataclass(frozen=True)
class Outcome:
    status_code: int
    body: bytes
    replayed: bool


@dataclass(frozen=True)
class ScopedKey:
    """An Idempotency-Key as stored: the client's key under its request scope and its caller."""

    scope: str
    caller: str
    key: str


def request_fingerprint(method: str, path: str, body: bytes) -> str:
    return hashlib.sha256(method.encode() + b" " + path.encode() + b"\n" + body).hexdigest()


def _wait_ms(lock_wait_s: float | None) -> int:
    return max(1, round((LOCK_WAIT_S if lock_wait_s is None else lock_wait_s) * 1000))


def _replay(stored: asyncpg.Record, fingerprint: str, key: str) -> Outcome:
    if stored["request_hash"] != fingerprint:
        raise IdempotencyKeyReused(key)
    return Outcome(stored["status_code"], bytes(stored["response_body"]), True)


async def _store(conn: asyncpg.Connection, key: ScopedKey, fingerprint: str, status_code: int, body: bytes) -> None:
    await conn.execute(_STORE, key.scope, key.caller, key.key, fingerprint, status_code, body)


async def run_idempotent(
    pool: asyncpg.Pool, *, scope: str, key: str | None, fingerprint: str, command: Command, caller: str = "",
    refused: Refused | None = None, lock_wait_s: float | None = None,
) -> Outcome:
    """Run ``command`` in one transaction, or replay the stored outcome of an earlier run with ``key`` (under
    ``scope`` and ``caller``; no key: just run it).

    ``refused`` decides which refusals are answers to keep: for those, the command's changes are rolled back to a
    savepoint and the refusal is stored and returned like any answer; any other exception propagates with nothing
    stored. Raises ``IdempotencyKeyReused`` (another request under this key) and ``IdempotencyKeyInFlight`` (the
    first copy still running after ``lock_wait_s``, default ``LOCK_WAIT_S``)."""
    if key is None:
        async with pool.acquire() as conn, conn.transaction():
            status_code, body = await command(conn)
        return Outcome(status_code, body, False)
    return await _run_keyed(pool, ScopedKey(scope, caller, key), fingerprint, command, refused, lock_wait_s)


async def _run_keyed(pool: asyncpg.Pool, key: ScopedKey, fingerprint: str, command: Command, refused: Refused | None,
                     lock_wait_s: float | None) -> Outcome:
    for _ in range(2):
        try:
            async with pool.acquire() as conn, conn.transaction():
                try:
                    stored = await conn.fetchrow(_CLAIM, key.scope, key.caller, key.key, _wait_ms(lock_wait_s))
                except asyncpg.LockNotAvailableError:
                    raise IdempotencyKeyInFlight(key.key) from None
                if stored is not None:
                    return _replay(stored, fingerprint, key.key)
                status_code, body = await _run_keeping_refusals(conn, command, refused)
                await _store(conn, key, fingerprint, status_code, body)
                return Outcome(status_code, body, False)
        except asyncpg.UniqueViolationError as exc:
            # Only possible when a writer bypassed the lock (an older process during an upgrade): nothing of this
            # run was committed; the next round replays the answer that was.
            if exc.constraint_name != "idempotency_keys_pkey":
                raise
    raise RuntimeError("unreachable: idempotency race not resolved")


async def _run_keeping_refusals(conn: asyncpg.Connection, command: Command, refused: Refused | None
                                ) -> tuple[int, bytes]:
    if refused is None:
        return await command(conn)
    await conn.execute(f"SAVEPOINT {_SAVEPOINT}")
    try:
        return await command(conn)
    except Exception as exc:
        answer = refused(exc)
        if answer is None:
            raise
        await conn.execute(f"ROLLBACK TO SAVEPOINT {_SAVEPOINT}")
        return answer


@dataclass
class Claim:
    """A key held for a command that spans several transactions (see ``claim``)."""

    key: ScopedKey
    fingerprint: str
    replay: Outcome | None  # the stored answer of an earlier run: answer it and run nothing

    async def store(self, conn: asyncpg.Connection, status_code: int, body: bytes) -> None:
        """Store the command's answer; call it inside the command's last transaction, so the answer commits with
        the last of its changes."""
        await _store(conn, self.key, self.fingerprint, status_code, body)


def claim(pool: asyncpg.Pool, *, scope: str, caller: str, key: str, fingerprint: str,
          lock_wait_s: float | None = None) -> AbstractAsyncContextManager[Claim]:
    """Hold a key for a multi-transaction command: a session-level advisory lock on a connection of its own,
    released when the block ends, or by PostgreSQL when this process dies (the session ends with it).

    Inside the block, ``replay`` is the earlier answer if there is one; otherwise run the command and call
    ``store`` in its last transaction. Raises ``IdempotencyKeyReused`` / ``IdempotencyKeyInFlight`` on entry."""
    return _claim(pool, ScopedKey(scope, caller, key), fingerprint, lock_wait_s)


@asynccontextmanager
async def _claim(pool: asyncpg.Pool, key: ScopedKey, fingerprint: str, lock_wait_s: float | None
                 ) -> AsyncIterator[Claim]:
    conn = await pool.acquire()
    locked = False
    try:
        async with conn.transaction():
            await conn.execute("SELECT set_config('lock_timeout', $1, true)", f"{_wait_ms(lock_wait_s)}ms")
            try:
                await conn.execute("SELECT pg_advisory_lock(idempotency_lock_id($1, $2, $3))",
                                   key.scope, key.caller, key.key)
            except asyncpg.LockNotAvailableError:
                raise IdempotencyKeyInFlight(key.key) from None
        locked = True
        stored = await conn.fetchrow(
            "SELECT request_hash, status_code, response_body FROM idempotency_keys"
            " WHERE scope = $1 AND key = $2 AND caller IN ($3, '') ORDER BY caller DESC LIMIT 1",
            key.scope, key.key, key.caller)
        yield Claim(key, fingerprint, _replay(stored, fingerprint, key.key) if stored is not None else None)
    finally:
        try:
            if locked:
                await conn.execute("SELECT pg_advisory_unlock(idempotency_lock_id($1, $2, $3))",
                                   key.scope, key.caller, key.key)
        except BaseException:
            conn.terminate()  # a pooled connection must never keep a session lock; closing it drops the lock
            raise
        finally:
            await pool.release(conn)


async def purge_expired(conn: asyncpg.Connection, retention: timedelta = RETENTION, batch: int = 10_000) -> int:
    """Delete stored answers older than ``retention`` (never younger ones), in batches; returns how many."""
    if retention < RETENTION:
        raise ValueError(f"retention {retention} is shorter than the published minimum {RETENTION}")
    total = 0
    while True:
        deleted = await conn.fetchval(
            "WITH old AS (SELECT ctid FROM idempotency_keys WHERE created_at < now() - $1::interval LIMIT $2),"
            " gone AS (DELETE FROM idempotency_keys k USING old WHERE k.ctid = old.ctid RETURNING 1)"
            " SELECT count(*) FROM gone", retention, batch)
        total += deleted
        if deleted < batch:
            return total
