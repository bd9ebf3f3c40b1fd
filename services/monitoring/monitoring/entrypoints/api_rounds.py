"""Evaluation rounds over HTTP: thin routes handing each request to a handler of ``service_layer/rounds.py``.

Commands run through the kit's ``command`` (one transaction, Idempotency-Key, audit row, answer validated), reads
through ``query``. The acting OPD is the verified token's (``ActingOpd``); the handlers apply the rounds' rules
(each OPD writes its own entries, DP3A approves). The XLSX workbook and the printable page are files, not JSON.
"""

import asyncio
from typing import Annotated, Any
from uuid import UUID

from berdaya_contracts.common import OPD
from berdaya_shared.entrypoints import (
    ActingOpd,
    CorrelationId,
    IdempotencyKey,
    Pool,
    Today,
    command,
    query,
)
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from ..service_layer import indicators, rounds
from ..service_layer.unit_of_work import MonitoringUnitOfWork as Uow
from . import rounds_page
from . import schemas_rounds as s
from .export_gate import ExportGate, digest
from .faces import Internal

REFUSALS: dict[int | str, dict[str, Any]] = {
    403: {"description": "Bukan OPD yang berhak (catatan OPD lain, atau persetujuan selain oleh DP3A)"},
    404: {"description": "Putaran atau tindak lanjut tidak ditemukan"},
    409: {"description": "Putaran sudah disetujui (hanya-baca), atau tindak lanjut milik putaran lain"},
}

router = APIRouter(prefix="/api/rounds", tags=["Putaran evaluasi"], responses=REFUSALS)
pages = APIRouter(prefix="/rounds", tags=["Putaran evaluasi"])


@router.post("", status_code=201, response_model=s.RoundRead, summary="Buka putaran evaluasi: bekukan angka periode itu")
async def open_round(request: Request, body: s.RoundCreate, pool: Pool, opd: ActingOpd, correlation: CorrelationId,
                     _key: IdempotencyKey = None) -> Response:
    async with indicators.snapshot(pool) as conn:  # one consistent state, read before the command's transaction
        frozen = await rounds.freeze(conn, body.period_kind, body.period)
    return await command(request, lambda conn: rounds.open_round(
        Uow(conn, correlation_id=correlation), kind=body.period_kind, period=body.period, title=body.title, opd=opd,
        frozen=frozen), model=s.RoundRead, status=201)


@router.get("", response_model=list[s.RoundSummary], summary="Daftar putaran evaluasi")
async def list_rounds(request: Request, limit: Annotated[int, Query(ge=1, le=200)] = 50,
                      offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0) -> Response:
    return await query(request, lambda conn: rounds.list_(Uow(conn), limit=limit, offset=offset),
                       model=list[s.RoundSummary])


@router.get("/compare", response_model=s.CompareRead, summary="Bandingkan dua putaran")
async def compare(request: Request, internal: Internal, a: UUID, b: UUID) -> Response:
    return await query(request, lambda conn: rounds.compare(Uow(conn), a=a, b=b, internal=internal),
                       model=s.CompareRead)


@router.get("/{round_ref}", response_model=s.RoundRead,
            summary="Satu putaran: angka beku, catatan, hambatan, tindak lanjut")
async def get_round(request: Request, internal: Internal, round_ref: UUID) -> Response:
    return await query(request, lambda conn: rounds.get(Uow(conn), round_ref=round_ref, internal=internal),
                       model=s.RoundRead)


@router.get("/{round_ref}/late-data", response_model=s.LateDataRead,
            summary="Selisih angka beku dan angka kini untuk periode yang sama")
async def late_data(request: Request, internal: Internal, round_ref: UUID) -> Response:
    return await query(request, lambda conn: rounds.late_data(Uow(conn), round_ref=round_ref, internal=internal),
                       model=s.LateDataRead)


@router.put("/{round_ref}/notes/{opd}", response_model=s.NoteWritten, summary="Catatan kemajuan OPD")
async def put_note(request: Request, round_ref: UUID, opd: OPD, body: s.NoteCreate, acting: ActingOpd,
                   correlation: CorrelationId, _key: IdempotencyKey = None) -> Response:
    return await command(request, lambda conn: rounds.put_note(
        Uow(conn, correlation_id=correlation), round_ref=round_ref, opd=opd, acting_opd=acting,
        note=body.progress_note), model=s.NoteWritten)


@router.post("/{round_ref}/obstacles", status_code=201, response_model=s.ObstacleWritten, summary="Catat hambatan")
async def add_obstacle(request: Request, round_ref: UUID, body: s.ObstacleCreate, acting: ActingOpd,
                       correlation: CorrelationId, _key: IdempotencyKey = None) -> Response:
    return await command(request, lambda conn: rounds.add_obstacle(
        Uow(conn, correlation_id=correlation), round_ref=round_ref, acting_opd=acting, opd=body.opd,
        category=body.category, description=body.description, severity=body.severity),
        model=s.ObstacleWritten, status=201)


@router.post("/{round_ref}/actions", status_code=201, response_model=s.ActionWritten, summary="Catat tindak lanjut")
async def add_action(request: Request, round_ref: UUID, body: s.ActionCreate, acting: ActingOpd,
                     correlation: CorrelationId, _key: IdempotencyKey = None) -> Response:
    return await command(request, lambda conn: rounds.add_action(
        Uow(conn, correlation_id=correlation), round_ref=round_ref, acting_opd=acting, opd=body.opd,
        owner_opd=body.owner_opd, description=body.description, due_on=body.due_on),
        model=s.ActionWritten, status=201)


@router.put("/{round_ref}/actions/{action_ref}", response_model=s.ActionReviewRead,
            summary="Status tindak lanjut pada putaran ini")
async def review_action(request: Request, round_ref: UUID, action_ref: UUID, body: s.ActionReviewCreate,
                        acting: ActingOpd, correlation: CorrelationId, _key: IdempotencyKey = None) -> Response:
    return await command(request, lambda conn: rounds.review_action(
        Uow(conn, correlation_id=correlation), round_ref=round_ref, action_ref=action_ref, acting_opd=acting,
        status=body.status, note=body.note), model=s.ActionReviewRead)


@router.post("/{round_ref}/approve", response_model=s.RoundRead,
             summary="Setujui putaran (hanya DP3A); setelah itu hanya-baca")
async def approve(request: Request, round_ref: UUID, acting: ActingOpd, today: Today, correlation: CorrelationId,
                  _key: IdempotencyKey = None) -> Response:
    return await command(request, lambda conn: rounds.approve(
        Uow(conn, correlation_id=correlation), round_ref=round_ref, acting_opd=acting, today=today),
        model=s.RoundRead)


async def _round(pool: Any, round_ref: UUID, internal: bool) -> dict[str, Any]:
    async with pool.acquire() as conn:
        return await rounds.get(Uow(conn), round_ref=round_ref, internal=internal)


_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get("/{round_ref}/export.xlsx", summary="Ekspor XLSX putaran untuk rapat", response_class=Response,
            responses={200: {"description": "Lembar kerja Excel putaran ini", "content": {
                _XLSX: {"schema": {"type": "string", "format": "binary"}}}}})
async def export_xlsx(request: Request, pool: Pool, internal: Internal, round_ref: UUID) -> Response:
    r = await _round(pool, round_ref, internal)
    gate: ExportGate = request.app.state.export_gate  # off the event loop, shared while the round is unchanged
    key = None if internal else ("round", str(round_ref), digest(r))
    return Response(await gate.run(key, lambda: asyncio.to_thread(rounds_page.to_xlsx, r)), media_type=_XLSX,
                    headers={"Content-Disposition": f'attachment; filename="evaluasi-{r["period"]}.xlsx"'})


@pages.get("/{round_ref}/cetak", response_class=HTMLResponse, summary="Halaman cetak putaran (Bahasa Indonesia)")
async def printable(pool: Pool, internal: Internal, round_ref: UUID) -> HTMLResponse:
    return HTMLResponse(rounds_page.to_html(await _round(pool, round_ref, internal)))
