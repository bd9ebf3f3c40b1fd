"""Bulk import of OPD lists: valid rows registered once, invalid rows reported with reasons."""

import asyncio
import csv
import io
import random
from datetime import datetime

import asyncpg
import httpx
from openpyxl import Workbook, load_workbook
from registry.adapters.spreadsheets import report_csv, report_xlsx

from tests.registry.helpers import events_about, nik_for, random_birth, records_since_start, unique_name

rng = random.Random(20251128)
HEADER = ["NIK", "Nama Lengkap", "Tanggal Lahir", "No HP", "Kecamatan", "Kode Desa", "Jumlah Anggota Keluarga",
          "Kategori PEKKA"]
BAD_KINDS = ["nik_length", "male", "impossible_date", "household", "no_name", "kecamatan"]
EXPECTED_FIELD = {"nik_length": "NIK", "male": "NIK", "impossible_date": "NIK", "household": "Jumlah Anggota Keluarga",
                  "no_name": "Nama Lengkap", "kecamatan": "Kecamatan"}


def build_rows(count: int, bad_every: int) -> tuple[list[list[object]], dict[int, str], list[str]]:
    rows, bad, pii = [], {}, []
    serial = rng.randint(1000, 5000)
    for i in range(count):
        birth = random_birth(rng)
        serial += 1
        nik = nik_for(birth, serial % 10000 or 1, area="640206")
        name = unique_name(rng)
        row: list[object] = [
            nik if i % 3 else int(nik),  # some lists hold the NIK as a number
            name,
            datetime(birth.year, birth.month, birth.day) if i % 2 else birth.strftime("%d/%m/%Y"),
            f"08{rng.randint(10**9, 10**10 - 1)}",
            "Tenggarong" if i % 4 else "64.02.06",
            "64.02.06.1001",
            rng.randint(1, 8),
            rng.choice(["none", "productive", "Produktif", "lansia", ""]),
        ]
        pii += [nik, name]
        if i % bad_every == bad_every - 1:
            kind = BAD_KINDS[len(bad) % len(BAD_KINDS)]
            bad[i + 2] = kind  # spreadsheet row number: the header is row 1
            if kind == "nik_length":
                row[0] = nik[:-1]
            elif kind == "male":
                row[0] = nik_for(birth, 1, woman=False)
            elif kind == "impossible_date":
                row[0] = nik[:6] + "7002" + nik[10:]  # 30 February
            elif kind == "household":
                row[6] = 0
            elif kind == "no_name":
                row[1] = None
            else:
                row[4] = "Kecamatan Khayalan"
        rows.append(row)
    return rows, bad, pii


def xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def test_xlsx_of_1000_rows_with_50_bad_imports_950_once_and_reports_the_50(
    client: httpx.AsyncClient, kafka_bootstrap: str, registry: tuple[httpx.AsyncClient, str]
) -> None:
    rows, bad, pii = build_rows(1000, 20)
    assert len(bad) == 50
    data = xlsx(rows)
    files = {"file": ("daftar-perempuan-tenggarong.xlsx", data, "application/octet-stream")}

    first = await client.post("/women/imports", files=files)
    assert first.status_code == 201, first.text
    summary = first.json()
    assert (summary["rows_total"], summary["registered"], summary["already_registered"], summary["rejected"]) == (
        1000, 950, 0, 50)

    report = await client.get(summary["error_report"]["csv"])
    assert report.status_code == 200 and report.headers["content-type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(report.content.decode("utf-8-sig"))))
    assert lines[0] == ["baris", "kolom", "alasan"]
    reported = {int(r[0]): (r[1], r[2]) for r in lines[1:]}
    assert set(reported) == set(bad)
    for row_no, kind in bad.items():
        column, reason = reported[row_no]
        assert column == EXPECTED_FIELD[kind], (row_no, kind, column, reason)
        assert reason
    assert "laki-laki" in reported[next(r for r, k in bad.items() if k == "male")][1]
    assert all(value not in report.text for value in pii)  # the report never repeats NIKs or names

    workbook = load_workbook(io.BytesIO((await client.get(summary["error_report"]["xlsx"])).content))
    assert workbook.active.max_row == 51

    second = await client.post("/women/imports", files=files)
    assert second.status_code == 201
    assert (second.json()["registered"], second.json()["already_registered"], second.json()["rejected"]) == (
        0, 950, 50)

    refs: set[str] = set()
    for offset in range(0, 1000, 200):
        page = (await client.get("/women", params={"limit": 200, "offset": offset})).json()
        refs |= {w["person_ref"] for w in page["items"]}
    assert len(refs) == page["total"] == 950

    events = await events_about(kafka_bootstrap, refs, expected=950, timeout_s=60)
    assert len(events) == 950 and {e["event_type"] for e in events} == {"registry.WomanRegistered"}
    assert {e["payload"]["kecamatan_code"] for e in events} == {"64.02.06"}
    conn = await asyncpg.connect(registry[1])
    try:
        assert await conn.fetchval("SELECT count(*) FROM outbox WHERE event_type = 'registry.WomanRegistered'") == 950
    finally:
        await conn.close()

    blob = b"\n".join(r.value or b"" for r in await records_since_start(kafka_bootstrap))
    assert [v for v in pii if v.encode() in blob] == []


async def test_csv_with_semicolons_and_indonesian_dates_and_a_retried_upload(client: httpx.AsyncClient) -> None:
    birth = random_birth(rng)
    text = (
        "nik;nama;tanggal_lahir;kecamatan;jumlah_anggota_keluarga;kategori_pekka\n"
        f"{nik_for(birth, 7777, area='640213')};Wahyu Ningsih;{birth.strftime('%d-%m-%Y')};Samboja;3;lansia\n"
        ";;;;;\n"
        "123;=HYPERLINK(\"http://x\");31/02/1990;Samboja;3;lansia\n"
    )
    files = {"file": ("daftar.csv", text.encode(), "text/csv")}
    headers = {"Idempotency-Key": "impor-samboja-" + str(rng.random())}
    first = await client.post("/women/imports", files=files, headers=headers)
    assert first.status_code == 201, first.text
    assert (first.json()["rows_total"], first.json()["registered"], first.json()["rejected"]) == (2, 1, 1)
    retry = await client.post("/women/imports", files=files, headers=headers)
    assert retry.json() == first.json() and retry.headers.get("Idempotent-Replayed") == "true"
    errors = (await client.get(first.json()["error_report"]["csv"])).text
    assert "HYPERLINK" not in errors
    assert {line.split(",")[1] for line in errors.strip().splitlines()[1:]} >= {"nik", "tanggal_lahir"}


async def test_two_copies_of_an_upload_sent_at_once_register_once_and_get_the_same_answer(
    client: httpx.AsyncClient,
) -> None:
    birth = random_birth(rng)
    text = ("nik,nama,tanggal_lahir,kecamatan,jumlah_anggota_keluarga\n"
            f"{nik_for(birth, 7001, area='640213')},Sri Wahyuni,{birth.isoformat()},Samboja,4\n")
    files = {"file": ("daftar.csv", text.encode(), "text/csv")}
    headers = {"Idempotency-Key": "impor-bersamaan-" + str(rng.random())}
    first, second = await asyncio.gather(client.post("/women/imports", files=files, headers=headers),
                                         client.post("/women/imports", files=files, headers=headers))
    assert first.status_code == second.status_code == 201, (first.text, second.text)
    assert first.json() == second.json() and first.json()["registered"] == 1
    assert sorted(str(r.headers.get("Idempotent-Replayed")) for r in (first, second)) == ["None", "true"]


async def test_a_file_without_the_required_columns_is_refused_as_a_whole(client: httpx.AsyncClient) -> None:
    response = await client.post("/women/imports", files={"file": ("x.csv", b"nama,alamat\nSiti,Jl. Mawar\n", "text/csv")})
    assert response.status_code == 422
    assert "nik" in response.json()["pesan"]
    broken = await client.post("/women/imports", files={"file": ("x.xlsx", b"PK\x03\x04garbage", "application/zip")})
    assert broken.status_code == 422
    for garbage in (bytes(range(256)) * 4, b"nik,nama\n\x81\x8d\x9d", b"", b"nik\n"):
        response = await client.post("/women/imports", files={"file": ("x.csv", garbage, "text/csv")})
        assert response.status_code == 422, (garbage[:20], response.text)


def test_error_reports_neutralise_spreadsheet_formulas() -> None:
    rows = [(2, "nik", "=cmd|' /C calc'!A0"), (3, "+kolom", "@SUM(1)"), (4, "nama", "-1+1")]
    text = report_csv(rows).decode("utf-8-sig")
    assert "'=cmd" in text and "'+kolom" in text and "'@SUM" in text and "'-1+1" in text
    sheet = load_workbook(io.BytesIO(report_xlsx(rows))).active
    assert [c.value for c in sheet[2]] == [2, "nik", "'=cmd|' /C calc'!A0"]
    assert sheet.cell(4, 3).data_type == "s"
