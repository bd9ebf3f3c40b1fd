"""The whole platform: four services as real processes trusting Keycloak (a realm of this module's own, found by
OIDC discovery), a Kukar scenario through the HTTP APIs only with the realm's machine-client tokens, and every
indicator on the monitoring service checked against figures computed independently from the scenario."""

import asyncio
import json
import re
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from berdaya_contracts.topics import all_topics, physical

from deploy.demo.driver import Driver, load
from deploy.demo.scenario import Scenario, generate
from deploy.keycloak.tokens import ClientCredentials
from tests.disclosure import adversary
from tests.e2e import expected
from tests.support import privacy
from tests.support.auth import keycloak_processes
from tests.support.platform import Platform, running_platform

pytestmark = pytest.mark.e2e
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "e2e"


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def trust() -> AsyncIterator[tuple[dict[str, str], ClientCredentials]]:
    async with keycloak_processes() as (env, headers, _realm):
        yield env, headers


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def tokens(trust: tuple[dict[str, str], ClientCredentials]) -> ClientCredentials:
    return trust[1]


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def platform(trust: tuple[dict[str, str], ClientCredentials], kafka_bootstrap: str,
                   database_server_url: str) -> AsyncIterator[Platform]:
    async with running_platform(kafka_bootstrap, database_server_url, log_dir=ARTIFACTS, extra_env=trust[0]) as p:
        yield p


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def scenario(platform: Platform, tokens: ClientCredentials) -> Scenario:
    s = generate(220, seed=11)
    driver = Driver(platform.endpoints, namespace="e2e", headers=tokens)
    try:
        await load(driver, s, progress=lambda line: None)
    finally:
        await driver.close()
    return s


async def _settled(platform: Platform, tokens: ClientCredentials, want: dict, timeout_s: float = 120.0) -> dict:
    """Poll monitoring until its exact regency figures equal ``want`` (events are still flowing until then)."""
    deadline = time.monotonic() + timeout_s
    got: dict = {}
    internal = tokens["dp3a_evaluation"]  # DP3A's evaluation team: exact figures
    async with httpx.AsyncClient(base_url=platform.endpoints.monitoring, timeout=10, headers=internal) as client:
        while time.monotonic() < deadline:
            body = (await client.get("/api/indicators")).json()
            got = {i["indicator"]: i["cells"][0]["value"] for i in body["indicators"]}
            if got == want:
                return got
            await asyncio.sleep(0.5)
    return got


async def test_every_indicator_matches_the_scenario(platform: Platform, scenario: Scenario,
                                                   tokens: ClientCredentials) -> None:
    want = expected.indicators(scenario)
    got = await _settled(platform, tokens, want)
    wrong = {k: (got.get(k), v) for k, v in want.items() if got.get(k) != v}
    assert not wrong, f"indicator: (monitoring, expected) {wrong}"
    assert set(got) == set(want), "an indicator of the catalogue is not checked here"


async def test_figures_by_kecamatan_exact_inside_protected_outside(platform: Platform, scenario: Scenario,
                                                                  tokens: ClientCredentials) -> None:
    """Both faces: the evaluation team's exact figures, and after a release the public's, equal to what the
    stated policy publishes for the scenario's registrations; then an outsider attacks everything published."""
    from monitoring.domain.disclosure import cells, protect
    from monitoring.domain.disclosure.tables import FAMILY

    base = platform.endpoints.monitoring
    async with httpx.AsyncClient(base_url=base, timeout=600, headers=tokens["dp3a_evaluation"]) as client:
        body = (await client.get("/api/indicators", params={"indicator": "women_registered",
                                                             "group_by": "kecamatan"})).json()
        assert body["face"] == "internal"
        assert {c["key"]: c["value"] for c in body["indicators"][0]["cells"]} == expected.by_kecamatan(scenario)
        assert min(expected.by_kecamatan(scenario).values()) < 5, "the scenario should have a small kecamatan"
        made = await client.post("/api/admin/releases", headers=tokens["monitoring_admin"])
        assert made.status_code == 200, made.text
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / "release.json").write_text(made.text)  # what the release published and withheld
    space = cells.build(FAMILY["women"], "2025", [f"2025-{m:02d}" for m in range(1, 13)], expected.women_rows(scenario))
    status = protect.protect([space])
    async with httpx.AsyncClient(base_url=base, timeout=120) as public:
        for dim in ("kecamatan", "desa", "age_band", "pekka_category"):
            got = (await public.get("/api/indicators", params={"indicator": "women_registered", "group_by": dim,
                                                                "period": "2025"})).json()
            published = {(c["key"] or "?"): c["value"] for c in got["indicators"][0]["cells"]}
            want = {k[3]: (space.cells[k].value if status[k] == "published" else None)
                    for k in space.cells if k[:3] == ("women_registered", "2025", dim)}
            assert published == want, dim
        assert any(v is None for v in published.values())
        pub = await adversary.gather(public)
        assert pub.conflicts == []
        assert adversary.findings(pub) == []


async def test_funnel_from_registration_to_above_the_poverty_line(platform: Platform, scenario: Scenario,
                                                                  tokens: ClientCredentials) -> None:
    async with httpx.AsyncClient(base_url=platform.endpoints.monitoring, timeout=10,
                                 headers=tokens["dp3a_evaluation"]) as client:
        steps = (await client.get("/api/funnel")).json()
    assert {s["step"]: s["value"] for s in steps} == expected.funnel(scenario)


async def test_no_topic_carries_personal_data(platform: Platform, scenario: Scenario, kafka_bootstrap: str) -> None:
    """UU PDP: after the whole scenario, no message on any topic holds a woman's NIK, name, phone or birth date."""
    topics = [physical(t.name, platform.namespace) for t in all_topics()]
    records = await privacy.read_topics(kafka_bootstrap, topics)
    assert len(records) > 3 * len(scenario.women), "the scan read too little to mean anything"
    people = [privacy.Person(w.nik, w.full_name, w.birth_date, w.phone) for w in scenario.women]
    assert privacy.findings(records, people) == []


async def test_a_retried_scenario_changes_nothing(platform: Platform, scenario: Scenario,
                                                  tokens: ClientCredentials) -> None:
    """The rural retry: the same commands again with the same Idempotency-Keys add no event and no figure."""
    driver = Driver(platform.endpoints, namespace="e2e", headers=tokens)
    try:
        await load(driver, scenario, progress=lambda line: None)
    finally:
        await driver.close()
    want = expected.indicators(scenario)
    got = await _settled(platform, tokens, want, timeout_s=10)
    assert got == want


async def test_every_log_line_is_structured_and_free_of_personal_data(platform: Platform, scenario: Scenario) -> None:
    """Each service's whole log of the run: one JSON object a line with timestamp, level, service, correlation
    and trace ids; every request's access line carries its correlation id (and, past the operational routes, its
    trace id); no line holds a woman's NIK, name, phone number or birth date (UU PDP)."""
    lines: list[tuple[str, bytes]] = []
    for service, path in platform.logs.items():
        for number, raw in enumerate(path.read_bytes().splitlines(), 1):
            where = f"{service}.log:{number}"
            record = json.loads(raw)  # a line that is not JSON fails here, naming nothing of its content
            assert {"timestamp", "level", "service", "logger", "message", "correlation_id", "trace_id"} <= set(record)
            assert record["service"] == service, where
            if record["logger"] == "uvicorn.access":
                assert record["correlation_id"], where
                assert "?" not in record["path"], f"{where}: a query string in the access log"
                assert record["trace_id"] or record["path"] in ("/health", "/ready", "/metrics"), where
            assert re.fullmatch(r"[0-9a-f]{32}", record["trace_id"] or "0" * 32), where
            assert re.fullmatch(r"[0-9a-f]{16}", record["span_id"] or "0" * 16), where
            # A span id is 16 hex digits, now and then all decimal: the NIK-shape scan would take it for a NIK.
            scanned = {k: v for k, v in record.items() if k not in ("trace_id", "span_id")}
            lines.append((where, json.dumps(scanned, ensure_ascii=False).encode()))
    assert sum(b'"uvicorn.access"' in line for _, line in lines) > 2 * len(scenario.women), "too few lines to mean much"
    people = [privacy.Person(w.nik, w.full_name, w.birth_date, w.phone) for w in scenario.women]
    assert privacy.findings(lines, people) == []
