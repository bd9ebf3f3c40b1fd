"""The browser-facing safety of every service: security headers and the CSP on HTML pages, cross-site request
forgery refused without tokens, compression of pages but not of API answers, cached assets, the session cookie,
and sessions that refresh their tokens, expire when idle and end when the user signs out elsewhere."""

import gzip
from typing import Any

import asyncpg
import httpx
import pytest
from berdaya_shared.auth import PUBLIC, Policy
from berdaya_shared.http import install_error_handlers
from berdaya_shared.ui.config import UiSettings
from berdaya_shared.ui.security import CrossOriginProtection, SecurityHeaders, content_security_policy
from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from playwright.async_api import BrowserContext

from tests.support.browser import sign_in
from tests.ui.conftest import Demo

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self' {origin}; "
       "form-action 'self' http://127.0.0.1:8080; frame-ancestors 'none'; base-uri 'none'; object-src 'none'; "
       "worker-src 'self'")


def client(demo: Demo, **kwargs: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=demo.url, timeout=10, **kwargs)


async def test_every_kit_page_carries_the_security_headers_and_a_csp_without_inline_code(demo_service: Demo) -> None:
    async with client(demo_service) as http:
        for path in ("/auth/signed-out", "/docs", "/redoc", "/docs/oauth2-redirect"):
            r = await http.get(path)
            assert r.status_code == 200 and r.headers["content-type"].startswith("text/html"), path
            assert r.headers["X-Content-Type-Options"] == "nosniff"
            assert r.headers["Referrer-Policy"] == "same-origin"
            assert r.headers["X-Frame-Options"] == "DENY"
            assert "camera=()" in r.headers["Permissions-Policy"]
            csp = r.headers["Content-Security-Policy"]
            assert "script-src 'self';" in csp and "'unsafe-inline'" not in csp.split("style-src")[0], path
            assert "<script>" not in r.text and " style=" not in r.text and "<style" not in r.text, path
        page = await http.get("/auth/signed-out")
        assert page.headers["Content-Security-Policy"] == CSP.format(origin=demo_service.url)
        assert page.headers["Clear-Site-Data"] == '"cache", "storage"'
        docs = await http.get("/docs")
        assert "connect-src 'self' http://127.0.0.1:8080" in docs.headers["Content-Security-Policy"]
        api = await http.get("/health")
        assert api.headers["X-Content-Type-Options"] == "nosniff" and "Content-Security-Policy" not in api.headers


async def test_html_a_service_serves_outside_the_kit_gets_the_csp_report_only() -> None:
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/lama", response_class=HTMLResponse)
    async def legacy() -> str:
        return "<!doctype html><p style='color:red'>lama</p>"

    app.add_middleware(SecurityHeaders, csp=content_security_policy())
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
        r = await http.get("/lama")
    assert "Content-Security-Policy" not in r.headers
    assert r.headers["Content-Security-Policy-Report-Only"].startswith("default-src 'self'")


@pytest.mark.parametrize(("headers", "allowed"), [
    ({"Sec-Fetch-Site": "same-origin"}, True),
    ({"Sec-Fetch-Site": "none"}, True),  # typed in the address bar, a bookmark
    ({"Sec-Fetch-Site": "cross-site"}, False),
    ({"Sec-Fetch-Site": "same-site"}, False),  # another service on the same host is another origin
    ({"Origin": "https://jahat.example"}, False),  # an old browser without Sec-Fetch-Site
    ({}, True),  # not a browser (curl, an agency's program): nothing ambient to forge
    ({"Sec-Fetch-Site": "cross-site", "Authorization": "Bearer x"}, True),  # a token is never sent by itself
], ids=["same-origin", "none", "cross-site", "same-site", "foreign-origin", "no-browser", "bearer"])
async def test_a_state_changing_request_from_another_site_is_refused(demo_service: Demo, headers: dict[str, str],
                                                                   allowed: bool) -> None:
    async with client(demo_service) as http:
        r = await http.post("/auth/logout", headers={"Accept": "text/html", **headers})
        same_origin = await http.post("/auth/logout", headers={"Origin": demo_service.url})
    if allowed:
        assert r.status_code != 403, r.text
    else:
        assert r.status_code == 403 and "Permintaan ditolak" in r.text
        assert r.headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert same_origin.status_code == 303
    get = httpx.AsyncClient(base_url=demo_service.url)
    async with get:
        assert (await get.get("/auth/signed-out", headers={"Sec-Fetch-Site": "cross-site"})).status_code == 200


async def test_a_refused_fetch_gets_the_json_error_body() -> None:
    app = FastAPI()
    app.add_middleware(CrossOriginProtection)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
        r = await http.put("/x", headers={"Sec-Fetch-Site": "cross-site", "Accept": "application/json"})
    assert r.status_code == 403 and r.json()["detail"] == "cross-origin request (Sec-Fetch-Site: cross-site)"


async def test_pages_and_assets_are_compressed_and_cached_but_api_answers_are_not(demo_service: Demo) -> None:
    async with client(demo_service) as http:
        docs = await http.get("/docs")
        script = docs.text.split('src="')[1].split('"')[0]
        async with http.stream("GET", script, headers={"Accept-Encoding": "gzip"}) as bundle:
            sent = b"".join([chunk async for chunk in bundle.aiter_raw()])
        assert bundle.headers["Content-Encoding"] == "gzip"
        assert len(gzip.decompress(sent)) > 3 * len(sent) > 100_000  # Swagger UI's 1.7 MB travels as ~0.5 MB
        assert bundle.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        unversioned = await http.get("/static/ui/app.js")
        assert unversioned.headers["Cache-Control"] == "no-cache"
        sw = await http.get("/sw.js")
        assert sw.headers["Service-Worker-Allowed"] == "/" and sw.headers["Cache-Control"] == "no-cache"
        assert sw.headers["content-type"].startswith("text/javascript")
        openapi = await http.get("/openapi.json", headers={"Accept-Encoding": "gzip"})
        assert "Content-Encoding" not in openapi.headers  # JSON answers stay as they were
        page = await http.get("/redoc", headers={"Accept-Encoding": "gzip"})
        assert page.status_code == 200 and "Content-Encoding" not in page.headers  # under 1 KB: not worth it


def test_behind_tls_the_session_cookie_is_secure_with_the_host_prefix() -> None:
    from berdaya_shared.signin import SignIn
    from starlette.responses import Response

    from tests.support import auth

    app = FastAPI()
    signin = SignIn(app, service="training", auth=auth.settings(client_secret="s"),
                    ui=UiSettings(secure_cookies=True), verifier=None)  # type: ignore[arg-type]
    response = Response()
    signin.set_cookie(response, "abc")
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("__Host-berdaya-training=abc;")
    for flag in ("HttpOnly", "Path=/", "SameSite=lax", "Secure"):
        assert flag in cookie


async def _session_rows(demo: Demo, sql: str = "SELECT * FROM web_sessions") -> list[asyncpg.Record]:
    conn = await asyncpg.connect(demo.database_url)
    try:
        return await conn.fetch(sql)
    finally:
        await conn.close()


@pytest.mark.browser
async def test_an_expired_access_token_is_refreshed_without_asking_her_again(demo_service: Demo,
                                                                             context: BrowserContext) -> None:
    page = await context.new_page()
    await sign_in(page, demo_service.url, "dp3a.kasus", demo_service.realm.password("dp3a.kasus"))
    await _session_rows(demo_service, "DELETE FROM web_sessions WHERE username <> 'dp3a.kasus'")
    (before,) = await _session_rows(demo_service)
    assert before["id_hash"] != b"" and "dp3a.kasus" not in str(await context.cookies())  # the cookie holds an id
    await _session_rows(demo_service, "UPDATE web_sessions SET access_expires_at = now() - interval '1 minute'")
    await page.goto(f"{demo_service.url}/beranda")
    assert page.url == f"{demo_service.url}/beranda"
    (after,) = await _session_rows(demo_service)
    assert after["access_token"] != before["access_token"] and after["access_expires_at"] > before["access_expires_at"]
    assert after["refresh_token"] != before["refresh_token"]  # Keycloak's refresh tokens are single-use


@pytest.mark.browser
async def test_a_session_ended_elsewhere_or_idle_too_long_asks_her_to_sign_in(demo_service: Demo,
                                                                              context: BrowserContext) -> None:
    page = await context.new_page()
    await sign_in(page, demo_service.url, "dp3a.evaluasi", demo_service.realm.password("dp3a.evaluasi"))
    realm = demo_service.realm
    (user,) = await realm.admin.get(f"/{realm.name}/users", username="dp3a.evaluasi", exact="true")
    (kc_session,) = await realm.admin.get(f"/{realm.name}/users/{user['id']}/sessions")
    # Keycloak's front-channel sign-out of that session (what its sign-out page loads in an iframe):
    async with client(demo_service) as http:
        r = await http.get("/auth/frontchannel-logout", params={"sid": kc_session["id"], "iss": realm.issuer})
    assert r.status_code == 200 and "frame-ancestors http://127.0.0.1:8080" in r.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in r.headers
    assert [row for row in await _session_rows(demo_service) if row["username"] == "dp3a.evaluasi"] == []
    await page.goto(f"{demo_service.url}/beranda")
    await page.wait_for_url(f"{demo_service.url}/beranda")  # Keycloak still knew her: a new session, no password
    await _session_rows(demo_service, "UPDATE web_sessions SET idle_expires_at = now() - interval '1 second' "
                                      "WHERE username = 'dp3a.evaluasi'")
    response = await page.request.get(f"{demo_service.url}/beranda", max_redirects=0,
                                      headers={"Sec-Fetch-Mode": "navigate"})
    assert response.status == 303 and response.headers["location"] == "/auth/login?next=%2Fberanda"


async def test_the_openapi_document_declares_keycloak_and_the_scope_of_each_route(demo_service: Demo) -> None:
    from training.bootstrap import create_app

    app = create_app()
    document = app.openapi()
    scheme = document["components"]["securitySchemes"]["keycloak"]
    assert scheme["type"] == "openIdConnect"
    assert scheme["openIdConnectUrl"].endswith("/.well-known/openid-configuration")
    create = document["paths"]["/courses"]["post"]
    assert create["security"] == [{"keycloak": []}] and "`courses:write`" in create["description"]
    assert "security" not in document["paths"]["/health"]["get"]
    policy: Policy = app.state.auth_policy
    assert policy.rule_for("GET", "/docs") == PUBLIC and policy.rule_for("POST", "/auth/logout") == PUBLIC


async def test_a_staff_page_needs_a_session_even_where_the_api_reads_are_public() -> None:
    from monitoring.bootstrap import create_app as monitoring_app

    app = monitoring_app()  # its published aggregates are public (default read rule PUBLIC)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
        page = await http.get("/beranda", headers={"Sec-Fetch-Mode": "navigate"})
        assert page.status_code == 303 and page.headers["location"] == "/auth/login?next=%2Fberanda"
        fetched = await http.get("/auth/purpose", headers={"Sec-Fetch-Mode": "cors"})
        assert fetched.status_code == 401
