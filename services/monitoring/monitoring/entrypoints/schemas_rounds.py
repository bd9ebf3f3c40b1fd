"""API schemas of the evaluation rounds: what an OPD sends, and what a round, its entries and comparisons look like."""

from datetime import date, datetime
from uuid import UUID

from berdaya_contracts.common import OPD
from berdaya_shared.schemas import Command, Text
from pydantic import BaseModel, Field, model_validator

from ..domain import rounds as d
from .schemas_targets import TargetRead


class RoundCreate(Command):
    period_kind: d.PeriodKind = Field(description="Bulan atau triwulan", examples=["quarter"])
    period: str = Field(description="YYYY-MM atau YYYY-Qn", examples=["2025-Q1"])
    title: Text = Field("", max_length=200, examples=["Rapat koordinasi triwulan I"])

    @model_validator(mode="after")
    def _period_matches_kind(self) -> "RoundCreate":
        if d.month_range(self.period_kind, self.period) is None:
            raise ValueError("period harus YYYY-MM untuk bulan atau YYYY-Qn untuk triwulan")
        return self


class NoteCreate(Command):
    progress_note: Text = Field(min_length=1, max_length=5000, examples=["Pelatihan batik selesai di 3 kecamatan"])


class ObstacleCreate(Command):
    opd: OPD
    category: d.ObstacleCategory = Field(examples=["budget"])
    description: Text = Field(min_length=1, max_length=2000, examples=["Anggaran pelatihan belum cair"])
    severity: d.Severity = Field(examples=["high"])


class ActionCreate(Command):
    opd: OPD
    owner_opd: OPD = Field(description="OPD penanggung jawab")
    description: Text = Field(min_length=1, max_length=2000, examples=["Percepat pencairan anggaran"])
    due_on: date = Field(examples=["2025-05-31"])


class ActionReviewCreate(Command):
    status: d.ActionStatus
    note: Text = Field("", max_length=2000)


class FigureRead(BaseModel):
    indicator: str
    kecamatan_code: str | None = Field(description="null = seluruh Kabupaten")
    value: float | None = Field(description="null bila disembunyikan (tanda x)")
    suppressed: bool


class NoteRead(BaseModel):
    opd: OPD
    progress_note: str


class NoteWritten(NoteRead):
    round_ref: UUID


class ObstacleRead(BaseModel):
    obstacle_ref: UUID
    opd: OPD
    category: d.ObstacleCategory
    description: str
    severity: d.Severity


class ObstacleWritten(ObstacleRead):
    round_ref: UUID


class ActionRead(BaseModel):
    action_ref: UUID
    opd: OPD
    owner_opd: OPD
    description: str
    due_on: date
    status: d.ActionStatus
    status_in_round: d.ActionStatus | None = Field(description="Status yang dicatat putaran ini; null bila belum")
    opened_round_ref: UUID
    opened_period: str
    closed_round_ref: UUID | None
    carried_over: bool = Field(description="Dibuka pada putaran sebelumnya")


class ActionWritten(BaseModel):
    action_ref: UUID
    opened_round_ref: UUID
    status: d.ActionStatus
    opd: OPD
    owner_opd: OPD
    description: str
    due_on: date


class ActionReviewRead(BaseModel):
    action_ref: UUID
    round_ref: UUID
    status: d.ActionStatus
    note: str


class RoundSummary(BaseModel):
    round_ref: UUID
    period_kind: d.PeriodKind
    period: str
    title: str
    opened_at: datetime
    approved_on: date | None
    status: str = Field(description="open | approved")


class RoundRead(BaseModel):
    round_ref: UUID
    period_kind: d.PeriodKind
    period: str
    title: str
    opened_at: datetime
    opened_by_opd: OPD
    status: str = Field(description="open | approved")
    approved_on: date | None
    approved_by_opd: OPD | None
    figures: list[FigureRead] = Field(description="Angka beku saat putaran dibuka")
    targets: list[TargetRead]
    notes: list[NoteRead]
    obstacles: list[ObstacleRead]
    actions: list[ActionRead]


class LateCell(BaseModel):
    indicator: str
    kecamatan_code: str | None
    frozen: float | None
    frozen_suppressed: bool
    live: float | None
    live_suppressed: bool
    change: float | None


class LateDataRead(BaseModel):
    round_ref: UUID
    period: str
    changed_cells: int
    changes: list[LateCell]


class CompareSide(BaseModel):
    round_ref: UUID
    period: str
    actions_opened: list[UUID]
    actions_closed: list[UUID]


class CompareCell(BaseModel):
    indicator: str
    kecamatan_code: str | None
    a: float | None
    b: float | None
    change: float | None


class CompareTarget(BaseModel):
    indicator: str
    kecamatan_code: str
    target: float
    a: float | None
    b: float | None


class CompareRead(BaseModel):
    a: CompareSide
    b: CompareSide
    indicators: list[CompareCell]
    targets: list[CompareTarget]
