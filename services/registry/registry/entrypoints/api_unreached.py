"""The "belum terjangkau" list over HTTP (DP3A field officers): JSON and a CSV to download. Personal data: needs
personal_data:read and X-Purpose; every row answered is logged."""

import csv
import io
from typing import Annotated, Any

import asyncpg
from berdaya_contracts.common import DesaCode, KecamatanCode
from berdaya_shared.entrypoints import Caller, Limit, Offset, query
from berdaya_shared.ui.formats import tanggal
from fastapi import APIRouter, Query, Request, Response

from ..service_layer import unreached
from .deps import Purpose, Uow, log_reads
from .schemas_journey import UnreachedList

router = APIRouter(tags=["Belum terjangkau (DP3A)"])
PEKKA = {"none": "bukan PEKKA", "productive": "PEKKA usia produktif", "child_marriage_risk": "PEKKA risiko kawin anak",
         "elderly": "PEKKA lansia"}
CSV_LIMIT = 10_000


def as_csv(items: list[dict[str, Any]]) -> bytes:
    """The list as a CSV for Excel in the Indonesian locale: ';'-separated, with a byte-order mark; a cell that
    would start a formula is quoted with a leading apostrophe."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(["No", "Nama", "Kecamatan", "Desa/Kelurahan", "PEKKA", "Kelompok umur", "Anggota rumah tangga",
                     "Asesmen terakhir", "Pendapatan per kapita (Rp)", "Garis kemiskinan (Rp)", "Nomor registri"])
    for n, i in enumerate(items, start=1):
        name = i["full_name"] or ""
        if name[:1] in ("=", "+", "-", "@"):
            name = "'" + name
        writer.writerow([n, name, i["kecamatan"] or i["kecamatan_code"], i["desa"] or i["desa_code"] or "",
                         PEKKA.get(i["pekka_category"], i["pekka_category"]), i["age_band"], i["household_size"],
                         tanggal(i["assessed_on"]), i["per_capita_income_idr"], i["poverty_line_idr"],
                         i["person_ref"]])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


@router.get("/unreached-women", response_model=UnreachedList, summary="Perempuan belum terjangkau",
            description="Asesmen terakhir di bawah garis kemiskinan dan belum punya pelatihan, usaha, koperasi atau "
                        "modal; PEKKA lebih dulu, lalu per kecamatan dan desa. Memuat data pribadi: perlu "
                        "personal_data:read dan X-Purpose; setiap baris dicatat di log audit.")
async def list_unreached(request: Request, why: Purpose, uow: Uow, caller: Caller,
                         kecamatan_code: Annotated[KecamatanCode | None, Query()] = None,
                         desa_code: Annotated[DesaCode | None, Query()] = None,
                         limit: Limit = 50, offset: Offset = 0) -> Response:
    async def handle(conn: asyncpg.Connection) -> dict[str, Any]:
        page = await unreached.list_(uow(conn), kecamatan_code=kecamatan_code, desa_code=desa_code,
                                     area=caller.kecamatan, limit=limit, offset=offset)
        await log_reads(conn, request, [i["person_ref"] for i in page["items"]], why=why)
        return page

    return await query(request, handle, model=UnreachedList)


@router.get("/unreached-women.csv", summary="Perempuan belum terjangkau (CSV)", response_class=Response,
            responses={200: {"content": {"text/csv": {}}}})
async def download_unreached(request: Request, why: Purpose, uow: Uow, caller: Caller,
                             kecamatan_code: Annotated[KecamatanCode | None, Query()] = None,
                             desa_code: Annotated[DesaCode | None, Query()] = None) -> Response:
    async with request.app.state.runtime.pool.acquire() as conn:
        page = await unreached.list_(uow(conn), kecamatan_code=kecamatan_code, desa_code=desa_code,
                                     area=caller.kecamatan, limit=CSV_LIMIT, offset=0)
        await log_reads(conn, request, [i["person_ref"] for i in page["items"]], why=why)
    return Response(as_csv(page["items"]), media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": 'attachment; filename="belum-terjangkau.csv"', "Cache-Control": "no-store"})
