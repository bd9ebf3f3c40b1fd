"""The API docs of a real service (training) in Chromium: Swagger UI and ReDoc load from the service itself (no CDN),
without a CSP violation, and "Authorize" signs in through Keycloak (authorization code with PKCE, public client
berdaya-docs) so that "Try it out" calls the API with the staff member's token."""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
import pytest_asyncio
from berdaya_shared.messaging import MessagingSettings
from playwright.async_api import BrowserContext, expect
from training.bootstrap import create_app
from training.config import Settings

from tests.support import infra
from tests.support.auth import docs_client, keycloak_settings
from tests.support.browser import assert_no_csp_violations, csp_violations, screenshots
from tests.support.kafka import unique
from tests.support.keycloak import TestRealm
from tests.ui.conftest import free_port, serve

pytestmark = pytest.mark.browser


@dataclass
class Service:
    url: str
    realm: TestRealm


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def training(ui_realm: TestRealm, kafka_bootstrap: str, database_server_url: str) -> AsyncIterator[Service]:
    port = free_port()
    origin = f"http://127.0.0.1:{port}"
    await docs_client(ui_realm, origin)
    database_url = await infra.create_database(database_server_url, prefix="docs")
    app = create_app(Settings(database_url=database_url, messaging=MessagingSettings(
        kafka_bootstrap_servers=kafka_bootstrap)), group_id=unique("g"), auth=keycloak_settings(ui_realm))
    try:
        async with serve(app, port):
            yield Service(origin, ui_realm)
    finally:
        await infra.drop_database(database_server_url, database_url)


async def test_swagger_ui_loads_locally_and_authorize_signs_in_through_keycloak(training: Service,
                                                                             context: BrowserContext) -> None:
    page = await context.new_page()
    hosts: set[str] = set()
    page.on("request", lambda r: hosts.add(urlsplit(r.url).netloc))
    await page.goto(f"{training.url}/docs")
    await expect(page.locator(".swagger-ui .info .title")).to_contain_text("Berdaya — Pelatihan")
    await page.locator("button.authorize").first.click()
    flow = page.locator(".auth-container").filter(has_text="authorization_code with PKCE")
    await expect(flow.locator("#client_id_authorization_code")).to_have_value("berdaya-docs")
    async with page.expect_popup() as popup_info:
        await flow.get_by_role("button", name="Apply given OAuth2 credentials").click()
    popup = await popup_info.value
    await popup.locator("#username").fill("distransnaker.pelatih")
    await popup.locator("#password").fill(training.realm.password("distransnaker.pelatih"))
    await popup.locator("#kc-login").click()
    await popup.wait_for_event("close")
    await expect(flow.get_by_role("button", name="Remove authorization")).to_be_visible()
    await flow.get_by_role("button", name="Close").click()

    await page.locator("#operations-Pelatihan-list_courses_courses_get, .opblock-get:has-text('/courses')").first.click()
    operation = page.locator(".opblock.is-open")
    await operation.get_by_role("button", name="Try it out").click()
    await operation.get_by_role("button", name="Execute").click()
    await expect(operation.locator(".live-responses-table .response .response-col_status").first).to_have_text("200")
    curl = await operation.locator(".curl-command").inner_text()
    assert "Authorization: Bearer ey" in curl
    assert hosts == {urlsplit(training.url).netloc, "127.0.0.1:8080"}, "nothing from a CDN"
    await assert_no_csp_violations(page)
    await screenshots(page, "api-docs")


async def test_redoc_loads_locally(training: Service, context: BrowserContext) -> None:
    page = await context.new_page()
    loaded: set[str] = set()
    page.on("requestfinished", lambda r: loaded.add(urlsplit(r.url).netloc) if r.url.startswith("http") else None)
    await page.goto(f"{training.url}/redoc")
    await expect(page.locator("h1").first).to_contain_text("Berdaya — Pelatihan")
    await expect(page.get_by_role("heading", name="Jadwalkan pelatihan")).to_be_visible()
    assert loaded == {urlsplit(training.url).netloc}, "nothing from a CDN"
    # ReDoc's bundle links Redocly's logo from their CDN: the CSP blocks it, and that is the only thing it blocks.
    violations = await csp_violations(page)
    assert {(v["directive"], v["blocked"]) for v in violations} <= {
        ("img-src", "https://cdn.redoc.ly/redoc/logo-mini.svg")}, violations
