"""UKM (Diskop UKM): businesses and monthly reports; cooperatives, RAT and capital disbursements."""

from typing import Annotated, Any
from uuid import UUID

from berdaya_contracts.common import KecamatanCode, Sector
from berdaya_shared.http import idempotent
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from ..service_layer import coops, ukm
from . import deps
from .deps import ActorOpd
from .schemas_programs import (
    AnnualMeetingCreate,
    BusinessCreate,
    BusinessPage,
    BusinessRead,
    BusinessReportCreate,
    BusinessReportRead,
    CapitalDisbursementCreate,
    CoopCreate,
    CoopMemberJoin,
    CoopMemberLeave,
    CoopRead,
)

router = APIRouter(tags=["UKM dan koperasi (Diskop UKM)"])


def _run(request: Request, status: int, handler: Any, **kwargs: Any) -> Any:
    async def command(conn: Any) -> tuple[int, Any]:
        return status, await handler(conn, correlation_id=deps.correlation_id(request), **kwargs)

    return idempotent(request, deps.pool(request), command)


@router.post("/businesses", status_code=201, response_model=BusinessRead, summary="Daftarkan usaha perempuan")
async def register_business(body: BusinessCreate, request: Request) -> Response:
    return await _run(request, 201, ukm.create, **body.model_dump())


@router.get("/businesses", response_model=BusinessPage)
async def search_businesses(
    request: Request,
    owner_person_ref: Annotated[UUID | None, Query()] = None,
    kecamatan_code: Annotated[KecamatanCode | None, Query()] = None,
    sector: Annotated[Sector | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> Any:
    async with deps.pool(request).acquire() as conn:
        return await ukm.search(conn, owner_person_ref=owner_person_ref, kecamatan_code=kecamatan_code,
                                sector=sector, limit=limit, offset=offset)


@router.get("/businesses/{business_ref}", response_model=BusinessRead)
async def read_business(business_ref: UUID, request: Request) -> Any:
    async with deps.pool(request).acquire() as conn:
        return await ukm.get(conn, ref=business_ref)


@router.post("/businesses/{business_ref}/reports", status_code=201, response_model=BusinessReportRead,
             summary="Laporan bulanan omzet dan pekerja")
async def report_business(business_ref: UUID, body: BusinessReportCreate, request: Request) -> Response:
    return await _run(request, 201, ukm.report, ref=business_ref, **body.model_dump())


@router.get("/businesses/{business_ref}/reports", response_model=list[BusinessReportRead])
async def business_reports(business_ref: UUID, request: Request) -> Any:
    async with deps.pool(request).acquire() as conn:
        return await ukm.reports(conn, ref=business_ref)


@router.post("/coops", status_code=201, response_model=CoopRead, summary="Bentuk koperasi dengan anggota pendiri")
async def form_coop(body: CoopCreate, request: Request) -> Response:
    return await _run(request, 201, coops.form, **body.model_dump())


@router.get("/coops/{coop_ref}", response_model=CoopRead)
async def read_coop(coop_ref: UUID, request: Request) -> Any:
    async with deps.pool(request).acquire() as conn:
        return await coops.get(conn, ref=coop_ref)


@router.post("/coops/{coop_ref}/members", status_code=201, summary="Anggota bergabung")
async def join_coop(coop_ref: UUID, body: CoopMemberJoin, request: Request) -> Response:
    return await _run(request, 201, coops.join, ref=coop_ref, **body.model_dump())


@router.post("/coops/{coop_ref}/members/{person_ref}/leave", summary="Anggota keluar")
async def leave_coop(coop_ref: UUID, person_ref: UUID, body: CoopMemberLeave, request: Request) -> Response:
    return await _run(request, 200, coops.leave, ref=coop_ref, person_ref=person_ref, left_on=body.left_on)


@router.post("/coops/{coop_ref}/annual-meetings", status_code=201, summary="Catat RAT (rapat anggota tahunan)")
async def annual_meeting(coop_ref: UUID, body: AnnualMeetingCreate, request: Request) -> Response:
    return await _run(request, 201, coops.annual_meeting, ref=coop_ref, **body.model_dump())


@router.post("/capital-disbursements", status_code=201, summary="Catat penyaluran modal",
             description="Kepada perempuan (woman), usaha (business) atau koperasi (coop).")
async def disburse(
    body: CapitalDisbursementCreate, request: Request, opd: ActorOpd
) -> Response:
    fields = body.model_dump()
    fields["provider_opd"] = opd or fields["provider_opd"]
    return await _run(request, 201, coops.disburse, **fields)
