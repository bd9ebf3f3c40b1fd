"""Version 1 payloads published by the monitoring service on ``monitoring.indicators``."""

from pydantic import Field

from .common import KecamatanCode, Payload, Period


class IndicatorChanged(Payload):
    """A published figure changed. ``value`` is None when the cell is suppressed (fewer than 5 people)."""

    indicator: str = Field(min_length=1, max_length=80, examples=["women_registered"])
    kecamatan_code: KecamatanCode | None = Field(None, description="None for the whole regency")
    period: Period
    value: float | None
    suppressed: bool
