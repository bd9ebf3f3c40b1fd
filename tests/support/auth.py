"""Access tokens for the tests, two ways.

Static key (tests that are not about authentication): one RSA keypair per test session; ``install_env()`` (called
from tests/conftest.py) sets ``AUTH_PUBLIC_KEY``, ``AUTH_ISSUER`` and ``AUTH_AUDIENCE`` so every app the tests build
and every service process they start verifies the tokens ``token()`` / ``bearer()`` sign here. Nothing is written
to disk.

Keycloak (tests about authentication, and load that authenticates like any client): ``keycloak_settings(realm)``
makes an app trust a test realm (``tests.support.keycloak``), ``keycloak_env(realm)`` does the same for a service
process, ``realm_headers(realm)`` gives bearer headers per profile from the realm's machine clients
(client-credentials grant, renewed before expiry), ``web_client(realm, client_id, origin)`` lets a service started
on a free port sign staff in.
"""

import contextlib
import os
import time
from collections.abc import AsyncIterator, Iterable, Iterator
from functools import cache
from typing import Any

import httpx
from berdaya_shared import tokens as signing
from berdaya_shared.auth import AuthSettings, mint_token, new_signing_key
from berdaya_shared.scopes import ALL_SCOPES, PROFILES

from deploy.keycloak.tokens import MACHINE_CLIENTS, ClientCredentials

ISSUER = "https://tests.berdaya.invalid/realms/static"
AUDIENCE = "berdaya"
MAX_TTL_S = 3600  # the services refuse longer-lived tokens (AUTH_MAX_TOKEN_LIFETIME_S)


@cache
def private_key() -> Any:
    return new_signing_key()


def public_pem(key: Any = None) -> str:
    return signing.public_pem(key or private_key())


def private_pem(key: Any = None) -> str:
    return signing.private_pem(key or private_key())


def install_env() -> None:
    os.environ["AUTH_PUBLIC_KEY"] = public_pem()
    os.environ["AUTH_ISSUER"] = ISSUER
    os.environ["AUTH_AUDIENCE"] = AUDIENCE


def settings(**overrides: Any) -> AuthSettings:
    return AuthSettings(**{"public_key": public_pem(), "issuer": ISSUER, "audience": AUDIENCE, **overrides})


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
    extra: dict[str, Any] | None = None,
) -> str:
    """A signed token: a named profile from berdaya_shared.scopes.PROFILES, or an explicit OPD and scopes."""
    if profile is not None:
        p_opd, p_scopes = PROFILES[profile]
        opd = opd or p_opd
        scopes = p_scopes if scopes is None else scopes
    return mint_token(key or private_key(), issuer=issuer, audience=audience,
                      client_id=client_id or f"test-{profile or opd or 'client'}", opd=opd,
                      scopes=scopes or (), ttl_s=ttl_s, now=now, extra=extra)


def bearer(profile: str | None = None, **kwargs: Any) -> dict[str, str]:
    return {"Authorization": "Bearer " + token(profile, **kwargs)}


def all_scopes(opd: str = "dp3a", ttl_s: int = MAX_TTL_S) -> dict[str, str]:
    """Headers for the existing service tests: a client of ``opd`` holding every scope."""
    return bearer(opd=opd, scopes=ALL_SCOPES, client_id=f"test-all-{opd}", ttl_s=ttl_s)


class AllScopes(httpx.Auth):
    """httpx auth for the service tests written before authentication: every request carries a token
    holding every scope, for the OPD the request names in X-OPD (as those tests did), else ``default_opd``.
    Tokens are cached per OPD and renewed after half their lifetime."""

    def __init__(self, default_opd: str = "dp3a") -> None:
        self.default_opd = default_opd
        self._headers: dict[str, tuple[str, float]] = {}

    def auth_flow(self, request: httpx.Request) -> Iterator[httpx.Request]:
        opd = request.headers.get("X-OPD") or self.default_opd
        if "Authorization" not in request.headers:
            header, minted = self._headers.get(opd, ("", 0.0))
            if time.monotonic() - minted > MAX_TTL_S / 2:
                header, minted = all_scopes(opd)["Authorization"], time.monotonic()
                self._headers[opd] = (header, minted)
            request.headers["Authorization"] = header
        yield request


class StaticHeaders(dict[str, dict[str, str]]):
    """OPD -> bearer header with that OPD's default client scopes, minted anew when half its hour is gone (for
    deploy.demo.driver.Driver, which looks headers up on every request)."""

    def __init__(self) -> None:
        super().__init__()
        self._minted: dict[str, float] = {}

    def get(self, opd: str, default: Any = None) -> Any:  # type: ignore[override]
        if opd not in PROFILES:
            return default
        if time.monotonic() - self._minted.get(opd, -MAX_TTL_S) > MAX_TTL_S / 2:
            self[opd] = bearer(opd, ttl_s=MAX_TTL_S)
            self._minted[opd] = time.monotonic()
        return self[opd]


def opd_headers() -> StaticHeaders:
    """Bearer headers per OPD signed with the session's static key (deploy.demo.driver.Driver)."""
    return StaticHeaders()


# -- Keycloak -------------------------------------------------------------------------------------------------------

def keycloak_settings(realm: Any, **overrides: Any) -> AuthSettings:
    """AuthSettings trusting ``realm`` (a tests.support.keycloak.TestRealm), whatever AUTH_* the environment holds."""
    values: dict[str, Any] = {"issuer": realm.issuer, "public_key": None, "audience": None, "extra_audiences": "",
                              "discovery_url": None, "jwks_url": None}
    return AuthSettings(**{**values, **overrides})


def keycloak_env(realm: Any, **extra: str) -> dict[str, str]:
    """The environment of a service process that trusts ``realm`` (the static key switched off)."""
    return {"AUTH_ISSUER": realm.issuer, "AUTH_PUBLIC_KEY": "", "AUTH_AUDIENCE": "", **extra}


def realm_headers(realm: Any) -> ClientCredentials:
    """profile (dp3a, diskop_ukm, …, subscriber) -> bearer header from the realm's machine client."""
    return ClientCredentials(realm.token_url, realm.secrets.clients, profiles=MACHINE_CLIENTS)


@contextlib.asynccontextmanager
async def keycloak_processes() -> AsyncIterator[tuple[dict[str, str], ClientCredentials, Any]]:
    """A realm of its own on the stack's Keycloak for service processes (the fault suite, a platform): yields the
    processes' environment (``running_platform(extra_env=...)``), the machine clients' bearer headers per profile
    (``Driver(headers=...)``) and the realm; deletes the realm afterwards."""
    from tests.support.keycloak import connect

    server = await connect()
    realm = await server.create_realm()
    try:
        yield keycloak_env(realm), await realm_headers(realm).prefetch(), realm
    finally:
        await realm.delete()
        await server.admin.close()


async def web_client(realm: Any, client_id: str, origin: str) -> str:
    """Let the service at ``origin`` sign staff in with ``client_id`` of ``realm``: callback, sign-out return and
    front-channel sign-out addresses registered; returns the client's secret."""
    admin, base = realm.admin, f"/{realm.name}/clients"
    (client,) = await admin.get(base, clientId=client_id)
    client["redirectUris"] = sorted({*client.get("redirectUris", []), f"{origin}/auth/callback"})
    client["webOrigins"] = sorted({*client.get("webOrigins", []), origin})
    attributes = client.setdefault("attributes", {})
    logout = [u for u in attributes.get("post.logout.redirect.uris", "").split("##") if u]
    attributes["post.logout.redirect.uris"] = "##".join(sorted({*logout, f"{origin}/auth/signed-out"}))
    attributes["frontchannel.logout.url"] = f"{origin}/auth/frontchannel-logout"
    client["frontchannelLogout"] = True
    await admin.put(f"{base}/{client['id']}", client)
    return realm.client_secret(client_id)  # type: ignore[no-any-return]


async def docs_client(realm: Any, origin: str) -> None:
    """Let the API docs at ``origin`` sign in through the public client berdaya-docs."""
    admin, base = realm.admin, f"/{realm.name}/clients"
    (client,) = await admin.get(base, clientId="berdaya-docs")
    client["redirectUris"] = sorted({*client.get("redirectUris", []), f"{origin}/docs/oauth2-redirect"})
    client["webOrigins"] = sorted({*client.get("webOrigins", []), origin})
    await admin.put(f"{base}/{client['id']}", client)
