"""Every read endpoint of every service against every kind of agency client and no token, generated from the
services' OpenAPI documents (least privilege, issue 24): a subscriber's ``public:read`` reads only what is
published; records about a person need OPD staff; personal data needs a personal-data client.

Who may read what is written out here from the issue, route by route (not read from the services' policies): a
read endpoint that is not listed fails the test until someone decides who may call it. Tokens are Keycloak's, one
machine client per profile (the realm file), as in the write matrix (test_matrix.py, whose services this module
starts again with a realm of its own). No token -> 401 unless public; a token without the scope -> 403; an allowed
client gets past authorisation (an unknown ref then earns a 404: anything but 401/403).
"""

import asyncio
import random
from typing import Any

from berdaya_shared.scopes import PROFILES

from tests.auth.test_matrix import SERVICES, Service, concrete, realm, services  # noqa: F401 (fixtures)
from tests.registry.helpers import woman_body

CLIENTS = tuple(PROFILES)
EVERYONE = "public"  # no token needed
ANY = frozenset(PROFILES)  # any valid token, a subscriber's too
OFFICERS = frozenset({"dp3a", "diskop_ukm", "distransnaker", "disperindag"})  # OPD staff: records:read
PERSONAL = frozenset({"dp3a", "diskop_ukm", "dp3a_case_worker"})  # personal_data:read
PURPOSE = {"X-Purpose": "uji matriks akses baca"}
ENROLLERS = frozenset({"dp3a", "distransnaker"})  # enrolment_search:read: OPDs whose staff enrol women in courses

READERS: dict[tuple[str, str], frozenset[str] | str] = {
    **{(s, p): EVERYONE for s in SERVICES for p in ("/asyncapi", "/asyncapi.json", "/health", "/ready")},
    # registry: the women's register, her welfare and aid identify her; businesses name an owner and a NIB
    ("registry", "/women"): PERSONAL,
    ("registry", "/women/{person_ref}"): PERSONAL,
    ("registry", "/women/{person_ref}/welfare-assessments"): PERSONAL,
    ("registry", "/women/{person_ref}/aid"): PERSONAL,
    ("registry", "/women/imports/{import_ref}"): OFFICERS,
    ("registry", "/women/imports/{import_ref}/errors.csv"): PERSONAL,
    ("registry", "/women/imports/{import_ref}/errors.xlsx"): PERSONAL,
    ("registry", "/women/imports/{import_ref}/held"): PERSONAL,
    ("registry", "/aid/{aid_ref}/case-notes"): frozenset({"dp3a_case_worker"}),
    ("registry", "/women/{person_ref}/journey"): PERSONAL,
    ("registry", "/possible-duplicates"): PERSONAL,  # pairs of records with what differs
    ("registry", "/merges/{merge_ref}"): OFFICERS,  # two refs and a date: no name
    ("registry", "/unreached-women"): PERSONAL,  # names of women not yet reached
    ("registry", "/unreached-women.csv"): PERSONAL,
    ("registry", "/poverty-lines"): ANY,  # a published figure
    ("registry", "/businesses"): OFFICERS,
    ("registry", "/businesses/{business_ref}"): OFFICERS,
    ("registry", "/businesses/{business_ref}/reports"): OFFICERS,
    ("registry", "/coops/{coop_ref}"): OFFICERS,
    ("registry", "/audit/pii-access"): frozenset({"dp3a_dpo"}),
    ("registry", "/audit/changes"): frozenset({"dp3a_dpo"}),
    # training: the catalogue is public information; who takes part is not
    ("training", "/courses"): ANY,
    ("training", "/courses/{course_ref}"): ANY,
    ("training", "/courses/{course_ref}/enrolments"): OFFICERS,
    ("training", "/courses/{course_ref}/enrolments/{person_ref}"): OFFICERS,
    ("training", "/courses/{course_ref}/sessions/{session_no}/attendance"): OFFICERS,
    ("training", "/placements"): OFFICERS,
    ("training", "/placements/{placement_ref}"): OFFICERS,
    # marketplace: fairs, booths, listings and sales name their owners
    ("marketplace", "/fairs"): OFFICERS,
    ("marketplace", "/fairs/{fair_ref}"): OFFICERS,
    ("marketplace", "/fairs/{fair_ref}/booths"): OFFICERS,
    ("marketplace", "/listings"): OFFICERS,
    ("marketplace", "/sales"): OFFICERS,
    # monitoring: the published aggregates and rounds (their published face) are for everyone
    **{("monitoring", p): EVERYONE for p in (
        "/api/catalog", "/api/indicators", "/api/periods", "/api/funnel", "/api/cohort", "/api/headline", "/api/export",
        "/api/stream", "/api/targets", "/api/rounds", "/api/rounds/compare", "/api/rounds/{round_ref}",
        "/api/rounds/{round_ref}/late-data", "/api/rounds/{round_ref}/export.xlsx", "/rounds/{round_ref}/cetak")},
    ("monitoring", "/api/admin/rebuild"): frozenset({"monitoring_admin"}),
}
# Staff pages (not in OpenAPI; a signed-in session, not a bearer token): the possible-duplicates queue is for the
# roles the merge API allows, and no one else.
MERGERS = frozenset({"dp3a"})  # women:write
PAGES: dict[tuple[str, str, str], frozenset[str]] = {
    ("registry", "GET", "/kemungkinan-ganda"): MERGERS,
    ("registry", "GET", "/kemungkinan-ganda/{person_ref}/{other_ref}"): MERGERS,
    ("registry", "POST", "/kemungkinan-ganda/{person_ref}/{other_ref}/gabung"): MERGERS,
    ("registry", "POST", "/kemungkinan-ganda/{person_ref}/{other_ref}/bukan-ganda"): MERGERS,
    ("registry", "GET", "/penggabungan/{merge_ref}"): MERGERS,
    ("registry", "POST", "/penggabungan/{merge_ref}/batal"): MERGERS,
}
STREAMS = {("monitoring", "/api/stream")}  # answers never end: past authorisation once the stream starts


def read_operations(app: Any) -> list[tuple[str, dict[str, Any]]]:
    return [(p, ops["get"]) for p, ops in app.openapi()["paths"].items() if "get" in ops]


async def get(service: Service, path: str, url: str, headers: dict[str, str]) -> int:
    """The status of GET ``url``; 200 for a stream that started (no refusal within 3 s)."""
    request = service.client.get(url, headers={**headers, **PURPOSE})
    if (service.name, path) not in STREAMS:
        return (await request).status_code
    try:
        return (await asyncio.wait_for(request, 3)).status_code
    except TimeoutError:
        return 200


def test_every_read_endpoint_has_an_expectation() -> None:
    import importlib

    missing = []
    for name in SERVICES:
        app = importlib.import_module(f"{name}.bootstrap").create_app()
        missing += [f"{name}: GET {path}" for path, _ in read_operations(app) if (name, path) not in READERS]
    assert missing == [], "decide who may read these and add them to READERS"


def test_every_route_is_in_its_service_policy() -> None:
    import importlib

    for name in SERVICES:
        app = importlib.import_module(f"{name}.bootstrap").create_app()
        assert app.state.auth_policy.default_read is None, f"{name}: an unlisted read must be refused"
        assert app.state.auth_policy.missing(app) == [], name


def test_the_duplicate_queue_pages_are_for_the_merge_apis_roles_only() -> None:
    import importlib

    def holders(service: str, method: str, path: str) -> frozenset[str]:
        rule = importlib.import_module(f"{service}.entrypoints.policy").POLICY.rule_for(method, path)
        assert rule is not None and rule.scope is not None, f"{service}: {method} {path} has no scope"
        return frozenset(p for p, (_opd, scopes) in PROFILES.items() if rule.scope in scopes)

    for (service, method, path), allowed in PAGES.items():
        assert holders(service, method, path) == allowed, f"{service}: {method} {path}"
    assert MERGERS == holders("registry", "POST", "/merges") == holders("registry", "POST", "/merges/{merge_ref}/undo")


async def test_the_read_matrix(services: dict[str, Service]) -> None:  # noqa: F811 (fixture)
    failures: list[str] = []
    checked = 0
    for name, service in services.items():
        for path, operation in read_operations(service.app):
            allowed = READERS.get((name, path))
            if allowed is None:
                failures.append(f"{name}: GET {path} has no expectation")
                continue
            url = concrete(path, operation)
            status = await get(service, path, url, {})
            if allowed == EVERYONE and status in (401, 403):
                failures.append(f"{name}: no token refused: GET {path} -> {status}")
            if allowed != EVERYONE and status != 401:
                failures.append(f"{name}: no token: GET {path} -> {status}")
            for profile in CLIENTS:
                status = await get(service, path, url, service.tokens[profile])
                checked += 1
                may = allowed == EVERYONE or profile in allowed
                if may and status in (401, 403):
                    failures.append(f"{name}: {profile} refused: GET {path} -> {status}")
                if not may and status != 403:
                    failures.append(f"{name}: {profile} not refused: GET {path} -> {status}")
    assert failures == [], "\n".join(failures)
    assert checked >= len(READERS) * len(CLIENTS) - len(CLIENTS) * 8  # every listed route was tried


async def test_a_subscriber_cannot_re_identify_a_woman(services: dict[str, Service]) -> None:  # noqa: F811
    """The probe's requests: with a subscriber's token, a woman's businesses (name, NIB), aid and welfare."""
    registry = services["registry"]
    tokens = registry.tokens
    made = await registry.client.post("/women", headers=tokens["dp3a"], json=woman_body(random.Random(24)))
    assert made.status_code == 201, made.text
    ref = made.json()["person_ref"]
    business = await registry.client.post("/businesses", headers=tokens["diskop_ukm"], json={
        "owner_person_ref": ref, "name": "Amplang Bu Sari", "sector": "kuliner", "kecamatan_code": "64.02.06",
        "nib": "9120001234567", "started_on": "2021-05-01"})
    assert business.status_code == 201, business.text
    aid = await registry.client.post(f"/women/{ref}/aid", headers=tokens["dp3a"], json={
        "kind": "legal_assistance", "provided_on": "2025-03-01"})
    assert aid.status_code == 201, aid.text
    subscriber = tokens["subscriber"]
    for url in (f"/businesses?owner_person_ref={ref}", f"/businesses/{business.json()['business_ref']}",
                f"/women/{ref}/aid", f"/women/{ref}/welfare-assessments"):
        r = await registry.client.get(url, headers=subscriber)
        assert r.status_code == 403, (url, r.text)
        assert "9120001234567" not in r.text and "legal_assistance" not in r.text
    # OPD staff still read them
    r = await registry.client.get(f"/businesses?owner_person_ref={ref}", headers=tokens["diskop_ukm"])
    assert r.status_code == 200 and r.json()["items"][0]["nib"] == "9120001234567"
    r = await registry.client.get(f"/women/{ref}/aid", headers=tokens["dp3a_case_worker"])
    assert r.status_code == 200 and r.json()[0]["kind"] == "legal_assistance"


async def test_published_reads_stay_open(services: dict[str, Service]) -> None:  # noqa: F811
    monitoring = services["monitoring"]
    assert (await monitoring.client.get("/api/headline")).status_code == 200
    r = await services["training"].client.get("/courses", headers=services["training"].tokens["subscriber"])
    assert r.status_code == 200
    r = await services["registry"].client.get("/poverty-lines", headers=services["registry"].tokens["subscriber"])
    assert r.status_code == 200


async def test_a_case_note_needs_its_scope_whichever_route_writes_it(services: dict[str, Service]) -> None:  # noqa: F811
    """The probe's side door: ``POST /women/{ref}/aid`` with a ``case_note`` and a token without aid_notes:write."""
    registry = services["registry"]
    tokens = registry.tokens
    made = await registry.client.post("/women", headers=tokens["dp3a"], json=woman_body(random.Random(2401)))
    assert made.status_code == 201, made.text
    url = f"/women/{made.json()['person_ref']}/aid"
    with_note = {"kind": "legal_assistance", "provided_on": "2025-03-01", "case_note": "Pendampingan kasus KDRT"}
    refused = await registry.client.post(url, headers=tokens["dp3a"], json=with_note)
    assert refused.status_code == 403, refused.text
    assert refused.json()["required_scope"] == "aid_notes:write"
    assert refused.json()["kesalahan"][0]["field"] == "case_note"
    assert (await registry.client.post(url, headers=tokens["dp3a"], json={**with_note, "case_note": None})
            ).status_code == 201
    written = await registry.client.post(url, headers=tokens["dp3a_case_worker"], json=with_note)
    assert written.status_code == 201, written.text
    notes = await registry.client.get(f"/aid/{written.json()['aid_ref']}/case-notes",
                                      headers={**tokens["dp3a_case_worker"], **PURPOSE})
    assert [n["note"] for n in notes.json()] == ["Pendampingan kasus KDRT"]
    aids = await registry.client.get(url, headers={**tokens["dp3a"], **PURPOSE})
    assert len(aids.json()) == 2  # the refused request stored nothing


async def test_round_notes_and_approval_need_their_scopes_not_only_an_opd(services: dict[str, Service]) -> None:  # noqa: F811
    """The probe's request: a data-protection officer (audit:read only, OPD dp3a) writing DP3A's note in a round."""
    monitoring = services["monitoring"]
    tokens = monitoring.tokens
    opened = await monitoring.client.post("/api/rounds", headers=tokens["dp3a"],
                                          json={"period_kind": "month", "period": "2025-02", "title": "Rapat"})
    assert opened.status_code == 201, opened.text
    ref = opened.json()["round_ref"]
    note = {"progress_note": "Pelatihan batik selesai"}
    dpo = await monitoring.client.put(f"/api/rounds/{ref}/notes/dp3a", headers=tokens["dp3a_dpo"], json=note)
    assert dpo.status_code == 403 and dpo.json()["required_scope"] == "rounds:write", dpo.text
    assert (await monitoring.client.put(f"/api/rounds/{ref}/notes/dp3a", headers=tokens["dp3a"], json=note)
            ).status_code == 200
    for profile in ("dp3a", "dp3a_dpo", "monitoring_admin"):  # DP3A's OPD, but not the evaluation team's scope
        r = await monitoring.client.post(f"/api/rounds/{ref}/approve", headers=tokens[profile])
        assert r.status_code == 403 and r.json()["required_scope"] == "rounds:approve", (profile, r.text)
    approved = await monitoring.client.post(f"/api/rounds/{ref}/approve", headers=tokens["dp3a_evaluation"])
    assert approved.status_code == 200 and approved.json()["status"] == "approved", approved.text


async def test_finding_a_woman_to_enrol_is_for_the_opds_that_enrol(services: dict[str, Service]) -> None:  # noqa: F811
    """``POST /women/enrolment-search`` is a read of names (a POST so the name stays out of URLs): every profile,
    and no token. An allowed client gets past authorisation: an unknown course then earns a 409, never a name."""
    registry = services["registry"]
    body = {"course_ref": "00000000-0000-4000-8000-000000000017", "name": "Siti"}
    assert (await registry.client.post("/women/enrolment-search", json=body, headers=PURPOSE)).status_code == 401
    failures = []
    for profile in CLIENTS:
        r = await registry.client.post("/women/enrolment-search", json=body,
                                       headers={**registry.tokens[profile], **PURPOSE})
        expected = 409 if profile in ENROLLERS else 403
        if r.status_code != expected:
            failures.append(f"{profile}: {r.status_code} (expected {expected}) {r.text[:120]}")
    assert failures == [], "\n".join(failures)
