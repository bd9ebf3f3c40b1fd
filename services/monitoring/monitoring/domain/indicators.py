"""What the evaluation team measures: the indicator catalogue and the exact value of a cell (no I/O).

Exact values are the internal face (DP3A's evaluation team, scope ``figures:internal``); everything else sees the
publication, protected by ``domain/disclosure``.
"""

from dataclasses import dataclass
from typing import Literal

Kind = Literal["count", "ratio", "sum_idr", "median_idr"]
DIMENSIONS = ("kecamatan", "period", "opd", "field", "pekka_category", "age_band")


@dataclass(frozen=True)
class Indicator:
    name: str
    label: str  # Bahasa Indonesia, shown on the dashboard and in exports
    kind: Kind
    group: str
    headline: bool = False


CATALOG: tuple[Indicator, ...] = (
    Indicator("women_registered", "Perempuan terdaftar", "count", "Pendaftaran", headline=True),
    Indicator("pekka_registered", "PEKKA terdaftar", "count", "Pendaftaran", headline=True),
    Indicator("enrolments", "Pendaftaran pelatihan", "count", "Pelatihan", headline=True),
    Indicator("completions", "Lulus pelatihan", "count", "Pelatihan", headline=True),
    Indicator("dropouts", "Putus pelatihan", "count", "Pelatihan"),
    Indicator("completion_rate", "Tingkat kelulusan", "ratio", "Pelatihan"),
    Indicator("women_trained", "Perempuan terlatih (unik)", "count", "Pelatihan", headline=True),
    Indicator("business_startups", "Usaha baru ≤180 hari setelah lulus", "count", "Usaha", headline=True),
    Indicator("business_startup_rate", "Tingkat usaha baru setelah pelatihan", "ratio", "Usaha"),
    Indicator("ukm_registered", "UKM perempuan terdaftar", "count", "Usaha", headline=True),
    Indicator("ukm_nib_share", "UKM ber-NIB", "ratio", "Legalitas"),
    Indicator("ukm_pirt_share", "UKM ber-PIRT", "ratio", "Legalitas"),
    Indicator("ukm_halal_share", "UKM bersertifikat halal", "ratio", "Legalitas"),
    Indicator("revenue_change_median", "Median perubahan omzet bulanan", "median_idr", "Usaha"),
    Indicator("coops_formed", "Koperasi dibentuk", "count", "Koperasi", headline=True),
    Indicator("coop_women_members", "Perempuan bergabung koperasi", "count", "Koperasi", headline=True),
    Indicator("coops_rat_compliant", "Koperasi melaksanakan RAT", "count", "Koperasi"),
    Indicator("capital_recipients", "Penerima akses modal (pertama kali)", "count", "Koperasi"),
    Indicator("capital_disbursed_idr", "Modal tersalurkan", "sum_idr", "Koperasi", headline=True),
    Indicator("market_trade_fair", "Usaha ikut pameran", "count", "Pasar"),
    Indicator("market_modern_retail", "Usaha di pasar modern", "count", "Pasar"),
    Indicator("market_digital", "Usaha di pasar digital", "count", "Pasar"),
    Indicator("sales_trade_fair_idr", "Penjualan pameran", "sum_idr", "Pasar"),
    Indicator("sales_modern_retail_idr", "Penjualan pasar modern", "sum_idr", "Pasar"),
    Indicator("sales_digital_idr", "Penjualan pasar digital", "sum_idr", "Pasar"),
    Indicator("sales_total_idr", "Total penjualan", "sum_idr", "Pasar", headline=True),
    Indicator("formal_placements", "Penempatan kerja formal", "count", "Kerja", headline=True),
    Indicator("poverty_exits", "Keluar dari kemiskinan", "count", "Kesejahteraan", headline=True),
    Indicator("poverty_exit_rate", "Tingkat keluar dari kemiskinan dalam 12 bulan", "ratio", "Kesejahteraan",
              headline=True),
    Indicator("legal_aid_recipients", "Penerima pendampingan hukum", "count", "Bantuan"),
    Indicator("counselling_recipients", "Penerima konseling", "count", "Bantuan"),
    Indicator("shelter_recipients", "Penerima layanan rumah aman", "count", "Bantuan"),
    Indicator("social_aid_recipients", "Penerima bantuan sosial", "count", "Bantuan"),
    Indicator("women_first_business", "Perempuan memulai usaha pertama", "count", "Corong"),
    Indicator("women_first_market", "Perempuan pertama kali mengakses pasar", "count", "Corong"),
)
BY_NAME: dict[str, Indicator] = {i.name: i for i in CATALOG}


def exact_value(kind: Kind, *, num: int, den: int, total: float | None,
                median: float | None) -> tuple[float | None, int | None]:
    """(value, denominator) of one cell from its aggregates: a count, a ratio num/den (4 decimals; None when the
    denominator is 0), a Rupiah sum (0 when empty) or a median (None when empty)."""
    if kind == "count":
        return float(num), None
    if kind == "ratio":
        return (round(num / den, 4) if den else None), den
    if kind == "sum_idr":
        return float(total or 0), None
    return (float(median) if median is not None else None), None
