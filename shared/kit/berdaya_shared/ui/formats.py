"""Numbers, money and dates the Indonesian way, for pages and forms.

``tanggal(date(2026, 8, 17))`` → "17 Agustus 2026"; ``rupiah(1500000)`` → "Rp 1.500.000"; ``angka(1234)`` → "1.234";
``desimal(12.5)`` → "12,5"; ``persen(0.753)`` → "75,3%". Indonesian writes a dot between thousands and a comma before
decimals (PUEBI, the spelling guide of Badan Bahasa). ``parse_rupiah`` and ``parse_tanggal`` read what staff type:
"1.500.000", "1500000", "Rp 1.500.000" or "1.500.000,00"; "2026-08-17" (a date input), "17/08/2026" or
"17 Agustus 2026". They raise ``errors.Invalid`` naming the field, with the message in Indonesian.
"""

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from .. import clock, errors

BULAN = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
         "November", "Desember")
_MONEY = re.compile(r"^(?:rp\.?)?\s*(-)?\s*(\d{1,3}(?:[.\s]\d{3})+|\d+)(?:,(\d{1,2}))?$", re.IGNORECASE)
_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_D_MONTH_Y = re.compile(r"^(\d{1,2})\s+([a-z]+)\s+(\d{4})$", re.IGNORECASE)


def angka(value: int | float | Decimal | None) -> str:
    """1234567 → "1.234.567" (a whole number; fractions are rounded half to even)."""
    if value is None:
        return "—"
    return f"{round(value):,}".replace(",", ".")


def desimal(value: float | Decimal | None, digits: int = 1) -> str:
    """12.5 → "12,5"; 1234.56 → "1.234,6" (``digits`` decimals)."""
    if value is None:
        return "—"
    text = f"{value:,.{digits}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def persen(share: float | Decimal | None, digits: int = 1) -> str:
    """0.753 → "75,3%"."""
    return "—" if share is None else desimal(float(share) * 100, digits) + "%"


def rupiah(amount: int | Decimal | None) -> str:
    """1500000 → "Rp 1.500.000"; -25000 → "-Rp 25.000" (whole Rupiah)."""
    if amount is None:
        return "—"
    sign = "-" if amount < 0 else ""
    return f"{sign}Rp {angka(abs(amount))}"


def tanggal(value: date | datetime | None) -> str:
    """date(2026, 8, 17) → "17 Agustus 2026"."""
    if value is None:
        return "—"
    return f"{value.day} {BULAN[value.month - 1]} {value.year}"


def tanggal_waktu(value: datetime | None) -> str:
    """A moment in Kutai Kartanegara time (WITA): "17 Agustus 2026 10.32"."""
    if value is None:
        return "—"
    local = value.astimezone(clock.WITA) if value.tzinfo else value
    return f"{tanggal(local)} {local.hour:02d}.{local.minute:02d}"


def bulan_tahun(value: date) -> str:
    """date(2026, 8, 1) → "Agustus 2026"."""
    return f"{BULAN[value.month - 1]} {value.year}"


def parse_rupiah(text: str | None, *, field: str, required: bool = True) -> int | None:
    """Whole Rupiah typed with or without thousands dots, an "Rp" prefix or ",00"; None when empty and optional.

    Raises errors.Invalid (field ``field``) for anything else, including sen other than ,00."""
    cleaned = (text or "").strip()
    if not cleaned:
        if required:
            raise errors.Invalid("Jumlah uang wajib diisi", "amount missing", field=field)
        return None
    match = _MONEY.match(cleaned)
    if match is None:
        raise errors.Invalid("Tulis jumlah uang dengan angka, misalnya 1.500.000", f"not an amount: {cleaned!r}",
                             field=field)
    sign, digits, sen = match.groups()
    if sen and int(sen):
        raise errors.Invalid("Jumlah rupiah tidak boleh memakai sen", "amount has a fraction", field=field)
    value = int(re.sub(r"[.\s]", "", digits))
    return -value if sign else value


def parse_tanggal(text: str | None, *, field: str, required: bool = True) -> date | None:
    """A date typed as 2026-08-17, 17/08/2026 or 17 Agustus 2026; None when empty and optional.

    Raises errors.Invalid (field ``field``) for anything else or a day that does not exist."""
    cleaned = " ".join((text or "").split())
    if not cleaned:
        if required:
            raise errors.Invalid("Tanggal wajib diisi", "date missing", field=field)
        return None
    try:
        if match := _DMY.match(cleaned):
            return date(int(match[3]), int(match[2]), int(match[1]))
        if match := _D_MONTH_Y.match(cleaned):
            months = [b.lower() for b in BULAN]
            if match[2].lower() in months:
                return date(int(match[3]), months.index(match[2].lower()) + 1, int(match[1]))
        return date.fromisoformat(cleaned)
    except ValueError:
        raise errors.Invalid("Tanggal tidak dikenali; tulis misalnya 17/08/2026", f"not a date: {cleaned!r}",
                             field=field) from None


def parse_desimal(text: str | None, *, field: str) -> Decimal:
    """"12,5" or "12.5" → Decimal("12.5"); raises errors.Invalid naming ``field``."""
    cleaned = (text or "").strip().replace(" ", "")
    if cleaned.count(",") == 1:
        cleaned = cleaned.replace(".", "").replace(",", ".")
    try:
        return Decimal(cleaned)
    except InvalidOperation:
        raise errors.Invalid("Tulis angka, misalnya 12,5", f"not a number: {text!r}", field=field) from None
