"""Access tokens for the tests: one RSA keypair per test session, tokens for any OPD and scope set.

``install_env()`` (called from tests/conftest.py) points AUTH_PUBLIC_KEY / AUTH_PRIVATE_KEY at the
session's key, so every app the tests build, and every service process they start, verifies these
tokens; nothing is written to disk.
"""

import os
from collections.abc import Iterable, Iterator
from functools import cache
from typing import Any

import httpx
from berdaya_shared import auth as shared_auth
from berdaya_shared.auth import AuthSettings, mint_token, new_signing_key
from berdaya_shared.scopes import ALL_SCOPES, PROFILES

ISSUER = "berdaya-registry"
AUDIENCE = "berdaya"


@cache
def private_key() -> Any:
    return new_signing_key()


def public_pem(key: Any = None) -> str:
    return shared_auth.public_pem(key or private_key())


def private_pem(key: Any = None) -> str:
    return shared_auth.private_pem(key or private_key())


def install_env() -> None:
    os.environ["AUTH_PUBLIC_KEY"] = public_pem()
    os.environ["AUTH_PRIVATE_KEY"] = private_pem()
    os.environ["AUTH_ISSUER"] = ISSUER
    os.environ["AUTH_AUDIENCE"] = AUDIENCE


def settings() -> AuthSettings:
    return AuthSettings(public_key=public_pem(), issuer=ISSUER, audience=AUDIENCE)


def token(
    profile: str | None = None,
    *,
    opd: str | None = None,
    scopes: Iterable[str] | None = None,
    client_id: str | None = None,
    ttl_s: int = 900,
    key: Any = None,
    issuer: str = ISSUER,
    audience: str = AUDIENCE,
    now: float | None = None,
) -> str:
    """A signed token: a named profile from berdaya_shared.scopes.PROFILES, or an explicit OPD and scopes."""
    if profile is not None:
        p_opd, p_scopes = PROFILES[profile]
        opd = opd or p_opd
        scopes = p_scopes if scopes is None else scopes
    return mint_token(key or private_key(), issuer=issuer, audience=audience,
                      client_id=client_id or f"test-{profile or opd or 'client'}", opd=opd,
                      scopes=scopes or (), ttl_s=ttl_s, now=now)


def bearer(profile: str | None = None, **kwargs: Any) -> dict[str, str]:
    return {"Authorization": "Bearer " + token(profile, **kwargs)}


def all_scopes(opd: str = "dp3a", ttl_s: int = 4 * 3600) -> dict[str, str]:
    """Headers for the existing service tests: a client of ``opd`` holding every scope."""
    return bearer(opd=opd, scopes=ALL_SCOPES, client_id=f"test-all-{opd}", ttl_s=ttl_s)


class AllScopes(httpx.Auth):
    """httpx auth for the service tests written before authentication: every request carries a token
    holding every scope, for the OPD the request names in X-OPD (as those tests did), else ``default_opd``.
    Tokens are cached per OPD."""

    def __init__(self, default_opd: str = "dp3a") -> None:
        self.default_opd = default_opd
        self._headers: dict[str, str] = {}

    def auth_flow(self, request: httpx.Request) -> Iterator[httpx.Request]:
        opd = request.headers.get("X-OPD") or self.default_opd
        if "Authorization" not in request.headers:
            if opd not in self._headers:
                self._headers[opd] = all_scopes(opd)["Authorization"]
            request.headers["Authorization"] = self._headers[opd]
        yield request


def opd_headers(ttl_s: int = 2 * 3600) -> dict[str, dict[str, str]]:
    """Bearer headers per OPD with that OPD's default client scopes (for deploy.demo.driver.Driver)."""
    return {opd: bearer(opd, ttl_s=ttl_s) for opd in ("dp3a", "diskop_ukm", "distransnaker", "disperindag")}
