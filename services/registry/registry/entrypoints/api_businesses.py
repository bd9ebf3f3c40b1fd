"""Women's businesses (UKM) and their monthly reports over HTTP (Diskop UKM)."""

from typing import Annotated
from uuid import UUID

from berdaya_contracts.common import KecamatanCode, Sector
from berdaya_shared.entrypoints import IdempotencyKey, Limit, Offset, Today, command, query
from fastapi import APIRouter, Query, Request, Response

from ..service_layer import businesses
from .deps import Uow
from .schemas_businesses import BusinessCreate, BusinessList, BusinessRead, BusinessReportCreate, BusinessReportRead

router = APIRouter(tags=["UKM dan koperasi (Diskop UKM)"])


@router.post("/businesses", status_code=201, response_model=BusinessRead, summary="Daftarkan usaha perempuan",
             description="Pemiliknya perempuan terdaftar yang data pribadinya belum dihapus. Menerbitkan "
                         "BusinessRegistered dengan sektor, kecamatan dan legalitas (NIB, PIRT, halal).")
async def register_business(body: BusinessCreate, request: Request, today: Today, uow: Uow,
                            _key: IdempotencyKey = None) -> Response:
    return await command(request, lambda conn: businesses.create(uow(conn), **body.model_dump(), today=today),
                         model=BusinessRead, status=201)


@router.get("/businesses", response_model=BusinessList, summary="Cari usaha perempuan")
async def search_businesses(
    request: Request,
    uow: Uow,
    owner_person_ref: Annotated[UUID | None, Query()] = None,
    kecamatan_code: Annotated[KecamatanCode | None, Query()] = None,
    sector: Annotated[Sector | None, Query()] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Response:
    return await query(request, lambda conn: businesses.search(
        uow(conn), owner_person_ref=owner_person_ref, kecamatan_code=kecamatan_code, sector=sector, limit=limit,
        offset=offset), model=BusinessList)


@router.get("/businesses/{business_ref}", response_model=BusinessRead, summary="Baca satu usaha")
async def read_business(business_ref: UUID, request: Request, uow: Uow) -> Response:
    return await query(request, lambda conn: businesses.get(uow(conn), business_ref=business_ref), model=BusinessRead)


@router.post("/businesses/{business_ref}/reports", status_code=201, response_model=BusinessReportRead,
             summary="Laporan bulanan omzet dan pekerja")
async def report_business(business_ref: UUID, body: BusinessReportCreate, request: Request, today: Today, uow: Uow,
                          _key: IdempotencyKey = None) -> Response:
    return await command(request, lambda conn: businesses.report(
        uow(conn), business_ref=business_ref, **body.model_dump(), today=today), model=BusinessReportRead, status=201)


@router.get("/businesses/{business_ref}/reports", response_model=list[BusinessReportRead],
            summary="Laporan bulanan satu usaha")
async def business_reports(business_ref: UUID, request: Request, uow: Uow) -> Response:
    return await query(request, lambda conn: businesses.reports(uow(conn), business_ref=business_ref),
                       model=list[BusinessReportRead])
