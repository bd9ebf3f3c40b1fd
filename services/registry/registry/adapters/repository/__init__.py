"""The registry's repositories: one class per aggregate, each on the connection of one transaction.

SQL lives here and nowhere else in the service (apart from the audit trail's snapshots in ``audit_store``). Reads
return plain dicts, or the domain object a rule needs; the unit tests' in-memory fakes have the same methods.
"""

from .businesses import BusinessRepository
from .coops import CapitalRepository, CoopRepository
from .imports import ImportRepository
from .verification import VerificationRepository
from .welfare import AidRepository, WelfareRepository
from .women import WomanRow, WomenRepository

__all__ = [
    "AidRepository", "BusinessRepository", "CapitalRepository", "CoopRepository", "ImportRepository",
    "VerificationRepository", "WelfareRepository", "WomanRow", "WomenRepository",
]
