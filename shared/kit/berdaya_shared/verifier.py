"""Checking an access token against the identity provider the service is configured to trust.

``AuthSettings`` (environment ``AUTH_*``) names the issuer, the audience, the pinned algorithm, the clock skew, the
longest lifetime accepted and the claims that carry the caller's scopes, OPD, area limits and name; ``Verifier``
checks a token with the provider's keys (``berdaya_shared.jwks``: OIDC discovery, cached JWKS) or, in static-key mode
(``AUTH_PUBLIC_KEY``), with one key you give, and turns its claims into a ``Principal``. docs/access-control.md
lists the settings for another provider.
"""

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import jwt
from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from . import errors
from .jwks import KeySet, KeyUnavailable
from .tokens import load_public_key

LOCAL_ISSUER = "http://127.0.0.1:8080/realms/berdaya"


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


@dataclass(frozen=True)
class _Verified:
    """A token this verifier accepted: who it names, when it expires, and the key object that verified it."""

    principal: Principal
    exp: float
    kid: str | None
    key: Any


class Verifier:
    """Checks a token's signature, algorithm, expiry, lifetime, issuer and audience; turns its claims into a
    Principal. Keys come from the provider's JWKS (``KeySet``) or, in static mode, from ``AUTH_PUBLIC_KEY``.

    A client sends the same token with every request until it expires (a machine client for minutes, a page for
    the session), and checking its RS256 signature and claims again costs more CPU than the rest of a small command:
    the last ``CACHE_SIZE`` tokens accepted are remembered with the key object that verified them. A remembered
    token is accepted again only while it has not expired (same leeway) and the provider's current key for its kid
    is still that same object: a key dropped or replaced by a JWKS refresh (rotation, ``jwks_max_age_s``) makes the
    token go through the full check again. Refusals are never remembered."""

    CACHE_SIZE = 1024

    def __init__(self, settings: AuthSettings, *, service: str | None = None) -> None:
        self.settings = settings
        self.audiences = settings.audiences(service)
        self._verified: dict[str, _Verified] = {}
        self._static: Any = load_public_key(settings.public_key) if settings.public_key else None
        self.keys: KeySet | None = None if self._static is not None else KeySet(
            issuer=settings.issuer, discovery_url=settings.discovery(), jwks_url=settings.jwks_url,
            algorithms=frozenset({settings.algorithm}), max_age_s=settings.jwks_max_age_s,
            cooldown_s=settings.jwks_cooldown_s)

    async def verify(self, token: str) -> Principal:
        """The Principal of a valid access token; AuthError (401) otherwise. May fetch the provider's keys."""
        if self.keys is None:
            return self._checked(token, None, self._static)
        known = self._verified.get(token)
        kid = known.kid if known is not None else self._kid(token)
        try:
            key = await self.keys.key(kid)  # refreshes keys past their maximum age, as for any token
        except KeyUnavailable:
            raise AuthError("Kunci penanda tangan token tidak dikenal", "unknown signing key") from None
        return self._checked(token, kid, key)

    def verify_cached(self, token: str) -> Principal:
        """``verify`` with the keys already held, no I/O (for synchronous callers)."""
        if self.keys is None:
            return self._checked(token, None, self._static)
        known = self._verified.get(token)
        kid = known.kid if known is not None else self._kid(token)
        key = self.keys.cached(kid)
        if key is None:
            raise AuthError("Kunci penanda tangan token tidak dikenal", "unknown signing key")
        return self._checked(token, kid, key)

    def _checked(self, token: str, kid: str | None, key: Any) -> Principal:
        """The remembered Principal when ``token`` was accepted with this very ``key`` and has not expired since;
        else the full check (``_decode``), remembered when it passes."""
        known = self._verified.get(token)
        if known is not None:
            if known.key is key and known.exp > time.time() - self.settings.leeway_s:
                return known.principal
            self._verified.pop(token, None)
        principal, exp = self._decode(token, key if self.keys is None else key.key)
        if len(self._verified) >= self.CACHE_SIZE:
            del self._verified[next(iter(self._verified))]  # the oldest
        self._verified[token] = _Verified(principal, exp, kid, key)
        return principal

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

    def _decode(self, token: str, key: Any) -> tuple[Principal, float]:
        """The Principal of a token checked in full with ``key``, and its ``exp``; AuthError otherwise."""
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
        return self.principal(claims), float(claims["exp"])

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
