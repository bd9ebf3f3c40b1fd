""".xlsx files built to exhaust the import (issue 24), crafted here, against the real registry: each is refused with
413 naming the limit, quickly and before it is parsed, and reading one never takes more than a stated amount of
memory.

The probe's files: a 203 KiB .xlsx holding one 200 MiB cell (was accepted in 4.9 s; the registry grew from 354 to
989 MiB), and a file expanding to 3 million rows (413 only after 20.8 s).
"""

import io
import json
import random
import string
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import openpyxl
from registry.adapters import spreadsheets_guard as guard

MIB = 2**20
HEADER = ["NIK", "Nama", "Tanggal Lahir", "Kecamatan", "Jumlah Anggota Keluarga"]
# The stated bound: reading any of these files raises the reader's peak memory by less than this.
MEMORY_BOUND = 48 * MIB


def _template() -> dict[str, bytes]:
    """The parts of a real (small) workbook written by openpyxl."""
    book = openpyxl.Workbook()
    book.active.append(HEADER)
    book.active.append(["6402064508850003", "Siti", "05-08-1985", "Tenggarong", 4])
    out = io.BytesIO()
    book.save(out)
    with zipfile.ZipFile(out) as z:
        return {n: z.read(n) for n in z.namelist()}


def xlsx(sheet: Callable[[], Iterator[bytes]]) -> bytes:
    """A workbook whose first sheet's XML is streamed from ``sheet`` (compressed as it is written)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        for name, data in _template().items():
            if name == "xl/worksheets/sheet1.xml":
                with z.open(name, "w", force_zip64=True) as part:
                    for piece in sheet():
                        part.write(piece)
            else:
                z.writestr(name, data)
    return out.getvalue()


def _cell(ref: str, text: str) -> bytes:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'.encode()


def _sheet(rows: Iterator[bytes], dimension: str | None = None) -> Iterator[bytes]:
    yield b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    if dimension:
        yield f'<dimension ref="{dimension}"/>'.encode()
    yield b"<sheetData><row r=\"1\">" + b"".join(_cell(f"{c}1", h) for c, h in zip("ABCDE", HEADER, strict=True)) + b"</row>"
    yield from rows
    yield b"</sheetData></worksheet>"


def one_huge_cell(size: int = 200 * MIB) -> bytes:
    def rows() -> Iterator[bytes]:
        yield b'<row r="2"><c r="B2" t="inlineStr"><is><t>'
        for _ in range(size // MIB):
            yield b"A" * MIB
        yield b"</t></is></c></row>"
    return xlsx(lambda: _sheet(rows()))


def one_long_cell(chars: int = 400_000) -> bytes:
    """Text that does not compress: within every ratio, but longer than any cell Excel writes."""
    text = "".join(random.Random(24).choices(string.ascii_letters, k=chars))
    return xlsx(lambda: _sheet(iter([b'<row r="2">' + _cell("B2", text) + b"</row>"])))


def many_rows(count: int, *, declared: bool) -> bytes:
    def rows() -> Iterator[bytes]:
        for start in range(2, count + 2, 10_000):
            yield b"".join(b'<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (n, n, n)
                           for n in range(start, min(start + 10_000, count + 2)))
    return xlsx(lambda: _sheet(rows(), f"A1:E{count + 1}" if declared else None))


def _refused(response: httpx.Response, limit_field: str) -> dict[str, object]:
    assert response.status_code == 413, response.text[:300]
    body = response.json()
    assert body["pesan"].startswith("Berkas XLSX ditolak") and limit_field in body, body
    assert body["kesalahan"][0]["field"] == "file"
    return dict(body)


async def _upload(client: httpx.AsyncClient, data: bytes) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    response = await client.post("/women/imports", files={"file": ("daftar.xlsx", data, "application/zip")})
    return response, time.monotonic() - started


async def test_one_200_mib_cell_in_a_small_file_is_refused_at_once(client: httpx.AsyncClient) -> None:
    bomb = one_huge_cell()
    assert len(bomb) < 1 * MIB  # about 200 KiB on the wire
    response, took = await _upload(client, bomb)
    body = _refused(response, "max_ratio")
    print(f"\n  {len(bomb) / 1024:.0f} KiB file, one 200 MiB cell: {response.status_code} in {took:.2f} s: {body['pesan']}")
    assert took < 3


async def test_a_cell_longer_than_excel_allows_is_refused(client: httpx.AsyncClient) -> None:
    response, took = await _upload(client, one_long_cell())
    body = _refused(response, "max_cell_bytes")
    assert "32.767 karakter" in str(body["pesan"]) and took < 3


async def test_three_million_rows_are_refused_before_they_are_read(client: httpx.AsyncClient) -> None:
    for declared in (True, False):  # the sheet's own <dimension>, or rows counted as the part streams by
        bomb = many_rows(3_000_000, declared=declared)
        response, took = await _upload(client, bomb)
        body = _refused(response, "max_rows")
        print(f"\n  3,000,000 rows ({len(bomb) / MIB:.0f} MiB file, dimension {declared}): {took:.2f} s: {body['pesan']}")
        assert took < 5


async def test_a_file_expanding_past_the_total_is_refused_from_its_directory(client: httpx.AsyncClient) -> None:
    bomb = one_huge_cell(300 * MIB)
    response, took = await _upload(client, bomb)
    _refused(response, "max_expanded_bytes")
    assert took < 3


_MEASURE = """
import json, resource, sys
from registry.adapters import spreadsheets
from berdaya_shared import errors
data = open(sys.argv[1], "rb").read()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
try:
    spreadsheets.read(data, "daftar.xlsx", max_rows=200_000, too_many=errors.TooLarge("x", "x"))
    outcome = "read"
except errors.TooLarge as exc:
    outcome = exc.detail
print(json.dumps({"grew": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - before, "outcome": outcome}))
"""


def test_reading_a_bomb_stays_within_the_memory_bound(tmp_path: Path) -> None:
    for name, data in (("cell", one_huge_cell()), ("long", one_long_cell()),
                       ("rows", many_rows(3_000_000, declared=False))):
        path = tmp_path / f"{name}.xlsx"
        path.write_bytes(data)
        run = subprocess.run([sys.executable, "-c", _MEASURE, str(path)], capture_output=True, text=True, timeout=120)
        assert run.returncode == 0, run.stderr[-2000:]
        measured = json.loads(run.stdout.strip().splitlines()[-1])
        print(f"\n  {name}: peak memory grew {measured['grew'] / MIB:.1f} MiB ({measured['outcome']})")
        assert measured["outcome"] != "read"
        assert measured["grew"] < MEMORY_BOUND, measured


def test_an_ordinary_office_file_passes_the_checks() -> None:
    data = many_rows(50_000, declared=True)
    guard.check_xlsx(data, max_rows=200_000, header_rows=20)  # raises when refused
