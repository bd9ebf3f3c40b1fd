"""Kukar runs on WITA (UTC+8): "today" for registrations and date checks is the local date there."""

from datetime import UTC, date, datetime, timedelta, timezone

WITA = timezone(timedelta(hours=8), "WITA")


def today() -> date:
    return datetime.now(UTC).astimezone(WITA).date()
