"""Version 1 payloads published by the monitoring service on ``monitoring.indicators``."""

from datetime import date
from typing import Literal
from uuid import UUID

from pydantic import Field

from .common import OPD, KecamatanCode, Payload, Period


class IndicatorChanged(Payload):
    """A published figure changed. ``value`` is None when the cell is suppressed (fewer than 5 people)."""

    indicator: str = Field(min_length=1, max_length=80, examples=["women_registered"])
    kecamatan_code: KecamatanCode | None = Field(None, description="None for the whole regency")
    period: Period
    value: float | None
    suppressed: bool


class RoundFigure(Payload):
    """One frozen cell of an approved evaluation round, suppressed exactly as the API publishes it."""

    indicator: str = Field(min_length=1, max_length=80, examples=["women_registered"])
    kecamatan_code: KecamatanCode | None = Field(None, description="None for the whole regency")
    value: float | None
    suppressed: bool


class EvaluationRoundApproved(Payload):
    """DP3A approved an evaluation round: its frozen figures are the official ones for the period."""

    round_ref: UUID
    period_kind: Literal["month", "quarter"]
    period: str = Field(pattern=r"^\d{4}-((0[1-9]|1[0-2])|Q[1-4])$", examples=["2025-03", "2025-Q1"])
    approved_on: date
    approved_by_opd: OPD
    figures: list[RoundFigure]
