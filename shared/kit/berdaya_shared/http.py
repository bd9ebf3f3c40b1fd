"""The HTTP edge every service shares: refusals mapped to status codes, the error body, Idempotency-Key handling,
and the operational routes.

Errors speak Bahasa Indonesia to the user (``pesan``) and carry the English technical reason in ``detail``;
every field error names its field. Domains and service layers raise ``berdaya_shared.errors`` refusals; only
this module knows their HTTP status. No user input may produce a 500.
"""

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException

from . import audit, errors
from .messaging.consumer import TRANSIENT_ERRORS
from .messaging.idempotency import IdempotencyKeyReused, request_fingerprint, run_idempotent
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


async def idempotent(
    request: Request,
    pool: asyncpg.Pool,
    command: Callable[[asyncpg.Connection], Awaitable[tuple[int, Any]]],
    *,
    scope: str | None = None,
) -> Response:
    """Run a command in one transaction; a retry with the same Idempotency-Key returns the first answer.

    The audit row of the change (who, when, before/after) is written in that same transaction.

    ``command`` gets the transaction's connection and returns (status code, JSON-able body).
    """
    key = request.headers.get(IDEMPOTENCY_HEADER)
    if key is not None and not (1 <= len(key) <= 200):
        raise errors.BadRequest("Idempotency-Key harus 1 sampai 200 karakter", "Idempotency-Key length must be 1-200",
                                field=IDEMPOTENCY_HEADER)
    raw = await request.body()

    async def run(conn: asyncpg.Connection) -> tuple[int, bytes]:
        prior = await audit.before(conn, request)
        status, body = await command(conn)
        answer = jsonable_encoder(body)
        await audit.record_change(conn, request, status, answer, prior)  # same transaction as the change
        return status, json.dumps(answer, ensure_ascii=False).encode()

    try:
        outcome = await run_idempotent(
            pool,
            scope=scope or f"{request.method} {request.url.path}",
            key=key,
            fingerprint=request_fingerprint(request.method, request.url.path, raw),
            command=run,
        )
    except IdempotencyKeyReused:
        raise errors.Invalid(
            "Idempotency-Key ini sudah dipakai untuk permintaan lain",
            "Idempotency-Key was already used with a different request",
            field=IDEMPOTENCY_HEADER,
        ) from None
    headers = {"Idempotent-Replayed": "true"} if outcome.replayed else {}
    return Response(outcome.body, status_code=outcome.status_code, media_type="application/json", headers=headers)


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
