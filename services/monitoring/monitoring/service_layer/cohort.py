"""The cohort funnel, in both faces: of the women registered in a period, those trained; of those, those with a
business; then market access; then above the poverty line — each step a part of the one before.

Public face: the published cells of the cohort tables (``domain/disclosure/tables.py``, family ``cohort``; the
first step is ``women_registered``), regency or one kecamatan, for a released period; a rate only as published
count ÷ published count. Internal face: the live read model's cohort (``indicators.funnel``), exact.
"""

from typing import Any

import asyncpg
from berdaya_shared import errors

from ..adapters import publication as pub
from ..domain.disclosure import periods as p
from ..domain.disclosure.tables import COHORT_STEPS
from . import indicators, publication

STEPS = ("registered", "trained", "business", "market", "above_poverty_line")
LABELS = ("perempuan terdaftar", "mengikuti pelatihan", "punya usaha", "punya akses pasar",
          "di atas garis kemiskinan")
REASON = ("x = angka disembunyikan untuk melindungi kerahasiaan (UU PDP No. 27/2022): langkah ini, atau selisihnya "
          "dengan langkah sebelumnya atau berikutnya, mewakili kurang dari 5 orang, atau disembunyikan agar sel kecil "
          "lain tidak dapat dihitung dari angka yang diterbitkan.")


def _steps(values: list[tuple[int | None, bool]]) -> list[dict[str, Any]]:
    """Steps with their rate of the step before: only when both are shown (published count ÷ published count)."""
    out: list[dict[str, Any]] = []
    for i, (value, hidden) in enumerate(values):
        prev = values[i - 1] if i else None
        rate = None
        if prev is not None and not hidden and not prev[1] and value is not None and prev[0]:
            rate = round(value / prev[0], 4)
        out.append({"step": STEPS[i], "label": LABELS[i], "value": None if hidden else value, "suppressed": hidden,
                    "rate_of_previous": rate})
    return out


def sentence(steps: list[dict[str, Any]]) -> str:
    """The funnel read aloud: "Dari 1.240 perempuan terdaftar, 610 mengikuti pelatihan; dari mereka, 200 punya
    usaha; ..." (a withheld step reads "x")."""
    def n(s: dict[str, Any]) -> str:
        return "x" if s["suppressed"] or s["value"] is None else f"{s['value']:,}".replace(",", ".")

    parts = [f"Dari {n(steps[0])} {steps[0]['label']}, {n(steps[1])} {steps[1]['label']}"]
    parts += [f"dari mereka, {n(s)} {s['label']}" for s in steps[2:]]
    return "; ".join(parts) + "."


_RANK = {"year": 2, "quarter": 1, "month": 0}


async def default_period(conn: asyncpg.Connection) -> str:
    """The released quarter or year of the cohort reaching furthest (the year when both end in the same month),
    else the latest released month. Raises NotFound before any release of the cohort."""
    released = await pub.released_periods(conn, COHORT_STEPS[1])
    coarse = [x for x in released if p.level(x) in ("quarter", "year")] or released
    if coarse:
        return max(coarse, key=lambda x: (p.months_of(x)[-1], _RANK[p.level(x) or "month"]))
    raise errors.NotFound("Corong kohort belum dirilis untuk publik (satu bulan dirilis 190 hari setelah berakhir)",
                          "no cohort month released yet", field="period")


async def public(conn: asyncpg.Connection, period: str | None, kecamatan: str | None) -> dict[str, Any]:
    """The published cohort of ``period`` (None: the latest released), the regency's or one kecamatan's.
    Raises NotFound when the period's cohort is not released."""
    period = period or await default_period(conn)
    if await publication.cell(conn, COHORT_STEPS[1], period) is None:
        raise errors.NotFound(f"Corong kohort periode {period} belum dirilis", f"cohort of {period} not released",
                              field="period")
    dim, key = ("kukar", "") if kecamatan is None else ("kecamatan", kecamatan)
    values: list[tuple[int | None, bool]] = []
    for name in COHORT_STEPS:
        c = await publication.cell(conn, name, period, dim, key)
        if c is None:  # no woman of the kecamatan registered in the period: zero at every step
            values.append((0, False))
        else:
            values.append((None if c["value"] is None else int(c["value"]), c["suppressed"]))
    steps = _steps(values)
    return {"face": "publik", "period": period, "kecamatan": kecamatan, "steps": steps, "sentence": sentence(steps),
            "reason": REASON}


async def internal(conn: asyncpg.Connection, filters: indicators.Filters, period: str | None) -> dict[str, Any]:
    """The exact cohort of the women registered under ``filters`` (the live read model)."""
    rows = await indicators.funnel(conn, filters)
    steps = _steps([(r["cohort"], False) for r in rows])
    return {"face": "internal", "period": period, "kecamatan": filters.kecamatan, "steps": steps,
            "sentence": sentence(steps), "reason": None}
