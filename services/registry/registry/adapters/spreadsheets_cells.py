"""Cell values as clerks type them, read into the registry's values — or the problem with the fix.

- NIK: a number cell (XLSX), or text in scientific ("6,40206E+15") or decimal ("6402064508850003.0") notation, has
  passed through a spreadsheet number: Excel keeps 15 significant digits, so the 16th is already lost. Refused.
- Dates: date cells; Excel serial numbers (days since 1899-12-30); DD/MM/YYYY, DD-MM-YY, DD.MM.YYYY; ISO; month
  names and abbreviations in Indonesian or English ("17 Agustus 1988", "17 Agt 1988", "17-Aug-88"); the date part
  of "Tenggarong, 17-08-1988" (a "Tempat/Tgl Lahir" column). A two-digit year gives both centuries as candidates
  and a day/month order that only makes sense the other way round gives that reading as an alternate: the row's
  rules choose with the NIK and the program's age bounds (``service_layer.import_rows``).
- Whole numbers with a unit ("4 orang"), Rupiah ("Rp 1.500.000", "800 ribu", "1,5 juta"; "1,500,000" is
  ambiguous and refused), phone numbers from number cells (81234567801: the leading 0 lost).
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any


class CellProblem(ValueError):
    """The value cannot be read: ``problem`` and ``fix`` in Bahasa Indonesia."""

    def __init__(self, problem: str, fix: str = "") -> None:
        super().__init__(problem)
        self.problem = problem
        self.fix = fix


def text(value: Any) -> str | None:
    """A cell as text (None when blank); an integral number cell as its digits."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    out = str(value).strip()
    return out or None


_SCIENTIFIC = re.compile(r"^\d+([.,]\d+)?[eE][+]?\d+$")
_DECIMAL = re.compile(r"^\d{12,17}[.,]\d+$")
NIK_FIX = "Format kolom NIK sebagai Teks, lalu ketik ulang NIK dari KTP/KK"


def nik_text(value: Any) -> str | None:
    """The NIK as written, or CellProblem when it went through a spreadsheet number."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        raise CellProblem("NIK tersimpan sebagai angka, bukan teks: Excel hanya menyimpan 15 angka, angka "
                          "ke-16 bisa sudah berubah", NIK_FIX)
    raw = text(value)
    if raw is None:
        return None
    compact = raw.replace(" ", "")
    if _SCIENTIFIC.match(compact):
        raise CellProblem("NIK tertulis dalam notasi ilmiah (misalnya 6,40206E+15): angka aslinya sudah hilang",
                          NIK_FIX)
    if _DECIMAL.match(compact):
        raise CellProblem("NIK tertulis sebagai angka desimal: angka ke-16 bisa sudah berubah", NIK_FIX)
    return raw


@dataclass(frozen=True)
class DateReading:
    """A date as written: its candidate dates (two centuries for a two-digit year) and, when the written day/month
    order is impossible, the other order's candidates (``alternate``), acceptable only where the NIK agrees."""

    candidates: tuple[date, ...]
    alternate: tuple[date, ...] = ()


_MONTHS = {
    "jan": 1, "januari": 1, "january": 1, "feb": 2, "peb": 2, "februari": 2, "pebruari": 2, "february": 2,
    "mar": 3, "maret": 3, "march": 3, "apr": 4, "april": 4, "mei": 5, "may": 5, "jun": 6, "juni": 6, "june": 6,
    "jul": 7, "juli": 7, "july": 7, "agu": 8, "agt": 8, "ags": 8, "agust": 8, "agustus": 8, "aug": 8, "august": 8,
    "sep": 9, "sept": 9, "september": 9, "okt": 10, "oct": 10, "oktober": 10, "october": 10, "nov": 11,
    "nop": 11, "november": 11, "nopember": 11, "des": 12, "dec": 12, "desember": 12, "december": 12,
}
_ISO = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T].*)?$")
_NUMERIC = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{2}|\d{4})$")
_NAMED = re.compile(r"^(\d{1,2})[\s\-/.]*([a-z]+)\.?[\s\-/.,]*(\d{2}|\d{4})$")
_COMPACT = re.compile(r"^(\d{2})(\d{2})(\d{4})$")
_EXCEL_EPOCH = date(1899, 12, 30)
DATE_FIX = "Tulis tanggal seperti 17-08-1988 atau 17 Agustus 1988"


def _make(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _years(year_text: str) -> tuple[int, ...]:
    year = int(year_text)
    return (year,) if len(year_text) == 4 else (1900 + year, 2000 + year)


def _reading(day: int, month: int, year_text: str, *, may_swap: bool) -> DateReading:
    years = _years(year_text)
    found = tuple(d for y in years if (d := _make(y, month, day)))
    if found:
        return DateReading(found)
    swapped = tuple(d for y in years if (d := _make(y, day, month))) if may_swap else ()
    if swapped:
        return DateReading((), swapped)
    raise CellProblem("Tanggal ini tidak ada di kalender", DATE_FIX)


def _serial(number: float) -> DateReading:
    if not 1 <= number < 80_000 or not float(number).is_integer():
        raise CellProblem("Angka ini bukan tanggal", DATE_FIX)
    return DateReading((_EXCEL_EPOCH + timedelta(days=int(number)),))


def date_reading(value: Any) -> DateReading | None:
    """The dates a cell can mean (None when blank); CellProblem when it is no date at all."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return DateReading((value.date(),))
    if isinstance(value, date):
        return DateReading((value,))
    if isinstance(value, bool):
        raise CellProblem("Isi sel ini bukan tanggal", DATE_FIX)
    if isinstance(value, int | float):
        if 10_000_000 <= value <= 31_129_999 and float(value).is_integer():
            return date_reading(str(int(value)).zfill(8))  # 17081988 typed as a number
        return _serial(value)
    raw = text(value)
    if raw is None:
        return None
    written = " ".join(raw.casefold().split())
    if "," in written and re.search(r"[a-z]", written.split(",")[0]):
        written = written.rsplit(",", 1)[1].strip()  # "Tenggarong, 17-08-1988": place and date of birth
    if m := _ISO.match(written):
        return _reading(int(m[3]), int(m[2]), m[1], may_swap=False)
    if m := _NUMERIC.match(written):
        return _reading(int(m[1]), int(m[2]), m[3], may_swap=True)
    if (m := _NAMED.match(written)) and m[2] in _MONTHS:
        return _reading(int(m[1]), _MONTHS[m[2]], m[3], may_swap=False)
    if m := _COMPACT.match(written):
        return _reading(int(m[1]), int(m[2]), m[3], may_swap=False)
    if written.isdigit() and len(written) == 5:
        return _serial(int(written))  # an Excel serial number saved as text
    if (m := _NAMED.match(written)) and m[2] not in _MONTHS:
        raise CellProblem(f"Nama bulan '{m[2]}' tidak dikenal", DATE_FIX)
    raise CellProblem("Tanggal tidak terbaca", DATE_FIX)


_UNIT = re.compile(r"^(\d+)\s*(orang|org|jiwa|anggota|or)?\.?$")


def whole_number(value: Any) -> int | None:
    """A count such as a household size: 4, 4.0, "4", "4 orang", "4 jiwa"."""
    if value is None or isinstance(value, bool):
        return None if value is None else _not_number()
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise CellProblem("Harus bilangan bulat (tanpa koma)", "Tulis jumlah orang sebagai bilangan bulat, mis. 4")
    raw = text(value)
    if raw is None:
        return None
    m = _UNIT.match(raw.casefold())
    if m is None:
        _not_number()
    return int(m[1])  # type: ignore[index]


def _not_number() -> int:
    raise CellProblem("Harus berupa angka", "Tulis jumlah orang sebagai angka, mis. 4")


_GROUPED_DOT = re.compile(r"^\d{1,3}(\.\d{3})+(,\d+)?$")
_GROUPED_COMMA = re.compile(r"^\d{1,3}(,\d{3})+$")
_DECIMAL_COMMA = re.compile(r"^\d+(,\d+)?$")
_SCALE = re.compile(r"^(\d+(?:[.,]\d+)?)\s*(juta|jt|ribu|rb)\.?$")
RUPIAH_FIX = "Tulis jumlah Rupiah tanpa titik atau koma, mis. 1500000"


def rupiah(value: Any) -> int | None:
    """A whole Rupiah amount as written: 1500000, "Rp 1.500.000", "1.500.000,00", "800 ribu", "1,5 juta"."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise CellProblem("Harus berupa jumlah Rupiah", RUPIAH_FIX)
    if isinstance(value, int | float):
        if float(value).is_integer():
            return int(value)
        raise CellProblem("Rupiah harus bilangan bulat", RUPIAH_FIX)
    raw = text(value)
    if raw is None:
        return None
    written = re.sub(r"^(rp\.?|idr)\s*", "", raw.casefold()).strip()
    written = re.sub(r"\s*(/|per)\s*(bulan|bln)\.?$", "", written).replace(" ", "") if written else written
    if m := _SCALE.match(written):
        amount = float(m[1].replace(",", ".")) * (1_000_000 if m[2] in ("juta", "jt") else 1000)
        if not amount.is_integer():
            raise CellProblem("Rupiah harus bilangan bulat", RUPIAH_FIX)
        return int(amount)
    if _GROUPED_COMMA.match(written):
        raise CellProblem("Pemisah ribuan dengan koma membingungkan (koma adalah tanda desimal)", RUPIAH_FIX)
    if _GROUPED_DOT.match(written):
        written = written.replace(".", "")
    if _DECIMAL_COMMA.match(written):
        whole, _, cents = written.partition(",")
        if cents.strip("0"):
            raise CellProblem("Rupiah harus bilangan bulat (tanpa sen)", RUPIAH_FIX)
        return int(whole)
    raise CellProblem("Jumlah Rupiah tidak terbaca", RUPIAH_FIX)


def phone_text(value: Any) -> str | None:
    """A phone number as written; a number cell (81234567801) back to its digits."""
    if isinstance(value, float) and not value.is_integer():
        raise CellProblem("Nomor telepon tersimpan sebagai angka desimal", "Format kolom telepon sebagai Teks")
    out = text(value)
    if out is not None and _SCIENTIFIC.match(out.replace(" ", "")):
        raise CellProblem("Nomor telepon tertulis dalam notasi ilmiah: angkanya sudah hilang",
                          "Format kolom telepon sebagai Teks, lalu ketik ulang nomornya")
    return out
