"""Every write endpoint of every service against every kind of agency client, generated from the
services' OpenAPI documents, so a new endpoint cannot be forgotten.

The tokens are Keycloak's: a realm of this module's own (the realm file), one machine client per client profile
(client-credentials grant), and the four services trusting that realm through discovery and JWKS, as deployed.
Who may write what is written out here from the issue (not read from the services' policies), by path
prefix; a write endpoint that no prefix covers fails the test until someone decides who may call it.
No token -> 401; a token without the scope -> 403; an allowed client gets past authorisation (the
empty body then earns a 422, an unknown ref a 404: anything but 401/403).
"""

import importlib
import random
import re
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from berdaya_shared.messaging import MessagingSettings
from berdaya_shared.scopes import PROFILES
from fastapi import FastAPI

from deploy.keycloak.tokens import ClientCredentials
from tests.registry.helpers import woman_body
from tests.support import auth, infra
from tests.support.kafka import unique
from tests.support.keycloak import KeycloakServer, TestRealm
from tests.support.namespaces import create_namespace, delete_namespace

REPO = Path(__file__).resolve().parents[2]
# Every service in the repository, so a new one is in the matrix the day it lands.
SERVICES = tuple(sorted(d.name for d in (REPO / "services").iterdir() if (d / "pyproject.toml").exists()))
WRITE = {"post", "put", "patch", "delete"}
CLIENTS = tuple(PROFILES)  # dp3a, diskop_ukm, distransnaker, disperindag, case worker, DPO, monitoring admin, subscriber
# (the realm's machine client of each profile: deploy.keycloak.tokens.MACHINE_CLIENTS)

# (service, path prefix) -> the client profiles allowed to write there. Longest prefix wins.
WRITERS: dict[tuple[str, str], set[str]] = {
    ("registry", "/women"): {"dp3a"},
    ("registry", "/women/lookup"): {"dp3a", "diskop_ukm", "dp3a_case_worker"},  # a personal-data read by NIK
    ("registry", "/merges"): {"dp3a"},  # two records of one woman become one (and back)
    ("registry", "/women/search"): {"dp3a", "diskop_ukm", "dp3a_case_worker"},  # a personal-data read
    ("registry", "/women/names"): {"dp3a", "distransnaker"},  # their own courses' participants' names (a read)
    ("registry", "/women/enrolment-search"): {"dp3a", "distransnaker"},  # a woman to enrol, by name (a read)
    ("registry", "/women/{person_ref}/welfare-assessments"): {"dp3a"},
    ("registry", "/poverty-lines"): {"dp3a"},
    ("registry", "/women/{person_ref}/aid"): {"dp3a", "dp3a_case_worker"},
    ("registry", "/aid/{aid_ref}/case-notes"): {"dp3a_case_worker"},
    ("registry", "/businesses"): {"diskop_ukm"},
    ("registry", "/coops"): {"diskop_ukm"},
    ("registry", "/capital-disbursements"): {"diskop_ukm"},
    ("training", "/courses"): {"dp3a", "distransnaker"},
    ("training", "/placements"): {"distransnaker"},
    ("marketplace", "/"): {"disperindag"},
    ("monitoring", "/api/"): {"monitoring_admin"},
    # Evaluation rounds: each OPD's staff write (rounds:write; the handlers also keep an OPD to its own notes);
    # the evaluation team approves (rounds:approve) -- a scope, not just the token's OPD (issue 24).
    ("monitoring", "/api/rounds"): {"dp3a", "diskop_ukm", "distransnaker", "disperindag"},
    ("monitoring", "/api/rounds/{round_ref}/approve"): {"dp3a_evaluation"},
}
# Public on purpose: exchanging client credentials for a token cannot need a token (the registry's own token
# endpoint, until it is retired in favour of Keycloak's).
PUBLIC_WRITES: set[tuple[str, str, str]] = set()


@dataclass
class Service:
    name: str
    app: FastAPI
    client: httpx.AsyncClient
    tokens: ClientCredentials


def writers_of(service: str, path: str) -> set[str] | None:
    matches = [(len(p), who) for (s, p), who in WRITERS.items() if s == service and path.startswith(p)]
    return max(matches, key=lambda m: m[0])[1] if matches else None


def concrete(path: str, operation: dict[str, Any]) -> str:
    """Fill path parameters with well-formed values of their schema's type."""
    params = {p["name"]: p.get("schema", {}) for p in operation.get("parameters", []) if p.get("in") == "path"}

    def value(match: re.Match[str]) -> str:
        schema = params.get(match.group(1), {})
        kind, fmt = schema.get("type"), schema.get("format")
        if fmt == "uuid":
            return str(uuid.uuid4())
        if fmt == "date":
            return "2031-01-01"
        return "1" if kind == "integer" else "x"

    return re.sub(r"\{([^}]+)\}", value, path)


def write_operations(app: FastAPI) -> list[tuple[str, str, dict[str, Any]]]:
    return [(m.upper(), p, op) for p, ops in app.openapi()["paths"].items() for m, op in ops.items() if m in WRITE]


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def realm(keycloak: KeycloakServer) -> AsyncIterator[TestRealm]:
    made = await keycloak.create_realm()
    yield made
    await made.delete()


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def services(realm: TestRealm, kafka_bootstrap: str, database_server_url: str) -> AsyncIterator[dict[str, Service]]:
    tokens = await auth.realm_headers(realm).prefetch()
    assert set(tokens) == set(CLIENTS)
    namespace = await create_namespace(kafka_bootstrap)
    messaging = MessagingSettings(kafka_bootstrap_servers=kafka_bootstrap, topic_namespace=namespace)
    urls = {s: await infra.create_database(database_server_url, prefix=f"mx_{s[:4]}") for s in SERVICES}
    started: dict[str, Service] = {}
    try:
        for name in SERVICES:
            bootstrap = importlib.import_module(f"{name}.bootstrap")
            config = importlib.import_module(f"{name}.config")
            app = bootstrap.create_app(config.Settings(database_url=urls[name], messaging=messaging),
                                       group_id=unique("g"), auth=auth.keycloak_settings(realm))
            await app.state.runtime.start()
            client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t", timeout=30)
            started[name] = Service(name, app, client, tokens)
        if hasattr(started["monitoring"].app.state, "rebuild_progress"):
            # An allowed rebuild request must not start a real rebuild here: "already running" is 409.
            started["monitoring"].app.state.rebuild_progress.state = "running"
        yield started
    finally:
        for service in started.values():
            await service.client.aclose()
            await service.app.state.runtime.stop()
            await service.app.state.auth.close()
        for url in urls.values():
            await infra.drop_database(database_server_url, url)
        await delete_namespace(kafka_bootstrap, namespace)


def test_the_core_services_are_all_in_the_matrix() -> None:
    assert {"registry", "training", "monitoring"} <= set(SERVICES)


def test_every_write_endpoint_has_an_expectation() -> None:
    missing = []
    for name in SERVICES:
        app = importlib.import_module(f"{name}.bootstrap").create_app()
        for method, path, _ in write_operations(app):
            if (name, method, path) not in PUBLIC_WRITES and writers_of(name, path) is None:
                missing.append(f"{name}: {method} {path}")
    assert missing == [], "decide who may call these and add them to WRITERS"


def test_every_write_endpoint_is_in_its_service_policy() -> None:
    for name in SERVICES:
        app = importlib.import_module(f"{name}.bootstrap").create_app()
        assert app.state.auth_policy.missing(app) == [], name


@pytest.mark.parametrize("name", SERVICES)
async def test_the_write_matrix(services: dict[str, Service], name: str) -> None:
    service = services[name]
    operations = write_operations(service.app)
    assert operations, f"{name} has no write endpoint?"
    failures: list[str] = []
    checked = 0
    for method, path, operation in operations:
        if (name, method, path) in PUBLIC_WRITES:
            continue
        allowed = writers_of(name, path) or set()
        url = concrete(path, operation)
        r = await service.client.request(method, url, json={})
        if r.status_code != 401:
            failures.append(f"no token: {method} {path} -> {r.status_code}")
        elif "Bearer" not in r.headers.get("WWW-Authenticate", ""):
            failures.append(f"no token: {method} {path} has no Bearer challenge")
        for profile in CLIENTS:
            r = await service.client.request(method, url, json={}, headers=service.tokens[profile])
            checked += 1
            if profile in allowed and r.status_code in (401, 403):
                failures.append(f"{profile} refused: {method} {path} -> {r.status_code} {r.text[:160]}")
            # A client without an OPD is refused by OPD-checking handlers with 422 naming X-OPD.
            no_opd = r.status_code == 422 and PROFILES[profile][0] is None and "X-OPD" in r.text
            if profile not in allowed and r.status_code != 403 and not no_opd:
                failures.append(f"{profile} not refused: {method} {path} -> {r.status_code} {r.text[:160]}")
            if profile not in allowed and r.status_code == 403 and not r.json().get("pesan"):
                failures.append(f"{profile}: 403 without a reason: {method} {path}")
    assert failures == [], "\n".join(failures)
    assert checked >= len(CLIENTS)


@pytest.mark.parametrize("name", [s for s in SERVICES if s != "monitoring"])  # its aggregates are public
async def test_reads_need_a_token(services: dict[str, Service], name: str) -> None:
    service = services[name]
    policy = service.app.state.auth_policy
    failures = []
    for path, ops in service.app.openapi()["paths"].items():
        if "get" not in ops or (rule := policy.rule_for("GET", path)) is None or rule.public:
            continue
        r = await service.client.get(concrete(path, ops["get"]))
        if r.status_code != 401:
            failures.append(f"GET {path} -> {r.status_code}")
    assert failures == []


async def test_a_token_keycloak_did_not_sign_is_refused_by_every_service(services: dict[str, Service],
                                                                       realm: TestRealm) -> None:
    # Signed with a key the tests hold (what every service accepted before Keycloak): no longer trusted.
    for name, service in services.items():
        method, path, operation = next(
            (m, p, o) for m, p, o in write_operations(service.app) if (name, m, p) not in PUBLIC_WRITES)
        allowed = sorted(writers_of(name, path) or {"dp3a"})[0]
        own_key = auth.bearer(allowed, issuer=realm.issuer, audience=f"berdaya-{name}")
        expired = auth.bearer(allowed, issuer=realm.issuer, audience=f"berdaya-{name}", ttl_s=60, now=0)
        for bad in (own_key, expired):
            r = await service.client.request(method, concrete(path, operation), json={}, headers=bad)
            assert r.status_code == 401, (name, path, r.text)
            assert "invalid_token" in r.headers["WWW-Authenticate"]


async def test_a_kecamatan_limited_officer_is_refused_another_kecamatans_personal_data(
        services: dict[str, Service], realm: TestRealm) -> None:
    registry = services["registry"]
    rng = random.Random(64)
    made = {}
    for kecamatan, desa in (("64.02.06", "64.02.06.1001"), ("64.02.10", None)):
        r = await registry.client.post("/women", headers=registry.tokens["dp3a"],
                                       json=woman_body(rng, kecamatan_code=kecamatan, desa_code=desa))
        assert r.status_code == 201, r.text
        made[kecamatan] = r.json()["person_ref"]
    # A DP3A officer whose Keycloak account carries the area limit: Tenggarong (64.02.06) only.
    await realm.add_machine("machine-tenggarong", groups=["/dp3a/officer"], kecamatan=["64.02.06"])
    limited = {"Authorization": f"Bearer {await realm.token('machine-tenggarong')}", "X-Purpose": "kunjungan lapangan"}
    assert (await registry.client.get(f"/women/{made['64.02.06']}", headers=limited)).status_code == 200
    other = await registry.client.get(f"/women/{made['64.02.10']}", headers=limited)
    assert other.status_code == 403 and "wilayah kerja" in other.json()["pesan"]
    page = await registry.client.get("/women", headers=limited)
    assert page.status_code == 200 and {w["kecamatan_code"] for w in page.json()["items"]} == {"64.02.06"}
    assert (await registry.client.get("/women?kecamatan_code=64.02.10", headers=limited)).status_code == 403
    regency_wide = {**registry.tokens["dp3a"], "X-Purpose": "rekap"}
    assert (await registry.client.get(f"/women/{made['64.02.10']}", headers=regency_wide)).status_code == 200
