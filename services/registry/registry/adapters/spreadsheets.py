"""Reading OPD women lists (CSV or XLSX) into rows, and writing the import error report.

Headers are matched loosely (Indonesian or English, any case/spacing); values come back as the raw
cell values with their spreadsheet row number (the header is row 1).
"""

import csv
import io
import re
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from typing import Any

from openpyxl import Workbook, load_workbook

HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "nik": ("nik", "no_nik", "nomor_nik", "nomor_induk_kependudukan"),
    "full_name": ("full_name", "nama", "nama_lengkap", "name"),
    "birth_date": ("birth_date", "tanggal_lahir", "tgl_lahir"),
    "phone": ("phone", "telepon", "no_hp", "nomor_hp", "hp", "no_telepon"),
    "kecamatan_code": ("kecamatan_code", "kode_kecamatan", "kecamatan"),
    "desa_code": ("desa_code", "kode_desa", "desa", "kelurahan", "desa_kelurahan", "kode_desa_kelurahan"),
    "household_size": ("household_size", "jumlah_anggota_keluarga", "jumlah_anggota_rumah_tangga", "anggota_keluarga"),
    "pekka_category": ("pekka_category", "kategori_pekka", "pekka"),
}
REQUIRED = ("nik", "full_name", "birth_date", "kecamatan_code", "household_size")
_BY_ALIAS = {alias: field for field, aliases in HEADER_ALIASES.items() for alias in aliases}


class SheetError(ValueError):
    def __init__(self, pesan: str, detail: str) -> None:
        super().__init__(pesan)
        self.pesan = pesan
        self.detail = detail


def _header_key(value: Any) -> str:
    return re.sub(r"[\s\-/.]+", "_", str(value or "").strip().casefold()).strip("_")


def map_header(cells: Iterable[Any]) -> dict[int, tuple[str, str]]:
    """Column index -> (field, header as written) for the columns we know."""
    mapping: dict[int, tuple[str, str]] = {}
    for i, cell in enumerate(cells):
        field = _BY_ALIAS.get(_header_key(cell))
        if field and field not in {f for f, _ in mapping.values()}:
            mapping[i] = (field, str(cell).strip())
    missing = [f for f in REQUIRED if f not in {f for f, _ in mapping.values()}]
    if missing:
        raise SheetError(
            "Kolom wajib tidak ditemukan di baris judul: " + ", ".join(missing),
            f"missing required columns: {', '.join(missing)}",
        )
    return mapping


def _rows_csv(data: bytes) -> Iterator[list[Any]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("latin-1")  # old Excel "CSV" exports; latin-1 decodes any byte
    if "\x00" in text:
        raise SheetError("Berkas bukan CSV atau XLSX yang valid", "binary data in csv")
    first = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first.count)
    yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


def _rows_xlsx(data: bytes) -> Iterator[list[Any]]:
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 (any unreadable workbook is the user's file, not our fault)
        raise SheetError("Berkas XLSX tidak bisa dibaca", f"unreadable xlsx: {type(exc).__name__}") from None
    try:
        for row in book.worksheets[0].iter_rows(values_only=True):
            yield list(row)
    except Exception as exc:  # noqa: BLE001 (a corrupt sheet part surfaces only while reading)
        raise SheetError("Berkas XLSX rusak atau tidak bisa dibaca", f"unreadable xlsx: {type(exc).__name__}") from None
    finally:
        book.close()


def read_rows(data: bytes, filename: str) -> tuple[dict[int, tuple[str, str]], Iterator[tuple[int, dict[str, Any]]]]:
    is_xlsx = data[:4] == b"PK\x03\x04"
    if not is_xlsx and filename.lower().endswith((".xlsx", ".xls")):
        raise SheetError("Berkas bukan XLSX yang valid (gunakan .xlsx atau .csv)", "not an xlsx file")
    rows = _rows_xlsx(data) if is_xlsx else _rows_csv(data)
    try:
        header = next(rows, None)
    except csv.Error:
        raise SheetError("Berkas CSV tidak bisa dibaca", "malformed csv") from None
    if header is None:
        raise SheetError("Berkas kosong", "empty file")
    mapping = map_header(header)

    def records() -> Iterator[tuple[int, dict[str, Any]]]:
        for number, row in enumerate(_guarded(rows), start=2):
            values = {field: row[i] if i < len(row) else None for i, (field, _) in mapping.items()}
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in values.values()):
                continue
            yield number, values

    return mapping, records()


def _guarded(rows: Iterator[list[Any]]) -> Iterator[list[Any]]:
    try:
        yield from rows
    except csv.Error as exc:
        raise SheetError(f"Berkas CSV tidak bisa dibaca: {exc}", "malformed csv") from None


def cell_text(value: Any) -> str | None:
    """Spreadsheet cell to text: numbers stored as numbers (a NIK typed into Excel) back to digits."""
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).strip()
    return text or None


def cell_date(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = cell_text(value)
    if text is None:
        return None
    for pattern in (r"(\d{1,2})[/\-.](\d{1,2})[/\-.](\d{4})",):
        match = re.fullmatch(pattern, text)
        if match:
            day, month, year = map(int, match.groups())
            try:
                return date(year, month, day)
            except ValueError:
                return text
    return text.split(" ")[0].split("T")[0] if re.match(r"\d{4}-\d{2}-\d{2}", text) else text


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """Spreadsheet formula injection guard: text starting like a formula is prefixed with a quote."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


REPORT_HEADER = ("baris", "kolom", "alasan")


def report_csv(errors: Iterable[tuple[int, str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(REPORT_HEADER)
    for row in errors:
        writer.writerow([safe_cell(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode()


def report_xlsx(errors: Iterable[tuple[int, str, str]]) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Kesalahan impor")
    sheet.append(list(REPORT_HEADER))
    for row in errors:
        sheet.append([safe_cell(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
