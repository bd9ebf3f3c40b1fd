"""Job placement API schemas."""

from datetime import date
from uuid import UUID

from berdaya_contracts.common import OPD
from berdaya_contracts.training_v1 import JobPlaced
from berdaya_shared.schemas import Command, Page, PlausibleDate
from pydantic import BaseModel, Field

PlacementSector = JobPlaced.model_fields["sector"].annotation


class PlacementCreate(Command):
    person_ref: UUID
    course_ref: UUID | None = Field(None, description="Pelatihan yang mengantar ke pekerjaan ini, bila ada")
    sector: PlacementSector = Field(examples=["manufaktur"])  # type: ignore[valid-type]
    formal: bool = Field(description="Pekerjaan sektor formal (kontrak, BPJS Ketenagakerjaan)")
    monthly_wage_idr: int = Field(strict=True, ge=0, le=1_000_000_000, description="Rupiah bulat per bulan",
                                  examples=[3_800_000])
    placed_on: PlausibleDate


class PlacementRead(BaseModel):
    placement_ref: UUID
    person_ref: UUID
    course_ref: UUID | None
    sector: str
    formal: bool
    monthly_wage_idr: int
    placed_on: date
    recorded_by_opd: OPD


class PlacementList(Page):
    items: list[PlacementRead]
