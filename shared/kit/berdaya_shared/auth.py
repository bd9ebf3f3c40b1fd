"""Bearer-token authentication and scope checks for every Berdaya HTTP API.

Tokens are JWTs from an OAuth2 client-credentials issuer: the registry's own (``/oauth/token``) or a
deployment's identity provider, chosen by configuration (AUTH_ISSUER, AUTH_AUDIENCE and the public key
or a JWKS URL). A token names its client (``sub``), the client's OPD (``opd``) and its scopes
(``scope``, space-separated). Nothing here knows any service: a service declares, per route, the scope
a request needs (``Policy``) and installs it with ``install_auth``.
"""

import base64
import hashlib
import json
import logging
import time
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import Depends, FastAPI, Request
from fastapi.routing import APIRoute
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from . import errors

log = logging.getLogger(__name__)

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
DEFAULT_KEY_DIR = Path("deploy/.data/keys")


class AuthSettings(BaseSettings):
    """Where tokens come from and how they are checked (environment variables AUTH_*)."""

    model_config = SettingsConfigDict(env_prefix="AUTH_", extra="ignore")

    issuer: str = Field("berdaya-registry", description="expected `iss` claim")
    audience: str = Field("berdaya", description="expected `aud` claim")
    algorithm: str = Field("RS256", description="signature algorithm (asymmetric only)")
    public_key: str | None = Field(None, description="PEM of the issuer's public key")
    public_key_file: Path | None = Field(None, description="file holding that PEM (default deploy/.data/keys)")
    jwks_url: str | None = Field(None, description="an identity provider's JWKS URL, instead of a key")
    leeway_s: int = Field(30, ge=0, le=300, description="clock skew tolerated on exp/iat/nbf")

    def key_pem(self) -> str:
        if self.public_key:
            return self.public_key
        path = self.public_key_file or DEFAULT_KEY_DIR / "jwt-public.pem"
        try:
            return path.read_text()
        except OSError as exc:
            raise RuntimeError(
                f"no token verification key: set AUTH_PUBLIC_KEY or AUTH_PUBLIC_KEY_FILE (tried {path}); "
                "for development run `python -m deploy.keys`"
            ) from exc


@dataclass(frozen=True)
class Principal:
    """Who is calling: the client, its OPD and what it may do."""

    client_id: str
    opd: str | None
    scopes: frozenset[str]

    def has(self, scope: str) -> bool:
        return scope in self.scopes


class AuthError(errors.Unauthenticated):
    """A 401: the answer carries a WWW-Authenticate header (RFC 6750)."""

    def __init__(self, pesan: str, detail: str, error: str = "invalid_token") -> None:
        super().__init__(pesan, detail)
        self.headers = {"WWW-Authenticate": f'Bearer realm="berdaya", error="{error}"'}


class Verifier:
    """Checks a token's signature, expiry, issuer and audience; turns its claims into a Principal."""

    def __init__(self, settings: AuthSettings) -> None:
        if not settings.algorithm.startswith(("RS", "PS", "ES", "EdDSA")):
            raise ValueError("AUTH_ALGORITHM must be asymmetric (RS256, PS256, ES256, EdDSA)")
        self.settings = settings
        self._jwks = jwt.PyJWKClient(settings.jwks_url, cache_keys=True) if settings.jwks_url else None
        self._key: Any = None if self._jwks else load_public_key(settings.key_pem())

    def verify(self, token: str) -> Principal:
        s = self.settings
        try:
            key = self._jwks.get_signing_key_from_jwt(token).key if self._jwks else self._key
            claims = jwt.decode(
                token, key, algorithms=[s.algorithm], audience=s.audience, issuer=s.issuer, leeway=s.leeway_s,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            )
        except jwt.ExpiredSignatureError:
            raise AuthError("Token sudah kedaluwarsa; minta token baru", "token expired") from None
        except jwt.InvalidAudienceError:
            raise AuthError("Token bukan untuk layanan ini", "invalid audience") from None
        except jwt.InvalidIssuerError:
            raise AuthError("Token diterbitkan oleh pihak yang tidak dikenal", "invalid issuer") from None
        except jwt.InvalidSignatureError:
            raise AuthError("Tanda tangan token tidak sah", "invalid signature") from None
        except jwt.MissingRequiredClaimError as exc:
            raise AuthError("Token tidak lengkap", f"missing claim {exc.claim}") from None
        except (jwt.PyJWTError, ValueError) as exc:
            raise AuthError("Token tidak sah", f"invalid token: {type(exc).__name__}") from None
        scope = claims.get("scope", "")
        if not isinstance(scope, str):
            raise AuthError("Token tidak sah", "scope claim must be a space-separated string")
        opd = claims.get("opd")
        return Principal(str(claims["sub"]), opd if isinstance(opd, str) else None, frozenset(scope.split()))


def load_public_key(text: str) -> Any:
    """A PEM public key, or one JWK (JSON), parsed once so each request only verifies."""
    try:
        if text.lstrip().startswith("{"):
            return jwt.PyJWK.from_json(text).key
        return serialization.load_pem_public_key(text.encode())
    except Exception as exc:  # noqa: BLE001
        raise RuntimeError(f"the AUTH public key is not a readable public key: {exc}") from exc


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


def authenticated(request: Request) -> Principal:
    """FastAPI dependency: the verified caller (cached on the request)."""
    principal = getattr(request.state, "principal", None)
    if principal is None:
        verifier: Verifier | None = getattr(request.app.state, "auth", None)
        if verifier is None:
            raise RuntimeError("install_auth(app, ...) was not called")
        principal = verifier.verify(bearer_token(request))
        request.state.principal = principal
    return principal


async def _current_principal(request: Request) -> Principal:
    # FastAPI runs a plain ``def`` dependency in a worker thread; an async one runs on the loop (no thread hop).
    return authenticated(request)


CurrentPrincipal = Annotated[Principal, Depends(_current_principal)]


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

    def missing(self, app: FastAPI) -> list[str]:
        """Write operations of ``app``'s OpenAPI document that the table does not cover."""
        out = []
        for path, operations in app.openapi().get("paths", {}).items():
            for method in operations:
                if method.upper() in WRITE_METHODS and (method.upper(), path) not in self.rules:
                    out.append(f"{method.upper()} {path}")
        return sorted(out)


async def enforce(request: Request) -> None:
    """App-wide dependency: applies the app's Policy to the matched route (async: it runs on the event loop,
    not in a worker thread, on every request)."""
    policy: Policy = request.app.state.auth_policy
    route = request.scope.get("route")
    path = getattr(route, "path", request.url.path)
    rule = policy.rule_for(request.method, path)
    if rule is not None and rule.public:
        return
    principal = authenticated(request)
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


def install_auth(app: FastAPI, policy: Policy, settings: AuthSettings | None = None) -> None:
    """Verify bearer tokens on every route of ``app`` by ``policy``.

    Call before including routers: FastAPI copies app-level dependencies into each route it adds.
    """
    if any(isinstance(r, APIRoute) or type(r).__name__ == "_IncludedRouter" for r in app.routes):
        raise RuntimeError("install_auth must be called before any route or router is added to the app")
    app.state.auth = Verifier(settings or AuthSettings())
    app.state.auth_policy = policy
    app.router.dependencies.append(Depends(enforce))


def principal_of(request: Request) -> Principal | None:
    """The verified caller of this request, if any (for audit records)."""
    return getattr(request.state, "principal", None)


def new_signing_key() -> Any:
    """A fresh RSA 2048 key for signing access tokens."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def private_pem(private_key: Any) -> str:
    return private_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                     serialization.NoEncryption()).decode()


def public_pem(private_key: Any) -> str:
    return private_key.public_key().public_bytes(serialization.Encoding.PEM,
                                                 serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def key_id(public_key: Any) -> str:
    """The RFC 7638 thumbprint of an RSA public key: the `kid` of tokens and of the JWKS entry."""
    jwk = jwt.algorithms.RSAAlgorithm.to_jwk(public_key, as_dict=True)
    canonical = json.dumps({k: jwk[k] for k in ("e", "kty", "n")}, separators=(",", ":"), sort_keys=True)
    return base64.urlsafe_b64encode(hashlib.sha256(canonical.encode()).digest()).rstrip(b"=").decode()


def mint_token(
    private_key: Any,
    *,
    issuer: str,
    audience: str,
    client_id: str,
    opd: str | None,
    scopes: Iterable[str],
    ttl_s: int = 900,
    now: float | None = None,
) -> str:
    """Sign an access token (RS256) for a client: the registry's token endpoint and the dev tools use it."""
    issued = int(now if now is not None else time.time())
    claims: dict[str, Any] = {
        "iss": issuer, "aud": audience, "sub": client_id, "scope": " ".join(sorted(set(scopes))),
        "iat": issued, "nbf": issued, "exp": issued + ttl_s, "jti": uuid.uuid4().hex,
    }
    if opd:
        claims["opd"] = opd
    return jwt.encode(claims, private_key, algorithm="RS256", headers={"kid": key_id(private_key.public_key())})
