"""Domain events -> v1 contracts on ``monitoring.indicators`` (the unit of work stages them in the outbox)."""

from collections.abc import Callable
from typing import Any

from berdaya_contracts import monitoring_v1 as v1
from berdaya_contracts.common import Payload

from ..domain import events

_TRANSLATE: dict[type[Any], Callable[[Any], Payload]] = {
    events.RoundApproved: lambda e: v1.EvaluationRoundApproved(
        round_ref=e.round_ref, period_kind=e.period_kind, period=e.period, approved_on=e.approved_on,
        approved_by_opd=e.approved_by_opd, figures=[v1.RoundFigure(**c) for c in e.figures],
    ),
    events.IndicatorChanged: lambda e: v1.IndicatorChanged(
        indicator=e.indicator, kecamatan_code=e.kecamatan_code, period=e.period, value=e.value,
        suppressed=e.suppressed,
    ),
}


def to_contract(event: Any) -> Payload:
    return _TRANSLATE[type(event)](event)
