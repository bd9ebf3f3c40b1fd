"""Kutai Kartanegara's clock: WITA (Waktu Indonesia Tengah, UTC+8, IANA ``Asia/Makassar``).

"Today" for a registration, a date check or a default target year is the local date in Kukar, not the host's
and not UTC's: between 00:00 and 08:00 WITA the UTC date is still yesterday's. Every service takes the date from
here (through the entrypoint kit's ``Today`` dependency, or passed into a handler), never from ``date.today()``.
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

WITA = ZoneInfo("Asia/Makassar")


def now() -> datetime:
    """The current time in WITA (timezone-aware)."""
    return datetime.now(WITA)


def today() -> date:
    """The current date in Kutai Kartanegara."""
    return now().date()
