"""Domain events → v1 contracts (the unit of work stages them in the outbox)."""

from dataclasses import asdict
from typing import Any

from berdaya_contracts import marketplace_v1 as v1
from berdaya_contracts.common import Payload

from ..domain import events

# Field names match one to one; the table stays explicit so a new or renamed event cannot pass silently
# (the contract models refuse unknown and missing fields).
_CONTRACT: dict[type[Any], type[Payload]] = {
    events.TradeFairScheduled: v1.TradeFairScheduled,
    events.BoothAssigned: v1.BoothAssigned,
    events.ProductListed: v1.ProductListed,
    events.ProductDelisted: v1.ProductDelisted,
    events.SaleRecorded: v1.SaleRecorded,
}


def to_contract(event: Any) -> Payload:
    """The v1 payload of a marketplace domain event. Raises KeyError for an event with no contract, and pydantic's
    ValidationError when the event breaks its contract."""
    return _CONTRACT[type(event)](**asdict(event))
