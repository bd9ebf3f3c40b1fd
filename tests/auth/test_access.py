"""Access control as an agency meets it, on the real registry and training services (real database
and broker): tokens from Keycloak's client-credentials grant (a realm of this module's own), personal-data reads
audited with their purpose, the change trail with before/after, OPDs kept to their own courses, the contract
served to all."""

import random
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import asyncpg
import httpx
import pytest_asyncio
from berdaya_shared.messaging import MessagingSettings
from fastapi import FastAPI
from registry.bootstrap import create_app as registry_app
from registry.config import Settings as RegistrySettings
from training.bootstrap import create_app as training_app
from training.config import Settings as TrainingSettings

from deploy.keycloak.tokens import ClientCredentials
from tests.registry.helpers import woman_body
from tests.support import infra
from tests.support.auth import keycloak_settings, realm_headers
from tests.support.kafka import unique
from tests.support.keycloak import KeycloakServer
from tests.support.namespaces import create_namespace, delete_namespace

rng = random.Random()
PURPOSE = {"X-Purpose": "verifikasi calon penerima bantuan modal"}


@dataclass
class Platform:
    registry: httpx.AsyncClient
    training: httpx.AsyncClient
    registry_db: str
    training_db: str
    apps: dict[str, FastAPI]
    tokens: ClientCredentials


@pytest_asyncio.fixture(name="p", scope="module", loop_scope="session")
async def platform(keycloak: KeycloakServer, kafka_bootstrap: str, database_server_url: str) -> AsyncIterator[Platform]:
    realm = await keycloak.create_realm()
    tokens = await realm_headers(realm).prefetch()
    namespace = await create_namespace(kafka_bootstrap, "acc")
    messaging = MessagingSettings(kafka_bootstrap_servers=kafka_bootstrap, topic_namespace=namespace,
                                  relay_poll_interval_s=0.2, consumer_batch_timeout_ms=50)
    reg_db = await infra.create_database(database_server_url, prefix="acc_reg")
    trn_db = await infra.create_database(database_server_url, prefix="acc_trn")
    apps = {
        "registry": registry_app(RegistrySettings(database_url=reg_db, messaging=messaging), group_id=unique("g"),
                                 auth=keycloak_settings(realm)),
        "training": training_app(TrainingSettings(database_url=trn_db, messaging=messaging), group_id=unique("g"),
                                 auth=keycloak_settings(realm)),
    }
    try:
        async with apps["registry"].state.runtime.lifespan(), apps["training"].state.runtime.lifespan():
            clients = [httpx.AsyncClient(transport=httpx.ASGITransport(app=a), base_url="http://t", timeout=60)
                       for a in apps.values()]
            try:
                yield Platform(clients[0], clients[1], reg_db, trn_db, apps, tokens)
            finally:
                for c in clients:
                    await c.aclose()
    finally:
        await infra.drop_database(database_server_url, reg_db)
        await infra.drop_database(database_server_url, trn_db)
        await delete_namespace(kafka_bootstrap, namespace)
        await realm.delete()


async def token_for(p: Platform, profile: str) -> dict[str, str]:
    """The bearer header of the realm's machine client for ``profile`` (a Keycloak client-credentials token)."""
    return p.tokens[profile]


async def register(p: Platform, headers: dict[str, str]) -> dict[str, Any]:
    r = await p.registry.post("/women", json=woman_body(rng), headers=headers)
    assert r.status_code == 201, r.text
    return r.json()


async def test_an_agency_gets_a_token_from_keycloak_and_uses_it(p: Platform) -> None:
    dp3a = await token_for(p, "dp3a")
    assert (await p.registry.post("/women", json=woman_body(rng))).status_code == 401
    woman = await register(p, dp3a)
    assert woman["registered_by_opd"] == "dp3a"
    disperindag = await token_for(p, "disperindag")
    r = await p.registry.post("/women", json=woman_body(rng), headers=disperindag)
    assert r.status_code == 403 and r.json()["required_scope"] == "women:write"


async def test_a_personal_data_read_needs_a_purpose_and_is_logged(p: Platform) -> None:
    dp3a, diskop = await token_for(p, "dp3a"), await token_for(p, "diskop_ukm")
    woman = await register(p, dp3a)
    ref = woman["person_ref"]
    r = await p.registry.get(f"/women/{ref}", headers=diskop)
    assert r.status_code == 400 and r.json()["kesalahan"][0]["field"] == "X-Purpose"
    r = await p.registry.get(f"/women/{ref}", headers={**diskop, **PURPOSE})
    assert r.status_code == 200 and r.json()["full_name"]
    searched = await p.registry.get("/women", params={"kecamatan_code": woman["kecamatan_code"], "limit": 200},
                                    headers={**dp3a, "X-Purpose": "rekap pendampingan"})
    assert ref in {w["person_ref"] for w in searched.json()["items"]}

    dpo = await token_for(p, "dp3a_dpo")
    log = (await p.registry.get("/audit/pii-access", params={"person_ref": ref}, headers=dpo)).json()
    reads = {(e["opd"], e["what"], e["purpose"]) for e in log["items"]}
    assert ("diskop_ukm", "GET /women/{person_ref}", PURPOSE["X-Purpose"]) in reads
    assert ("dp3a", "GET /women", "rekap pendampingan") in reads
    assert all(e["client_id"] and e["at"] for e in log["items"])
    assert (await p.registry.get("/audit/pii-access", headers=dp3a)).status_code == 403


async def test_agencies_outside_the_registry_never_read_personal_data(p: Platform) -> None:
    woman = await register(p, await token_for(p, "dp3a"))
    for profile in ("disperindag", "distransnaker", "subscriber", "monitoring_admin"):
        headers = {**await token_for(p, profile), **PURPOSE}
        for method, path, body in (("GET", f"/women/{woman['person_ref']}", None), ("GET", "/women", None),
                                   ("POST", "/women/lookup", {"nik": "6402064508850003"})):
            r = await p.registry.request(method, path, json=body, headers=headers)
            assert r.status_code == 403, (profile, path, r.text)
            assert "full_name" not in r.text


async def test_every_change_is_in_the_trail_with_before_and_after_but_no_personal_data(
    p: Platform
) -> None:
    dp3a = await token_for(p, "dp3a")
    body = woman_body(rng)
    created = (await p.registry.post("/women", json=body, headers=dp3a)).json()
    ref = created["person_ref"]
    r = await p.registry.patch(f"/women/{ref}", json={"household_size": 7, "full_name": body["full_name"] + " Putri"},
                               headers=dp3a)
    assert r.status_code == 200, r.text
    dpo = await token_for(p, "dp3a_dpo")
    trail = (await p.registry.get("/audit/changes", params={"entity_ref": f"person_ref={ref}"}, headers=dpo)).json()
    correction, creation = trail
    assert creation["method"] == "POST" and creation["path"] == "/women" and creation["before"] is None
    assert creation["client_id"] == "machine-dp3a" and creation["opd"] == "dp3a" and creation["status"] == 201
    assert correction["path"] == "/women/{person_ref}" and correction["before"]["household_size"] == 4
    # The registration's "after" (kept from the insert, not read back) is the stored row the correction found.
    assert creation["after"] == correction["before"] and creation["after"]["person_ref"] == ref
    assert correction["after"]["household_size"] == 7
    assert correction["before"]["name_cipher"] != correction["after"]["name_cipher"]  # changed, not shown
    note = "Korban KDRT, dirujuk ke UPTD PPA Tenggarong"
    aid = await p.registry.post(f"/women/{ref}/aid", json={"kind": "legal_assistance", "provided_on": "2025-03-10",
                                                           "case_note": note}, headers=dp3a)
    assert aid.status_code == 201, aid.text
    (aid_row,) = (await p.registry.get("/audit/changes", params={"entity_ref": f"person_ref={ref}", "limit": 1},
                                       headers=dpo)).json()
    assert aid_row["path"] == "/women/{person_ref}/aid" and aid_row["after"]["aid_ref"] == aid.json()["aid_ref"]
    assert aid_row["after"]["kind"] == "legal_assistance" and aid_row["before"] is None
    conn = await asyncpg.connect(p.registry_db)
    try:
        dump = await conn.fetchval("SELECT string_agg(coalesce(before::text, '') || after::text, ' ') FROM audit_log")
    finally:
        await conn.close()
    for secret in (body["nik"], body["full_name"], body["phone"], body["birth_date"], "KDRT"):
        assert secret not in dump


async def test_an_opd_cannot_change_another_opds_course(p: Platform) -> None:
    dp3a, disnaker = await token_for(p, "dp3a"), await token_for(p, "distransnaker")
    course = {"organizer_opd": "dp3a", "field": "kuliner", "kecamatan_code": "64.02.06", "title": "Olahan ikan",
              "starts_on": "2025-03-01", "ends_on": "2025-03-05", "sessions": 5, "capacity": 20}
    r = await p.training.post("/courses", json=course, headers=disnaker)
    assert r.status_code == 403 and "dp3a" in r.json()["pesan"]
    r = await p.training.post("/courses", json=course, headers=dp3a)
    assert r.status_code == 201, r.text
    course_ref = r.json()["course_ref"]
    person = {"person_ref": "0190a000-0000-7000-8000-000000000001"}
    for path in ("enrolments", "completions", "dropouts", "sessions/1/attendance"):
        body = {"records": [{**person, "present": True}]} if path.endswith("attendance") else person
        r = await p.training.post(f"/courses/{course_ref}/{path}", json=body, headers=disnaker)
        assert r.status_code == 403, (path, r.text)
        assert r.json()["pesan"].startswith("Pelatihan ini milik OPD dp3a")
    r = await p.training.post(f"/courses/{course_ref}/enrolments", json=person, headers=dp3a)
    assert r.status_code not in (401, 403), r.text  # the owner gets through (the person is unknown: 422)
    own = await p.training.post("/courses", json={**course, "organizer_opd": "distransnaker"}, headers=disnaker)
    assert own.status_code == 201 and own.json()["organizer_opd"] == "distransnaker"
    conn = await asyncpg.connect(p.training_db)
    try:
        rows = await conn.fetch("SELECT client_id, opd, path, status FROM audit_log WHERE method = 'POST'")
    finally:
        await conn.close()
    assert {(r["opd"], r["path"], r["status"]) for r in rows} >= {("dp3a", "/courses", 201),
                                                                  ("distransnaker", "/courses", 201)}


async def test_every_service_serves_the_asyncapi_document_without_try_it(p: Platform) -> None:
    for client in (p.registry, p.training):
        r = await client.get("/asyncapi")
        assert r.status_code == 200 and r.json()["asyncapi"] == "3.0.0"
        assert set(r.json()["channels"]) >= {"registry.events", "training.events", "marketplace.events"}
        assert (await client.post("/asyncapi/try", json={})).status_code in (401, 404, 405)
