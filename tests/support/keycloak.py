"""Keycloak for the tests: the stack's server, shared by the whole session, and realms of their own per test.

The server is the one ``make stack-up`` starts (deploy/keycloak.sh): ``KEYCLOAK_URL`` (default
http://127.0.0.1:$KEYCLOAK_PORT, 8080) with the admin credentials in ``$KEYCLOAK_DIR/admin.env``. Without it the
tests fail with the command that starts it, never skip. A test that needs to change users, clients or keys gets a
realm of its own (``TestRealm``): created from deploy/keycloak/realm-berdaya.json under a random name in about
3 s, deleted afterwards in under 1 s, so tests never disturb each other or the demo realm.

Fixtures (register with ``pytest_plugins = ["tests.support.keycloak"]`` in a conftest, or import them):
``keycloak`` (session): a ``KeycloakServer``; ``keycloak_realm``: a fresh ``TestRealm``;
``keycloak_realm_proxied``: one reached through a ``TcpProxy`` that the test can close ("Keycloak down").
"""

from __future__ import annotations

import base64
import contextlib
import json
import time
import uuid
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from deploy.keycloak import spec as realmspec
from deploy.keycloak.admin import Admin, AdminError, admin_credentials
from deploy.keycloak.spec import Secrets, keycloak_dir, keycloak_url
from deploy.keycloak.sync import RealmSync
from tests.support.tcp_proxy import TcpProxy

START_HINT = ("no Keycloak for the tests at {url}: run `make stack-up` (or `bash deploy/keycloak.sh up`; "
              "set KEYCLOAK_URL and KEYCLOAK_DIR for another server)")
REALM_FILE = realmspec.REALM_DIR / "realm-berdaya.json"


@dataclass
class KeycloakServer:
    url: str
    admin: Admin
    directory: Path

    async def create_realm(self, *, proxy: bool = False, realm_file: Path = REALM_FILE,
                           spec: dict[str, Any] | None = None) -> TestRealm:
        """A new realm from the realm file (or ``spec``) under a random name, with fresh secrets.

        ``proxy=True``: the realm's frontend URL (and so its issuer, discovery and JWKS addresses) goes through a
        TcpProxy of its own, which ``realm.proxy.close()`` makes unreachable.
        """
        spec = spec if spec is not None else realmspec.load(realm_file)
        name = f"test-{uuid.uuid4().hex[:10]}"
        secrets = Secrets()
        started = time.perf_counter()
        tcp_proxy = TcpProxy.to_url(self.url) if proxy else None
        await RealmSync(self.admin, spec, secrets, name).run(verify=False)
        if tcp_proxy is not None:
            await self.admin.put(f"/{name}", {"attributes": {"frontendUrl": tcp_proxy.url}})
        return TestRealm(self, name, spec, secrets, tcp_proxy, created_in_s=time.perf_counter() - started)


@dataclass
class TestRealm:
    """A realm of one test. Addresses go through ``proxy`` when it has one."""

    __test__ = False  # not a test class, whatever its name

    server: KeycloakServer
    name: str
    spec: dict[str, Any]
    secrets: Secrets
    proxy: TcpProxy | None = None
    created_in_s: float = 0.0
    _sync: RealmSync | None = field(default=None, repr=False)

    @property
    def admin(self) -> Admin:
        return self.server.admin

    @property
    def base_url(self) -> str:
        return self.proxy.url if self.proxy else self.server.url

    @property
    def issuer(self) -> str:
        return f"{self.base_url}/realms/{self.name}"

    @property
    def discovery_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    @property
    def token_url(self) -> str:
        return f"{self.issuer}/protocol/openid-connect/token"

    @property
    def jwks_url(self) -> str:
        return f"{self.issuer}/protocol/openid-connect/certs"

    @property
    def users(self) -> dict[str, str]:
        """username -> password, for every person in the realm file and every user added by the test."""
        return dict(self.secrets.users)

    def client_secret(self, client_id: str) -> str:
        return self.secrets.clients[client_id]

    def password(self, username: str) -> str:
        return self.secrets.users[username]

    @property
    def sync(self) -> RealmSync:
        if self._sync is None:
            self._sync = RealmSync(self.admin, self.spec, self.secrets, self.name)
        return self._sync

    async def token(self, client_id: str) -> str:
        """A client-credentials access token for a machine client of this realm."""
        return (await self.token_response(client_id))["access_token"]  # type: ignore[no-any-return]

    async def token_response(self, client_id: str, **form: str) -> dict[str, Any]:
        """The token endpoint's JSON answer (client credentials unless ``form`` says otherwise)."""
        data = {"grant_type": "client_credentials", "client_id": client_id,
                "client_secret": self.client_secret(client_id), **form}
        async with httpx.AsyncClient(timeout=10) as http:
            answer = await http.post(self.token_url, data=data)
        if answer.status_code != 200:
            raise AssertionError(f"token for {client_id}: {answer.status_code} {answer.text}")
        return answer.json()  # type: ignore[no-any-return]

    async def add_user(self, username: str, *, groups: Sequence[str] = (), roles: Sequence[str] = (),
                       kecamatan: Sequence[str] | None = None, first_name: str = "Uji", last_name: str = "Coba",
                       password: str | None = None) -> str:
        """A staff user in ``groups`` (paths like /dp3a/officer) with extra realm ``roles``; returns her id."""
        user: dict[str, Any] = {"username": username, "firstName": first_name, "lastName": last_name,
                                "email": f"{username}@uji.example", "enabled": True, "emailVerified": True,
                                "groups": list(groups)}
        if kecamatan is not None:
            user["attributes"] = {"kecamatan": list(kecamatan)}
        if password is not None:
            self.secrets.users[username] = password
        user_id = await self.sync.sync_person(user)
        await self.sync.sync_user(user)
        await self._grant(user_id, roles)
        return user_id

    async def add_machine(self, client_id: str, *, groups: Sequence[str] = (), roles: Sequence[str] = (),
                          kecamatan: Sequence[str] | None = None, lifespan_s: int = 900) -> str:
        """A machine client (client credentials) whose service account is in ``groups`` with extra realm
        ``roles`` and, optionally, limited to ``kecamatan``; returns its secret."""
        await self.sync.sync_client({
            "clientId": client_id, "enabled": True, "protocol": "openid-connect", "publicClient": False,
            "standardFlowEnabled": False, "directAccessGrantsEnabled": False, "serviceAccountsEnabled": True,
            "attributes": {"access.token.lifespan": str(lifespan_s)},
            "defaultClientScopes": ["berdaya", "basic"], "optionalClientScopes": []})
        await self.sync.sync_user({"username": f"service-account-{client_id}", "serviceAccountClientId": client_id,
                                   "groups": list(groups)})
        account = await self.admin.get(f"/{self.name}/clients/{await self.sync.client_id(client_id)}/service-account-user")
        if kecamatan is not None:
            account = await self.admin.get(f"/{self.name}/users/{account['id']}")
            account["attributes"] = {**(account.get("attributes") or {}), "kecamatan": list(kecamatan)}
            await self.admin.put(f"/{self.name}/users/{account['id']}", account)
        await self._grant(account["id"], roles)
        return self.secrets.clients[client_id]

    async def _grant(self, user_id: str, roles: Sequence[str]) -> None:
        if roles:
            reps = [await self.admin.get(f"/{self.name}/roles/{role}") for role in roles]
            await self.admin.post(f"/{self.name}/users/{user_id}/role-mappings/realm", reps)

    async def allow_origin(self, client_id: str, origin: str) -> None:
        """Let a service's web client sign in from ``origin`` (a service started on a free port)."""
        client = await self.admin.get(f"/{self.name}/clients/{await self.sync.client_id(client_id)}")
        client["redirectUris"] = sorted({*client.get("redirectUris", []), f"{origin}/auth/callback"})
        client["webOrigins"] = sorted({*client.get("webOrigins", []), origin})
        logout = [u for u in client["attributes"].get("post.logout.redirect.uris", "").split("##") if u]
        client["attributes"]["post.logout.redirect.uris"] = "##".join(sorted({*logout, f"{origin}/"}))
        await self.admin.put(f"/{self.name}/clients/{client['id']}", client)

    async def rotate_signing_key(self, *, retire: str = "disabled") -> str:
        """A new RS256 key with a higher priority signs from now on; the old ones are ``disabled`` (gone from
        the JWKS: their tokens fail) or ``passive`` (still published, no longer signing). Returns the new kid."""
        realm = await self.admin.get(f"/{self.name}")
        providers = await self.admin.get(f"/{self.name}/components", type="org.keycloak.keys.KeyProvider")
        old = [p for p in providers if p["providerId"] in ("rsa-generated", "rsa")
               and p["config"].get("algorithm", ["RS256"]) == ["RS256"]]
        top = max((int(p["config"].get("priority", ["0"])[0]) for p in old), default=100)
        new_id = await self.admin.create(f"/{self.name}/components", {
            "name": f"rsa-rotated-{uuid.uuid4().hex[:6]}", "providerId": "rsa-generated",
            "providerType": "org.keycloak.keys.KeyProvider", "parentId": realm["id"],
            "config": {"priority": [str(top + 10)], "keySize": ["2048"], "algorithm": ["RS256"],
                       "active": ["true"], "enabled": ["true"]}})
        for provider in old:
            flag = "enabled" if retire == "disabled" else "active"
            provider["config"][flag] = ["false"]
            await self.admin.put(f"/{self.name}/components/{provider['id']}", provider)
        keys = await self.admin.get(f"/{self.name}/keys")
        return next(k["kid"] for k in keys["keys"] if k.get("providerId") == new_id and k["algorithm"] == "RS256")

    async def delete(self) -> None:
        await self.admin.request("DELETE", f"/{self.name}", ok=(204, 404))
        if self.proxy is not None:
            self.proxy.close()


async def connect(url: str | None = None, directory: Path | None = None) -> KeycloakServer:
    """The running server, checked: reachable, and the admin credentials work; pytest.fail otherwise."""
    url = url or keycloak_url()
    directory = directory or keycloak_dir()
    try:
        username, password = admin_credentials(directory)
    except FileNotFoundError:
        pytest.fail(START_HINT.format(url=url) + f" (no {directory / 'admin.env'})", pytrace=False)
    admin = Admin(url, username, password)
    try:
        await admin.get("/master")
    except httpx.TransportError:
        await admin.close()
        pytest.fail(START_HINT.format(url=url), pytrace=False)
    except AdminError as error:
        await admin.close()
        pytest.fail(f"Keycloak at {url} refuses the admin credentials of {directory / 'admin.env'} ({error.status}): "
                    "is KEYCLOAK_DIR the directory of the server that runs there?", pytrace=False)
    return KeycloakServer(url, admin, directory)


def decode_unverified(token: str) -> dict[str, Any]:
    """The claims of a JWT, without checking its signature (for assertions on what Keycloak put in)."""
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))  # type: ignore[no-any-return]


@pytest.fixture(scope="session")
async def keycloak() -> AsyncIterator[KeycloakServer]:
    server = await connect()
    yield server
    await server.admin.close()


@pytest.fixture
async def keycloak_realm(keycloak: KeycloakServer) -> AsyncIterator[TestRealm]:
    realm = await keycloak.create_realm()
    yield realm
    await realm.delete()


@pytest.fixture
async def keycloak_realm_proxied(keycloak: KeycloakServer) -> AsyncIterator[TestRealm]:
    realm = await keycloak.create_realm(proxy=True)
    yield realm
    await realm.delete()


@contextlib.contextmanager
def proxy_closed(realm: TestRealm) -> Iterator[None]:
    """Keycloak unreachable for this realm's clients inside the block, reachable again after it."""
    assert realm.proxy is not None, "create the realm with proxy=True"
    realm.proxy.close()
    try:
        yield
    finally:
        realm.proxy.open()
