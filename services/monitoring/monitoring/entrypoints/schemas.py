"""API schemas and the query parameters shared by the indicator endpoints."""

from typing import Annotated, Literal

from fastapi import Query
from pydantic import BaseModel, Field

from ..domain.indicators import BY_NAME
from ..service_layer.indicators import Filters

KEC = r"^64\.02\.(0[1-9]|1[0-9]|20)$"
PERIOD = r"^\d{4}-(0[1-9]|1[0-2])$"
IndicatorName = Literal[tuple(BY_NAME)]  # type: ignore[valid-type]
GroupBy = Literal["kecamatan", "desa", "period", "opd", "field", "pekka_category", "age_band"]
Opd = Literal["dp3a", "disperindag", "diskop_ukm", "distransnaker"]
Pekka = Literal["none", "productive", "child_marriage_risk", "elderly"]
AgeBand = Literal["<18", "18-24", "25-34", "35-44", "45-54", "55-64", "65+"]


async def filters(
    kecamatan: Annotated[str | None, Query(pattern=KEC, description="Kode kecamatan, mis. 64.02.06")] = None,
    period_from: Annotated[str | None, Query(pattern=PERIOD, description="Bulan awal YYYY-MM")] = None,
    period_to: Annotated[str | None, Query(pattern=PERIOD, description="Bulan akhir YYYY-MM")] = None,
    opd: Opd | None = None,
    field: Annotated[str | None, Query(max_length=40, description="Sektor usaha / bidang pelatihan")] = None,
    pekka_category: Pekka | None = None,
    age_band: AgeBand | None = None,
) -> Filters:
    return Filters(kecamatan, period_from, period_to, opd, field, pekka_category, age_band)


class Cell(BaseModel):
    key: str | None = Field(description="Nilai dimensi (kode kecamatan, YYYY-MM, ...) atau 'total'")
    value: float | None = Field(description="Angka; null bila disembunyikan (< 5 orang)")
    suppressed: bool
    denominator: int | None = Field(None, description="Penyebut untuk rasio")


class IndicatorRead(BaseModel):
    indicator: str
    label: str
    kind: Literal["count", "ratio", "sum_idr", "median_idr"]
    group: str
    cells: list[Cell]


class IndicatorsRead(BaseModel):
    group_by: str | None
    filters: dict[str, str | None]
    indicators: list[IndicatorRead]


class FunnelStep(BaseModel):
    step: str
    label: str
    value: int | None
    suppressed: bool


class TargetWrite(BaseModel):
    year: int = Field(ge=2000, le=2100, examples=[2026])
    kecamatan_code: str = Field(pattern=r"^(all|64\.02\.(0[1-9]|1[0-9]|20))$", examples=["64.02.06"],
                                description="Kode kecamatan, atau 'all' untuk seluruh Kukar")
    indicator: IndicatorName = Field(examples=["women_trained"])  # type: ignore[valid-type]
    target_value: float = Field(gt=0, le=1e13, examples=[250])


class TargetRead(BaseModel):
    year: int
    kecamatan_code: str
    indicator: str
    label: str
    target: float
    actual: float | None
    suppressed: bool
    progress: float | None = Field(description="actual ÷ target; null when suppressed")
