"""Field types and bases every service's API schemas share (pydantic v2; no web framework).

- ``Command``: base of request bodies; an unknown field is refused (a typo must not be silently dropped).
- ``Page``: base of paged answers (``items`` added by the subclass).
- ``Text``: free text from a form, stripped, without control characters (PostgreSQL refuses NUL; the others only
  hide what an officer typed); line breaks are kept.
- ``PlausibleDate``: a date a program record can carry, 1 January 2000 up to a year after today (WITA); paper
  records from past years are entered after the fact, so the range is wide on purpose.
- ``field_errors``: pydantic's validation errors as the error body's ``kesalahan`` items, in Bahasa Indonesia (the
  HTTP edge answers a bad request with them; a bulk import reports a bad row with them).
"""

from datetime import date, timedelta
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from . import clock

EARLIEST = date(2000, 1, 1)


class Command(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Page(BaseModel):
    total: int = Field(description="Jumlah seluruh baris yang cocok")
    limit: int
    offset: int


def _text(value: str) -> str:
    if any(ord(ch) < 32 and ch not in "\t\n\r" for ch in value) or "\x7f" in value:
        raise ValueError("Teks tidak boleh berisi karakter kontrol")
    return value.strip()


def _plausible(value: date) -> date:
    latest = clock.today() + timedelta(days=366)
    if not EARLIEST <= value <= latest:
        raise ValueError(f"Tanggal harus antara {EARLIEST.isoformat()} dan {latest.isoformat()}")
    return value


Text = Annotated[str, AfterValidator(_text)]
PlausibleDate = Annotated[date, AfterValidator(_plausible), Field(examples=["2025-03-10"])]


_PESAN = {
    "missing": "wajib diisi",
    "string_pattern_mismatch": "formatnya tidak sesuai",
    "string_too_short": "terlalu pendek",
    "string_too_long": "terlalu panjang",
    "literal_error": "pilihannya tidak dikenal",
    "enum": "pilihannya tidak dikenal",
    "greater_than": "nilainya terlalu kecil",
    "greater_than_equal": "nilainya terlalu kecil",
    "less_than": "nilainya terlalu besar",
    "less_than_equal": "nilainya terlalu besar",
    "int_parsing": "harus berupa bilangan bulat",
    "int_from_float": "harus berupa bilangan bulat",
    "int_type": "harus berupa bilangan bulat",
    "float_parsing": "harus berupa angka",
    "bool_parsing": "harus bernilai ya/tidak (true/false)",
    "date_from_datetime_parsing": "tanggal tidak valid (format YYYY-MM-DD)",
    "date_parsing": "tanggal tidak valid (format YYYY-MM-DD)",
    "uuid_parsing": "bukan referensi (UUID) yang valid",
    "json_invalid": "JSON tidak valid",
    "extra_forbidden": "kolom ini tidak dikenal",
    "too_short": "jumlah item terlalu sedikit",
    "too_long": "jumlah item terlalu banyak",
    "value_error": "nilainya tidak valid",
}


def field_errors(problems: list[dict[str, Any]]) -> list[dict[str, str]]:
    """pydantic's validation errors as the error body's ``kesalahan`` items (field, Indonesian pesan, detail)."""
    out = []
    for err in problems:
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path", "header")]
        name = ".".join(loc) or "body"
        msg = err.get("msg", "")
        if err.get("type") == "value_error" and msg.startswith("Value error, "):
            pesan = msg.removeprefix("Value error, ")  # our own validators already speak Indonesian
        else:
            pesan = f"{name}: {_PESAN.get(err.get('type', ''), 'nilainya tidak valid')}"
        out.append({"field": name, "pesan": pesan, "detail": msg})
    return out
