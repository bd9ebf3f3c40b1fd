"""Yearly targets over HTTP: set one (a command), read them with actual values and progress (a query)."""

from typing import Annotated

from berdaya_shared.entrypoints import CorrelationId, IdempotencyKey, Today, command, query
from fastapi import APIRouter, Query, Request, Response

from ..service_layer import targets
from ..service_layer.unit_of_work import MonitoringUnitOfWork as Uow
from . import schemas_targets as s
from .faces import Internal

router = APIRouter(prefix="/api", tags=["Indikator"])


@router.get("/targets", response_model=list[s.TargetRead], summary="Target tahunan dan capaian")
async def get_targets(
    request: Request,
    today: Today,
    internal: Internal,
    year: Annotated[int | None, Query(ge=2000, le=2100, description="Bawaan: tahun berjalan (WITA)")] = None,
    kecamatan: Annotated[str | None, Query(pattern=s.KEC_OR_ALL)] = None,
) -> Response:
    return await query(request, lambda conn: targets.progress(Uow(conn), year=year, kecamatan=kecamatan, today=today,
                                                               internal=internal),
                       model=list[s.TargetRead])


@router.put("/targets", response_model=s.TargetCreate, summary="Tetapkan target tahunan per kecamatan dan indikator")
async def put_target(request: Request, body: s.TargetCreate, correlation: CorrelationId,
                     _key: IdempotencyKey = None) -> Response:
    return await command(request, lambda conn: targets.put(
        Uow(conn, correlation_id=correlation), year=body.year, kecamatan_code=body.kecamatan_code,
        indicator=body.indicator, target_value=body.target_value), model=s.TargetCreate)
