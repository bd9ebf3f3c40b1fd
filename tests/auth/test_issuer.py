"""The registry's OAuth2 token endpoint and the client CLI, against the real database.

Tokens it issues must be accepted by the shared verifier (as every service runs it) with the key
published at /.well-known/jwks.json.
"""

import base64
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import asyncpg
import httpx
import jwt
import pytest
import pytest_asyncio
from berdaya_shared import migrate
from berdaya_shared.auth import Verifier
from berdaya_shared.service import service_migrations
from fastapi import FastAPI
from registry import cli_clients
from registry.adapters import clients
from registry.bootstrap import SPEC
from registry.entrypoints import oauth

from tests.support import auth, infra


@dataclass
class Issuer:
    client: httpx.AsyncClient
    database_url: str


class _Runtime:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def issuer(database_server_url: str) -> AsyncIterator[Issuer]:
    url = await infra.create_database(database_server_url, prefix="auth")
    pool = await asyncpg.create_pool(url, min_size=1, max_size=4)
    try:
        async with pool.acquire() as conn:
            await migrate.migrate(conn, [*migrate.kit_migrations(), *service_migrations(SPEC)])
        app = FastAPI()
        app.state.runtime = _Runtime(pool)
        oauth.install(app, oauth.IssuerSettings(private_key=auth.private_pem(), issuer=auth.ISSUER,
                                                audience=auth.AUDIENCE, token_ttl_s=600))
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
            yield Issuer(client, url)
    finally:
        await pool.close()
        await infra.drop_database(database_server_url, url)


async def cli(issuer: Issuer, capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict[str, str], str]:
    code = await cli_clients.run(cli_clients.parser().parse_args(list(argv)), issuer.database_url)
    out, err = capsys.readouterr()
    fields = dict(line.split("=", 1) for line in out.splitlines() if "=" in line)
    return code, fields, out + err


async def new_client(issuer: Issuer, capsys: pytest.CaptureFixture[str], *extra: str) -> dict[str, str]:
    code, fields, text = await cli(issuer, capsys, "create", "--name", "Aplikasi uji", *extra)
    assert code == 0, text
    return fields


async def request_token(issuer: Issuer, **form: str) -> httpx.Response:
    return await issuer.client.post("/oauth/token", data={"grant_type": "client_credentials", **form})


async def test_right_secret_gets_a_token_every_service_accepts(issuer: Issuer, capsys: Any) -> None:
    created = await new_client(issuer, capsys, "--profile", "diskop_ukm")
    r = await request_token(issuer, client_id=created["client_id"], client_secret=created["client_secret"])
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 600
    assert r.headers["Cache-Control"] == "no-store"
    principal = Verifier(auth.settings()).verify(body["access_token"])
    assert principal.client_id == created["client_id"]
    assert principal.opd == "diskop_ukm"
    assert principal.scopes == {"ukm:write", "coops:write", "capital:write", "personal_data:read"}
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert {"iss", "aud", "sub", "opd", "scope", "exp", "iat", "jti"} <= claims.keys()
    assert claims["exp"] - claims["iat"] == 600


async def test_the_published_jwks_verifies_the_token(issuer: Issuer, capsys: Any) -> None:
    created = await new_client(issuer, capsys, "--profile", "disperindag")
    token = (await request_token(issuer, client_id=created["client_id"],
                                 client_secret=created["client_secret"])).json()["access_token"]
    jwks = (await issuer.client.get("/.well-known/jwks.json")).json()
    (key,) = jwks["keys"]
    assert key["kid"] == jwt.get_unverified_header(token)["kid"]
    public = jwt.PyJWK.from_dict(key).key
    claims = jwt.decode(token, public, algorithms=["RS256"], audience=auth.AUDIENCE, issuer=auth.ISSUER)
    assert claims["scope"] == "fairs:write listings:write sales:write"
    meta = (await issuer.client.get("/.well-known/oauth-authorization-server")).json()
    assert meta["grant_types_supported"] == ["client_credentials"]


async def test_http_basic_client_authentication_works(issuer: Issuer, capsys: Any) -> None:
    created = await new_client(issuer, capsys, "--profile", "subscriber")
    basic = base64.b64encode(f"{created['client_id']}:{created['client_secret']}".encode()).decode()
    r = await issuer.client.post("/oauth/token", data={"grant_type": "client_credentials"},
                                 headers={"Authorization": f"Basic {basic}"})
    assert r.status_code == 200, r.text
    assert r.json()["scope"] == "public:read"


async def test_wrong_secret_and_unknown_client_are_401_invalid_client(issuer: Issuer, capsys: Any) -> None:
    created = await new_client(issuer, capsys, "--profile", "dp3a")
    for client_id, secret in ((created["client_id"], "wrong"), ("nobody", "x"), (created["client_id"], "")):
        r = await request_token(issuer, client_id=client_id, client_secret=secret)
        assert r.status_code == 401, r.text
        assert r.json()["error"] == "invalid_client"
        assert "access_token" not in r.json()


async def test_a_revoked_client_gets_no_token(issuer: Issuer, capsys: Any) -> None:
    created = await new_client(issuer, capsys, "--profile", "distransnaker")
    form = {"client_id": created["client_id"], "client_secret": created["client_secret"]}
    assert (await request_token(issuer, **form)).status_code == 200
    code, _, text = await cli(issuer, capsys, "revoke", created["client_id"])
    assert code == 0 and "revoked" in text
    r = await request_token(issuer, **form)
    assert r.status_code == 401 and r.json()["error"] == "invalid_client"
    code, _, text = await cli(issuer, capsys, "revoke", created["client_id"])
    assert code == 1 and "no active client" in text


async def test_scopes_can_be_narrowed_but_never_widened(issuer: Issuer, capsys: Any) -> None:
    created = await new_client(issuer, capsys, "--profile", "dp3a")
    form = {"client_id": created["client_id"], "client_secret": created["client_secret"]}
    narrowed = await request_token(issuer, **form, scope="women:write")
    assert narrowed.status_code == 200 and narrowed.json()["scope"] == "women:write"
    widened = await request_token(issuer, **form, scope="women:write monitoring:admin")
    assert widened.status_code == 400
    assert widened.json()["error"] == "invalid_scope" and "monitoring:admin" in widened.json()["pesan"]


async def test_other_grants_and_non_form_bodies_are_400(issuer: Issuer) -> None:
    r = await issuer.client.post("/oauth/token", data={"grant_type": "password", "username": "a", "password": "b"})
    assert r.status_code == 400 and r.json()["error"] == "unsupported_grant_type"
    r = await issuer.client.post("/oauth/token", json={"grant_type": "client_credentials"})
    assert r.status_code == 400


async def test_secrets_are_stored_only_as_slow_hashes(issuer: Issuer, capsys: Any) -> None:
    created = await new_client(issuer, capsys, "--opd", "dp3a", "--scope", "women:write", "--client-id", "dp3a-x")
    assert created["client_id"] == "dp3a-x"
    conn = await asyncpg.connect(issuer.database_url)
    try:
        stored = await conn.fetchval("SELECT secret_hash FROM oauth_clients WHERE client_id = 'dp3a-x'")
    finally:
        await conn.close()
    assert created["client_secret"] not in stored and stored.startswith("scrypt$16384$")
    assert clients.secret_matches(created["client_secret"], stored)
    assert not clients.secret_matches(created["client_secret"] + "x", stored)
    started = time.perf_counter()
    clients.secret_matches("guess", stored)
    assert time.perf_counter() - started > 0.005  # slow enough that guessing offline is costly


async def test_cli_lists_clients_without_secrets_and_refuses_duplicates(issuer: Issuer, capsys: Any) -> None:
    created = await new_client(issuer, capsys, "--profile", "monitoring_admin", "--client-id", "monev-1")
    code, _, text = await cli(issuer, capsys, "list")
    assert code == 0
    line = next(line for line in text.splitlines() if line.startswith("monev-1\t"))
    assert "monitoring:admin" in line and "active" in line and created["client_secret"] not in text
    code, _, text = await cli(issuer, capsys, "create", "--name", "again", "--profile", "dp3a",
                              "--client-id", "monev-1")
    assert code == 1 and "already exists" in text
    with pytest.raises(SystemExit):
        cli_clients.parser().parse_args(["create", "--name", "x", "--scope", "root:everything"])



def test_the_cli_runs_as_python_m_registry_clients(issuer: Issuer) -> None:
    import os
    import subprocess
    import sys

    env = {**os.environ, "REGISTRY_DATABASE_URL": issuer.database_url}
    created = subprocess.run([sys.executable, "-m", "registry", "clients", "create", "--name", "Bappeda",
                              "--profile", "subscriber", "--client-id", "ext-bappeda"],
                             env=env, capture_output=True, text=True, timeout=60)
    assert created.returncode == 0, created.stderr
    assert "client_secret=" in created.stdout and "tidak dapat ditampilkan lagi" in created.stderr
    listed = subprocess.run([sys.executable, "-m", "registry", "clients", "list"], env=env, capture_output=True,
                            text=True, timeout=60)
    assert "ext-bappeda\t-\tactive\tpublic:read\tBappeda" in listed.stdout
