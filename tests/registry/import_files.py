"""Building the files offices send (CSV in their encodings, XLSX with typed cells) and following an import job."""

import asyncio
import csv
import io
import time
from typing import Any

import httpx
from openpyxl import Workbook


def csv_bytes(rows: list[list[Any]], *, delimiter: str = ",", encoding: str = "utf-8") -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(*sheets: tuple[str, list[list[Any]]], text_columns: tuple[int, ...] = ()) -> bytes:
    """A workbook with these sheets (title, rows); cells keep their Python types (an int is a number cell)."""
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
        for column in text_columns:  # "Format Cells > Text", as a careful clerk sets the NIK column
            for cells in sheet.iter_cols(min_col=column, max_col=column):
                for cell in cells:
                    cell.number_format = "@"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def upload(client: httpx.AsyncClient, name: str, data: bytes, **headers: str) -> httpx.Response:
    return await client.post("/women/imports", files={"file": (name, data, "application/octet-stream")},
                             headers=headers)


async def finished(client: httpx.AsyncClient, answer: httpx.Response, timeout_s: float = 180) -> dict[str, Any]:
    """The job's summary once it is no longer running (the upload answered 202 with its ref)."""
    assert answer.status_code == 202, answer.text
    ref = answer.json()["import_ref"]
    deadline = time.monotonic() + timeout_s
    while True:
        summary = (await client.get(f"/women/imports/{ref}")).json()
        if summary["status"] != "running":
            return summary
        assert time.monotonic() < deadline, f"import still running: {summary}"
        await asyncio.sleep(0.1)


async def imported(client: httpx.AsyncClient, name: str, data: bytes, **headers: str) -> dict[str, Any]:
    return await finished(client, await upload(client, name, data, **headers))


async def report(client: httpx.AsyncClient, summary: dict[str, Any]) -> list[list[str]]:
    """The row report's lines (without its header): row, column, outcome, problem, fix."""
    answer = await client.get(summary["error_report"]["csv"])
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig")), delimiter=";"))
    assert lines[0] == ["Baris", "Kolom", "Hasil", "Masalah", "Perbaikan"]
    return lines[1:]


async def woman_by_nik(client: httpx.AsyncClient, nik: str) -> dict[str, Any] | None:
    answer = await client.post("/women/lookup", json={"nik": nik})
    return answer.json() if answer.status_code == 200 else None
