"""The HTTP edge every service shares: refusals mapped to status codes, the error body, Idempotency-Key handling,
and the operational routes.

Errors speak Bahasa Indonesia to the user (``pesan``) and carry the English technical reason in ``detail``;
every field error names its field. Domains and service layers raise ``berdaya_shared.errors`` refusals; only
this module knows their HTTP status. No user input may produce a 500.
"""

import contextlib
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import asyncpg
from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException

from . import audit, errors
from .messaging.consumer import TRANSIENT_ERRORS
from .messaging.idempotency import (
    Claim,
    IdempotencyKeyInFlight,
    IdempotencyKeyReused,
    Outcome,
    ScopedKey,
    claim,
    request_fingerprint,
    run_idempotent,
)
from .schemas import field_errors

IDEMPOTENCY_HEADER = "Idempotency-Key"

# The framework's own refusals (unknown path, wrong method, an unreadable body): same body shape as ours.
_HTTP_PESAN = {
    400: "Permintaan tidak dapat dibaca (isi atau formatnya rusak)",
    404: "Alamat tidak ditemukan",
    405: "Metode ini tidak diizinkan untuk alamat ini",
    413: "Permintaan terlalu besar",
    415: "Jenis isi permintaan tidak didukung",
}


log = logging.getLogger(__name__)


# The one place a refusal's kind becomes an HTTP status.
STATUS: dict[type[errors.Refusal], int] = {
    errors.BadRequest: 400,
    errors.Unauthenticated: 401,
    errors.Forbidden: 403,
    errors.NotFound: 404,
    errors.Conflict: 409,
    errors.Gone: 410,
    errors.TooLarge: 413,
    errors.Invalid: 422,
    errors.Unavailable: 503,
}


def status_of(refusal: errors.Refusal) -> int:
    for cls in type(refusal).__mro__:
        if cls in STATUS:
            return STATUS[cls]  # type: ignore[index]
    return 422


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = field_errors(jsonable_encoder(exc.errors()))
        return JSONResponse(
            status_code=422,
            content={"pesan": "Data yang dikirim tidak valid", "detail": "validation failed", "kesalahan": problems},
        )

    @app.exception_handler(HTTPException)
    async def _http(_request: Request, exc: HTTPException) -> Response:
        if exc.status_code < 400:
            return Response(status_code=exc.status_code, headers=exc.headers)
        pesan = _HTTP_PESAN.get(exc.status_code, "Permintaan tidak dapat diproses")
        return JSONResponse(status_code=exc.status_code, headers=exc.headers,
                            content={"pesan": pesan, "detail": jsonable_encoder(exc.detail)})

    @app.exception_handler(errors.Refusal)
    async def _refused(_request: Request, exc: errors.Refusal) -> JSONResponse:
        headers = getattr(exc, "headers", None)
        return JSONResponse(status_code=status_of(exc), content=jsonable_encoder(exc.body()), headers=headers)

    async def _unavailable(request: Request, exc: Exception) -> JSONResponse:
        # The database restarting or unreachable: nothing was committed, so the same request (same
        # Idempotency-Key) can simply be sent again.
        log.warning("%s %s: database unavailable: %r", request.method, request.url.path, exc)
        return JSONResponse(status_code=503, headers={"Retry-After": "2"}, content={
            "pesan": "Basis data sedang tidak tersedia; silakan kirim ulang sebentar lagi",
            "detail": f"database unavailable: {type(exc).__name__}"})

    for error in TRANSIENT_ERRORS:
        app.add_exception_handler(error, _unavailable)


# Refusals that are answers to keep under an Idempotency-Key: the command conflicts with what is stored (already
# registered, already enrolled, period already reported) or the thing is gone. Stored state only moves forward, so
# the same command would meet the same refusal again. Other refusals are not stored: a 422/404 may name something
# that has not arrived yet (a replica behind its producer: "coba lagi sebentar"), 403 may change with the caller's
# roles, 503 is transient; a retry with the same key runs the command again.
STORED_REFUSALS: tuple[type[errors.Refusal], ...] = (errors.Conflict, errors.Gone)


def _rendered(refusal: errors.Refusal) -> bytes:
    """The refusal's body exactly as the refusal handler would answer it."""
    return bytes(JSONResponse(content=jsonable_encoder(refusal.body())).body)


def _keep_refusal(exc: Exception) -> tuple[int, bytes] | None:
    if isinstance(exc, STORED_REFUSALS) and not getattr(exc, "headers", None):
        return status_of(exc), _rendered(exc)
    return None


def scoped_key(request: Request, scope: str | None = None) -> ScopedKey | None:
    """The request's Idempotency-Key under its scope (default ``METHOD path``) and caller (the verified token's
    subject, '' without one), or None when the request carries no key. Refuses a key outside 1-200 characters."""
    key = request.headers.get(IDEMPOTENCY_HEADER)
    if key is None:
        return None
    if not 1 <= len(key) <= 200:
        raise errors.BadRequest("Idempotency-Key harus 1 sampai 200 karakter", "Idempotency-Key length must be 1-200",
                                field=IDEMPOTENCY_HEADER)
    principal = getattr(request.state, "principal", None)
    return ScopedKey(scope or f"{request.method} {request.url.path}", getattr(principal, "client_id", ""), key)


def _reused() -> errors.Refusal:
    return errors.Invalid("Idempotency-Key ini sudah dipakai untuk permintaan lain",
                          "Idempotency-Key was already used with a different request", field=IDEMPOTENCY_HEADER)


def _in_flight() -> errors.Refusal:
    refusal = errors.Conflict(
        "Permintaan dengan Idempotency-Key ini masih diproses; kirim ulang sebentar lagi dengan kunci yang sama",
        "a request with this Idempotency-Key is still being processed", field=IDEMPOTENCY_HEADER)
    refusal.headers = {"Retry-After": "2"}  # type: ignore[attr-defined]
    return refusal


def _answer(outcome: Outcome) -> Response:
    headers = {"Idempotent-Replayed": "true"} if outcome.replayed else {}
    return Response(outcome.body, status_code=outcome.status_code, media_type="application/json", headers=headers)


async def idempotent(
    request: Request,
    pool: asyncpg.Pool,
    command: Callable[[asyncpg.Connection], Awaitable[tuple[int, Any]]],
    *,
    scope: str | None = None,
) -> Response:
    """Run a command in one transaction; every request with the same Idempotency-Key gets the first answer.

    ``command`` gets the transaction's connection and returns (status code, JSON-able body). The audit row of the
    change (who, when, before/after) and the answer for the key are written in that same transaction.

    Semantics of the key (draft-ietf-httpapi-idempotency-key-header-07, and where we differ):

    * same key, same caller, same request, after the first finished: the first answer, same status and body, with
      ``Idempotent-Replayed: true`` (draft: "respond with the result of the previously completed operation").
    * same key while the first is still running: the copy **waits** for it (up to ``LOCK_WAIT_S``) and then replays
      its answer. The draft answers 409 at once; we wait because a client that timed out and retried would
      otherwise record a refusal for a command that was done. Only past the wait: 409 with ``Retry-After``.
    * same key, another body (or method, or path): 422, as the draft says.
    * refusals: 409 and 410 are stored and replayed like any answer (the draft stores errors too); other 4xx are not
      (see ``STORED_REFUSALS``): they name a state that can still change, and the retry runs the command again.
    * no key: the command runs, unprotected (the draft lets an operation require a key and answer 400; ours do not,
      so clients that never retry stay simple).
    * the key is an opaque header value of 1-200 characters, not a Structured Field string: a quoted key is stored
      with its quotes (all our clients send bare UUIDs).
    * keys are scoped to the caller (the token's ``sub``) and kept at least ``RETENTION`` (90 days).
    """
    key = scoped_key(request, scope)
    raw = await request.body()

    async def run(conn: asyncpg.Connection) -> tuple[int, bytes]:
        prior = await audit.before(conn, request)
        status, body = await command(conn)
        answer = jsonable_encoder(body)
        await audit.record_change(conn, request, status, answer, prior)  # same transaction as the change
        return status, json.dumps(answer, ensure_ascii=False).encode()

    try:
        outcome = await run_idempotent(
            pool, scope=key.scope if key else "", caller=key.caller if key else "", key=key.key if key else None,
            fingerprint=request_fingerprint(request.method, request.url.path, raw), command=run,
            refused=_keep_refusal)
    except IdempotencyKeyReused:
        raise _reused() from None
    except IdempotencyKeyInFlight:
        raise _in_flight() from None
    return _answer(outcome)


@dataclass
class Claimed:
    """An Idempotency-Key held by a multi-transaction command (see ``claimed``)."""

    replay: Response | None  # the earlier answer: return it and run nothing
    _claim: Claim | None

    async def store(self, conn: asyncpg.Connection, status_code: int, body: bytes) -> None:
        """Keep the command's answer for its key, inside the command's last transaction (nothing without a key)."""
        if self._claim is not None:
            await self._claim.store(conn, status_code, body)


@contextlib.asynccontextmanager
async def claimed(request: Request, pool: asyncpg.Pool, *, fingerprint: str, scope: str | None = None
                  ) -> AsyncIterator[Claimed]:
    """``idempotent`` for a command that commits in several transactions (a bulk import in chunks).

    The key is held for the whole block (a copy waits, then replays); a crash of this process releases it::

        async with claimed(request, pool, fingerprint=sha256(data).hexdigest()) as key:
            if key.replay is not None:
                return key.replay
            ...  # the command's transactions
            async with pool.acquire() as conn, conn.transaction():
                ...  # its last changes and audit row
                await key.store(conn, 201, body)
        return Response(body, status_code=201, media_type="application/json")

    Raises the same refusals as ``idempotent`` (422 key reused, 409 still in flight)."""
    key = scoped_key(request, scope)
    if key is None:
        yield Claimed(None, None)
        return
    try:
        async with claim(pool, scope=key.scope, caller=key.caller, key=key.key, fingerprint=fingerprint) as held:
            yield Claimed(_answer(held.replay) if held.replay is not None else None, held)
    except IdempotencyKeyReused:
        raise _reused() from None
    except IdempotencyKeyInFlight:
        raise _in_flight() from None


def install_ops_routes(app: FastAPI, service: str, health: Callable[[], Awaitable[dict[str, Any]]]) -> None:
    """``GET /health`` (the process answers) and ``GET /ready`` (database and broker reachable, backlog and lag;
    503 when not ready), the same on every service."""

    @app.get("/health", tags=["Operasional"], summary="Proses hidup")
    async def _health() -> dict[str, Any]:
        return {"status": "ok", "service": service}

    @app.get("/ready", tags=["Operasional"], summary="Siap melayani: basis data dan broker terjangkau")
    async def _ready() -> JSONResponse:
        status = await health()
        return JSONResponse(jsonable_encoder(status), status_code=200 if status["ok"] else 503)
