"""The "belum terjangkau" page (DP3A field officers): by kecamatan and desa, PEKKA first, printable, and the same
list to download. The purpose declared for the session is logged with every row shown."""

from typing import Any

from berdaya_shared import errors
from berdaya_shared.auth import SessionRoute
from berdaya_shared.signin import CurrentUser, Purpose
from berdaya_shared.ui import render
from fastapi import APIRouter, Request
from fastapi.responses import Response

from ..adapters.crypto import PiiCipher
from ..domain import places
from ..domain.kukar import KECAMATAN
from ..service_layer import unreached
from ..service_layer.unit_of_work import RegistryUnitOfWork
from .api_unreached import CSV_LIMIT, PEKKA, as_csv
from .deps import log_reads

pages = APIRouter(route_class=SessionRoute, include_in_schema=False)
PAGE_SIZE = 100


def _filters(kecamatan: str | None, desa: str | None) -> tuple[str | None, str | None]:
    kecamatan = (kecamatan or "").strip() or None
    desa = (desa or "").strip() or None
    if kecamatan is not None and kecamatan not in KECAMATAN:
        raise errors.Invalid("Kecamatan tidak dikenal", f"unknown kecamatan {kecamatan!r}", field="kecamatan")
    if desa is not None and (desa not in places.DESA or places.DESA[desa].kecamatan_code != kecamatan):
        raise errors.Invalid("Desa tidak ada di kecamatan itu", f"unknown desa {desa!r}", field="desa")
    return kecamatan, desa


async def _list(request: Request, user: Any, purpose: str, kecamatan: str | None, desa: str | None, *,
                limit: int, offset: int) -> dict[str, Any]:
    cipher: PiiCipher = request.app.state.cipher
    async with request.app.state.runtime.pool.acquire() as conn:
        page = await unreached.list_(RegistryUnitOfWork(conn, cipher), kecamatan_code=kecamatan, desa_code=desa,
                                     area=user.kecamatan, limit=limit, offset=offset)
        await log_reads(conn, request, [i["person_ref"] for i in page["items"]], why=purpose)
    return page


@pages.get("/belum-terjangkau")
async def unreached_page(request: Request, user: CurrentUser, purpose: Purpose, kecamatan: str | None = None,
                         desa: str | None = None, halaman: int = 1) -> Response:
    kecamatan_code, desa_code = _filters(kecamatan, desa)
    halaman = max(halaman, 1)
    page = await _list(request, user, purpose, kecamatan_code, desa_code, limit=PAGE_SIZE,
                       offset=(halaman - 1) * PAGE_SIZE)
    desa_options = sorted(((d.code, d.name) for d in places.DESA.values() if d.kecamatan_code == kecamatan_code),
                          key=lambda o: o[1])
    query = "&".join(f"{k}={v}" for k, v in (("kecamatan", kecamatan_code), ("desa", desa_code)) if v)
    return await render(request, "registry/unreached.html", {
        "title": "Belum terjangkau", "items": page["items"], "total": page["total"], "page": halaman,
        "pages": max((page["total"] + PAGE_SIZE - 1) // PAGE_SIZE, 1), "kecamatan": kecamatan_code,
        "desa": desa_code, "kecamatan_options": sorted(KECAMATAN.items(), key=lambda o: o[1]),
        "desa_options": desa_options, "pekka": PEKKA, "query": query}, block="results")


@pages.get("/belum-terjangkau.csv")
async def unreached_download(request: Request, user: CurrentUser, purpose: Purpose, kecamatan: str | None = None,
                             desa: str | None = None) -> Response:
    kecamatan_code, desa_code = _filters(kecamatan, desa)
    page = await _list(request, user, purpose, kecamatan_code, desa_code, limit=CSV_LIMIT, offset=0)
    return Response(as_csv(page["items"]), media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": 'attachment; filename="belum-terjangkau.csv"', "Cache-Control": "no-store"})
