"""Staff sign in through Keycloak's own login page (authorization code with PKCE) to a kit page, see who they are and
for which OPD, and sign out: the Keycloak session ends and the browser is back to signed out."""

import time
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.async_api import BrowserContext, Page, expect

from tests.support.browser import assert_accessible, assert_no_csp_violations, screenshots, sign_in
from tests.ui.conftest import Demo

STAFF = [  # one member of staff of each OPD in the realm file, her name, and the OPD the page must show
    ("dp3a.petugas", "Siti Rahmawati", "DP3A"),
    ("diskop.petugas", "Ani Suryani", "Diskop UKM"),
    ("distransnaker.pelatih", "Ratna Wulandari", "Distransnaker"),
    ("disperindag.petugas", "Maya Anggraini", "Disperindag"),
]
TIMINGS: dict[str, float] = {}


async def keycloak_sessions(demo: Demo, username: str) -> list[dict[str, object]]:
    realm = demo.realm
    (user,) = await realm.admin.get(f"/{realm.name}/users", username=username, exact="true")
    return await realm.admin.get(f"/{realm.name}/users/{user['id']}/sessions")  # type: ignore[no-any-return]


@pytest.mark.browser
@pytest.mark.parametrize(("username", "name", "opd"), STAFF, ids=[s[0] for s in STAFF])
async def test_each_opd_signs_in_sees_herself_and_signs_out(demo_service: Demo, context: BrowserContext,
                                                           username: str, name: str, opd: str) -> None:
    page = await context.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    TIMINGS[username] = await sign_in(page, demo_service.url, username, demo_service.realm.password(username))
    print(f"sign-in through Keycloak's page, {username}: {TIMINGS[username]:.2f} s")
    assert TIMINGS[username] < 30, "sign-in takes far too long"  # about 2-3 s on a quiet machine

    authorize = next(u for u in requests if "/protocol/openid-connect/auth" in u)
    query = parse_qs(urlsplit(authorize).query)
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) >= 43  # PKCE
    assert query["client_id"] == ["berdaya-training"] and "state" in query and "nonce" in query
    await expect(page.locator("h1")).to_have_text(f"Selamat datang, {name}")
    await expect(page.locator(".who-name")).to_have_text(name)
    await expect(page.locator(".who-opd")).to_have_text(opd)
    cookies = {c["name"]: c for c in await context.cookies()}
    session = cookies["berdaya_session_demo"]
    assert session["httpOnly"] and session["sameSite"] == "Lax"
    assert len(await keycloak_sessions(demo_service, username)) == 1
    if username == "dp3a.petugas":
        await assert_accessible(page)
        await screenshots(page, "kit-beranda")
    await assert_no_csp_violations(page)

    await page.get_by_role("button", name="Keluar").click()
    await page.wait_for_url(f"{demo_service.url}/auth/signed-out*")
    await expect(page.locator("h1")).to_have_text("Anda sudah keluar")
    await expect(page.locator("body")).to_have_attribute("data-wiped", "true")
    assert await keycloak_sessions(demo_service, username) == []
    assert "berdaya_session_demo" not in {c["name"] for c in await context.cookies()}
    await assert_no_csp_violations(page)
    # Signed out for real: the page asks for Keycloak's login again instead of letting her back in.
    await page.goto(f"{demo_service.url}/beranda")
    await expect(page.locator("#kc-login")).to_be_visible()


@pytest.mark.browser
async def test_a_page_without_a_session_redirects_htmx_and_fetch_get_401(demo_service: Demo,
                                                                         context: BrowserContext) -> None:
    import httpx

    async with httpx.AsyncClient(base_url=demo_service.url) as http:
        page = await http.get("/beranda", headers={"Accept": "text/html", "Sec-Fetch-Mode": "navigate"})
        assert page.status_code == 303 and page.headers["location"] == "/auth/login?next=%2Fberanda"
        htmx = await http.get("/demo/tabel?page=2", headers={"HX-Request": "true"})
        assert htmx.status_code == 401 and htmx.headers["HX-Redirect"] == "/auth/login?next=%2Fdemo%2Ftabel%3Fpage%3D2"
        fetched = await http.get("/beranda", headers={"Accept": "application/json", "Sec-Fetch-Mode": "cors"})
        assert fetched.status_code == 401 and fetched.json()["pesan"].startswith("Sesi Anda sudah berakhir")
        forged = await http.get("/beranda", cookies={"berdaya_session_demo": "not-a-session"},
                                headers={"Sec-Fetch-Mode": "navigate"})
        assert forged.status_code == 303


@pytest.mark.browser
async def test_after_sign_in_she_lands_where_she_was_going(demo_service: Demo, context: BrowserContext) -> None:
    page: Page = await context.new_page()
    started = time.perf_counter()
    await page.goto(f"{demo_service.url}/demo/tabel?page=2")
    await page.locator("#username").fill("dp3a.petugas")
    await page.locator("#password").fill(demo_service.realm.password("dp3a.petugas"))
    await page.locator("#kc-login").click()
    await page.wait_for_url(f"{demo_service.url}/demo/tabel?page=2")
    assert time.perf_counter() - started < 10
    await expect(page.locator("h1")).to_have_text("Tabel uji")
