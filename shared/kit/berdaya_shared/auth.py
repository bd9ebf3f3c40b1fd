"""Bearer-token authentication and scope checks for every Berdaya HTTP API, trusting an OIDC provider by settings.

A service knows its identity provider only through configuration (``AuthSettings``, environment ``AUTH_*``): the
issuer URL, from which OIDC discovery gives the JWKS (``berdaya_shared.jwks`` caches it), the audience it checks
(``berdaya-<service>`` by default), the pinned algorithm, a bounded clock skew, the longest token lifetime it accepts,
and the names of the claims carrying the caller's OPD, scopes and kecamatan limits. Nothing here is specific to
Keycloak; docs/access-control.md lists the settings for another provider. ``AUTH_PUBLIC_KEY`` switches to a static
key (a PEM or JWK you give) for tests that are not about authentication.

A service declares, per route, the scope a request needs (``Policy``); ``install_auth`` applies it to every route.
Staff pages are ``SessionRoute``s: the same policy applies, with the Principal of the signed-in session
(``berdaya_shared.signin``) instead of a bearer token.
"""

import logging
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

import jwt
from fastapi import Depends, FastAPI, Request, Response
from fastapi.routing import APIRoute
from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from . import errors
from .jwks import KeySet, KeyUnavailable
from .tokens import DEFAULT_KEY_DIR, key_id, load_public_key, mint_token, new_signing_key, private_pem, public_pem

log = logging.getLogger(__name__)

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
LOCAL_ISSUER = "http://127.0.0.1:8080/realms/berdaya"

__all__ = [  # the signing helpers stay importable from here for the tools that sign tokens with a held key
    "DEFAULT_KEY_DIR", "key_id", "load_public_key", "mint_token", "new_signing_key", "private_pem", "public_pem",
]


class AuthSettings(BaseSettings):
    """Whom a service trusts and how it checks tokens (environment ``AUTH_*``; empty values count as unset)."""

    model_config = SettingsConfigDict(env_prefix="AUTH_", extra="ignore", env_ignore_empty=True)

    issuer: str = Field(LOCAL_ISSUER, description="the provider's issuer URL (`iss`), e.g. a Keycloak realm URL")
    discovery_url: str | None = Field(None, description="default <issuer>/.well-known/openid-configuration")
    jwks_url: str | None = Field(None, description="the JWKS URL, when it must not come from discovery")
    audience: str | None = Field(None, description="the `aud` this service requires (default berdaya-<service>)")
    extra_audiences: str = Field("", description="more accepted audiences, comma-separated")
    algorithm: Literal["RS256", "RS384", "RS512", "PS256", "ES256", "ES384", "EdDSA"] = "RS256"
    leeway_s: int = Field(30, ge=0, le=120, description="clock skew tolerated on exp/iat/nbf")
    max_token_lifetime_s: int = Field(3600, ge=60, le=86_400, description="refuse tokens whose exp - iat exceeds this")
    jwks_max_age_s: float = Field(600, ge=1, le=3600, description="refresh the provider's keys once this old")
    jwks_cooldown_s: float = Field(30, ge=0, le=600, description="least time between two JWKS fetches")
    scopes_claim: str = Field("berdaya_scopes", description="claim with a list of scopes (also read: `scope`)")
    opd_claim: str = Field("opd", description="claim naming the caller's OPD")
    kecamatan_claim: str = Field("kecamatan", description="claim listing the kecamatan codes the caller is limited to")
    name_claim: str = Field("name", description="claim with a person's display name")
    public_key: str | None = Field(None, description="static mode: PEM or JWK of the one key tokens are signed with")
    # The staff pages' sign-in (berdaya_shared.signin): this service's confidential client at the provider.
    client_id: str | None = Field(None, description="default berdaya-<service>")
    client_secret: SecretStr | None = None
    client_secrets_file: str | None = Field(
        None, description='JSON file {"clients": {client_id: secret}} (what the realm sync writes), instead of the secret')

    def discovery(self) -> str:
        return self.discovery_url or self.issuer.rstrip("/") + "/.well-known/openid-configuration"

    def audiences(self, service: str | None) -> list[str]:
        own = self.audience or (f"berdaya-{service}" if service else "berdaya")
        return [own, *(a.strip() for a in self.extra_audiences.split(",") if a.strip())]


@dataclass(frozen=True)
class Principal:
    """Who is calling and what she may do.

    ``client_id`` names the actor in audit records: a machine client's id (claim ``client_id``), else a person's
    ``preferred_username``, else ``sub``. ``kecamatan`` is None when she may act in the whole regency."""

    client_id: str
    opd: str | None
    scopes: frozenset[str]
    kecamatan: frozenset[str] | None = None
    name: str | None = None
    subject: str | None = None
    azp: str | None = None

    def has(self, scope: str) -> bool:
        return scope in self.scopes

    def may_see_kecamatan(self, code: str) -> bool:
        return self.kecamatan is None or code in self.kecamatan


class AuthError(errors.Unauthenticated):
    """A 401: the answer carries a WWW-Authenticate header (RFC 6750)."""

    def __init__(self, pesan: str, detail: str, error: str = "invalid_token") -> None:
        super().__init__(pesan, detail)
        self.headers = {"WWW-Authenticate": f'Bearer realm="berdaya", error="{error}"'}


_REFUSALS: list[tuple[type[Exception], str, str]] = [
    (jwt.ExpiredSignatureError, "Token sudah kedaluwarsa; minta token baru", "token expired"),
    (jwt.ImmatureSignatureError, "Token belum berlaku", "token not yet valid"),
    (jwt.InvalidAudienceError, "Token bukan untuk layanan ini", "invalid audience"),
    (jwt.InvalidIssuerError, "Token diterbitkan oleh pihak yang tidak dikenal", "invalid issuer"),
    (jwt.InvalidSignatureError, "Tanda tangan token tidak sah", "invalid signature"),
]


class Verifier:
    """Checks a token's signature, algorithm, expiry, lifetime, issuer and audience; turns its claims into a
    Principal. Keys come from the provider's JWKS (``KeySet``) or, in static mode, from ``AUTH_PUBLIC_KEY``."""

    def __init__(self, settings: AuthSettings, *, service: str | None = None) -> None:
        self.settings = settings
        self.audiences = settings.audiences(service)
        self._static: Any = load_public_key(settings.public_key) if settings.public_key else None
        self.keys: KeySet | None = None if self._static is not None else KeySet(
            issuer=settings.issuer, discovery_url=settings.discovery(), jwks_url=settings.jwks_url,
            algorithms=frozenset({settings.algorithm}), max_age_s=settings.jwks_max_age_s,
            cooldown_s=settings.jwks_cooldown_s)

    async def verify(self, token: str) -> Principal:
        """The Principal of a valid access token; AuthError (401) otherwise. May fetch the provider's keys."""
        if self.keys is None:
            return self._decode(token, self._static)
        try:
            key = await self.keys.key(self._kid(token))
        except KeyUnavailable:
            raise AuthError("Kunci penanda tangan token tidak dikenal", "unknown signing key") from None
        return self._decode(token, key.key)

    def verify_cached(self, token: str) -> Principal:
        """``verify`` with the keys already held, no I/O (for synchronous callers)."""
        if self.keys is None:
            return self._decode(token, self._static)
        key = self.keys.cached(self._kid(token))
        if key is None:
            raise AuthError("Kunci penanda tangan token tidak dikenal", "unknown signing key")
        return self._decode(token, key.key)

    async def identity_provider(self) -> str:
        """"ok", "unreachable" or "static key": what ``/ready`` reports."""
        return "static key" if self.keys is None else await self.keys.check()

    async def close(self) -> None:
        if self.keys is not None:
            await self.keys.close()

    @staticmethod
    def _kid(token: str) -> str | None:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise AuthError("Token tidak sah", "invalid token: DecodeError") from None
        kid = header.get("kid")
        return kid if isinstance(kid, str) else None

    def _decode(self, token: str, key: Any) -> Principal:
        s = self.settings
        try:
            claims = jwt.decode(token, key, algorithms=[s.algorithm], audience=self.audiences, issuer=s.issuer,
                                leeway=s.leeway_s, options={"require": ["exp", "iat", "iss", "aud", "sub"]})
        except jwt.MissingRequiredClaimError as exc:
            raise AuthError("Token tidak lengkap", f"missing claim {exc.claim}") from None
        except (jwt.PyJWTError, ValueError) as exc:
            for kind, pesan, detail in _REFUSALS:
                if isinstance(exc, kind):
                    raise AuthError(pesan, detail) from None
            raise AuthError("Token tidak sah", f"invalid token: {type(exc).__name__}") from None
        if claims.get("typ", "Bearer") not in ("Bearer", "at+jwt"):
            raise AuthError("Ini bukan token akses", f"not an access token (typ {claims.get('typ')!r})")
        lifetime = claims["exp"] - claims["iat"]
        if lifetime > s.max_token_lifetime_s:
            raise AuthError("Masa berlaku token terlalu panjang",
                            f"token lifetime {lifetime:.0f} s exceeds {s.max_token_lifetime_s} s")
        return self.principal(claims)

    def principal(self, claims: Mapping[str, Any]) -> Principal:
        s = self.settings
        scopes = claims.get(s.scopes_claim) or []
        standard = claims.get("scope", "")
        if not isinstance(scopes, list) or not isinstance(standard, str):
            raise AuthError("Token tidak sah", f"{s.scopes_claim} must be a list and scope a space-separated string")
        opd = claims.get(s.opd_claim)
        area = claims.get(s.kecamatan_claim)
        if isinstance(area, str):
            area = [area]
        name = claims.get(s.name_claim)
        actor = claims.get("client_id") or claims.get("preferred_username") or claims["sub"]
        return Principal(
            client_id=str(actor), opd=opd if isinstance(opd, str) else None,
            scopes=frozenset(str(x) for x in scopes) | frozenset(standard.split()),
            kecamatan=frozenset(str(x) for x in area) if isinstance(area, list) else None,
            name=name if isinstance(name, str) else None, subject=str(claims["sub"]),
            azp=claims.get("azp") if isinstance(claims.get("azp"), str) else None)


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
