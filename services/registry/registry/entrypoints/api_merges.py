"""The duplicate queue and merges over HTTP: list possible-duplicate pairs with both records side by side, merge
two records of one woman, read a merge, undo a mistaken one. Dismissing a pair is in ``api_women``."""

from typing import Annotated, Any
from uuid import UUID

import asyncpg
from berdaya_contracts.common import KecamatanCode
from berdaya_shared.entrypoints import IdempotencyKey, Limit, Offset, Today, command, query
from fastapi import APIRouter, Query, Request, Response

from ..service_layer import merges
from .deps import Opd, Purpose, Uow, log_reads
from .schemas_merges import MergeCreate, MergeRead, MergeUndo, PairList, PairStatus

router = APIRouter(tags=["Kemungkinan ganda dan penggabungan (DP3A)"])

_PII = ("Memuat data pribadi kedua catatan: perlu izin personal_data:read dan header X-Purpose; setiap pembacaan "
        "dicatat di log audit.")
_RULES = ("Satu person_ref dipertahankan; penilaian kesejahteraan, bantuan, UKM, keanggotaan koperasi dan modal "
          "catatan lain pindah ke sana, dan semua layanan menghitungnya satu orang (peristiwa WomenMerged). "
          "Bila dua baseline: yang lebih awal tetap baseline. Tanggal terdaftar: yang lebih awal. NIK yang tidak "
          "dipakai dilepas sehingga pemilik sebenarnya dapat didaftarkan.")


@router.get("/possible-duplicates", response_model=PairList, summary="Antrean kemungkinan ganda",
            description="Pasangan catatan dengan tanggal lahir dan kecamatan sama dan nama mirip (gelar, huruf "
                        "ganda, spasi dan ejaan lama diabaikan), berikut isian yang berbeda. " + _PII)
async def pairs(
    request: Request,
    why: Purpose,
    uow: Uow,
    status: Annotated[PairStatus, Query(description="open (bawaan), dismissed atau merged")] = "open",
    kecamatan_code: Annotated[KecamatanCode | None, Query()] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Response:
    async def handle(conn: asyncpg.Connection) -> dict[str, Any]:
        page = await merges.queue(uow(conn), status=status, kecamatan_code=kecamatan_code, limit=limit,
                                  offset=offset)
        await log_reads(conn, request, sorted({r["person_ref"] for p in page["items"] for r in p["records"]},
                                              key=str), why=why)
        return page

    return await query(request, handle, model=PairList)


@router.post("/merges", status_code=201, response_model=MergeRead, summary="Gabungkan dua catatan satu perempuan",
             description=_RULES)
async def merge(body: MergeCreate, request: Request, opd: Opd, today: Today, uow: Uow,
                _key: IdempotencyKey = None) -> Response:
    return await command(request, lambda conn: merges.merge(
        uow(conn), surviving_ref=body.surviving_ref, retired_ref=body.retired_ref, nik_from=body.nik_from,
        opd=opd or "dp3a", today=today), model=MergeRead, status=201)


@router.get("/merges/{merge_ref}", response_model=MergeRead, summary="Baca penggabungan")
async def read(merge_ref: UUID, request: Request, uow: Uow) -> Response:
    return await query(request, lambda conn: merges.get(uow(conn), merge_ref=merge_ref), model=MergeRead)


@router.post("/merges/{merge_ref}/undo", response_model=MergeRead, summary="Batalkan penggabungan yang keliru",
             description="Catatan yang digabung berdiri sendiri lagi dengan NIK dan riwayatnya; yang dicatat untuk "
                         "catatan yang dipertahankan sesudah penggabungan tetap di sana (peristiwa WomenUnmerged). "
                         "Penggabungan dibatalkan dari yang terbaru.")
async def undo(merge_ref: UUID, body: MergeUndo, request: Request, opd: Opd, today: Today, uow: Uow,
               _key: IdempotencyKey = None) -> Response:
    return await command(request, lambda conn: merges.undo(
        uow(conn), merge_ref=merge_ref, reason=body.reason, opd=opd or "dp3a", today=today), model=MergeRead)
