"""Fairs, their booths and their sales sheets over HTTP: thin routes handing each request to a handler.

Commands run through the kit's ``command`` (one transaction, Idempotency-Key, audit row, answer validated);
reads through ``query``. The recording OPD comes from the verified token.
"""

from typing import Annotated, Any
from uuid import UUID

from berdaya_shared.entrypoints import ActingOpd, CorrelationId, IdempotencyKey, Limit, Offset, command, query
from fastapi import APIRouter, Path, Request, Response

from ..service_layer import fairs, trade
from ..service_layer.unit_of_work import MarketplaceUnitOfWork as Uow
from . import schemas_fairs as s
from . import schemas_trade as t

FairRef = Annotated[UUID, Path(description="Referensi pameran")]

REFUSALS: dict[int | str, dict[str, Any]] = {
    404: {"description": "Pameran atau produk tidak ditemukan"},
    409: {"description": "Bertentangan dengan keadaan saat ini (stan penuh, stan sudah dipakai, produk sudah "
                         "diturunkan)"},
    422: {"description": "Data tidak valid atau ditolak aturan; `pesan` menjelaskan alasannya"},
}


def router() -> APIRouter:
    api = APIRouter(prefix="/fairs", tags=["Pameran"], responses=REFUSALS)

    @api.post("", status_code=201, response_model=s.FairRead, summary="Jadwalkan pameran")
    async def schedule(body: s.FairCreate, request: Request, opd: ActingOpd, correlation: CorrelationId,
                       _key: IdempotencyKey = None) -> Response:
        return await command(request, lambda conn: fairs.schedule(
            Uow(conn, correlation_id=correlation), name=body.name, kecamatan_code=body.kecamatan_code,
            location=body.location, starts_on=body.starts_on, ends_on=body.ends_on, booths=body.booths,
            recorded_by_opd=opd or "disperindag",
        ), model=s.FairRead, status=201)

    @api.get("", response_model=s.FairList, summary="Daftar pameran, yang terbaru lebih dulu")
    async def list_fairs(request: Request, limit: Limit = 50, offset: Offset = 0) -> Response:
        return await query(request, lambda conn: fairs.list_(Uow(conn), limit=limit, offset=offset),
                           model=s.FairList)

    @api.get("/{fair_ref}", response_model=s.FairRead, summary="Baca pameran dengan stan terisi dan penjualannya")
    async def get_fair(fair_ref: FairRef, request: Request) -> Response:
        return await query(request, lambda conn: fairs.get(Uow(conn), fair_ref=fair_ref), model=s.FairRead)

    @api.post("/{fair_ref}/booths", status_code=201, response_model=s.BoothRead, summary="Beri stan ke usaha",
              description="Satu stan per usaha per pameran, tidak lebih dari jumlah stan pameran. Tanpa booth_no: "
                          "stan kosong dengan nomor terkecil.")
    async def assign(fair_ref: FairRef, body: s.BoothCreate, request: Request, correlation: CorrelationId,
                     _key: IdempotencyKey = None) -> Response:
        return await command(request, lambda conn: fairs.assign_booth(
            Uow(conn, correlation_id=correlation), fair_ref=fair_ref, business_ref=body.business_ref,
            booth_no=body.booth_no,
        ), model=s.BoothRead, status=201)

    @api.post("/{fair_ref}/shared-booths", status_code=201, response_model=s.SharedBoothRead,
              summary="Beri stan bersama ke OPD, koperasi atau gerai",
              description="Stan bersama menjual produk beberapa usaha perempuan (mis. gerai PEKKA, stan DP3A); setiap "
                          "penjualannya dicatat atas usaha yang produknya terjual. Satu usaha berjualan di satu stan "
                          "per pameran, sendiri atau bersama.")
    async def assign_shared(fair_ref: FairRef, body: s.SharedBoothCreate, request: Request,
                            correlation: CorrelationId, _key: IdempotencyKey = None) -> Response:
        return await command(request, lambda conn: fairs.assign_shared_booth(
            Uow(conn, correlation_id=correlation), fair_ref=fair_ref, holder_kind=body.holder_kind,
            holder_opd=body.holder_opd, holder_label=body.holder_label, booth_no=body.booth_no,
            business_refs=body.business_refs,
        ), model=s.SharedBoothRead, status=201)

    @api.post("/{fair_ref}/shared-booths/{booth_no}/businesses", status_code=201, response_model=s.SharedBoothRead,
              summary="Tambah usaha ke stan bersama")
    async def add_to_shared(fair_ref: FairRef, booth_no: Annotated[int, Path(ge=1, le=5_000)],
                            body: s.SharedBoothAdd, request: Request, correlation: CorrelationId,
                            _key: IdempotencyKey = None) -> Response:
        return await command(request, lambda conn: fairs.add_to_shared_booth(
            Uow(conn, correlation_id=correlation), fair_ref=fair_ref, booth_no=booth_no,
            business_refs=body.business_refs,
        ), model=s.SharedBoothRead, status=201)

    @api.get("/{fair_ref}/booths", response_model=list[s.BoothRead], summary="Stan pameran menurut nomor")
    async def booths(fair_ref: FairRef, request: Request) -> Response:
        return await query(request, lambda conn: fairs.booths(Uow(conn), fair_ref=fair_ref), model=list[s.BoothRead])

    @api.post("/{fair_ref}/sales-sheet", status_code=201, response_model=t.SalesSheetRead,
              summary="Catat lembar penjualan pameran (semua baris atau tidak sama sekali)",
              description="Setiap baris diperiksa dulu; satu baris salah menolak seluruh lembar, dan jawabannya "
                          "menyebut setiap baris (`row`) dan kolomnya (`field`). Satu SaleRecorded per baris.")
    async def sheet(fair_ref: FairRef, body: t.SalesSheetCreate, request: Request, correlation: CorrelationId,
                    _key: IdempotencyKey = None) -> Response:
        rows = [r.model_dump() for r in body.rows]
        return await command(request, lambda conn: trade.record_sheet(
            Uow(conn, correlation_id=correlation), fair_ref=fair_ref, rows=rows,
        ), model=t.SalesSheetRead, status=201)

    return api
