"""The realm as code against the real Keycloak of the stack (deploy/keycloak.sh, started by `make stack-up`).

Each test that changes something works in a realm of its own created from deploy/keycloak/realm-berdaya.json.
"""

import asyncio
import copy
import html
import json
import os
import re
import stat
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import jwt
import pytest
from berdaya_shared.scopes import ALL_SCOPES, PROFILES

from deploy.keycloak import spec as realmspec
from deploy.keycloak.admin import AdminError
from deploy.keycloak.sync import RealmSync, sync_file
from tests.support.keycloak import KeycloakServer, TestRealm, decode_unverified, proxy_closed

REPO = Path(__file__).resolve().parents[2]
SPEC = realmspec.load(realmspec.REALM_DIR / "realm-berdaya.json")
SERVICES = {"berdaya-registry", "berdaya-training", "berdaya-marketplace", "berdaya-monitoring"}
NEW_SCOPES = {"trainee_names:read", "duplicates:merge"}


def duty(name: str) -> set[str]:
    role = next(r for r in SPEC["roles"]["realm"] if r["name"] == name)
    return set(role["composites"]["client"]["berdaya-scopes"])


# -- the file itself ---------------------------------------------------------------------------------------------
def test_realm_file_holds_the_services_scope_vocabulary_and_no_secret() -> None:
    scope_roles = {r["name"] for r in SPEC["roles"]["client"]["berdaya-scopes"]}
    assert scope_roles == ALL_SCOPES | NEW_SCOPES
    # Each OPD's everyday duty is what its client profile holds (its note in a round and records:read included).
    for profile, role in [("dp3a", "officer-dp3a"), ("diskop_ukm", "officer-diskop-ukm"),
                          ("distransnaker", "officer-distransnaker"), ("disperindag", "officer-disperindag")]:
        assert duty(role) == set(PROFILES[profile][1]), role
    assert duty("case-worker") == set(PROFILES["dp3a_case_worker"][1])
    assert duty("data-protection-officer") == {"audit:read"}
    assert duty("monitoring-admin") == {"monitoring:admin"}
    assert duty("subscriber") == {"public:read"}
    assert duty("evaluation-team") == {"figures:internal", "rounds:approve"}
    text = json.dumps(SPEC)
    assert '"secret"' not in text and '"credentials"' not in text and '"password"' not in text.replace(
        '"password" ', "")


def test_compose_runs_the_version_the_pom_pins() -> None:
    pom = (REPO / "deploy/keycloak/pom.xml").read_text()
    version = re.search(r"<keycloak.version>(.+)</keycloak.version>", pom).group(1)  # type: ignore[union-attr]
    images = re.findall(r"image: quay.io/keycloak/keycloak:(\S+)", (REPO / "deploy/compose.yaml").read_text())
    assert images == [version]


# -- sync ----------------------------------------------------------------------------------------------------------
async def test_sync_is_idempotent_and_keeps_the_secrets(keycloak_realm: TestRealm) -> None:
    before = copy.deepcopy(keycloak_realm.secrets)
    # The realm was created by the fast path (one partialImport); a full reconcile must find it complete.
    assert await RealmSync(keycloak_realm.admin, SPEC, keycloak_realm.secrets, keycloak_realm.name).run() == []
    assert await RealmSync(keycloak_realm.admin, SPEC, keycloak_realm.secrets, keycloak_realm.name).run() == []
    assert keycloak_realm.secrets == before
    client = await keycloak_realm.sync.client_id("machine-dp3a")
    in_keycloak = await keycloak_realm.admin.get(f"/{keycloak_realm.name}/clients/{client}/client-secret")
    assert in_keycloak["value"] == before.clients["machine-dp3a"]
    assert await keycloak_realm.token("machine-dp3a")


async def test_sync_command_on_the_stack_realm_changes_nothing(keycloak: KeycloakServer) -> None:
    secrets_file = realmspec.secrets_path(keycloak.directory, "berdaya")
    before = secrets_file.read_bytes()
    env = {**os.environ, "KEYCLOAK_URL": keycloak.url, "KEYCLOAK_DIR": str(keycloak.directory)}
    done = await asyncio.to_thread(subprocess.run, [sys.executable, "-m", "deploy.keycloak.sync"], cwd=REPO, env=env,
                                   capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "realm-berdaya.json: 0 change(s)" in done.stdout, done.stdout
    assert secrets_file.read_bytes() == before
    assert stat.S_IMODE(secrets_file.stat().st_mode) == 0o600
    assert stat.S_IMODE((keycloak.directory / "admin.env").stat().st_mode) == 0o600


async def test_a_changed_realm_file_reaches_an_existing_realm(keycloak_realm: TestRealm, tmp_path: Path) -> None:
    changed = copy.deepcopy(SPEC)
    changed["accessTokenLifespan"] = 240
    changed["roles"]["client"]["berdaya-scopes"].append({"name": "reports:read", "description": "Laporan"})
    next(r for r in changed["roles"]["realm"] if r["name"] == "officer-dp3a")[
        "composites"]["client"]["berdaya-scopes"].append("reports:read")
    next(c for c in changed["clients"] if c["clientId"] == "machine-dp3a")["attributes"]["access.token.lifespan"] = "600"
    path = tmp_path / "realm-berdaya.json"
    path.write_text(json.dumps(changed))
    keycloak_realm.secrets.write(realmspec.secrets_path(tmp_path, keycloak_realm.name))

    changes = await sync_file(keycloak_realm.admin, path, tmp_path, realm=keycloak_realm.name)

    assert "realm settings: accessTokenLifespan" in changes
    assert "role berdaya-scopes/reports:read created" in changes
    assert "role officer-dp3a composites + reports:read" in changes
    assert "client machine-dp3a updated" in changes
    # Keycloak 26 attaches its service_account scope to a machine client on every update; the sync takes it off.
    assert [c for c in changes if "service_account" not in c] == [
        "realm settings: accessTokenLifespan", "client machine-dp3a updated",
        "role berdaya-scopes/reports:read created", "role officer-dp3a composites + reports:read"]
    claims = decode_unverified(await keycloak_realm.token("machine-dp3a"))
    assert claims["exp"] - claims["iat"] == 600
    assert "reports:read" in claims["berdaya_scopes"]
    assert (await keycloak_realm.admin.get(f"/{keycloak_realm.name}"))["accessTokenLifespan"] == 240
    assert await sync_file(keycloak_realm.admin, path, tmp_path, realm=keycloak_realm.name) == []


# -- the token contract --------------------------------------------------------------------------------------------
async def verified(realm: TestRealm, token: str, audience: str = "berdaya-registry") -> dict[str, Any]:
    """Verify a token the way a service will: issuer and JWKS from discovery, RS256, audience."""
    async with httpx.AsyncClient(timeout=10) as http:
        discovery = (await http.get(realm.discovery_url)).json()
        jwks = (await http.get(discovery["jwks_uri"])).json()
    kid = jwt.get_unverified_header(token)["kid"]
    key = jwt.PyJWK(next(k for k in jwks["keys"] if k["kid"] == kid))
    claims: dict[str, Any] = jwt.decode(token, key, algorithms=["RS256"], audience=audience,
                                        issuer=discovery["issuer"])
    return claims


async def test_a_machine_token_carries_exactly_the_contract_claims(keycloak_realm: TestRealm) -> None:
    claims = await verified(keycloak_realm, await keycloak_realm.token("machine-dp3a"))
    assert claims["iss"] == f"{keycloak_realm.server.url}/realms/{keycloak_realm.name}"
    assert set(claims["aud"]) == SERVICES
    assert claims["azp"] == claims["client_id"] == "machine-dp3a"
    assert claims["opd"] == "dp3a"
    assert set(claims["berdaya_scopes"]) == duty("officer-dp3a")
    assert claims["exp"] - claims["iat"] == 900
    assert "kecamatan" not in claims and "name" not in claims and "sub" in claims

    trainer = decode_unverified(await keycloak_realm.token("machine-distransnaker"))
    assert (trainer["opd"], set(trainer["berdaya_scopes"])) == ("distransnaker", duty("officer-distransnaker"))
    subscriber = decode_unverified(await keycloak_realm.token("ext-bappeda"))
    assert "opd" not in subscriber and subscriber["berdaya_scopes"] == ["public:read"]


async def user_token(realm: TestRealm, username: str, client: str = "berdaya-registry") -> dict[str, Any]:
    """The access token a user would get from the sign-in flow (Keycloak's own evaluation endpoint)."""
    user = (await realm.admin.get(f"/{realm.name}/users", username=username, exact="true"))[0]
    client_id = await realm.sync.client_id(client)
    return await realm.admin.get(  # type: ignore[no-any-return]
        f"/{realm.name}/clients/{client_id}/evaluate-scopes/generate-example-access-token",
        scope="openid", userId=user["id"])


async def test_a_staff_token_names_her_opd_duties_and_kecamatan(keycloak_realm: TestRealm) -> None:
    field = await user_token(keycloak_realm, "dp3a.lapangan")
    assert field["preferred_username"] == "dp3a.lapangan" and field["name"] == "Wahyuni Lestari"
    assert field["opd"] == "dp3a" and field["kecamatan"] == ["64.02.06"]
    assert set(field["berdaya_scopes"]) == duty("field-officer")
    assert set(field["aud"]) == SERVICES and field["azp"] == "berdaya-registry"
    assert field["exp"] - field["iat"] == 300
    trainer = await user_token(keycloak_realm, "distransnaker.pelatih", "berdaya-training")
    assert trainer["opd"] == "distransnaker" and "kecamatan" not in trainer
    assert set(trainer["berdaya_scopes"]) == duty("officer-distransnaker") | duty("trainer")

    await keycloak_realm.add_user("uji.pameran", groups=["/disperindag/officer"], kecamatan=["64.02.13"])
    added = await user_token(keycloak_realm, "uji.pameran", "berdaya-marketplace")
    assert (added["opd"], added["kecamatan"]) == ("disperindag", ["64.02.13"])
    assert set(added["berdaya_scopes"]) == duty("officer-disperindag")


async def test_a_group_can_limit_its_members_to_a_kecamatan(keycloak_realm: TestRealm) -> None:
    realm = keycloak_realm
    group = await realm.admin.get(f"/{realm.name}/group-by-path/dp3a/field-officer")
    group["attributes"] = {**(group.get("attributes") or {}), "kecamatan": ["64.02.13", "64.02.20"]}
    await realm.admin.put(f"/{realm.name}/groups/{group['id']}", group)
    await realm.add_user("uji.samboja", groups=["/dp3a/field-officer"])
    assert sorted((await user_token(realm, "uji.samboja"))["kecamatan"]) == ["64.02.13", "64.02.20"]
    # Her own attribute, when she has one, is the one that counts.
    assert (await user_token(realm, "dp3a.lapangan"))["kecamatan"] == ["64.02.06"]


async def test_kecamatan_limits_reach_machine_tokens_and_bad_codes_are_refused(keycloak_realm: TestRealm) -> None:
    await keycloak_realm.add_machine("machine-lapangan", groups=["/dp3a/field-officer"],
                                     kecamatan=["64.02.06", "64.02.13"])
    claims = decode_unverified(await keycloak_realm.token("machine-lapangan"))
    assert sorted(claims["kecamatan"]) == ["64.02.06", "64.02.13"] and claims["opd"] == "dp3a"
    with pytest.raises(AdminError) as refused:
        await keycloak_realm.add_user("uji.salah", groups=["/dp3a/field-officer"], kecamatan=["64.03.06"])
    assert refused.value.status == 400


# -- staff sign-in rules ---------------------------------------------------------------------------------------------
async def test_staff_cannot_get_a_token_with_their_password(keycloak_realm: TestRealm) -> None:
    async with httpx.AsyncClient(timeout=10) as http:
        answer = await http.post(keycloak_realm.token_url, data={
            "grant_type": "password", "client_id": "berdaya-registry",
            "client_secret": keycloak_realm.client_secret("berdaya-registry"),
            "username": "dp3a.petugas", "password": keycloak_realm.password("dp3a.petugas")})
    assert answer.status_code in (400, 401), answer.text
    assert answer.json()["error"] == "unauthorized_client"


async def sign_in_form(http: httpx.AsyncClient, realm: TestRealm, username: str, password: str) -> httpx.Response:
    """Keycloak's own login page, as a browser would post it (authorization code + PKCE S256)."""
    page = await http.get(f"{realm.issuer}/protocol/openid-connect/auth", params={
        "client_id": "berdaya-registry", "response_type": "code", "scope": "openid",
        "redirect_uri": "http://127.0.0.1:8001/auth/callback", "state": "s", "nonce": "n",
        "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", "code_challenge_method": "S256"})
    form = re.search(r'<form[^>]*id="kc-form-login"[^>]*>', page.text).group(0)  # type: ignore[union-attr]
    action = html.unescape(re.search(r'action="([^"]+)"', form).group(1))  # type: ignore[union-attr]
    # Keycloak marks its cookies Secure; browsers send them to http://127.0.0.1 (a trustworthy origin), httpx not.
    cookies = "; ".join(f"{c.name}={c.value}" for c in http.cookies.jar)
    return await http.post(action, data={"username": username, "password": password}, headers={"Cookie": cookies})


async def test_the_login_page_speaks_bahasa_indonesia(keycloak_realm: TestRealm) -> None:
    async with httpx.AsyncClient(timeout=15) as http:
        wrong = await sign_in_form(http, keycloak_realm, "dp3a.petugas", "bukan-sandinya-123")
    assert wrong.status_code == 200
    assert "<title>Masuk ke Berdaya</title>" in wrong.text
    assert "Nama pengguna atau kata sandi salah." in wrong.text and "Kata sandi" in wrong.text


async def test_five_wrong_passwords_lock_the_account(keycloak_realm: TestRealm) -> None:
    name, password = "dp3a.petugas", keycloak_realm.password("dp3a.petugas")
    user_id = (await keycloak_realm.admin.get(f"/{keycloak_realm.name}/users", username=name, exact="true"))[0]["id"]
    state = f"/{keycloak_realm.name}/attack-detection/brute-force/users/{user_id}"
    async with httpx.AsyncClient(timeout=15) as http:
        ok = await sign_in_form(http, keycloak_realm, name, password)
        assert ok.status_code == 302 and "code" in parse_qs(urlsplit(ok.headers["location"]).query)
    for attempt in range(1, 6):
        await asyncio.sleep(1.1)  # slower than the quick-login check (1 s), so only the failure count locks
        async with httpx.AsyncClient(timeout=15) as http:
            wrong = await sign_in_form(http, keycloak_realm, name, "salah-sandi-" + str(attempt))
        assert wrong.status_code == 200
        detected = await keycloak_realm.admin.get(state)
        assert detected["numFailures"] == attempt
        assert detected["disabled"] is (attempt >= 5), (attempt, detected)
    async with httpx.AsyncClient(timeout=15) as http:
        locked = await sign_in_form(http, keycloak_realm, name, password)
    assert locked.status_code == 200, "a locked account must not sign in, even with the right password"


async def test_the_password_policy_refuses_weak_passwords(keycloak_realm: TestRealm) -> None:
    user_id = await keycloak_realm.add_user("uji.sandi", groups=["/dp3a/officer"])
    reset = f"/{keycloak_realm.name}/users/{user_id}/reset-password"
    for weak, reason in [("pendek123", "invalidPasswordMinLengthMessage"),
                         ("uji.sandi", "invalidPasswordMinLengthMessage"),
                         ("uji.sandi@uji.example", "invalidPasswordNotEmailMessage")]:
        with pytest.raises(AdminError) as refused:
            await keycloak_realm.admin.put(reset, {"type": "password", "value": weak, "temporary": False})
        assert refused.value.status == 400 and reason in refused.value.body, refused.value.body
    await keycloak_realm.admin.put(reset, {"type": "password", "value": "kopi-tenggarong-2026", "temporary": False})


async def test_realm_settings_for_office_work(keycloak_realm: TestRealm) -> None:
    realm = await keycloak_realm.admin.get(f"/{keycloak_realm.name}")
    assert realm["bruteForceProtected"] is True and realm["failureFactor"] == 5
    assert realm["accessTokenLifespan"] == 300 and realm["ssoSessionIdleTimeout"] == 3600
    assert realm["defaultLocale"] == "id" and set(realm["supportedLocales"]) == {"id", "en"}
    totp = await keycloak_realm.admin.get(f"/{keycloak_realm.name}/authentication/required-actions/CONFIGURE_TOTP")
    assert totp["enabled"] is True and totp["defaultAction"] is False  # offered, not forced
    for username in keycloak_realm.users:
        user = (await keycloak_realm.admin.get(f"/{keycloak_realm.name}/users", username=username, exact="true"))[0]
        assert user["requiredActions"] == [] and user["totp"] is False


# -- what later tests need: key rotation, an unreachable Keycloak -----------------------------------------------------
async def test_a_rotated_signing_key_signs_new_tokens(keycloak_realm: TestRealm) -> None:
    old_kid = jwt.get_unverified_header(await keycloak_realm.token("machine-dp3a"))["kid"]
    new_kid = await keycloak_realm.rotate_signing_key()
    assert new_kid != old_kid
    async with httpx.AsyncClient(timeout=10) as http:
        kids = {k["kid"] for k in (await http.get(keycloak_realm.jwks_url)).json()["keys"]}
    assert new_kid in kids and old_kid not in kids
    token = await keycloak_realm.token("machine-dp3a")
    assert jwt.get_unverified_header(token)["kid"] == new_kid
    assert (await verified(keycloak_realm, token))["azp"] == "machine-dp3a"


async def test_a_proxied_realm_can_be_made_unreachable(keycloak_realm_proxied: TestRealm) -> None:
    realm = keycloak_realm_proxied
    assert realm.proxy is not None and realm.issuer.startswith(realm.proxy.url)
    async with httpx.AsyncClient(timeout=5) as http:
        discovery = (await http.get(realm.discovery_url)).json()
    assert discovery["issuer"] == realm.issuer and discovery["jwks_uri"].startswith(realm.proxy.url)
    assert decode_unverified(await realm.token("machine-dp3a"))["iss"] == realm.issuer
    with proxy_closed(realm):
        async with httpx.AsyncClient(timeout=5) as http:
            with pytest.raises(httpx.ConnectError):
                await http.get(realm.discovery_url)
    assert (await verified(realm, await realm.token("machine-dp3a")))["iss"] == realm.issuer


async def test_a_test_realm_is_quick_to_create_and_delete(keycloak: KeycloakServer) -> None:
    realm = await keycloak.create_realm()
    started = time.perf_counter()
    await realm.delete()
    deleted_in = time.perf_counter() - started
    print(f"realm created in {realm.created_in_s:.1f} s, deleted in {deleted_in:.1f} s")
    assert not await keycloak.admin.realm_exists(realm.name)
    assert realm.created_in_s < 20 and deleted_in < 10  # generous: 2 shared cores under a full test run
