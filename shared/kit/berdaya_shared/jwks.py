"""The identity provider's signing keys, found through OIDC discovery and cached the way panva/jose caches them.

``KeySet`` reads ``<issuer>/.well-known/openid-configuration`` once for the ``jwks_uri`` (checking that the
document names the configured issuer, OIDC Discovery 1.0 §4.3), then keeps the JWKS:

- keys are refreshed once they are ``max_age_s`` old (10 minutes by default), on the next request that needs one;
- a token whose ``kid`` is not in the set triggers one refetch, and no other refetch for ``cooldown_s`` (30 s) after
  any fetch, so a stream of tokens with unknown or forged kids costs the provider nothing;
- only one fetch is in flight: concurrent requests wait for the same one;
- a failed fetch keeps the keys already held (still-valid tokens keep working while the provider is down) and is
  not retried before the cooldown has passed;
- every fetch uses httpx's async client: nothing here blocks the event loop (PyJWKClient uses blocking urllib).

``fetches`` counts JWKS fetches and ``state`` says whether the last one reached the provider ("ok",
"unreachable"), for ``/ready`` and the tests.
"""

import asyncio
import logging
import time
from collections.abc import Mapping
from typing import Any

import httpx
import jwt

log = logging.getLogger(__name__)

SIGNING_KEY_TYPES = frozenset({"RSA", "EC", "OKP"})


class KeyUnavailable(Exception):
    """No key with this kid: unknown to the provider, or the provider could not be asked."""


def usable_keys(document: Mapping[str, Any], algorithms: frozenset[str]) -> dict[str, jwt.PyJWK]:
    """The signature keys of a JWKS document by kid: ``use`` absent or ``sig``, an allowed ``alg`` (or none).

    Keys for encryption (Keycloak publishes an RSA-OAEP key beside the signing key) and keys PyJWT cannot read are
    left out; a document without a ``keys`` list raises ValueError."""
    keys = document.get("keys")
    if not isinstance(keys, list):
        raise ValueError("JWKS document has no 'keys' list")
    out: dict[str, jwt.PyJWK] = {}
    for entry in keys:
        if not isinstance(entry, dict) or entry.get("use", "sig") != "sig" or entry.get("kty") not in SIGNING_KEY_TYPES:
            continue
        alg = entry.get("alg")
        if alg is not None and alg not in algorithms:
            continue
        try:
            key = jwt.PyJWK(entry, algorithm=alg or sorted(algorithms)[0])
        except jwt.PyJWKError as exc:
            log.warning("JWKS key %s skipped: %s", entry.get("kid"), exc)
            continue
        out[str(entry.get("kid", ""))] = key
    return out


class KeySet:
    """The provider's current signing keys (see the module docstring for the cache policy)."""

    def __init__(self, *, issuer: str, discovery_url: str, jwks_url: str | None = None,
                 algorithms: frozenset[str] = frozenset({"RS256"}), max_age_s: float = 600.0,
                 cooldown_s: float = 30.0, timeout_s: float = 5.0) -> None:
        self.issuer = issuer
        self.discovery_url = discovery_url
        self.jwks_url = jwks_url
        self.algorithms = algorithms
        self.max_age_s = max_age_s
        self.cooldown_s = cooldown_s
        self.timeout_s = timeout_s
        self.fetches = 0
        self.state = "not checked yet"
        self.metadata: dict[str, Any] = {}
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at: float | None = None  # last successful fetch
        self._attempted_at: float | None = None  # last fetch, successful or not
        self._inflight: asyncio.Task[None] | None = None
        self._http: httpx.AsyncClient | None = None

    # -- what the verifier asks ------------------------------------------------------------------------------------
    def cached(self, kid: str | None) -> jwt.PyJWK | None:
        """The key for ``kid`` if it is held now, without any I/O (a token without kid: the only key, if one)."""
        if kid is None:
            return next(iter(self._keys.values())) if len(self._keys) == 1 else None
        return self._keys.get(kid)

    async def key(self, kid: str | None) -> jwt.PyJWK:
        """The key for ``kid``, refetching the JWKS when the keys are old or the kid is unknown and the cooldown
        allows. Raises KeyUnavailable when there is still no such key."""
        now = time.monotonic()
        stale = self._fetched_at is None or now - self._fetched_at >= self.max_age_s
        found = self.cached(kid)
        if (stale or found is None) and self._may_fetch(now):
            await self.refresh()
            found = self.cached(kid)
        if found is None:
            raise KeyUnavailable(f"no signing key {kid!r} ({self.state})")
        return found

    def _may_fetch(self, now: float) -> bool:
        return self._attempted_at is None or now - self._attempted_at >= self.cooldown_s or self._inflight is not None

    async def refresh(self) -> None:
        """Fetch the JWKS now (joining a fetch already in flight). Never raises: a failure keeps the old keys."""
        if self._inflight is None:
            self._inflight = asyncio.create_task(self._fetch())
        task = self._inflight
        try:
            await asyncio.shield(task)
        finally:
            if task.done() and self._inflight is task:
                self._inflight = None

    async def check(self) -> str:
        """The provider's reachability for ``/ready``: refetch if the cooldown allows, then the last state."""
        if self._may_fetch(time.monotonic()):
            await self.refresh()
        return self.state

    # -- fetching --------------------------------------------------------------------------------------------------
    async def _fetch(self) -> None:
        self._attempted_at = time.monotonic()
        try:
            http = self._client()
            if self.jwks_url is None:
                self.metadata = await self._discover(http)
                self.jwks_url = str(self.metadata["jwks_uri"])
            self.fetches += 1
            answer = await http.get(self.jwks_url)
            answer.raise_for_status()
            keys = usable_keys(answer.json(), self.algorithms)
        except (httpx.HTTPError, ValueError, KeyError) as exc:
            self.state = "unreachable"
            log.warning("identity provider keys not refreshed (%s: %s); keeping %d cached key(s)",
                        type(exc).__name__, exc, len(self._keys))
            return
        self._keys = keys
        self._fetched_at = time.monotonic()
        self.state = "ok"

    async def _discover(self, http: httpx.AsyncClient) -> dict[str, Any]:
        answer = await http.get(self.discovery_url)
        answer.raise_for_status()
        document: dict[str, Any] = answer.json()
        if document.get("issuer") != self.issuer:
            raise ValueError(f"discovery document names issuer {document.get('issuer')!r}, expected {self.issuer!r}")
        if "jwks_uri" not in document:
            raise ValueError("discovery document has no jwks_uri")
        return document

    def _client(self) -> httpx.AsyncClient:
        if self._http is None:
            self._http = httpx.AsyncClient(timeout=self.timeout_s, follow_redirects=False)
        return self._http

    async def close(self) -> None:
        if self._inflight is not None:
            self._inflight.cancel()
        if self._http is not None:
            await self._http.aclose()
            self._http = None
