"""API schemas of the yearly targets."""

from berdaya_shared.schemas import Command
from pydantic import BaseModel, Field

from .schemas_indicators import IndicatorName

KEC_OR_ALL = r"^(all|64\.02\.(0[1-9]|1[0-9]|20))$"


class TargetCreate(Command):
    year: int = Field(ge=2000, le=2100, examples=[2026])
    kecamatan_code: str = Field(pattern=KEC_OR_ALL, examples=["64.02.06"],
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
    progress: float | None = Field(description="capaian ÷ target; null bila disembunyikan")
