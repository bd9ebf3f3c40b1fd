"""Capital disbursement handler: capital to a registered woman, business or cooperative."""

from dataclasses import asdict
from datetime import date
from typing import Any
from uuid import UUID, uuid4

from ..domain import capital as rules
from .unit_of_work import RegistryUnitOfWork


async def disburse(uow: RegistryUnitOfWork, *, recipient_type: str, recipient_ref: UUID, source: str, amount_idr: int,
                   disbursed_on: date, provider_opd: str, today: date) -> dict[str, Any]:
    """Record a disbursement; publishes CapitalDisbursed. Invalid for a recipient the registry does not know."""
    event = rules.disburse(
        disbursement_ref=uuid4(), recipient_type=recipient_type, recipient_ref=recipient_ref, source=source,
        amount_idr=amount_idr, disbursed_on=disbursed_on, provider_opd=provider_opd, today=today,
        recipient_known=await uow.capital.recipient_known(recipient_type, recipient_ref),
    )
    await uow.capital.add(event)
    await uow.publish([event])
    return asdict(event)
