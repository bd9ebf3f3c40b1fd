"""Cooperatives (formation, members, RAT) and capital disbursements over HTTP (Diskop UKM)."""

from uuid import UUID

from berdaya_shared.entrypoints import IdempotencyKey, Today, command, query
from fastapi import APIRouter, Request, Response

from ..service_layer import capital, coops
from .deps import Opd, Uow
from .schemas_coops import (
    AnnualMeetingCreate,
    AnnualMeetingRead,
    CapitalDisbursementCreate,
    CapitalDisbursementRead,
    CoopCreate,
    CoopMemberJoin,
    CoopMemberJoinRead,
    CoopMemberLeave,
    CoopMemberLeaveRead,
    CoopRead,
)

router = APIRouter(tags=["UKM dan koperasi (Diskop UKM)"])


@router.post("/coops", status_code=201, response_model=CoopRead, summary="Bentuk koperasi dengan anggota pendiri")
async def form_coop(body: CoopCreate, request: Request, today: Today, uow: Uow,
                    _key: IdempotencyKey = None) -> Response:
    return await command(request, lambda conn: coops.form(uow(conn), **body.model_dump(), today=today),
                         model=CoopRead, status=201)


@router.get("/coops/{coop_ref}", response_model=CoopRead, summary="Baca koperasi dengan anggota dan RAT-nya")
async def read_coop(coop_ref: UUID, request: Request, uow: Uow) -> Response:
    return await query(request, lambda conn: coops.get(uow(conn), coop_ref=coop_ref), model=CoopRead)


@router.post("/coops/{coop_ref}/members", status_code=201, response_model=CoopMemberJoinRead,
             summary="Anggota bergabung",
             description="Perempuan terdaftar (belum dihapus) yang bukan anggota aktif; tidak sebelum koperasi dibentuk.")
async def join_coop(coop_ref: UUID, body: CoopMemberJoin, request: Request, today: Today, uow: Uow,
                    _key: IdempotencyKey = None) -> Response:
    return await command(request, lambda conn: coops.join(uow(conn), coop_ref=coop_ref, **body.model_dump(), today=today),
                         model=CoopMemberJoinRead, status=201)


@router.post("/coops/{coop_ref}/members/{person_ref}/leave", response_model=CoopMemberLeaveRead,
             summary="Anggota keluar")
async def leave_coop(coop_ref: UUID, person_ref: UUID, body: CoopMemberLeave, request: Request, today: Today,
                     uow: Uow, _key: IdempotencyKey = None) -> Response:
    return await command(request, lambda conn: coops.leave(
        uow(conn), coop_ref=coop_ref, person_ref=person_ref, left_on=body.left_on, today=today,
    ), model=CoopMemberLeaveRead)


@router.post("/coops/{coop_ref}/annual-meetings", status_code=201, response_model=AnnualMeetingRead,
             summary="Catat RAT (rapat anggota tahunan)")
async def annual_meeting(coop_ref: UUID, body: AnnualMeetingCreate, request: Request, today: Today, uow: Uow,
                         _key: IdempotencyKey = None) -> Response:
    return await command(request, lambda conn: coops.annual_meeting(
        uow(conn), coop_ref=coop_ref, fiscal_year=body.fiscal_year, held_on=body.held_on, today=today,
    ), model=AnnualMeetingRead, status=201)


@router.post("/capital-disbursements", status_code=201, response_model=CapitalDisbursementRead,
             summary="Catat penyaluran modal", description="Kepada perempuan (woman), usaha (business) atau koperasi "
                                                          "(coop).")
async def disburse(body: CapitalDisbursementCreate, request: Request, opd: Opd, today: Today, uow: Uow,
                   _key: IdempotencyKey = None) -> Response:
    fields = {**body.model_dump(), "provider_opd": opd or body.provider_opd}
    return await command(request, lambda conn: capital.disburse(uow(conn), **fields, today=today),
                         model=CapitalDisbursementRead, status=201)
