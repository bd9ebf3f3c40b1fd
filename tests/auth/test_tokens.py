"""Bearer-token verification (berdaya_shared.auth) in static-key mode on a small app: 401 for every kind of bad token,
403 for a missing scope, and the caller's identity for a good one. The same checks against tokens Keycloak signs
are in test_keycloak_tokens.py."""

import asyncio
import time
from typing import Any

import httpx
import pytest
from berdaya_shared.auth import (
    ANY_TOKEN,
    PUBLIC,
    AuthError,
    AuthSettings,
    CurrentPrincipal,
    Policy,
    Rule,
    Verifier,
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


async def test_a_token_living_longer_than_the_limit_is_refused(client: httpx.AsyncClient) -> None:
    r = await client.post("/things", headers=auth.bearer(opd="dp3a", scopes=["things:write"], ttl_s=3601))
    assert r.status_code == 401
    assert r.json()["detail"] == "token lifetime 3601 s exceeds 3600 s"
    r = await client.post("/things", headers=auth.bearer(opd="dp3a", scopes=["things:write"], ttl_s=3600))
    assert r.status_code == 201


async def test_an_id_token_is_not_an_access_token(client: httpx.AsyncClient) -> None:
    r = await client.post("/things", headers=auth.bearer(opd="dp3a", scopes=["things:write"], extra={"typ": "ID"}))
    assert r.status_code == 401 and r.json()["detail"] == "not an access token (typ 'ID')"


async def test_the_principal_reads_the_configured_claims() -> None:
    claims = {"berdaya_scopes": ["things:write"], "scope": "openid profile", "kecamatan": ["64.02.06"],
              "name": "Wahyuni Lestari", "preferred_username": "dp3a.lapangan", "azp": "berdaya-registry"}
    app = FastAPI()
    install_error_handlers(app)
    install_auth(app, Policy({("POST", "/things"): Rule("things:write")}), auth.settings())

    @app.post("/things")
    async def who(principal: CurrentPrincipal) -> dict[str, Any]:
        return {"client": principal.client_id, "scopes": sorted(principal.scopes), "name": principal.name,
                "kecamatan": sorted(principal.kecamatan or []), "azp": principal.azp, "sub": principal.subject}

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        r = await c.post("/things", headers=auth.bearer(opd="dp3a", client_id="uuid-of-wahyuni", extra=claims))
    assert r.status_code == 200, r.text
    assert r.json() == {"client": "dp3a.lapangan", "scopes": ["openid", "profile", "things:write"],
                        "name": "Wahyuni Lestari", "kecamatan": ["64.02.06"], "azp": "berdaya-registry",
                        "sub": "uuid-of-wahyuni"}


def test_each_service_checks_its_own_audience_and_configured_extras() -> None:
    settings = AuthSettings(public_key=auth.public_pem(), issuer=auth.ISSUER, audience=None,
                            extra_audiences="berdaya-registry, berdaya-docs")
    registry = Verifier(settings, service="registry")
    training = Verifier(AuthSettings(public_key=auth.public_pem(), issuer=auth.ISSUER, audience=None),
                        service="training")
    assert registry.audiences == ["berdaya-registry", "berdaya-registry", "berdaya-docs"]
    for_training = auth.token(opd="dp3a", scopes=["x"], audience="berdaya-training")
    assert training.verify_cached(for_training).opd == "dp3a"
    with pytest.raises(AuthError, match="audience"):
        registry.verify_cached(for_training)
    both = auth.token(opd="dp3a", scopes=["x"], audience=["berdaya-registry", "berdaya-training"])
    assert registry.verify_cached(both).opd == training.verify_cached(both).opd == "dp3a"


def test_only_asymmetric_algorithms_and_bounded_settings_are_accepted() -> None:
    from pydantic import ValidationError

    for bad in ({"algorithm": "HS256"}, {"leeway_s": 600}, {"max_token_lifetime_s": 10}):
        with pytest.raises(ValidationError):
            AuthSettings(**bad)  # type: ignore[arg-type]


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


async def test_a_token_the_verifier_remembers_is_refused_once_it_expires() -> None:
    """Accepted tokens are remembered (their signature is not checked again on every request): one that has expired
    since must be refused like any expired token, not answered from memory."""
    check = Verifier(auth.settings(leeway_s=0))
    token = auth.token(opd="dp3a", scopes=["things:write"], ttl_s=2)
    first = await check.verify(token)
    assert first.opd == "dp3a"
    assert await check.verify(token) == first  # remembered, same caller
    await asyncio.sleep(3.1)  # past its exp (whole seconds) with no leeway
    for _ in range(2):
        with pytest.raises(AuthError) as caught:
            await check.verify(token)
        assert caught.value.detail == "token expired"
