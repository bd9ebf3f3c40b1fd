"""OAuth2 client records: create, list, revoke, and check a presented secret (scrypt, constant time)."""

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

import asyncpg

_N, _R, _P = 2**14, 8, 1  # scrypt cost: ~50 ms and 16 MiB per check


@dataclass(frozen=True)
class Client:
    client_id: str
    name: str
    opd: str | None
    scopes: frozenset[str]
    created_at: datetime
    revoked_at: datetime | None


def hash_secret(secret: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(secret.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    b64 = base64.b64encode
    return f"scrypt${_N}${_R}${_P}${b64(salt).decode()}${b64(digest).decode()}"


def secret_matches(secret: str, stored: str) -> bool:
    try:
        kind, n, r, p, salt, digest = stored.split("$")
        if kind != "scrypt":
            return False
        expected = base64.b64decode(digest)
        actual = hashlib.scrypt(secret.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p),
                                dklen=len(expected))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


def _client(row: asyncpg.Record) -> Client:
    return Client(row["client_id"], row["name"], row["opd"], frozenset(row["scopes"]), row["created_at"],
                  row["revoked_at"])


async def create(conn: asyncpg.Connection, *, name: str, opd: str | None, scopes: frozenset[str],
                 client_id: str | None = None) -> tuple[Client, str]:
    """Create a client; returns it with its secret, which is shown once and never stored in clear."""
    client_id = client_id or f"{opd or 'ext'}-{secrets.token_hex(4)}"
    secret = secrets.token_urlsafe(32)
    row = await conn.fetchrow(
        "INSERT INTO oauth_clients (client_id, name, opd, scopes, secret_hash) VALUES ($1, $2, $3, $4, $5)"
        " RETURNING *", client_id, name, opd, sorted(scopes), hash_secret(secret),
    )
    assert row is not None
    return _client(row), secret


async def get(conn: asyncpg.Connection, client_id: str) -> tuple[Client, str] | None:
    row = await conn.fetchrow("SELECT * FROM oauth_clients WHERE client_id = $1", client_id)
    return (_client(row), row["secret_hash"]) if row else None


async def list_all(conn: asyncpg.Connection) -> list[Client]:
    return [_client(r) for r in await conn.fetch("SELECT * FROM oauth_clients ORDER BY created_at, client_id")]


async def revoke(conn: asyncpg.Connection, client_id: str) -> bool:
    status = await conn.execute(
        "UPDATE oauth_clients SET revoked_at = now() WHERE client_id = $1 AND revoked_at IS NULL", client_id
    )
    return status.endswith(" 1")
