"""Household welfare against the poverty line (garis kemiskinan, GK), and aid given to a woman.

Rules (source: BPS; the handbook's program facts): per capita income = monthly household income ÷ household size,
floored to whole Rupiah; a household is below the line when that is strictly below the GK in force on the day of
the assessment. GK changes yearly, so it is dated configuration (``PovertyLine``), never a constant; a date before
the earliest configured line is refused rather than guessed. A woman's first assessment is her baseline.
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


def assess(*, assessment_ref: UUID, person_ref: UUID, assessed_on: date, household_size: int,
           monthly_income_idr: int, lines: Iterable[PovertyLine], is_baseline: bool,
           today: date) -> WelfareAssessed:
    """One assessment of a woman's household: Invalid when dated in the future or before any configured line."""
    not_future(assessed_on, today, "assessed_on")
    line = line_in_force(lines, assessed_on)
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
