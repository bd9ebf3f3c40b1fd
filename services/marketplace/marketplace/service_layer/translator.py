"""Domain events → contracts (the unit of work stages them in the outbox).

Booths and sales are published in both versions (``marketplace_v2`` beside ``marketplace_v1``, same refs, same
transaction) so v1 consumers keep working: a shared booth reaches them as one v1 ``BoothAssigned`` per business
selling there, with the shared booth's number.
"""

from dataclasses import asdict
from typing import Any

from berdaya_contracts import marketplace_v1 as v1
from berdaya_contracts import marketplace_v2 as v2
from berdaya_contracts.common import Payload

from ..domain import events

# Field names match one to one; the table stays explicit so a new or renamed event cannot pass silently
# (the contract models refuse unknown and missing fields).
_CONTRACT: dict[type[Any], type[Payload]] = {
    events.TradeFairScheduled: v1.TradeFairScheduled,
    events.ProductListed: v1.ProductListed,
    events.ProductDelisted: v1.ProductDelisted,
}


def _booth(e: events.BoothAssigned) -> list[Payload]:
    return [v1.BoothAssigned(**asdict(e)),
            v2.BoothAssigned(fair_ref=e.fair_ref, booth_no=e.booth_no, holder_kind="business",
                             holder_business_ref=e.business_ref,
                             businesses=[v2.BoothBusiness(business_ref=e.business_ref,
                                                          owner_person_ref=e.owner_person_ref)])]


def _shared_booth(e: events.SharedBoothAssigned) -> list[Payload]:
    twins: list[Payload] = [v1.BoothAssigned(fair_ref=e.fair_ref, business_ref=b, owner_person_ref=o,
                                             booth_no=e.booth_no) for b, o in e.businesses]
    return [*twins, v2.BoothAssigned(
        fair_ref=e.fair_ref, booth_no=e.booth_no, holder_kind=e.holder_kind,  # type: ignore[arg-type]
        holder_opd=e.holder_opd, holder_label=e.holder_label,  # type: ignore[arg-type]
        businesses=[v2.BoothBusiness(business_ref=b, owner_person_ref=o) for b, o in e.businesses])]


def _sale(e: events.SaleRecorded) -> list[Payload]:
    facts = asdict(e)
    return [v1.SaleRecorded(**{k: v for k, v in facts.items() if k not in ("booth_no", "booth_holder_kind")}),
            v2.SaleRecorded(**facts)]


def to_contracts(event: Any) -> list[Payload]:
    """The contract payloads of a marketplace domain event, in publishing order (v1 before v2). Raises KeyError for
    an event with no contract, and pydantic's ValidationError when the event breaks its contract."""
    if isinstance(event, events.BoothAssigned):
        return _booth(event)
    if isinstance(event, events.SharedBoothAssigned):
        return _shared_booth(event)
    if isinstance(event, events.SaleRecorded):
        return _sale(event)
    return [_CONTRACT[type(event)](**asdict(event))]
