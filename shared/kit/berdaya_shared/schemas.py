"""Field types and bases every service's API schemas share (pydantic v2; no web framework).

- ``Command``: base of request bodies; an unknown field is refused (a typo must not be silently dropped).
- ``Page``: base of paged answers (``items`` added by the subclass).
- ``Text``: free text from a form, stripped, without control characters (PostgreSQL refuses NUL; the others only
  hide what an officer typed); line breaks are kept.
- ``PlausibleDate``: a date a program record can carry, 1 January 2000 up to a year after today (WITA); paper
  records from past years are entered after the fact, so the range is wide on purpose.
"""

from datetime import date, timedelta
from typing import Annotated

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
