"""Access tokens for Berdaya's own machine clients (demo loader, bench, fault suite) from Keycloak's
client-credentials grant, like any outside client gets them.

``ClientCredentials`` maps an OPD (or any profile name) to its ``Authorization`` header and renews a token once it
has less than ``margin_s`` left (machine tokens live 15 minutes), so a long run keeps working. ``local()`` builds one
for the local stack's realm from the secrets file the realm sync wrote (deploy/.data/keycloak/).
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator, Mapping

import httpx

from deploy.keycloak import spec as realmspec

# The realm's machine client of each OPD's everyday duty, and of the other profiles the tests use.
MACHINE_CLIENTS = {
    "dp3a": "machine-dp3a",
    "diskop_ukm": "machine-diskop-ukm",
    "distransnaker": "machine-distransnaker",
    "disperindag": "machine-disperindag",
    "dp3a_case_worker": "machine-case-worker",
    "dp3a_dpo": "machine-dpo",
    "monitoring_admin": "machine-monitoring-admin",
    "dp3a_evaluation": "machine-evaluation",
    "subscriber": "ext-bappeda",
}
OPDS = ("dp3a", "diskop_ukm", "distransnaker", "disperindag")


class TokenError(RuntimeError):
    pass


class ClientCredentials(Mapping[str, dict[str, str]]):
    """profile -> {"Authorization": "Bearer <token>"}, each token fetched when first asked for and renewed before
    it expires. Thread-safe; a renewal is one short HTTP call to the token endpoint."""

    def __init__(self, token_url: str, secrets: Mapping[str, str], *, profiles: Mapping[str, str] = MACHINE_CLIENTS,
                 margin_s: float = 60.0, timeout_s: float = 10.0) -> None:
        self.token_url = token_url
        self.secrets = dict(secrets)
        self.profiles = {p: c for p, c in profiles.items() if c in self.secrets}
        self.margin_s = margin_s
        self.timeout_s = timeout_s
        self.fetches = 0
        self._tokens: dict[str, tuple[str, float]] = {}
        self._lock = threading.Lock()

    def token(self, profile: str) -> str:
        client_id = self.profiles[profile]
        with self._lock:
            token, expires = self._tokens.get(client_id, ("", 0.0))
            if time.monotonic() + self.margin_s >= expires:
                token, lifetime = self._fetch(client_id)
                expires = time.monotonic() + lifetime
                self._tokens[client_id] = (token, expires)
            return token

    async def prefetch(self) -> ClientCredentials:
        """Fetch every profile's token now, without blocking the event loop (later renewals are synchronous and
        rare: once per token lifetime)."""
        async with httpx.AsyncClient(timeout=self.timeout_s) as http:
            answers = await asyncio.gather(*(http.post(self.token_url, data={
                "grant_type": "client_credentials", "client_id": c, "client_secret": self.secrets[c]})
                for c in self.profiles.values()))
        for client_id, answer in zip(self.profiles.values(), answers, strict=True):
            if answer.status_code != 200:
                raise TokenError(f"no token for {client_id}: {answer.status_code} {answer.text[:200]}")
            body = answer.json()
            self.fetches += 1
            with self._lock:
                self._tokens[client_id] = (body["access_token"], time.monotonic() + float(body.get("expires_in", 300)))
        return self

    def _fetch(self, client_id: str) -> tuple[str, float]:
        try:
            answer = httpx.post(self.token_url, timeout=self.timeout_s, data={
                "grant_type": "client_credentials", "client_id": client_id, "client_secret": self.secrets[client_id]})
        except httpx.HTTPError as exc:
            raise TokenError(f"no token for {client_id} from {self.token_url}: {exc}") from exc
        if answer.status_code != 200:
            raise TokenError(f"no token for {client_id}: {answer.status_code} {answer.text[:200]}")
        self.fetches += 1
        body = answer.json()
        return body["access_token"], float(body.get("expires_in", 300))

    def __getitem__(self, profile: str) -> dict[str, str]:
        if profile not in self.profiles:
            raise KeyError(profile)
        return {"Authorization": f"Bearer {self.token(profile)}"}

    def __iter__(self) -> Iterator[str]:
        return iter(self.profiles)

    def __len__(self) -> int:
        return len(self.profiles)


def issuer(url: str | None = None, realm: str = "berdaya") -> str:
    return f"{(url or realmspec.keycloak_url()).rstrip('/')}/realms/{realm}"


def local(realm: str = "berdaya") -> ClientCredentials:
    """Tokens from the local stack's Keycloak (``KEYCLOAK_URL``) for the machine clients of ``realm``, with the
    secrets the realm sync generated for this installation."""
    path = realmspec.secrets_path(realmspec.keycloak_dir(), realm)
    secrets = realmspec.Secrets.read(path).clients
    if not secrets:
        raise TokenError(f"no client secrets in {path}: start Keycloak and apply the realm with `make stack-up`")
    return ClientCredentials(f"{issuer(realm=realm)}/protocol/openid-connect/token", secrets)
