"""A small async client of Keycloak's admin REST API (Keycloak 26, ``/admin/realms/...``) on httpx.

It signs in to the master realm with the bootstrap admin's password (``admin-cli``, password grant) and signs in
again shortly before the token expires (master realm tokens last 60 s by default). Errors raise ``AdminError``
with the method, path, status and Keycloak's answer.
"""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path
from typing import Any

import httpx

from deploy.keycloak.spec import keycloak_dir, keycloak_url


class AdminError(RuntimeError):
    def __init__(self, method: str, path: str, status: int, body: str) -> None:
        super().__init__(f"{method} {path} -> {status}: {body[:500]}")
        self.status = status
        self.body = body


def read_env_file(path: Path) -> dict[str, str]:
    """``KEY=value`` lines (the format deploy/keycloak.sh writes) as a dict."""
    pairs = (line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)
    return {key.strip(): value.strip() for key, value in pairs}


def admin_credentials(directory: Path | None = None) -> tuple[str, str]:
    """(username, password) of the bootstrap admin: the ``KC_BOOTSTRAP_ADMIN_USERNAME`` / ``_PASSWORD``
    environment variables when set (deploy/compose.yaml), else ``admin.env`` of deploy/keycloak.sh;
    FileNotFoundError when neither exists."""
    if os.environ.get("KC_BOOTSTRAP_ADMIN_PASSWORD"):
        return os.environ.get("KC_BOOTSTRAP_ADMIN_USERNAME", "berdaya-admin"), os.environ["KC_BOOTSTRAP_ADMIN_PASSWORD"]
    env = read_env_file((directory or keycloak_dir()) / "admin.env")
    return env["KC_BOOTSTRAP_ADMIN_USERNAME"], env["KC_BOOTSTRAP_ADMIN_PASSWORD"]


class Admin:
    """Admin REST calls against one server. Use as ``async with Admin(url, user, password) as admin``."""

    def __init__(self, url: str, username: str, password: str, *, timeout: float = 30.0) -> None:
        self.url = url.rstrip("/")
        self._username = username
        self._password = password
        self._http = httpx.AsyncClient(base_url=self.url, timeout=timeout)
        self._token = ""
        self._token_expires = 0.0
        self._token_lock = asyncio.Lock()

    async def __aenter__(self) -> Admin:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        await self._http.aclose()

    async def _bearer(self) -> str:
        async with self._token_lock:
            if time.monotonic() >= self._token_expires:
                await self._sign_in()
        return self._token

    async def _sign_in(self) -> None:
        answer = await self._http.post("/realms/master/protocol/openid-connect/token", data={
            "grant_type": "password", "client_id": "admin-cli",
            "username": self._username, "password": self._password,
        })
        if answer.status_code != 200:
            hint = ("" if answer.status_code != 401 else " (the admin password does not fit this server's database: "
                    "was the database created by another data directory? `deploy/keycloak.sh reset` starts over)")
            raise AdminError("POST", "master token", answer.status_code, answer.text + hint)
        body = answer.json()
        self._token = body["access_token"]
        # Renew 10 s early so that a token never expires between our check and Keycloak's.
        self._token_expires = time.monotonic() + max(5, body["expires_in"] - 10)

    async def request(self, method: str, path: str, *, json: Any = None, params: dict[str, Any] | None = None,
                      ok: tuple[int, ...] = (200, 201, 204)) -> httpx.Response:
        """One call to ``/admin/realms`` + ``path``; raises AdminError unless the status is in ``ok``."""
        url = "/admin/realms" + path
        answer = await self._http.request(method, url, json=json, params=params,
                                          headers={"Authorization": f"Bearer {await self._bearer()}"})
        if answer.status_code not in ok:
            raise AdminError(method, path, answer.status_code, answer.text)
        return answer

    async def get(self, path: str, **params: Any) -> Any:
        return (await self.request("GET", path, params=params or None)).json()

    async def post(self, path: str, body: Any = None) -> httpx.Response:
        return await self.request("POST", path, json=body)

    async def put(self, path: str, body: Any) -> httpx.Response:
        return await self.request("PUT", path, json=body)

    async def delete(self, path: str, body: Any = None) -> httpx.Response:
        return await self.request("DELETE", path, json=body)

    async def create(self, path: str, body: Any) -> str:
        """POST a new object; returns its id (from the Location header)."""
        answer = await self.post(path, body)
        return answer.headers["Location"].rstrip("/").rsplit("/", 1)[1]

    async def realm_exists(self, realm: str) -> bool:
        answer = await self.request("GET", f"/{realm}", ok=(200, 404))
        return answer.status_code == 200


def local_admin() -> Admin:
    """An Admin for the local server of deploy/keycloak.sh (KEYCLOAK_URL, credentials in KEYCLOAK_DIR)."""
    username, password = admin_credentials()
    return Admin(keycloak_url(), username, password)
