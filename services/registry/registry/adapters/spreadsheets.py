"""Reading the women lists OPD offices keep (CSV or XLSX) into one sheet of rows with their header.

What offices send, and how it is read:
- **Title rows and instruction sheets**: the header is the first row, within the first ``HEADER_SEARCH_ROWS`` rows of
  the first sheet that has one, naming at least three known columns; rows above it (titles such as "DAFTAR PESERTA …
  2024", blank rows) are not data. A row of column numbers under the header (1, 2, 3 …) is skipped too.
- **Header synonyms** (``spreadsheets_columns.ALIASES``); a "No" column is the list's own numbering and is ignored.
  A column we do not know refuses the file (its data would be silently lost), with the known name it resembles.
- **Encodings** (CSV): a byte-order mark (UTF-8, UTF-16), else strict UTF-8, else what charset-normalizer finds
  among the encodings Windows and Excel write in Indonesia (Windows-1252); anything else is refused as unreadable.
- **Delimiters**: comma, semicolon (Excel in the Indonesian locale) or tab, whichever the first lines use most.
Cells keep their type (an XLSX number stays a number: the NIK rules need to know), with their row number as the
sheet shows it.
"""

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import charset_normalizer
from openpyxl import load_workbook

from .spreadsheets_columns import Column, SheetError, header_fields, map_header

HEADER_SEARCH_ROWS = 20
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# What office software in Indonesia writes when it does not write UTF-8: Windows' ANSI code page (1252), UTF-16.
_LEGACY_ENCODINGS = ["utf_8", "utf_16", "cp1252"]


@dataclass
class Sheet:
    """The list as read: its header's columns by position, its data rows (row number, cells)."""

    columns: dict[int, Column]
    rows: list[tuple[int, list[Any]]] = field(default_factory=list)
    header_row: int = 1
    sheet_name: str | None = None
    encoding: str | None = None  # CSV only

    @property
    def headers(self) -> dict[str, str]:
        """Field -> the column's title as the sheet writes it (for messages)."""
        return {c.field: c.title for c in self.columns.values()}


def decode(data: bytes) -> tuple[str, str]:
    """CSV bytes as text and the encoding they were in; raises SheetError when no plausible encoding reads them."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise _unreadable_text() from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    best = charset_normalizer.from_bytes(data, cp_isolation=_LEGACY_ENCODINGS).best()
    if best is None:
        raise _unreadable_text()
    return str(best), best.encoding


def _unreadable_text() -> SheetError:
    return SheetError("Huruf dalam berkas CSV tidak terbaca (pengodean tidak dikenal)",
                      "csv encoding not recognised", "Simpan ulang dari Excel sebagai 'CSV UTF-8 (Comma delimited)'.")


def _csv_rows(data: bytes) -> tuple[Iterator[list[Any]], str]:
    text, encoding = decode(data)
    text = text.lstrip("\ufeff")
    if _CONTROL.search(text.rstrip("\x1a")):  # control characters: binary data, not a text list
        raise SheetError("Berkas bukan CSV atau XLSX yang valid", "binary data in csv")
    head = text[:20_000].splitlines()[:HEADER_SEARCH_ROWS]
    delimiter = max(",;\t", key=lambda d: sum(line.count(d) for line in head))
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), encoding


def _guarded(rows: Iterator[list[Any]]) -> Iterator[list[Any]]:
    try:
        yield from rows
    except csv.Error as exc:
        raise SheetError("Berkas CSV rusak dan tidak bisa dibaca sampai habis (misalnya tanda kutip yang tidak "
                         "ditutup atau isi sel yang terlalu panjang)", f"malformed csv: {exc}") from None


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _numbering(cells: list[Any]) -> bool:
    """A row of column numbers under the header (1, 2, 3 … or (1), (2) …), as printed forms have."""
    values = [str(c).strip().strip("()") for c in cells if not _blank(c)]
    return len(values) >= 3 and values == [str(i) for i in range(1, len(values) + 1)]


def _find_header(rows: Iterator[list[Any]]) -> tuple[int, list[Any]] | list[Any] | None:
    """(row number, header cells) within the first rows; else the first row that is not blank (the would-be
    header, to say what is wrong with it), or None."""
    first: list[Any] | None = None
    for number, cells in enumerate(rows, start=1):
        if len(header_fields(cells)) >= 3:
            return number, cells
        if first is None and not all(_blank(c) for c in cells):
            first = cells
        if number >= HEADER_SEARCH_ROWS:
            break
    return first


def _read(rows: Iterator[list[Any]], max_rows: int, too_many: Any) -> Sheet | list[Any] | None:
    """The sheet from ``rows``; when no header is found in its first rows, its first row that is not blank."""
    found = _find_header(rows)
    if not isinstance(found, tuple):
        return found
    header_row, header = found
    columns = map_header(header)
    sheet = Sheet(columns, header_row=header_row)
    width = max(columns) + 1
    for number, cells in enumerate(rows, start=header_row + 1):
        if all(_blank(v) for v in cells):
            continue
        if len(cells) > width or any(i not in columns and not _blank(v) for i, v in enumerate(cells[:width])):
            stray = next((i for i, v in enumerate(cells) if i not in columns and not _blank(v)), None)
            if stray is not None:
                raise SheetError(f"Baris {number} berisi data di kolom ke-{stray + 1} yang tidak berjudul",
                                 f"row {number} has data in untitled column {stray + 1}",
                                 "Beri judul kolom itu atau hapus isinya.")
        if number == header_row + 1 and _numbering(cells):
            continue
        if all(_blank(cells[i]) if i < len(cells) else True for i in columns if columns[i].field):
            continue  # only the ignored "No" column is filled: a numbered empty line of a form
        sheet.rows.append((number, cells))
        if len(sheet.rows) > max_rows:
            raise too_many
    return sheet


def _no_header(detail: str, first: list[Any] | None) -> SheetError:
    if first is not None:
        map_header(first)  # raises, naming the required columns missing and the columns not known
    return SheetError(
        f"Baris judul kolom tidak ditemukan di {HEADER_SEARCH_ROWS} baris pertama",
        detail, "Pastikan ada satu baris judul kolom, misalnya: NIK, Nama, Tanggal Lahir, Kecamatan, "
                "Jumlah Anggota Keluarga.")


def read(data: bytes, filename: str, *, max_rows: int, too_many: Exception) -> Sheet:
    """The list in ``data`` read whole. Raises SheetError (the file cannot be used: unreadable, no header, an
    unknown or repeated column, data under an untitled column) or ``too_many`` over ``max_rows`` data rows."""
    is_xlsx = data[:4] == b"PK\x03\x04"
    if not is_xlsx and filename.lower().endswith((".xlsx", ".xls")):
        raise SheetError("Berkas bukan XLSX yang valid", "not an xlsx file",
                         "Simpan berkas dari Excel sebagai .xlsx (Excel Workbook) atau .csv.")
    if not is_xlsx:
        rows, encoding = _csv_rows(data)
        sheet = _read(_guarded(rows), max_rows, too_many)
        if not isinstance(sheet, Sheet):
            raise _no_header("no header row in csv", sheet)
        sheet.encoding = encoding
        return _with_data(sheet)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 (any unreadable workbook is the user's file, not our fault)
        raise SheetError("Berkas XLSX tidak bisa dibaca", f"unreadable xlsx: {type(exc).__name__}") from None
    first: list[Any] | None = None
    try:
        for worksheet in book.worksheets:
            sheet = _read((list(r) for r in worksheet.iter_rows(values_only=True)), max_rows, too_many)
            if isinstance(sheet, Sheet):
                sheet.sheet_name = worksheet.title
                return _with_data(sheet)
            first = first if first is not None else sheet
    except SheetError:
        raise
    except Exception as exc:  # noqa: BLE001 (a corrupt sheet part surfaces only while reading)
        if exc is too_many:
            raise
        raise SheetError("Berkas XLSX rusak atau tidak bisa dibaca", f"unreadable xlsx: {type(exc).__name__}") from None
    finally:
        book.close()
    raise _no_header("no header row in any sheet", first)


def _with_data(sheet: Sheet) -> Sheet:
    if not sheet.rows:
        raise SheetError("Berkas tidak berisi data: hanya baris judul, tanpa baris data",
                         "no data rows below the header", "Isi data perempuan di bawah baris judul kolom.")
    return sheet
