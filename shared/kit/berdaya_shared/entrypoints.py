"""The entrypoint kit: what every route of every service takes, and the one way it answers.

Routes stay thin: they declare their inputs with the ``Annotated`` dependencies below and hand a handler to
``command`` (a change: one transaction, Idempotency-Key honoured, audit row written, answer validated against the
route's model) or ``query`` (a read: one connection, answer validated). Handlers get the transaction's
connection and return plain data; a refusal is raised as a ``berdaya_shared.errors`` kind.

    @router.post("/courses", status_code=201, response_model=CourseRead)
    async def schedule(body: CourseCreate, request: Request, opd: ActingOpd, today: Today,
                       correlation: CorrelationId) -> Response:
        return await command(request, lambda conn: courses.create(...), model=CourseRead, status=201)
"""

import re
import uuid
from collections.abc import Awaitable, Callable
from datetime import date
from functools import cache
from typing import Annotated, Any

import asyncpg
from berdaya_contracts.common import OPD
from fastapi import Depends, Header, Query, Request
from fastapi.responses import Response
from pydantic import TypeAdapter
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from . import clock
from .auth import Principal, authenticated
from .http import IDEMPOTENCY_HEADER, idempotent
from .observability.context import bind_correlation
from .observability.context import correlation_id as correlation_context

CORRELATION_HEADER = "X-Correlation-ID"
_CORRELATION_OK = re.compile(r"^[\x21-\x7e]{1,100}$")  # visible ASCII, no spaces: safe in headers and logs


def pool(request: Request) -> asyncpg.Pool:
    """The service's connection pool (``ServiceRuntime.pool``)."""
    return request.app.state.runtime.pool


def correlation_id(request: Request) -> str:
    """The request's correlation id: the client's ``X-Correlation-ID`` when it is usable, else a new UUID.

    Set once per request by ``CorrelationMiddleware``; carried into every event the request causes."""
    found = request.scope.get("state", {}).get("correlation_id")
    return found if found else _pick(request.headers.get(CORRELATION_HEADER))


def _pick(given: str | None) -> str:
    return given if given and _CORRELATION_OK.match(given) else str(uuid.uuid4())


async def _acting_opd(request: Request) -> OPD | None:
    principal = getattr(request.state, "principal", None)
    if principal is None:
        principal = authenticated(request)
    return principal.opd  # type: ignore[return-value]


async def _principal(request: Request) -> Principal:
    return authenticated(request)


async def _today() -> date:
    return clock.today()


# Dependencies are coroutines: FastAPI runs a plain ``def`` dependency in a worker thread, a hop per request.
async def _pool(request: Request) -> asyncpg.Pool:
    return pool(request)


async def _correlation_id(request: Request) -> str:
    return correlation_id(request)


Pool = Annotated[asyncpg.Pool, Depends(_pool)]
CorrelationId = Annotated[str, Depends(_correlation_id)]
Caller = Annotated[Principal, Depends(_principal)]
ActingOpd = Annotated[OPD | None, Depends(_acting_opd)]
"""The OPD of the caller, from the verified token (never from a header the client writes)."""
Today = Annotated[date, Depends(_today)]
"""Today's date in Kutai Kartanegara (WITA)."""
IdempotencyKey = Annotated[str | None, Header(
    alias=IDEMPOTENCY_HEADER, description="Kunci pengulangan aman (1-200 karakter, mis. UUID): setiap permintaan "
                                          "dengan kunci yang sama dari klien yang sama mendapat jawaban pertama, juga "
                                          "bila dikirim bersamaan, dan tidak mencatat apa pun dua kali. Kunci disimpan "
                                          "sekurang-kurangnya 90 hari")]
Limit = Annotated[int, Query(ge=1, le=200, description="Jumlah baris per halaman, paling banyak 200")]
Offset = Annotated[int, Query(ge=0, le=10_000_000, description="Lewati sebanyak ini baris")]

Handler = Callable[[asyncpg.Connection], Awaitable[Any]]


@cache
def _adapter(model: Any) -> TypeAdapter[Any]:
    return TypeAdapter(model)


def answer(model: Any, value: Any) -> Any:
    """``value`` validated against ``model`` (a pydantic model or any type) and made JSON-able.

    A handler's answer that does not match its declared model is a bug: it raises pydantic's ValidationError
    (a 500), never a silently different shape."""
    adapter = _adapter(model)
    return adapter.dump_python(adapter.validate_python(value), mode="json")


async def command(request: Request, handler: Handler, *, model: Any, status: int = 200,
                  scope: str | None = None) -> Response:
    """Run a change in one transaction: the handler, its audit row, and the stored answer for its Idempotency-Key.

    ``scope`` names the idempotency scope (default ``METHOD path``)."""

    async def run(conn: asyncpg.Connection) -> tuple[int, Any]:
        return status, answer(model, await handler(conn))

    return await idempotent(request, pool(request), run, scope=scope)


async def query(request: Request, handler: Handler, *, model: Any) -> Response:
    """Run a read on one pooled connection and answer it as JSON, validated against ``model``."""
    async with pool(request).acquire() as conn:
        value = await handler(conn)
    adapter = _adapter(model)
    return Response(adapter.dump_json(adapter.validate_python(value)), media_type="application/json")


class CorrelationMiddleware:
    """Gives every request one correlation id (the client's ``X-Correlation-ID`` when usable) and echoes it on the
    response, so a client, the logs, the events and the Kafka headers all carry the same id."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"x-correlation-id"), None)
        value = _pick(given)
        scope.setdefault("state", {})["correlation_id"] = value
        token = bind_correlation(value)  # every log line of this request carries it

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-correlation-id", value.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            correlation_context.reset(token)
