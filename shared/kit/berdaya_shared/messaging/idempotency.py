"""Idempotent commands: a retried request with the same ``Idempotency-Key`` gets the first answer.

The stored answer commits in the same transaction as the command's state change and outbox rows, so
a retry can never emit a second event.
"""

import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import asyncpg

Command = Callable[[asyncpg.Connection], Awaitable[tuple[int, bytes]]]


class IdempotencyKeyReused(Exception):
    """The key was already used for a different request."""


@dataclass(frozen=True)
class Outcome:
    status_code: int
    body: bytes
    replayed: bool


def request_fingerprint(method: str, path: str, body: bytes) -> str:
    return hashlib.sha256(method.encode() + b" " + path.encode() + b"\n" + body).hexdigest()


async def replay(conn: asyncpg.Connection, *, scope: str, key: str, fingerprint: str) -> Outcome | None:
    """The stored outcome of an earlier request with ``key`` in ``scope``, or None.

    Raises IdempotencyKeyReused when that earlier request was a different one."""
    stored = await conn.fetchrow(
        "SELECT request_hash, status_code, response_body FROM idempotency_keys WHERE scope = $1 AND key = $2",
        scope,
        key,
    )
    if stored is None:
        return None
    if stored["request_hash"] != fingerprint:
        raise IdempotencyKeyReused(key)
    return Outcome(stored["status_code"], bytes(stored["response_body"]), True)


async def remember(conn: asyncpg.Connection, *, scope: str, key: str, fingerprint: str, status_code: int,
                   body: bytes, if_absent: bool = False) -> None:
    """Store the answer given to ``key``; ``if_absent`` keeps an answer stored meanwhile instead of raising
    asyncpg's UniqueViolationError."""
    await conn.execute(
        "INSERT INTO idempotency_keys (scope, key, request_hash, status_code, response_body)"
        " VALUES ($1, $2, $3, $4, $5)" + (" ON CONFLICT DO NOTHING" if if_absent else ""),
        scope,
        key,
        fingerprint,
        status_code,
        body,
    )


async def run_idempotent(
    pool: asyncpg.Pool, *, scope: str, key: str | None, fingerprint: str, command: Command
) -> Outcome:
    """Run ``command`` in one transaction, or return the stored outcome of an earlier run with ``key``."""
    for _ in range(2):
        try:
            async with pool.acquire() as conn, conn.transaction():
                if key is not None:
                    stored = await replay(conn, scope=scope, key=key, fingerprint=fingerprint)
                    if stored is not None:
                        return stored
                status_code, body = await command(conn)
                if key is not None:
                    await remember(conn, scope=scope, key=key, fingerprint=fingerprint, status_code=status_code,
                                   body=body)
                return Outcome(status_code, body, False)
        except asyncpg.UniqueViolationError as exc:
            # A concurrent request with the same key won the race: read its stored answer.
            if key is None or exc.constraint_name != "idempotency_keys_pkey":
                raise
    raise RuntimeError("unreachable: idempotency race not resolved")
