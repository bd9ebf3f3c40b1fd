"""Bearer-token verification (shared.auth) on a small app: 401 for every kind of bad token, 403 for a
missing scope, and the caller's identity for a good one."""

import time
from typing import Any

import httpx
import pytest
from berdaya_shared.auth import (
    ANY_TOKEN,
    PUBLIC,
    AuthSettings,
    CurrentPrincipal,
    Policy,
    Rule,
    install_auth,
)
from berdaya_shared.http import install_error_handlers
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI

from tests.support import auth


def small_app(settings: AuthSettings | None = None) -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)
    install_auth(app, Policy({
        ("POST", "/things"): Rule("things:write"),
        ("GET", "/things/{ref}"): ANY_TOKEN,
        ("GET", "/open"): PUBLIC,
    }), settings or auth.settings())

    @app.post("/things", status_code=201)
    async def create(principal: CurrentPrincipal) -> dict[str, Any]:
        return {"client": principal.client_id, "opd": principal.opd}

    @app.get("/things/{ref}")
    async def read(ref: int) -> dict[str, Any]:
        return {"ref": ref}

    @app.put("/forgotten")
    async def forgotten() -> dict[str, Any]:
        return {}

    @app.get("/open")
    async def open_() -> dict[str, Any]:
        return {"ok": True}

    @app.get("/health")
    async def health() -> dict[str, Any]:
        return {"ok": True}

    return app


@pytest.fixture
async def client() -> Any:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=small_app()), base_url="http://t") as c:
        yield c


async def test_a_valid_token_with_the_scope_is_accepted_and_names_the_caller(client: httpx.AsyncClient) -> None:
    r = await client.post("/things", headers=auth.bearer(opd="dp3a", scopes=["things:write"], client_id="dp3a-app"))
    assert r.status_code == 201, r.text
    assert r.json() == {"client": "dp3a-app", "opd": "dp3a"}


async def test_no_token_is_401_with_a_bearer_challenge(client: httpx.AsyncClient) -> None:
    for method, path in (("POST", "/things"), ("GET", "/things/1")):
        r = await client.request(method, path, json={})
        assert r.status_code == 401, (method, path, r.text)
        assert r.headers["WWW-Authenticate"].startswith("Bearer")
        assert r.json()["pesan"].startswith("Perlu login")
        assert r.json()["detail"] == "missing bearer token"


async def test_a_malformed_authorization_header_is_401(client: httpx.AsyncClient) -> None:
    for value in ("Basic abc", "Bearer", "Bearer    ", "token-without-scheme"):
        r = await client.get("/things/1", headers={"Authorization": value})
        assert r.status_code == 401, value


@pytest.mark.parametrize(
    ("kwargs", "detail"),
    [
        ({"now": time.time() - 3600, "ttl_s": 900}, "token expired"),
        ({"key": rsa.generate_private_key(public_exponent=65537, key_size=2048)}, "invalid signature"),
        ({"audience": "another-platform"}, "invalid audience"),
        ({"issuer": "https://evil.example"}, "invalid issuer"),
    ],
    ids=["expired", "wrong-signature", "wrong-audience", "wrong-issuer"],
)
async def test_bad_tokens_are_refused(client: httpx.AsyncClient, kwargs: dict[str, Any], detail: str) -> None:
    r = await client.post("/things", headers=auth.bearer(opd="dp3a", scopes=["things:write"], **kwargs))
    assert r.status_code == 401, r.text
    assert r.json()["detail"] == detail
    assert "invalid_token" in r.headers["WWW-Authenticate"]


async def test_garbage_and_unsigned_tokens_are_refused(client: httpx.AsyncClient) -> None:
    import jwt

    unsigned = jwt.encode({"sub": "x", "iss": auth.ISSUER, "aud": auth.AUDIENCE, "exp": time.time() + 60,
                           "iat": time.time(), "scope": "things:write"}, key=None, algorithm="none")
    hs256 = _hs256_with_public_key({"sub": "x", "iss": auth.ISSUER, "aud": auth.AUDIENCE,
                                    "exp": int(time.time()) + 60, "iat": int(time.time()), "scope": "things:write"})
    for value in ("not.a.jwt", "a" * 5000, unsigned, hs256):
        r = await client.post("/things", headers={"Authorization": f"Bearer {value}"})
        assert r.status_code == 401, r.text


def _hs256_with_public_key(claims: dict[str, Any]) -> str:
    """The algorithm-confusion attack: an HMAC token keyed with the (public) verification key."""
    import base64
    import hashlib
    import hmac
    import json

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    signing_input = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode()) + "." + b64(json.dumps(claims).encode())
    mac = hmac.new(auth.public_pem().encode(), signing_input.encode(), hashlib.sha256).digest()
    return signing_input + "." + b64(mac)


async def test_a_token_without_expiry_is_refused(client: httpx.AsyncClient) -> None:
    import jwt

    no_exp = jwt.encode({"sub": "x", "iss": auth.ISSUER, "aud": auth.AUDIENCE, "iat": int(time.time()),
                         "scope": "things:write"}, auth.private_key(), algorithm="RS256")
    r = await client.post("/things", headers={"Authorization": f"Bearer {no_exp}"})
    assert r.status_code == 401
    assert r.json()["detail"] == "missing claim exp"


async def test_a_valid_token_without_the_scope_is_403_naming_the_scope(client: httpx.AsyncClient) -> None:
    r = await client.post("/things", headers=auth.bearer(opd="disperindag", scopes=["public:read"]))
    assert r.status_code == 403
    assert r.json()["required_scope"] == "things:write"
    assert "things:write" in r.json()["pesan"]


async def test_reads_need_any_valid_token_and_public_routes_none(client: httpx.AsyncClient) -> None:
    assert (await client.get("/things/7", headers=auth.bearer("subscriber"))).json() == {"ref": 7}
    assert (await client.get("/open")).status_code == 200
    assert (await client.get("/health")).status_code == 200


async def test_a_write_route_missing_from_the_policy_is_refused_and_reported(client: httpx.AsyncClient) -> None:
    r = await client.put("/forgotten", headers=auth.all_scopes())
    assert r.status_code == 403
    assert r.json()["detail"] == "no policy for PUT /forgotten"
    app = client._transport.app  # type: ignore[attr-defined]
    assert app.state.auth_policy.missing(app) == ["PUT /forgotten"]


async def test_the_key_can_come_from_a_file(tmp_path: Any) -> None:
    path = tmp_path / "pub.pem"
    path.write_text(auth.public_pem())
    app = small_app(AuthSettings(public_key=None, public_key_file=path, issuer=auth.ISSUER, audience=auth.AUDIENCE))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        r = await c.post("/things", headers=auth.bearer(opd="dp3a", scopes=["things:write"]))
    assert r.status_code == 201


def test_a_missing_key_fails_at_start_with_the_command_that_makes_one(tmp_path: Any) -> None:
    with pytest.raises(RuntimeError, match="deploy.keys"):
        small_app(AuthSettings(public_key=None, public_key_file=tmp_path / "absent.pem"))


async def test_the_actor_opd_is_the_tokens_whatever_x_opd_says() -> None:
    from typing import Annotated

    from fastapi import Header

    app = FastAPI()
    install_error_handlers(app)
    install_auth(app, Policy({("POST", "/who"): Rule("things:write")}), auth.settings())

    @app.post("/who")
    async def who(x_opd: Annotated[str | None, Header(alias="X-OPD")] = None) -> dict[str, Any]:
        return {"opd": x_opd}

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        spoofed = {**auth.bearer(opd="distransnaker", scopes=["things:write"]), "X-OPD": "dp3a"}
        assert (await c.post("/who", headers=spoofed)).json() == {"opd": "distransnaker"}
        no_opd = {**auth.bearer(scopes=["things:write"]), "X-OPD": "dp3a"}
        assert (await c.post("/who", headers=no_opd)).json() == {"opd": None}


def test_auth_must_be_installed_before_routes_so_none_escapes_it() -> None:
    app = FastAPI()

    @app.post("/early")
    async def early() -> None:
        return None

    with pytest.raises(RuntimeError, match="before any route"):
        install_auth(app, Policy({}), auth.settings())
