"""Job placements over HTTP (Distransnaker)."""

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from berdaya_shared.entrypoints import ActingOpd, CorrelationId, IdempotencyKey, Limit, Offset, command, query
from fastapi import APIRouter, Request, Response

from ..service_layer import placements
from ..service_layer.unit_of_work import TrainingUnitOfWork as Uow
from . import schemas_placements as s
from .api_courses import REFUSALS


def router(dependencies: Sequence[Any] = ()) -> APIRouter:
    api = APIRouter(prefix="/placements", tags=["Penempatan kerja"], dependencies=list(dependencies),
                    responses=REFUSALS)

    @api.post("", status_code=201, response_model=s.PlacementRead, summary="Catat penempatan kerja")
    async def place(body: s.PlacementCreate, request: Request, opd: ActingOpd, correlation: CorrelationId,
                    _key: IdempotencyKey = None) -> Response:
        return await command(request, lambda conn: placements.create(
            Uow(conn, correlation_id=correlation), person_ref=body.person_ref, course_ref=body.course_ref,
            sector=body.sector, formal=body.formal, monthly_wage_idr=body.monthly_wage_idr,
            placed_on=body.placed_on, recorded_by_opd=opd or "distransnaker",
        ), model=s.PlacementRead, status=201)

    @api.get("", response_model=s.PlacementList, summary="Daftar penempatan kerja")
    async def list_placements(request: Request, limit: Limit = 50, offset: Offset = 0,
                              person_ref: UUID | None = None, course_ref: UUID | None = None) -> Response:
        return await query(request, lambda conn: placements.list_(
            Uow(conn), person_ref=person_ref, course_ref=course_ref, limit=limit, offset=offset),
            model=s.PlacementList)

    @api.get("/{placement_ref}", response_model=s.PlacementRead, summary="Baca satu penempatan kerja")
    async def get_placement(placement_ref: UUID, request: Request) -> Response:
        return await query(request, lambda conn: placements.get(Uow(conn), placement_ref=placement_ref),
                           model=s.PlacementRead)

    return api
