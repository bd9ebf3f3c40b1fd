"""Capital disbursements (Diskop UKM, DP3A): money to a woman, her business or a cooperative, from a named source.

The recipient must be known to the registry (a woman also not erased); the event carries the amount in whole
Rupiah, the source and the date, never who the woman is.
"""

from datetime import date
from uuid import UUID

from berdaya_shared.errors import Invalid

from .dates import not_future
from .events import CapitalDisbursed


def disburse(*, disbursement_ref: UUID, recipient_type: str, recipient_ref: UUID, source: str, amount_idr: int,
             disbursed_on: date, provider_opd: str, recipient_known: bool, today: date) -> CapitalDisbursed:
    not_future(disbursed_on, today, "disbursed_on")
    if not recipient_known:
        raise Invalid("Penerima modal tidak terdaftar di registri", f"unknown {recipient_type}", field="recipient_ref")
    return CapitalDisbursed(disbursement_ref, recipient_type, recipient_ref, source, amount_idr, disbursed_on,
                            provider_opd)
