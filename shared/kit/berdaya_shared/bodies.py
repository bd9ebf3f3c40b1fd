"""Request bodies bounded before a route reads them: the caller authenticated first, a size limit per route, a time
limit for slow senders (issue 24: large posts without a token used to be read whole before their 401, and a body
trickled a byte at a time kept a connection open indefinitely).

``BodyGuard`` is ASGI middleware installed by ``berdaya_shared.service.build_app`` for every service. For a request
with a body (POST, PUT, PATCH, DELETE) to a route that is not public it:

1. verifies the bearer token (``berdaya_shared.auth``) before a byte of the body is received: no or a bad token is a
   401 at once (the verified caller is kept for the route's own checks);
2. refuses a declared ``Content-Length`` over the route's limit with 413 at once, and counts a body sent without one,
   cutting it off at the limit (413). The limit is ``Policy.body_limits[(method, path)]``, else
   ``app.state.body_limits`` (set by a service from its settings; ``None`` = the route bounds its own body, as the
   registry's import upload does), else ``max_json_bytes`` (256 KiB: the largest JSON command, 5,000 sales-sheet
   rows, declares its own limit);
3. answers 408 when the body stalls longer than ``idle_s`` between two chunks or takes longer than ``total_s``
   in all (an upload route bounding its own body gets ``upload_total_s``).

The route is found by the service's policy (its path templates), so an unknown path without a token is a 401 too.
Public routes, and staff pages' forms (a session cookie and no bearer token), are authenticated by the route itself
(``berdaya_shared.auth.enforce``): their bodies are bounded by the size and time limits all the same.
"""

import asyncio
import re
import time
from typing import Any

from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from . import errors
from .auth import WRITE_METHODS, AuthError, Policy, Verifier

KIB = 1024
MAX_JSON_BYTES = 256 * KIB
IDLE_S = 10.0
TOTAL_S = 30.0
UPLOAD_TOTAL_S = 300.0


_PARAM = re.compile(r"\{[^}]+\}")


class _Cut(Exception):
    """The body was cut off: ``answer`` is sent instead of whatever the app makes of the cut body."""

    def __init__(self, answer: JSONResponse) -> None:
        super().__init__()
        self.answer = answer


def _size(n: int) -> str:
    return f"{n / 2**20:.4g} MB" if n >= 2**20 else f"{n / KIB:.4g} KB"


def too_large(limit: int) -> JSONResponse:
    error = errors.TooLarge(f"Isi permintaan terlalu besar: maksimal {_size(limit)}",
                            f"request body exceeds {limit} bytes", max_bytes=limit)
    return JSONResponse(error.body(), status_code=413, headers={"Connection": "close"})


def too_slow(seconds: float, what: str) -> JSONResponse:
    return JSONResponse({"pesan": f"Isi permintaan terlalu lambat dikirim (batas {seconds:g} detik)",
                         "detail": f"request body {what} exceeded {seconds:g} s", "batas_detik": seconds},
                        status_code=408, headers={"Connection": "close"})


class BodyGuard:
    """See the module docstring. ``app`` is the ASGI app inside; ``root`` the FastAPI app (its policy, verifier and
    ``state.body_limits`` are looked up on each request)."""

    def __init__(self, app: ASGIApp, *, root: Any, max_json_bytes: int = MAX_JSON_BYTES, idle_s: float = IDLE_S,
                 total_s: float = TOTAL_S, upload_total_s: float = UPLOAD_TOTAL_S) -> None:
        self.app = app
        self.root = root
        self.max_json_bytes = max_json_bytes
        self.idle_s = idle_s
        self.total_s = total_s
        self.upload_total_s = upload_total_s
        self._tables: dict[int, list[tuple[str, str, re.Pattern[str]]]] = {}

    def _template(self, policy: Policy, method: str, path: str) -> str | None:
        """The policy's path template that ``path`` matches (the one with fewest parameters), if any."""
        table = self._tables.get(id(policy))
        if table is None:
            table = sorted(((m, p, re.compile("^" + _PARAM.sub("[^/]+", re.escape(p).replace(r"\{", "{").replace(
                r"\}", "}")) + "$")) for m, p in policy.rules), key=lambda r: r[1].count("{"))
            self._tables = {id(policy): table}
        return next((p for m, p, regex in table if m == method and regex.match(path)), None)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in WRITE_METHODS:
            await self.app(scope, receive, send)
            return
        policy: Policy = self.root.state.auth_policy
        method = scope["method"]
        path = self._template(policy, method, scope["path"]) or scope["path"]
        rule = policy.rule_for(method, path)
        headers = dict(scope["headers"])
        # A signed-in staff page's form (session cookie, no bearer token) is authenticated by the route itself.
        session_form = b"authorization" not in headers and b"cookie" in headers
        if (rule is None or not rule.public) and not session_form:
            refusal = await self._authenticate(headers, scope)
            if refusal is not None:
                await refusal(scope, receive, send)
                return
        key = (method, path)
        own: dict[tuple[str, str], int | None] = getattr(self.root.state, "body_limits", None) or {}
        limit = policy.body_limits.get(key) or (own[key] if key in own else self.max_json_bytes)
        total_s = self.upload_total_s if limit is None else self.total_s
        declared = headers.get(b"content-length", b"")
        if limit is not None and declared.isdigit() and int(declared) > limit:
            await too_large(limit)(scope, receive, send)
            return
        await self._bounded(scope, receive, send, limit, total_s)

    async def _authenticate(self, headers: dict[bytes, bytes], scope: Scope) -> JSONResponse | None:
        """None when the bearer token is valid (the Principal kept in the request's state), else the 401."""
        verifier: Verifier = self.root.state.auth
        header = headers.get(b"authorization", b"").decode("latin-1")
        scheme, _, token = header.partition(" ")
        try:
            if not header:
                raise AuthError("Perlu login: kirim header Authorization: Bearer <token>", "missing bearer token",
                                "invalid_request")
            if scheme.lower() != "bearer" or not token.strip():
                raise AuthError("Header Authorization harus berbentuk 'Bearer <token>'",
                                "malformed Authorization header", "invalid_request")
            principal = await verifier.verify(token.strip())
        except AuthError as exc:
            return JSONResponse(exc.body(), status_code=401, headers={**exc.headers, "Connection": "close"})
        scope.setdefault("state", {})["principal"] = principal
        return None

    async def _bounded(self, scope: Scope, receive: Receive, send: Send, limit: int | None, total_s: float) -> None:
        received, started, done = 0, False, False
        deadline = time.monotonic() + total_s
        cut: _Cut | None = None

        async def counted() -> Message:
            nonlocal received, cut, done
            if cut is not None:
                raise cut
            if done:  # the body is in: later calls wait for the client to disconnect, with no limit
                return await receive()
            left = deadline - time.monotonic()
            try:
                message = await asyncio.wait_for(receive(), timeout=max(0.0, min(self.idle_s, left)))
            except TimeoutError:
                cut = _Cut(too_slow(self.idle_s, "stalled") if left > self.idle_s else too_slow(total_s, "took"))
                raise cut from None
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                done = not message.get("more_body", False)
                if limit is not None and received > limit:
                    cut = _Cut(too_large(limit))
                    raise cut
            return message

        async def guarded(message: Message) -> None:
            nonlocal started
            if cut is not None:
                return  # whatever the app made of the cut body, the answer is the refusal below
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, guarded)
        except Exception:
            if cut is None:
                raise
        if cut is not None and not started:
            await cut.answer(scope, receive, send)
