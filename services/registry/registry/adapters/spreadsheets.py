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


# The column name each field is documented under (the endpoint's description), for messages.
DISPLAY = {"nik": "nik", "full_name": "nama", "birth_date": "tanggal_lahir", "phone": "telepon",
           "kecamatan_code": "kecamatan", "desa_code": "kode_desa", "household_size": "jumlah_anggota_keluarga",
           "pekka_category": "kategori_pekka"}


def _shown(cell: Any) -> str:
    """A header cell as quoted in a message: printable, short."""
    text = "".join(ch for ch in str(cell) if ch.isprintable()).strip()
    return text[:40] + ("…" if len(text) > 40 else "")


def map_header(cells: Iterable[Any]) -> dict[int, tuple[str, str]]:
    """Column index -> (field, header as written). Every titled column must be one we know, once: a column
    we would ignore (a typo such as "telpon", or a column we do not store) would silently lose its data."""
    mapping: dict[int, tuple[str, str]] = {}
    unknown: list[str] = []
    repeated: list[str] = []
    for i, cell in enumerate(cells):
        key = _header_key(cell)
        if not key:
            continue  # an untitled column; data under it is refused row by row (see read_rows)
        field = _BY_ALIAS.get(key)
        if field is None:
            unknown.append(_shown(cell))
        elif field in {f for f, _ in mapping.values()}:
            repeated.append(_shown(cell))
        else:
            mapping[i] = (field, str(cell).strip())
    missing = [f for f in REQUIRED if f not in {f for f, _ in mapping.values()}]
    problems, details = [], []
    if missing:
        problems.append("kolom wajib tidak ditemukan: " + ", ".join(DISPLAY[f] for f in missing))
        details.append(f"missing required columns: {', '.join(missing)}")
    if unknown:
        problems.append("kolom tidak dikenal: " + ", ".join(unknown[:10]) + (" …" if len(unknown) > 10 else ""))
        details.append(f"{len(unknown)} unknown column(s)")
    if repeated:
        problems.append("kolom ganda: " + ", ".join(repeated[:10]))
        details.append(f"{len(repeated)} repeated column(s)")
    if problems:
        raise SheetError(
            "Baris judul tidak sesuai (" + "; ".join(problems) + "). Kolom yang diterima: "
            + ", ".join(DISPLAY.values()) + ".",
            "; ".join(details),
        )
    return mapping


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _rows_csv(data: bytes) -> Iterator[list[Any]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("latin-1")  # old Excel "CSV" exports; latin-1 decodes any byte
    if _CONTROL.search(text.rstrip("\x1a")):  # control characters: binary data, not a text list
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
            if len(row) > len(mapping):
                stray = next((i for i, v in enumerate(row) if i not in mapping and not _blank(v)), None)
                if stray is not None:
                    raise SheetError(f"Baris {number} berisi data di kolom ke-{stray + 1} yang tidak berjudul",
                                     f"row {number} has data in untitled column {stray + 1}")
            if all(_blank(v) for v in values.values()):
                continue
            yield number, values

    return mapping, records()


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _guarded(rows: Iterator[list[Any]]) -> Iterator[list[Any]]:
    try:
        yield from rows
    except csv.Error as exc:
        raise SheetError("Berkas CSV rusak dan tidak bisa dibaca sampai habis (misalnya tanda kutip yang tidak "
                         "ditutup atau isi sel yang terlalu panjang)", f"malformed csv: {exc}") from None


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
