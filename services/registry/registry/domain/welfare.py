"""Household welfare against the poverty line (garis kemiskinan, GK), and aid given to a woman.

Rules (source: BPS Kutai Kartanegara, garis kemiskinan 2024 Rp 753.332 per capita per month): per capita income =
monthly household income ÷ household size, floored to whole Rupiah; a household is below the line when that is
strictly below the GK in force on the day of the assessment. GK changes yearly, so it is dated configuration
(``PovertyLine``), never a constant; a date before the earliest configured line is refused rather than guessed.
A woman's first assessment is her baseline.

Plausibility: a household income under Rp 10.000 a month, or a per-capita income under Rp 50.000 (under 7% of
Kukar's 2024 line of Rp 753.332; no household lives a month on it), is almost always an amount written in thousands
on the paper form (800 meaning Rp 800.000). Such an amount is refused unless the officer confirms it
(``CONFIRM_LOW_INCOME``), with the thousands reading suggested: stored as Rp 800, the next assessment in full Rupiah
would count as a poverty exit.
"""

from collections.abc import Iterable
from datetime import date
from uuid import UUID

from berdaya_shared.errors import Invalid, NotFound

from .dates import not_future
from .events import AidProvided, PovertyLine, WelfareAssessed


def line_in_force(lines: Iterable[PovertyLine], on: date) -> PovertyLine:
    """The latest line whose valid_from is on or before ``on``; none configured that early is refused."""
    lines = list(lines)
    candidates = [line for line in lines if line.valid_from <= on]
    if not candidates:
        earliest = min((line.valid_from for line in lines), default=None)
        raise Invalid(
            "Garis kemiskinan untuk tanggal penilaian ini belum dikonfigurasi"
            + (f" (tersedia mulai {earliest.isoformat()})" if earliest else ""),
            "no poverty line configured on or before assessed_on",
            field="assessed_on",
        )
    return max(candidates, key=lambda line: line.valid_from)


LOW_INCOME_IDR = 10_000
LOW_PER_CAPITA_IDR = 50_000
CONFIRM_LOW_INCOME = "confirm_low_income"


def rupiah(amount: int) -> str:
    """Rupiah the Indonesian way: Rp 800.000."""
    return "Rp " + f"{amount:,}".replace(",", ".")


def implausible_income(monthly_income_idr: int, household_size: int) -> str | None:
    """Why the amount looks like a slip (Indonesian, with the thousands reading when it fits), or None."""
    per_capita = monthly_income_idr // household_size
    if monthly_income_idr >= LOW_INCOME_IDR and per_capita >= LOW_PER_CAPITA_IDR:
        return None
    what = (f"Pendapatan rumah tangga {rupiah(monthly_income_idr)} per bulan" if monthly_income_idr < LOW_INCOME_IDR
            else f"Pendapatan per kapita {rupiah(per_capita)} per bulan")
    hint = ""
    if 0 < monthly_income_idr < 50_000:  # read in thousands: up to Rp 50 juta a month
        hint = (f" Bila yang dimaksud {rupiah(monthly_income_idr * 1000)} (ditulis dalam ribuan), tulis "
                f"{monthly_income_idr * 1000}.")
    return (f"{what} terlalu rendah untuk masuk akal.{hint} Bila jumlah ini memang benar, konfirmasi "
            "pendapatan rendah.")


def check_income(monthly_income_idr: int, household_size: int, *, confirmed: bool = False) -> None:
    """Raises Invalid (field ``monthly_household_income_idr``) for an implausibly low amount not confirmed."""
    problem = implausible_income(monthly_income_idr, household_size)
    if problem is not None and not confirmed:
        raise Invalid(problem, f"income below Rp {LOW_INCOME_IDR} a month or per capita below Rp "
                      f"{LOW_PER_CAPITA_IDR}; confirm with {CONFIRM_LOW_INCOME}",
                      field="monthly_household_income_idr", confirm=CONFIRM_LOW_INCOME)


def assess(*, assessment_ref: UUID, person_ref: UUID, assessed_on: date, household_size: int,
           monthly_income_idr: int, lines: Iterable[PovertyLine], is_baseline: bool,
           today: date, confirmed_low_income: bool = False) -> WelfareAssessed:
    """One assessment of a woman's household: Invalid when dated in the future or before any configured line, or
    for an implausibly low income not confirmed (``check_income``)."""
    not_future(assessed_on, today, "assessed_on")
    line = line_in_force(lines, assessed_on)
    check_income(monthly_income_idr, household_size, confirmed=confirmed_low_income)
    per_capita = monthly_income_idr // household_size
    return WelfareAssessed(assessment_ref, person_ref, assessed_on, household_size, monthly_income_idr, per_capita,
                           line, per_capita < line.idr, is_baseline)


def provide_aid(*, aid_ref: UUID, person_ref: UUID, kind: str, provider_opd: str, provided_on: date,
                today: date) -> AidProvided:
    """Aid given (legal assistance, social aid, counselling, shelter). The event says that it was given, by whom and
    when: the case itself stays in the registry's case notes, behind their own scope."""
    not_future(provided_on, today, "provided_on")
    return AidProvided(aid_ref, person_ref, kind, provider_opd, provided_on)


def aid_not_found(aid_ref: UUID) -> NotFound:
    return NotFound("Catatan bantuan tidak ditemukan", f"aid {aid_ref} not found", field="aid_ref")
