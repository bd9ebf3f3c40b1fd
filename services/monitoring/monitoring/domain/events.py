"""The monitoring domain's own events. They stay inside the service; a translator maps them to contracts."""

from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID


@dataclass(frozen=True)
class RoundApproved:
    """DP3A approved an evaluation round; ``figures`` are the period's cells as the publication has them
    (indicator, kecamatan_code, value, suppressed): other agencies receive the public face only."""

    round_ref: UUID
    period_kind: str
    period: str
    approved_on: date
    approved_by_opd: str
    figures: tuple[dict[str, Any], ...]


@dataclass(frozen=True)
class IndicatorChanged:
    """A published headline cell changed (kecamatan_code None = the whole regency; value None when suppressed)."""

    indicator: str
    kecamatan_code: str | None
    period: str
    value: float | None
    suppressed: bool
