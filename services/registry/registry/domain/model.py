"""Pure registry rules: domicile, name matching for possible duplicates, poverty assessment."""

import re
import unicodedata
from dataclasses import dataclass
from datetime import date


class RuleBroken(ValueError):
    def __init__(self, pesan: str, detail: str, field: str) -> None:
        super().__init__(pesan)
        self.pesan = pesan
        self.detail = detail
        self.field = field


def check_domicile(kecamatan_code: str, desa_code: str | None) -> None:
    if desa_code is not None and not desa_code.startswith(kecamatan_code + "."):
        raise RuleBroken(
            "Desa/kelurahan tidak berada di kecamatan yang dipilih",
            "desa_code does not belong to kecamatan_code",
            "desa_code",
        )


def check_not_future(on: date, today: date, field: str) -> None:
    if on > today:
        raise RuleBroken("Tanggal tidak boleh di masa depan", f"{field} is in the future", field)


def name_key(name: str) -> str:
    """Spelling-insensitive form for duplicate matching: case, accents, punctuation, spacing ignored."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()
    return " ".join(re.sub(r"[^a-z ]", " ", text).split())


def duplicate_fingerprint_source(name: str, birth_date: date, kecamatan_code: str, desa_code: str | None) -> str:
    return f"dup|{name_key(name)}|{birth_date.isoformat()}|{desa_code or kecamatan_code}"


@dataclass(frozen=True)
class PovertyLine:
    valid_from: date
    idr: int


@dataclass(frozen=True)
class WelfareResult:
    per_capita_income_idr: int
    poverty_line: PovertyLine
    below_poverty_line: bool


def line_in_force(lines: list[PovertyLine], on: date) -> PovertyLine:
    """The latest line whose valid_from is on or before ``on``; none configured that early is refused."""
    candidates = [line for line in lines if line.valid_from <= on]
    if not candidates:
        earliest = min((line.valid_from for line in lines), default=None)
        raise RuleBroken(
            "Garis kemiskinan untuk tanggal penilaian ini belum dikonfigurasi"
            + (f" (tersedia mulai {earliest.isoformat()})" if earliest else ""),
            "no poverty line configured on or before assessed_on",
            "assessed_on",
        )
    return max(candidates, key=lambda line: line.valid_from)


def assess(household_size: int, monthly_income_idr: int, line: PovertyLine) -> WelfareResult:
    per_capita = monthly_income_idr // household_size
    return WelfareResult(per_capita, line, per_capita < line.idr)
