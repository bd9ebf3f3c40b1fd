"""Browser-facing safety for every service: security headers with a Content-Security-Policy, cross-origin request
forgery protection without tokens, and compression of pages and assets.

CSRF follows Filippo Valsorda's algorithm, as in Go 1.25's ``http.CrossOriginProtection`` and datasette: a state-
changing request passes only if ``Sec-Fetch-Site`` is ``same-origin`` or ``none``; from a browser too old to send it,
only if ``Origin`` is absent or equals the request's own origin. Requests with an ``Authorization`` header are not
checked: a browser never attaches one by itself, so they cannot be forged (the API's bearer clients, and a page
calling another service with the user's token).

The CSP allows no inline script or style anywhere. It is enforced on the kit's pages (``PageRoute`` and
``SessionRoute``: staff pages, sign-in, API docs) and sent report-only on any other HTML a service still serves, so
that page's violations show in the browser console without breaking it.
"""

import json
from collections.abc import Iterable

from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware.gzip import DEFAULT_EXCLUDED_CONTENT_TYPES
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..auth import PageRoute

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"
# API answers stay uncompressed (their clients and the benchmarks see them as before); pages and assets are not.
NOT_COMPRESSED = (*DEFAULT_EXCLUDED_CONTENT_TYPES, "application/json", "application/problem+json", "text/csv",
                  "application/x-ndjson")


def content_security_policy(connect: Iterable[str] = (), form_action: Iterable[str] = (),
                            extra: dict[str, str] | None = None) -> str:
    """The staff pages' CSP: everything from this origin only, no inline code, no framing, no <base>, no plugins.

    ``connect`` adds origins that scripts may call (the other services), ``form_action`` origins a form may post or
    be redirected to (the identity provider, for sign-out); ``extra`` replaces whole directives."""
    directives = {
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": "'self'",
        "img-src": "'self' data:",
        "connect-src": " ".join(["'self'", *sorted(set(connect))]),
        "form-action": " ".join(["'self'", *sorted(set(form_action))]),
        "frame-ancestors": "'none'",
        "base-uri": "'none'",
        "object-src": "'none'",
        "worker-src": "'self'",
    }
    directives.update(extra or {})
    return "; ".join(f"{k} {v}" for k, v in directives.items())


class SecurityHeaders:
    """Adds the security headers to every response, and the CSP to every HTML one (see the module docstring)."""

    def __init__(self, app: ASGIApp, *, csp: str) -> None:
        self.app = app
        self.csp = csp

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                if headers.get("content-type", "").startswith("text/html"):
                    headers.setdefault("Referrer-Policy", "same-origin")
                    headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
                    own = headers.get("content-security-policy")
                    if own is None or "frame-ancestors 'none'" in own or "frame-ancestors" not in own:
                        headers.setdefault("X-Frame-Options", "DENY")  # a page framed on purpose says where
                    if own is None:
                        kit_page = isinstance(scope.get("route"), PageRoute) or scope.get("berdaya_kit_page")
                        name = "Content-Security-Policy" if kit_page else "Content-Security-Policy-Report-Only"
                        headers.setdefault(name, self.csp)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def request_origin(scope: Scope) -> str:
    host = Headers(scope=scope).get("host", "")
    return f"{scope.get('scheme', 'http')}://{host}"


def cross_origin_refusal(scope: Scope, also_allowed: Iterable[str] = ()) -> str | None:
    """Why an unsafe request looks forged (an English reason), or None when it may pass."""
    if scope.get("method") not in UNSAFE_METHODS:
        return None
    headers = Headers(scope=scope)
    if "authorization" in headers:
        return None
    site = headers.get("sec-fetch-site")
    if site is not None:
        return None if site in ("same-origin", "none") else f"cross-origin request (Sec-Fetch-Site: {site})"
    origin = headers.get("origin")
    if origin is None or origin == request_origin(scope) or origin in also_allowed:
        return None
    return f"cross-origin request (Origin: {origin})"


class CrossOriginProtection:
    """Refuses forged state-changing requests with 403 (an HTML page for browsers, the JSON error body otherwise)."""

    def __init__(self, app: ASGIApp, *, also_allowed: Iterable[str] = ()) -> None:
        self.app = app
        self.also_allowed = frozenset(also_allowed)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        reason = cross_origin_refusal(scope, self.also_allowed) if scope["type"] == "http" else None
        if reason is None:
            await self.app(scope, receive, send)
            return
        pesan = "Permintaan ditolak karena tidak berasal dari halaman Berdaya ini. Muat ulang halaman lalu coba lagi."
        if "text/html" in Headers(scope=scope).get("accept", ""):
            body = (f'<!doctype html><html lang="id"><head><meta charset="utf-8"><title>Permintaan ditolak</title>'
                    f'</head><body><main><h1>Permintaan ditolak</h1><p>{pesan}</p></main></body></html>').encode()
            media = b"text/html; charset=utf-8"
        else:
            body = json.dumps({"pesan": pesan, "detail": reason}).encode()
            media = b"application/json"
        scope["berdaya_kit_page"] = True
        await send({"type": "http.response.start", "status": 403,
                    "headers": [(b"content-type", media), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


# Gzip for pages, stylesheets and scripts (GZipMiddleware's keyword arguments), not for API answers.
COMPRESSION = {"minimum_size": 1024, "compresslevel": 6, "exclude_content_types": NOT_COMPRESSED}
