"""Evaluation rounds of the coordination meetings: periods, obstacle and action vocabularies (no I/O)."""

import re
from typing import Literal

PeriodKind = Literal["month", "quarter"]
ObstacleCategory = Literal["budget", "participants", "market_access", "data", "coordination", "other"]
Severity = Literal["low", "medium", "high"]
ActionStatus = Literal["open", "in_progress", "done"]
APPROVER = "dp3a"

CATEGORY_LABEL = {"budget": "Anggaran", "participants": "Peserta", "market_access": "Akses pasar", "data": "Data",
                  "coordination": "Koordinasi", "other": "Lainnya"}
SEVERITY_LABEL = {"low": "Rendah", "medium": "Sedang", "high": "Tinggi"}
STATUS_LABEL = {"open": "Terbuka", "in_progress": "Berjalan", "done": "Selesai"}
OPD_LABEL = {"dp3a": "DP3A", "disperindag": "Disperindag", "diskop_ukm": "Diskop UKM",
             "distransnaker": "Distransnaker"}

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")


def month_range(kind: PeriodKind, period: str) -> tuple[str, str] | None:
    """First and last month (YYYY-MM) of a period, or None when the period does not match its kind."""
    if kind == "month":
        return (period, period) if _MONTH.match(period) else None
    m = _QUARTER.match(period)
    if not m:
        return None
    year, q = m.group(1), int(m.group(2))
    return f"{year}-{3 * q - 2:02d}", f"{year}-{3 * q:02d}"


def cell_key(indicator: str, kecamatan_code: str | None) -> str:
    return f"{indicator}|{kecamatan_code or 'kukar'}"


def diff(frozen: list[dict], live: list[dict]) -> list[dict]:
    """Cells whose live value differs from the frozen one (late data), including cells that appeared."""
    before = {cell_key(c["indicator"], c["kecamatan_code"]): c for c in frozen}
    after = {cell_key(c["indicator"], c["kecamatan_code"]): c for c in live}
    out = []
    for key in sorted(set(before) | set(after)):
        b, a = before.get(key), after.get(key)
        bv, av = (b or {}).get("value"), (a or {}).get("value")
        bs, as_ = (b or {}).get("suppressed", False), (a or {}).get("suppressed", False)
        if bv == av and bs == as_:
            continue
        ref = a or b
        assert ref is not None
        change = av - bv if isinstance(av, float | int) and isinstance(bv, float | int) else None
        out.append({"indicator": ref["indicator"], "kecamatan_code": ref["kecamatan_code"], "frozen": bv,
                    "frozen_suppressed": bs, "live": av, "live_suppressed": as_, "change": change})
    return out


def safe_text(value: object) -> object:
    """Spreadsheet formula injection guard for free text typed by users."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
