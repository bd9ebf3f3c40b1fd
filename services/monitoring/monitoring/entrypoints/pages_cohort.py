"""The evaluation team's cohort funnel as a page: the same shape as the public dashboard's ("Dari … perempuan
terdaftar, … mengikuti pelatihan; dari mereka, …"), exact, from the live read model (``service_layer/cohort.py``).
Only for a signed-in member of staff holding figures:internal (policy.py)."""

import re
from typing import Any

from berdaya_shared.auth import SessionRoute
from berdaya_shared.signin import CurrentUser
from berdaya_shared.ui import render
from berdaya_shared.ui.places import KECAMATAN, kecamatan_name
from fastapi import APIRouter, Request
from fastapi.responses import Response

from ..domain.disclosure import periods as p
from ..service_layer import cohort
from ..service_layer.indicators import Filters, on_snapshot

pages = APIRouter(route_class=SessionRoute, include_in_schema=False)
_GRID = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])|-Q[1-4])?$")


def _problems(period: str, kecamatan: str) -> dict[str, str]:
    out = {}
    if period and not _GRID.match(period):
        out["period"] = "Periode harus satu tahun (2026), triwulan (2026-Q1) atau bulan (2026-01)"
    if kecamatan and kecamatan not in KECAMATAN:
        out["kecamatan"] = "Kecamatan tidak dikenal di Kutai Kartanegara"
    return out


@pages.get("/kohort")
async def cohort_page(request: Request, user: CurrentUser) -> Response:
    period = request.query_params.get("period", "").strip()
    kecamatan = request.query_params.get("kecamatan", "").strip()
    problems = _problems(period, kecamatan)
    data: dict[str, Any] | None = None
    if not problems:
        months = p.months_of(period) if period else (None, None)
        filters = Filters(kecamatan or None, months[0], months[-1])
        read = on_snapshot(lambda conn: cohort.internal(conn, filters, period or None))
        async with request.app.state.runtime.pool.acquire() as conn:
            data = await read(conn)
    return await render(request, "monitoring/cohort.html", {
        "title": "Corong kohort (angka tepat)", "data": data, "errors": problems,
        "values": {"period": period, "kecamatan": kecamatan}, "kecamatan_name": kecamatan_name(kecamatan or None),
        "kecamatan": sorted(KECAMATAN.items(), key=lambda kv: kv[1])}, status_code=422 if problems else 200)
