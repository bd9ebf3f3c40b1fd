"""Version 2 payloads published by the marketplace service on ``marketplace.events``, beside their v1.

Why a new version: a booth may now be **shared** — held by DP3A (or another OPD), a cooperative or an outlet such as
a PEKKA gerai, selling the products of several women's businesses — so a booth no longer belongs to one business
(``BoothAssigned`` v1 requires exactly one ``business_ref``), and a fair sale no longer implies that the business
holds a booth of its own. Every v2 event is published together with its v1 (same refs, same transaction): v1
consumers keep working and see a shared booth as one v1 ``BoothAssigned`` per business selling there (with the
shared booth's number) and every sale as before. A consumer of both versions keys its facts by the refs
(``sale_ref``; ``fair_ref`` + ``business_ref``), so the twin changes nothing.
"""

from datetime import date
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, model_validator

from .common import OPD, Payload, Rupiah
from .marketplace_v1 import Channel

# Who holds a booth: a business of its own, an OPD (DP3A's stand), a cooperative, or an outlet (e.g. a PEKKA gerai).
HolderKind = Literal["business", "opd", "coop", "outlet"]


class BoothBusiness(BaseModel):
    """A business selling at a booth, with its owner's ref (never a name)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    business_ref: UUID
    owner_person_ref: UUID


class BoothAssigned(Payload):
    """A booth at a fair given to a holder, with the businesses whose products it sells (one for a business's own
    booth; one or more for a shared booth). A later event for the same booth adds businesses to it."""

    fair_ref: UUID
    booth_no: int = Field(ge=1, le=5_000)
    holder_kind: HolderKind
    holder_business_ref: UUID | None = Field(None, description="The holding business (holder_kind business)")
    holder_opd: OPD | None = Field(None, description="The holding OPD (holder_kind opd)")
    holder_label: str | None = Field(None, max_length=200,
                                     description="Name of the holding cooperative or outlet (an organisation, "
                                                 "never a person)")
    businesses: list[BoothBusiness] = Field(min_length=1, max_length=500)

    @model_validator(mode="after")
    def _holder(self) -> "BoothAssigned":
        wanted = {"business": self.holder_business_ref, "opd": self.holder_opd}.get(self.holder_kind,
                                                                                      self.holder_label)
        if wanted is None:
            raise ValueError(f"holder_kind {self.holder_kind} needs its holder field")
        if self.holder_kind == "business" and [b.business_ref for b in self.businesses] != [self.holder_business_ref]:
            raise ValueError("a business's own booth sells that business's products only")
        return self


class SaleRecorded(Payload):
    """A sale, recorded against the business whose product sold; a fair sale names the booth it was made at and
    who holds that booth (``booth_holder_kind`` other than ``business``: a shared booth)."""

    sale_ref: UUID
    business_ref: UUID
    owner_person_ref: UUID
    channel: Channel
    fair_ref: UUID | None = None
    booth_no: int | None = Field(None, ge=1, le=5_000)
    booth_holder_kind: HolderKind | None = None
    amount_idr: Rupiah = Field(gt=0)
    quantity: int = Field(ge=1, le=1_000_000)
    sold_on: date

    @model_validator(mode="after")
    def _place(self) -> "SaleRecorded":
        at_fair = self.channel == "trade_fair"
        if at_fair != (self.fair_ref is not None) or at_fair != (self.booth_no is not None) \
                or at_fair != (self.booth_holder_kind is not None):
            raise ValueError("a trade_fair sale names fair_ref, booth_no and booth_holder_kind; other sales none")
        return self
