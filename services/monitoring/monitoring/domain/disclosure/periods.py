"""The public grid's periods: calendar months (YYYY-MM), quarters (YYYY-Qn) and years (YYYY), nothing in between.

A month is *closed* for publication ``grace_days`` after it ends (late records of the month still arrive during
that time), plus a table's follow-up window (``lag_days``) for outcomes counted after the month, such as business
start-ups within 180 days of a completion.
"""

import re
from datetime import date, timedelta
from typing import Literal

Level = Literal["month", "quarter", "year"]
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")


def level(period: str) -> Level | None:
    """``month``, ``quarter`` or ``year`` for a grid period; None for anything else."""
    if _MONTH.match(period):
        return "month"
    if _QUARTER.match(period):
        return "quarter"
    if _YEAR.match(period):
        return "year"
    return None


def quarter_of(month: str) -> str:
    return f"{month[:4]}-Q{(int(month[5:7]) - 1) // 3 + 1}"


def months_of(period: str) -> tuple[str, ...]:
    """The calendar months a grid period is made of (a month: itself). Raises ValueError for a non-grid period."""
    kind = level(period)
    if kind == "month":
        return (period,)
    if kind == "quarter":
        q = int(period[-1])
        return tuple(f"{period[:4]}-{m:02d}" for m in range(3 * q - 2, 3 * q + 1))
    if kind == "year":
        return tuple(f"{period}-{m:02d}" for m in range(1, 13))
    raise ValueError(f"{period!r} is not a month, quarter or year")


def parents(month: str) -> tuple[str, str]:
    """The quarter and the year a month belongs to."""
    return quarter_of(month), month[:4]


def from_range(first: str | None, last: str | None) -> str | None:
    """The grid period spanning exactly ``first``..``last`` (months), or None when the range is not one."""
    if first is None or last is None or first[:4] != last[:4]:
        return None
    for candidate in (first, quarter_of(first), first[:4]):
        months = months_of(candidate)
        if months[0] == first and months[-1] == last:
            return candidate
    return None


def month_end(month: str) -> date:
    y, m = int(month[:4]), int(month[5:7])
    return (date(y + m // 12, m % 12 + 1, 1)) - timedelta(days=1)


def closed(month: str, today: date, *, grace_days: int, lag_days: int = 0) -> bool:
    """Whether ``month`` may be frozen for publication on ``today`` (WITA)."""
    return today > month_end(month) + timedelta(days=grace_days + lag_days)


def covering(first: str, last: str) -> list[str]:
    """The coarsest grid periods that exactly tile the months ``first``..``last`` of one year (whole quarters
    become quarters, a whole year the year): how a year-to-date figure is made of published cells."""
    months = [m for m in months_of(first[:4]) if first <= m <= last]
    if len(months) == 12:
        return [first[:4]]
    out: list[str] = []
    i = 0
    while i < len(months):
        q = quarter_of(months[i])
        if months[i] == months_of(q)[0] and i + 2 < len(months) and months[i + 2] == months_of(q)[2]:
            out.append(q)
            i += 3
        else:
            out.append(months[i])
            i += 1
    return out
