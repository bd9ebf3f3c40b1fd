"""Token verification against the real Keycloak: the services trust it only through configuration (issuer,
discovery, JWKS, audience), refuse every kind of bad token it could be handed, pick up a rotated key with one
refetch and no restart, and keep working from the cached keys while Keycloak is down."""

import asyncio
import base64
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import jwt
import pytest
import pytest_asyncio
from berdaya_shared.auth import AuthError, Verifier
from berdaya_shared.messaging import MessagingSettings
from cryptography.hazmat.primitives.asymmetric import rsa
from training.bootstrap import create_app as training_app
from training.config import Settings as TrainingSettings

from tests.support import infra
from tests.support.auth import keycloak_settings
from tests.support.kafka import unique
from tests.support.keycloak import KeycloakServer, TestRealm, decode_unverified, proxy_closed


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def realm(keycloak: KeycloakServer) -> AsyncIterator[TestRealm]:
    made = await keycloak.create_realm()
    yield made
    await made.delete()


def verifier(realm: TestRealm, service: str = "registry", **overrides: Any) -> Verifier:
    return Verifier(keycloak_settings(realm, **overrides), service=service)


async def refused(check: Verifier, token: str) -> str:
    with pytest.raises(AuthError) as caught:
        await check.verify(token)
    return caught.value.detail


async def test_a_keycloak_token_names_the_machine_its_opd_and_its_scopes(realm: TestRealm) -> None:
    check = verifier(realm)
    principal = await check.verify(await realm.token("machine-dp3a"))
    assert principal.client_id == "machine-dp3a" and principal.opd == "dp3a"
    assert {"women:write", "welfare:write", "personal_data:read", "rounds:write"} <= principal.scopes
    assert principal.kecamatan is None and principal.azp == "machine-dp3a"
    subscriber = await check.verify(await realm.token("ext-bappeda"))
    assert subscriber.opd is None and "public:read" in subscriber.scopes and "women:write" not in subscriber.scopes
    assert check.keys is not None and check.keys.fetches == 1 and check.keys.state == "ok"
    await check.close()


async def test_an_area_limit_reaches_the_principal(realm: TestRealm) -> None:
    await realm.add_machine("machine-tenggarong", groups=["/dp3a/field-officer"], kecamatan=["64.02.06"])
    principal = await verifier(realm).verify(await realm.token("machine-tenggarong"))
    assert principal.kecamatan == {"64.02.06"} and principal.may_see_kecamatan("64.02.06")
    assert not principal.may_see_kecamatan("64.02.09")


async def test_an_expired_token_is_refused(realm: TestRealm) -> None:
    await realm.add_machine("machine-short", groups=["/dp3a/officer"], lifespan_s=2)
    token = await realm.token("machine-short")
    claims = decode_unverified(token)
    assert claims["exp"] - claims["iat"] == 2
    check = verifier(realm, leeway_s=0)
    assert (await check.verify(token)).opd == "dp3a"
    await asyncio.sleep(3.1)
    assert await refused(check, token) == "token expired"


async def test_a_wrongly_signed_token_is_refused(realm: TestRealm) -> None:
    token = await realm.token("machine-dp3a")
    head, body, _ = token.split(".")
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged_sig = jwt.encode(decode_unverified(token), stranger, algorithm="RS256",
                            headers={"kid": jwt.get_unverified_header(token)["kid"]}).split(".")[2]
    assert await refused(verifier(realm), f"{head}.{body}.{forged_sig}") == "invalid signature"
    # The payload changed under Keycloak's signature (more scopes): refused too.
    claims = decode_unverified(token) | {"berdaya_scopes": ["monitoring:admin"]}
    tampered = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    assert await refused(verifier(realm), f"{head}.{tampered}.{token.split('.')[2]}") == "invalid signature"


async def test_a_token_for_another_audience_is_refused(realm: TestRealm) -> None:
    await realm.sync.sync_client({
        "clientId": "machine-elsewhere", "enabled": True, "protocol": "openid-connect", "publicClient": False,
        "standardFlowEnabled": False, "serviceAccountsEnabled": True, "defaultClientScopes": ["basic"],
        "optionalClientScopes": [], "protocolMappers": [{
            "name": "audience elsewhere", "protocol": "openid-connect", "protocolMapper": "oidc-audience-mapper",
            "config": {"included.custom.audience": "another-platform", "access.token.claim": "true"}}]})
    await realm.sync.sync_user({"username": "service-account-machine-elsewhere",
                                "serviceAccountClientId": "machine-elsewhere", "groups": ["/dp3a/officer"]})
    token = await realm.token("machine-elsewhere")
    assert decode_unverified(token)["aud"] == "another-platform"
    assert await refused(verifier(realm), token) == "invalid audience"
    # A service accepts another audience only when configured to.
    assert (await verifier(realm, extra_audiences="another-platform").verify(token)).azp == "machine-elsewhere"


async def test_a_token_living_longer_than_allowed_is_refused(realm: TestRealm) -> None:
    await realm.add_machine("machine-long", groups=["/dp3a/officer"], lifespan_s=7200)
    token = await realm.token("machine-long")
    assert await refused(verifier(realm), token) == "token lifetime 7200 s exceeds 3600 s"
    assert (await verifier(realm, max_token_lifetime_s=7200).verify(token)).opd == "dp3a"


async def test_a_token_of_another_issuer_is_refused(keycloak_realm_proxied: TestRealm, realm: TestRealm) -> None:
    proxied = keycloak_realm_proxied
    token = await proxied.token("machine-dp3a")  # its issuer is the realm's frontend URL (the proxy)
    assert decode_unverified(token)["iss"] == proxied.issuer
    direct = f"{proxied.server.url}/realms/{proxied.name}"
    same_keys_other_issuer = verifier(proxied, issuer=direct, jwks_url=f"{direct}/protocol/openid-connect/certs")
    assert await refused(same_keys_other_issuer, token) == "invalid issuer"
    # And a token of another realm (another provider) never gets through, whatever its claims.
    assert await refused(verifier(realm), token) == "unknown signing key"
    # Discovery must name the configured issuer: a provider claiming another one is not trusted.
    mismatched = verifier(proxied, issuer=direct)
    assert await refused(mismatched, token) == "unknown signing key"
    assert mismatched.keys is not None and mismatched.keys.state == "unreachable"


async def test_a_rotated_key_is_picked_up_with_one_refetch_and_no_restart(keycloak_realm: TestRealm) -> None:
    realm = keycloak_realm
    check = verifier(realm, jwks_cooldown_s=1)
    assert check.keys is not None
    before = await realm.token("machine-dp3a")
    assert (await check.verify(before)).opd == "dp3a" and check.keys.fetches == 1
    new_kid = await realm.rotate_signing_key(retire="passive")
    after = await realm.token("machine-dp3a")
    assert jwt.get_unverified_header(after)["kid"] == new_kid != jwt.get_unverified_header(before)["kid"]
    await asyncio.sleep(1.1)  # the cooldown after the first fetch
    principals = await asyncio.gather(*(check.verify(after) for _ in range(25)))
    assert {p.client_id for p in principals} == {"machine-dp3a"}
    assert check.keys.fetches == 2, "25 requests with the new kid cost one JWKS fetch"
    assert (await check.verify(before)).opd == "dp3a"  # the passive key still verifies tokens it signed
    await check.close()


async def test_a_remembered_token_is_refused_once_its_key_is_retired(keycloak_realm: TestRealm) -> None:
    """The verifier remembers the tokens it accepted; one whose signing key the provider has since retired (gone
    from the JWKS at the next refresh) must be refused, not answered from memory."""
    realm = keycloak_realm
    check = verifier(realm, jwks_max_age_s=1, jwks_cooldown_s=0)
    assert check.keys is not None
    token = await realm.token("machine-dp3a")
    assert (await check.verify(token)).opd == "dp3a"
    assert (await check.verify(token)).opd == "dp3a" and check.keys.fetches == 1
    await realm.rotate_signing_key(retire="disabled")
    await asyncio.sleep(1.1)  # the keys are past their maximum age: the next request refreshes them
    assert await refused(check, token) == "unknown signing key"
    assert check.keys.fetches == 2
    assert (await check.verify(await realm.token("machine-dp3a"))).opd == "dp3a"  # the new key's tokens work
    await check.close()


async def test_keys_older_than_their_maximum_age_are_fetched_again(realm: TestRealm) -> None:
    check = verifier(realm, jwks_max_age_s=1, jwks_cooldown_s=0)
    assert check.keys is not None
    token = await realm.token("machine-dp3a")
    await asyncio.gather(*(check.verify(token) for _ in range(10)))
    assert check.keys.fetches == 1
    await asyncio.sleep(1.1)
    await asyncio.gather(*(check.verify(token) for _ in range(10)))
    assert check.keys.fetches == 2, "one refresh for the stale keys, shared by the ten requests"
    await check.close()


async def test_unknown_kids_cost_the_provider_nothing_within_the_cooldown(realm: TestRealm) -> None:
    check = verifier(realm)  # the default 30 s cooldown
    assert check.keys is not None
    token = await realm.token("machine-dp3a")
    await check.verify(token)
    head = base64.urlsafe_b64encode(b'{"alg":"RS256","typ":"JWT","kid":"forged"}').rstrip(b"=").decode()
    forged = ".".join([head, *token.split(".")[1:]])
    details = await asyncio.gather(*(refused(check, forged) for _ in range(50)))
    assert set(details) == {"unknown signing key"}
    assert check.keys.fetches == 1
    await check.close()


async def test_keycloak_down_still_valid_tokens_work_and_the_service_stays_ready(
    keycloak_realm_proxied: TestRealm, kafka_bootstrap: str, database_server_url: str
) -> None:
    realm = keycloak_realm_proxied
    database = await infra.create_database(database_server_url, prefix="kcdown")
    app = training_app(TrainingSettings(database_url=database,
                                        messaging=MessagingSettings(kafka_bootstrap_servers=kafka_bootstrap)),
                       group_id=unique("g"), auth=keycloak_settings(realm, jwks_cooldown_s=0.5))
    try:
        async with app.router.lifespan_context(app), httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://t", timeout=30) as client:
            headers = {"Authorization": f"Bearer {await realm.token('machine-distransnaker')}"}
            assert (await client.get("/courses", headers=headers)).status_code == 200
            ready = await client.get("/ready")
            assert ready.status_code == 200 and ready.json()["identity_provider"] == "ok"
            with proxy_closed(realm):
                started = time.perf_counter()
                assert (await client.get("/courses", headers=headers)).status_code == 200
                course = {"organizer_opd": "distransnaker", "field": "manufaktur", "kecamatan_code": "64.02.06",
                          "title": "Pelatihan saat Keycloak mati", "starts_on": "2025-03-01",
                          "ends_on": "2025-03-05", "sessions": 5, "capacity": 20}
                assert (await client.post("/courses", json=course, headers=headers)).status_code == 201
                await asyncio.sleep(0.6)  # /ready asks the provider again once the cooldown has passed
                ready = await client.get("/ready")
                assert ready.status_code == 200, ready.text
                assert ready.json()["identity_provider"] == "unreachable" and ready.json()["ok"] is True
                # The failed fetch kept the keys: her token still works.
                assert (await client.get("/courses", headers=headers)).status_code == 200
                assert time.perf_counter() - started < 15
                stranger = jwt.encode({"sub": "x"}, "k", algorithm="HS256", headers={"kid": "new-kid"})
                assert (await client.get("/courses", headers={"Authorization": f"Bearer {stranger}"})).status_code == 401
            await asyncio.sleep(0.6)
            assert (await client.get("/ready")).json()["identity_provider"] == "ok"
    finally:
        await infra.drop_database(database_server_url, database)


async def test_a_static_key_service_says_so_in_readiness() -> None:
    from tests.support import auth as static

    check = Verifier(static.settings(), service="registry")
    assert check.keys is None and await check.identity_provider() == "static key"

