"""Bearer-token authentication and scope checks for every Berdaya HTTP API, trusting an OIDC provider by settings.

A service knows its identity provider only through configuration (``AuthSettings``, environment ``AUTH_*``: the
issuer URL, from which OIDC discovery gives the JWKS, the audience it checks, the pinned algorithm, a bounded clock
skew, the longest token lifetime, the claims carrying the caller's OPD, scopes and kecamatan limits); the checks
themselves are in ``berdaya_shared.verifier``. Nothing here is specific to Keycloak. ``AUTH_PUBLIC_KEY`` switches to a
static key (a PEM or JWK you give) for tests that are not about authentication.

A service declares, per route, the scope a request needs (``Policy``); ``install_auth`` applies it to every route.
Staff pages are ``SessionRoute``s: the same policy applies, with the Principal of the signed-in session
(``berdaya_shared.signin``) instead of a bearer token.
"""

import logging
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request, Response
from fastapi.routing import APIRoute

from . import errors
from .tokens import key_id, load_public_key, mint_token, new_signing_key, private_pem, public_pem
from .verifier import LOCAL_ISSUER, AuthError, AuthSettings, Principal, Verifier

log = logging.getLogger(__name__)

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

__all__ = [  # what services and tools import from here (the verifier's and the signing helpers' names too)
    "ANY_TOKEN", "LOCAL_ISSUER", "PUBLIC", "AuthError", "AuthSettings", "CurrentPrincipal",
    "PageRoute", "Policy", "Principal", "Rule", "SessionRoute", "Verifier", "authenticated", "enforce",
    "install_auth", "key_id", "load_public_key", "mint_token", "new_signing_key", "principal_of", "private_pem",
    "public_pem", "require", "verify_request",
]


def bearer_token(request: Request) -> str:
    header = request.headers.get("Authorization")
    if not header:
        raise AuthError("Perlu login: kirim header Authorization: Bearer <token>", "missing bearer token",
                        "invalid_request")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthError("Header Authorization harus berbentuk 'Bearer <token>'", "malformed Authorization header",
                        "invalid_request")
    return token.strip()


def _verifier(request: Request) -> Verifier:
    verifier: Verifier | None = getattr(request.app.state, "auth", None)
    if verifier is None:
        raise RuntimeError("install_auth(app, ...) was not called")
    return verifier


async def verify_request(request: Request) -> Principal:
    """The verified caller of this request (cached on the request); may fetch the provider's keys."""
    principal = getattr(request.state, "principal", None)
    if principal is None:
        principal = await _verifier(request).verify(bearer_token(request))
        request.state.principal = principal
    return principal


def authenticated(request: Request) -> Principal:
    """The verified caller, for synchronous callers: the one ``enforce`` found, or the bearer token checked with
    the keys already held."""
    principal = getattr(request.state, "principal", None)
    if principal is None:
        principal = _verifier(request).verify_cached(bearer_token(request))
        request.state.principal = principal
    return principal


CurrentPrincipal = Annotated[Principal, Depends(verify_request)]


def forbidden(scope: str, principal: Principal) -> errors.Forbidden:
    return errors.Forbidden(f"Klien {principal.client_id} tidak memiliki izin '{scope}'",
                            f"missing scope {scope}", required_scope=scope)


def require(scope: str) -> Any:
    """FastAPI dependency factory: the caller must hold ``scope``."""

    async def check(principal: CurrentPrincipal) -> Principal:
        if not principal.has(scope):
            raise forbidden(scope, principal)
        return principal

    return Depends(check)


@dataclass(frozen=True)
class Rule:
    """What a route needs: a scope (None = any valid token), or nothing at all when public."""

    scope: str | None = None
    public: bool = False


PUBLIC = Rule(public=True)
ANY_TOKEN = Rule()


@dataclass(frozen=True)
class Policy:
    """A service's scope table: (METHOD, path template) -> Rule.

    Every write route must be listed; an unlisted write is refused (fail closed) and the tests check
    that the table covers every route of the app, so a new endpoint cannot be forgotten.
    """

    rules: Mapping[tuple[str, str], Rule]
    default_read: Rule = ANY_TOKEN
    extra_public_paths: frozenset[str] = field(default_factory=lambda: frozenset({"/health", "/ready"}))

    def rule_for(self, method: str, path: str) -> Rule | None:
        rule = self.rules.get((method, path))
        if rule is not None:
            return rule
        if path in self.extra_public_paths and method in ("GET", "HEAD"):
            return PUBLIC
        if method in WRITE_METHODS:
            return None
        return self.default_read

    def with_rules(self, extra: Mapping[tuple[str, str], Rule]) -> "Policy":
        return Policy({**extra, **self.rules}, self.default_read, self.extra_public_paths)

    def missing(self, app: FastAPI) -> list[str]:
        """Write operations of ``app``'s OpenAPI document that the table does not cover."""
        out = []
        for path, operations in app.openapi().get("paths", {}).items():
            for method in operations:
                if method.upper() in WRITE_METHODS and (method.upper(), path) not in self.rules:
                    out.append(f"{method.upper()} {path}")
        return sorted(out)


class PageRoute(APIRoute):
    """An HTML page of the kit (sign-in, API docs): the strict Content-Security-Policy is enforced on it."""


class SessionRoute(PageRoute):
    """A staff page: authenticated by the signed-in session (``app.state.session_principal``), not a bearer token.

    A posted form is read into memory before FastAPI parses it, so the handler can still read the raw body (the
    Idempotency-Key fingerprint of ``http.idempotent``); file uploads (multipart) are left streaming."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def with_form_body(request: Request) -> Response:
            if request.method in WRITE_METHODS and request.headers.get("content-type", "").startswith(
                    "application/x-www-form-urlencoded"):
                await request.body()
            return await handler(request)

        return with_form_body


SessionPrincipal = Callable[[Request], Awaitable[Principal]]


async def enforce(request: Request) -> None:
    """App-wide dependency: applies the app's Policy to the matched route (async: it runs on the event loop,
    not in a worker thread, on every request)."""
    policy: Policy = request.app.state.auth_policy
    route = request.scope.get("route")
    path = getattr(route, "path", request.url.path)
    rule = policy.rule_for(request.method, path)
    if isinstance(route, SessionRoute):  # a staff page needs a signed-in user, whatever the API's default read rule
        session_principal: SessionPrincipal = request.app.state.session_principal
        principal = await session_principal(request)
        request.state.principal = principal
        if rule is not None and rule.public:
            rule = ANY_TOKEN
    elif rule is not None and rule.public:
        return
    else:
        principal = await verify_request(request)
    if rule is None:
        raise errors.Forbidden("Tindakan ini belum diberi aturan izin", f"no policy for {request.method} {path}")
    if rule.scope is not None and not principal.has(rule.scope):
        raise forbidden(rule.scope, principal)
    _actor_opd_from_token(request, principal)


def _actor_opd_from_token(request: Request, principal: Principal) -> None:
    """The actor's OPD is the token's: routes that read the X-OPD header see the token's OPD (or none),
    whatever the caller sent."""
    headers = [(k, v) for k, v in request.scope["headers"] if k.lower() != b"x-opd"]
    if principal.opd:
        headers.append((b"x-opd", principal.opd.encode()))
    request.scope["headers"] = headers
    request.__dict__.pop("_headers", None)


def install_auth(app: FastAPI, policy: Policy, settings: AuthSettings | None = None, *,
                 service: str | None = None) -> Verifier:
    """Verify bearer tokens on every route of ``app`` by ``policy``, for the audience of ``service``.

    Call before including routers: FastAPI copies app-level dependencies into each route it adds.
    """
    if any(isinstance(r, APIRoute) or type(r).__name__ == "_IncludedRouter" for r in app.routes):
        raise RuntimeError("install_auth must be called before any route or router is added to the app")
    verifier = Verifier(settings or AuthSettings(), service=service)
    app.state.auth = verifier
    app.state.auth_policy = policy
    app.router.dependencies.append(Depends(enforce))
    return verifier


def principal_of(request: Request) -> Principal | None:
    """The verified caller of this request, if any (for audit records)."""
    return getattr(request.state, "principal", None)
