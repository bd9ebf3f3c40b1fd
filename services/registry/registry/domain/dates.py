"""The date rule every registry record shares: a fact recorded now cannot have happened after today (WITA)."""

from datetime import date

from berdaya_shared.errors import Invalid


def not_future(on: date, today: date, field: str, pesan: str = "Tanggal tidak boleh di masa depan") -> None:
    """Raises Invalid naming ``field`` when ``on`` is after ``today``."""
    if on > today:
        raise Invalid(pesan, f"{field} is in the future", field=field)
