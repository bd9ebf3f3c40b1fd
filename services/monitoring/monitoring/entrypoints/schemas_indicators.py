"""API schemas of the indicators, funnel, headline and catalogue, and the filters the indicator endpoints share."""

from typing import Annotated, Literal

from berdaya_shared import errors
from fastapi import Query
from pydantic import BaseModel, Field

from ..domain.indicators import BY_NAME
from ..service_layer.indicators import Filters

KEC = r"^64\.02\.(0[1-9]|1[0-9]|20)$"
PERIOD = r"^\d{4}-(0[1-9]|1[0-2])$"
GRID_PERIOD = r"^\d{4}(-(0[1-9]|1[0-2])|-Q[1-4])?$"
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
    period: Annotated[str | None, Query(pattern=GRID_PERIOD, include_in_schema=False)] = None,
) -> Filters:
    """The filters of a figure route; a range that ends before it starts is refused (422 naming ``period_to``),
    and so is ``period`` given together with ``period_from``/``period_to`` (two ranges, one would be ignored)."""
    check_range(period_from, period_to)
    if period is not None and (period_from is not None or period_to is not None):
        both = "period_from" if period_from is not None else "period_to"
        raise errors.Invalid("Pilih periode atau rentang bulan, bukan keduanya",
                             f"period and {both} given together: one range only", field=both)
    return Filters(kecamatan, period_from, period_to, opd, field, pekka_category, age_band)


def check_range(first: str | None, last: str | None, *, names: tuple[str, str] = ("period_from", "period_to")) -> None:
    """Refuse a period range whose end comes before its start (``Invalid`` naming the end field).

    Periods compare as text because every accepted form (YYYY-MM) sorts in time order."""
    if first is not None and last is not None and last < first:
        raise errors.Invalid(f"{names[1]} ({last}) lebih awal dari {names[0]} ({first})",
                             f"{names[1]} {last} is before {names[0]} {first}: an empty range", field=names[1])


Period = Annotated[str | None, Query(pattern=GRID_PERIOD, description="Bulan YYYY-MM, triwulan YYYY-Qn atau tahun YYYY")]


class Cell(BaseModel):
    key: str | None = Field(description="Nilai dimensi (kode kecamatan, YYYY-MM, ...) atau 'total'")
    value: float | None = Field(description="Angka; null bila disembunyikan (tanda x: kurang dari 5 orang, atau "
                                            "disembunyikan agar sel kecil lain tidak dapat dihitung)")
    suppressed: bool
    denominator: int | None = Field(None, description="Penyebut untuk rasio")


class IndicatorRead(BaseModel):
    indicator: str
    label: str
    kind: Literal["count", "ratio", "sum_idr", "median_idr"]
    group: str
    released: bool = Field(True, description="Publik: angka periode ini sudah dirilis")
    cells: list[Cell]


class IndicatorsRead(BaseModel):
    group_by: str | None
    face: Literal["publik", "internal"] = Field(description="publik: angka rilis terlindungi; internal: angka "
                                                            "persis untuk tim evaluasi (izin figures:internal)")
    period: str | None = Field(None, description="Periode kisi publik yang dijawab")
    filters: dict[str, str | None]
    indicators: list[IndicatorRead]


class FunnelStep(BaseModel):
    step: str
    label: str
    value: int | None = Field(description="Perempuan terdaftar yang mencapai langkah ini (masing-masing langkah "
                                          "dihitung sendiri)")
    suppressed: bool
    cohort: int | None = Field(None, description="Internal: yang mencapai langkah ini dan semua langkah sebelumnya "
                                                 "(bagian dari langkah sebelumnya)")


class CohortStep(BaseModel):
    step: str = Field(description="registered | trained | business | market | above_poverty_line")
    label: str
    value: int | None = Field(description="Perempuan yang mencapai langkah ini dan semua langkah sebelumnya; "
                                          "kosong bila disembunyikan (x)")
    suppressed: bool
    rate_of_previous: float | None = Field(description="Nilai ÷ nilai langkah sebelumnya, hanya bila keduanya "
                                                       "diterbitkan")


class CohortRead(BaseModel):
    face: Literal["publik", "internal"]
    period: str | None = Field(description="Periode pendaftaran (bulan, triwulan atau tahun)")
    kecamatan: str | None
    steps: list[CohortStep]
    sentence: str = Field(description="Corong dibaca sebagai kalimat, mis. 'Dari 1.240 perempuan terdaftar, 610 "
                                      "mengikuti pelatihan; dari mereka, 200 punya usaha; …'")
    reason: str | None = Field(description="Mengapa angka bertanda x disembunyikan (publik)")


class IndicatorInfo(BaseModel):
    name: str
    label: str = Field(description="Nama indikator dalam Bahasa Indonesia")
    kind: Literal["count", "ratio", "sum_idr", "median_idr"]
    group: str
    headline: bool = Field(description="Termasuk angka utama (siaran langsung)")


class HeadlineFigure(BaseModel):
    value: float | None
    suppressed: bool


class HeadlineRead(BaseModel):
    period: str | None = Field(None, description="Publik: periode rilis yang ditampilkan; internal: null (kini)")
    release_id: int | None = None
    figures: dict[str, HeadlineFigure] = Field(description="Angka utama Kabupaten per indikator")
    funnel: list[FunnelStep]


class ReleaseRead(BaseModel):
    release_id: int | None
    frozen: dict[str, list[str]] = Field(description="Bulan yang dibekukan per kelompok data")
    cells: int = Field(description="Sel indikator yang ditambahkan rilis ini")
    withheld: int = Field(description="Di antaranya yang disembunyikan (x)")
    secondary: int = Field(0, description="Di antaranya yang disembunyikan untuk melindungi sel kecil lain")
    seconds: float


class PeriodsRead(BaseModel):
    periods: list[str] = Field(description="Bulan, triwulan dan tahun yang sudah dirilis, terlama dulu")
    default: str | None = Field(description="Periode yang ditampilkan bila tidak dipilih")
    release_id: int | None
    released_at: str | None
