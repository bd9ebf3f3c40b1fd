"""Server-side web sessions in the kit's ``web_sessions`` table (migration 0003).

The cookie carries 32 random bytes (URL-safe base64); the table keys the row by their SHA-256. A session is alive
while ``idle_expires_at`` and ``expires_at`` are both in the future; every use pushes the idle expiry forward (never
past the absolute one). Rows are plain dicts: ``id_hash``, ``subject``, ``username``, ``access_token``,
``access_expires_at``, ``refresh_token``, ``id_token``, ``purpose``, ``has_flash``.
"""

import hashlib
import json
import secrets
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg

COLUMNS = ("id_hash, subject, username, idp_session, access_token, access_expires_at, refresh_token, id_token, "
           "purpose, flash IS NOT NULL AS has_flash, expires_at")

TokenRefresher = Callable[[str], Awaitable[dict[str, Any] | None]]


def digest(cookie: str) -> bytes:
    return hashlib.sha256(cookie.encode()).digest()


def expiry(tokens: dict[str, Any]) -> datetime:
    """When the access token of a token endpoint answer expires (``expires_in`` seconds; 60 s if absent)."""
    return datetime.now(UTC) + timedelta(seconds=int(tokens.get("expires_in") or 60))


class SessionStore:
    def __init__(self, pool: Callable[[], asyncpg.Pool], *, idle_s: int, max_s: int) -> None:
        self._pool = pool
        self.idle = timedelta(seconds=idle_s)
        self.max = timedelta(seconds=max_s)

    async def create(self, *, subject: str, username: str, idp_session: str | None, tokens: dict[str, Any]) -> str:
        """A new session for a user who just signed in; returns the cookie value. Expired rows are swept here."""
        cookie = secrets.token_urlsafe(32)
        now = datetime.now(UTC)
        async with self._pool().acquire() as conn:
            await conn.execute("DELETE FROM web_sessions WHERE idle_expires_at < now() OR expires_at < now()")
            await conn.execute(
                "INSERT INTO web_sessions (id_hash, subject, username, idp_session, access_token, access_expires_at, "
                "refresh_token, id_token, idle_expires_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                digest(cookie), subject, username, idp_session, tokens["access_token"], expiry(tokens),
                tokens.get("refresh_token"), tokens.get("id_token"), now + self.idle, now + self.max)
        return cookie

    async def touch(self, cookie: str) -> dict[str, Any] | None:
        """The live session of this cookie, its idle expiry pushed forward; None if there is none."""
        async with self._pool().acquire() as conn:
            row = await conn.fetchrow(
                f"UPDATE web_sessions SET last_seen_at = now(), idle_expires_at = least(now() + $2, expires_at) "
                f"WHERE id_hash = $1 AND idle_expires_at > now() AND expires_at > now() RETURNING {COLUMNS}",
                digest(cookie), self.idle)
        return dict(row) if row else None

    async def refresh(self, session: dict[str, Any], refresher: TokenRefresher, margin_s: int = 20) -> dict[str, Any] | None:
        """The session with an access token valid for at least ``margin_s`` more seconds, refreshed if needed.

        The row is locked while refreshing, so concurrent requests of one session refresh once (the provider's
        refresh tokens are single-use). Returns None, deleting the session, when the provider refuses."""
        async with self._pool().acquire() as conn, conn.transaction():
            row = await conn.fetchrow(f"SELECT {COLUMNS} FROM web_sessions WHERE id_hash = $1 FOR UPDATE",
                                      session["id_hash"])
            if row is None:
                return None
            current = dict(row)
            if current["access_expires_at"] > datetime.now(UTC) + timedelta(seconds=margin_s):
                return current  # another request refreshed it meanwhile
            tokens = await refresher(current["refresh_token"]) if current["refresh_token"] else None
            if tokens is None:
                await conn.execute("DELETE FROM web_sessions WHERE id_hash = $1", session["id_hash"])
                return None
            current.update(access_token=tokens["access_token"], access_expires_at=expiry(tokens),
                           refresh_token=tokens.get("refresh_token", current["refresh_token"]),
                           id_token=tokens.get("id_token", current["id_token"]))
            await conn.execute(
                "UPDATE web_sessions SET access_token = $2, access_expires_at = $3, refresh_token = $4, id_token = $5 "
                "WHERE id_hash = $1", session["id_hash"], current["access_token"], current["access_expires_at"],
                current["refresh_token"], current["id_token"])
            return current

    async def set_purpose(self, session: dict[str, Any], purpose: str) -> None:
        async with self._pool().acquire() as conn:
            await conn.execute("UPDATE web_sessions SET purpose = $2 WHERE id_hash = $1", session["id_hash"], purpose)
        session["purpose"] = purpose

    async def add_flash(self, session: dict[str, Any], message: str) -> None:
        async with self._pool().acquire() as conn:
            await conn.execute(
                "UPDATE web_sessions SET flash = coalesce(flash, '[]'::jsonb) || jsonb_build_array($2::text) "
                "WHERE id_hash = $1", session["id_hash"], message)
        session["has_flash"] = True

    async def take_flashes(self, session: dict[str, Any]) -> list[str]:
        """The messages waiting for the next page, removed as they are read."""
        if not session.get("has_flash"):
            return []
        async with self._pool().acquire() as conn:
            raw = await conn.fetchval(
                "UPDATE web_sessions s SET flash = NULL FROM (SELECT id_hash, flash FROM web_sessions "
                "WHERE id_hash = $1 FOR UPDATE) old WHERE s.id_hash = old.id_hash RETURNING old.flash",
                session["id_hash"])
        session["has_flash"] = False
        return [str(m) for m in json.loads(raw)] if raw else []

    async def delete(self, cookie: str) -> dict[str, Any] | None:
        """End the session of this cookie; returns what it held (for the provider's sign-out), or None."""
        async with self._pool().acquire() as conn:
            row = await conn.fetchrow(f"DELETE FROM web_sessions WHERE id_hash = $1 RETURNING {COLUMNS}", digest(cookie))
        return dict(row) if row else None

    async def delete_idp_session(self, idp_session: str) -> int:
        """End every session opened in this identity-provider session (front-channel sign-out); returns how many."""
        async with self._pool().acquire() as conn:
            result = await conn.execute("DELETE FROM web_sessions WHERE idp_session = $1", idp_session)
        return int(result.split()[-1])
