"""Bulk import of OPD lists: a background job that registers valid rows once and reports the others with the fix."""

import asyncio
import io
import random
from datetime import date, datetime

import asyncpg
import httpx
from openpyxl import load_workbook
from registry.adapters.spreadsheets_report import report_csv, report_xlsx

from tests.registry.helpers import events_about, nik_for, random_birth, records_since_start, unique_name
from tests.registry.import_files import csv_bytes, finished, imported, report, upload, xlsx_bytes

rng = random.Random(20251128)
HEADER = ["NIK", "Nama Lengkap", "Tanggal Lahir", "No HP", "Kecamatan", "Kode Desa", "Jumlah Anggota Keluarga",
          "Kategori PEKKA"]
BAD_KINDS = ["nik_length", "male", "impossible_date", "household", "no_name", "kecamatan", "numeric_nik"]
EXPECTED_FIELD = {"nik_length": "NIK", "male": "NIK", "impossible_date": "NIK", "household": "Jumlah Anggota Keluarga",
                  "no_name": "Nama Lengkap", "kecamatan": "Kecamatan", "numeric_nik": "NIK"}


def build_rows(count: int, bad_every: int) -> tuple[list[list[object]], dict[int, str], list[str]]:
    rows, bad, pii = [], {}, []
    serial = rng.randint(1000, 5000)
    for i in range(count):
        birth = random_birth(rng)
        serial += 1
        nik = nik_for(birth, serial % 10000 or 1, area="640206")
        name = unique_name(rng)
        row: list[object] = [
            nik,
            name,
            datetime(birth.year, birth.month, birth.day) if i % 2 else birth.strftime("%d/%m/%Y"),
            f"08{rng.randint(10**9, 10**10 - 1)}" if i % 5 else int(f"8{rng.randint(10**9, 10**10 - 1)}"),
            "Tenggarong" if i % 4 else "64.02.06",
            "64.02.06.1001",
            rng.randint(1, 8) if i % 3 else f"{rng.randint(1, 8)} orang",
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
            elif kind == "kecamatan":
                row[4] = "Kecamatan Khayalan"
            else:
                row[0] = int(nik)  # a NIK column formatted as Number
        rows.append(row)
    return rows, bad, pii


async def test_xlsx_of_1000_rows_with_bad_ones_imports_the_rest_once_in_worker_processes(
    client: httpx.AsyncClient, kafka_bootstrap: str, registry: tuple[httpx.AsyncClient, str]
) -> None:
    rows, bad, pii = build_rows(1000, 20)
    assert len(bad) == 50
    data = xlsx_bytes(("Data", [HEADER, *rows]), text_columns=(1,))
    settings = client._transport.app.state.settings  # type: ignore[attr-defined]
    settings.import_parallel_rows = 500  # this file is read in the worker processes
    try:
        summary = await imported(client, "daftar-perempuan-tenggarong.xlsx", data)
    finally:
        settings.import_parallel_rows = 5000
    assert summary["status"] == "done" and summary["sheet_name"] == "Data"
    assert (summary["rows_total"], summary["rows_read"], summary["registered"], summary["already_registered"],
            summary["rejected"]) == (1000, 1000, 950, 0, 50)

    lines = await report(client, summary)
    refused = {int(r[0]): (r[1], r[2], r[3], r[4]) for r in lines if r[2] == "ditolak"}
    assert set(refused) == set(bad)
    for row_no, kind in bad.items():
        column, _, problem, _ = refused[row_no]
        assert column == EXPECTED_FIELD[kind], (row_no, kind, column, problem)
        assert problem
    assert "laki-laki" in refused[next(r for r, k in bad.items() if k == "male")][2]
    numeric = refused[next(r for r, k in bad.items() if k == "numeric_nik")]
    assert "angka" in numeric[2] and "Format kolom NIK sebagai Teks" in numeric[3]
    text = "\n".join(";".join(r) for r in lines)
    assert all(value not in text for value in pii)  # the report never repeats NIKs or names

    workbook = load_workbook(io.BytesIO((await client.get(summary["error_report"]["xlsx"])).content))
    assert workbook.active.max_row == len(lines) + 1 and workbook.active.freeze_panes == "A2"

    again = await imported(client, "daftar-perempuan-tenggarong.xlsx", data)
    assert (again["registered"], again["already_registered"], again["rejected"]) == (0, 950, 50)

    refs: set[str] = set()
    for offset in range(0, 1000, 200):
        page = (await client.get("/women", params={"limit": 200, "offset": offset})).json()
        refs |= {w["person_ref"] for w in page["items"]}
    assert len(refs) == page["total"] == 950
    assert {w["phone"][:4] for w in page["items"]} == {"+628"}  # number cells and text alike, one form

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
    headers = {"Idempotency-Key": "impor-samboja-" + str(rng.random())}
    first = await upload(client, "daftar.csv", text.encode(), **headers)
    retry = await upload(client, "daftar.csv", text.encode(), **headers)
    assert retry.json() == first.json() and retry.headers.get("Idempotent-Replayed") == "true"
    summary = await finished(client, first)
    assert (summary["rows_total"], summary["registered"], summary["rejected"]) == (2, 1, 1)
    lines = await report(client, summary)
    assert not any("HYPERLINK" in cell for line in lines for cell in line)
    assert {line[1] for line in lines} >= {"nik", "tanggal_lahir"}


async def test_two_copies_of_an_upload_sent_at_once_register_once_and_get_the_same_answer(
    client: httpx.AsyncClient,
) -> None:
    birth = random_birth(rng)
    text = ("nik,nama,tanggal_lahir,kecamatan,jumlah_anggota_keluarga\n"
            f"{nik_for(birth, 7001, area='640213')},Sri Wahyuni,{birth.isoformat()},Samboja,4\n")
    headers = {"Idempotency-Key": "impor-bersamaan-" + str(rng.random())}
    first, second = await asyncio.gather(upload(client, "daftar.csv", text.encode(), **headers),
                                         upload(client, "daftar.csv", text.encode(), **headers))
    assert first.status_code == second.status_code == 202, (first.text, second.text)
    assert first.json() == second.json()
    assert sorted(str(r.headers.get("Idempotent-Replayed")) for r in (first, second)) == ["None", "true"]
    assert (await finished(client, first))["registered"] == 1


async def test_a_file_that_cannot_be_used_is_refused_as_a_whole(client: httpx.AsyncClient) -> None:
    response = await client.post("/women/imports", files={"file": ("x.csv", b"nama,alamat\nSiti,Jl. Mawar\n", "text/csv")})
    assert response.status_code == 422
    assert "NIK" in response.json()["pesan"] and "'alamat'" in response.json()["pesan"]
    typo = await upload(client, "x.csv", b"NIK,Nama,Tgl Lahir,Kecamatan,Jml ART,Telpon\n1,2,3,4,5,6\n")
    assert typo.status_code == 422 and "'Telpon' (maksud Anda 'Telepon'?)" in typo.json()["pesan"]
    broken = await client.post("/women/imports", files={"file": ("x.xlsx", b"PK\x03\x04garbage", "application/zip")})
    assert broken.status_code == 422
    for garbage in (bytes(range(256)) * 4, b"nik,nama\n\x81\x8d\x9d", b"", b"nik\n"):
        response = await client.post("/women/imports", files={"file": ("x.csv", garbage, "text/csv")})
        assert response.status_code == 422, (garbage[:20], response.text)


def test_reports_neutralise_spreadsheet_formulas() -> None:
    rows = [(2, "nik", "ditolak", "=cmd|' /C calc'!A0", ""), (3, "+kolom", "ditolak", "@SUM(1)", "-1+1")]
    text = report_csv(rows).decode("utf-8-sig")
    assert "'=cmd" in text and "'+kolom" in text and "'@SUM" in text and "'-1+1" in text
    sheet = load_workbook(io.BytesIO(report_xlsx(rows))).active
    assert [c.value for c in sheet[2]] == [2, "nik", "ditolak", "'=cmd|' /C calc'!A0", None]
    assert sheet.cell(3, 5).data_type == "s"


async def test_the_historical_registration_date_is_the_one_counted(client: httpx.AsyncClient,
                                                                   kafka_bootstrap: str) -> None:
    births = [date(1979, 4, 12), date(1990, 7, 1), date(1985, 1, 5)]
    rows = [["NIK", "Nama", "Tanggal Lahir", "Kecamatan", "Jumlah Anggota Keluarga", "Tanggal Pendaftaran"],
            [nik_for(births[0], 4101), unique_name(rng), "12-04-1979", "Tenggarong", 3, "15 Maret 2024"],
            [nik_for(births[1], 4102), unique_name(rng), "01/07/1990", "Tenggarong", 3, "2024-11-02"],
            [nik_for(births[2], 4103), unique_name(rng), "05/01/1985", "Tenggarong", 3, "02/01/2099"]]  # future
    summary = await imported(client, "daftar-2024.csv", csv_bytes(rows))
    assert (summary["registered"], summary["rejected"]) == (2, 1)
    assert [line[1] for line in await report(client, summary)] == ["Tanggal Pendaftaran"]
    women = [(await client.post("/women/lookup", json={"nik": r[0]})).json() for r in rows[1:3]]
    assert [w["registered_on"] for w in women] == ["2024-03-15", "2024-11-02"]
    events = await events_about(kafka_bootstrap, {w["person_ref"] for w in women}, expected=2)
    assert sorted(e["payload"]["registered_on"] for e in events) == ["2024-03-15", "2024-11-02"]
