"""HTTP API of the evaluation rounds: open, notes, obstacles, actions, approve, late data, compare, exports.

The acting OPD comes from the X-OPD header (required on writes) until the token policy replaces it.
"""

from datetime import date
from typing import Annotated, Any
from uuid import UUID

from berdaya_contracts.common import OPD
from berdaya_shared.http import idempotent
from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from ..domain import rounds as d
from ..service_layer import indicators
from ..service_layer import rounds as svc
from . import rounds_page

router = APIRouter(prefix="/api/rounds", tags=["Putaran evaluasi"])
pages = APIRouter(prefix="/rounds", tags=["Putaran evaluasi"])
ActingOpd = Annotated[OPD, Header(alias="X-OPD", description="OPD yang bertindak", examples=["dp3a"])]


def _text(value: str) -> str:
    # PostgreSQL refuses NUL in text, and control characters only hide what an OPD typed; line breaks stay.
    if any(ord(ch) < 32 and ch not in "\t\n\r" for ch in value) or "\x7f" in value:
        raise ValueError("Teks tidak boleh berisi karakter kontrol")
    return value


Text = Annotated[str, AfterValidator(_text)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RoundCreate(Strict):
    period_kind: d.PeriodKind = Field(description="Bulan atau triwulan", examples=["quarter"])
    period: str = Field(description="YYYY-MM atau YYYY-Qn", examples=["2025-Q1"])
    title: Text = Field("", max_length=200, examples=["Rapat koordinasi triwulan I"])

    @model_validator(mode="after")
    def _period_matches_kind(self) -> "RoundCreate":
        if d.month_range(self.period_kind, self.period) is None:
            raise ValueError("period harus YYYY-MM untuk bulan atau YYYY-Qn untuk triwulan")
        return self


class NoteWrite(Strict):
    progress_note: Text = Field(min_length=1, max_length=5000, examples=["Pelatihan batik selesai di 3 kecamatan"])


class ObstacleCreate(Strict):
    opd: OPD
    category: d.ObstacleCategory = Field(examples=["budget"])
    description: Text = Field(min_length=1, max_length=2000, examples=["Anggaran pelatihan belum cair"])
    severity: d.Severity = Field(examples=["high"])


class ActionCreate(Strict):
    opd: OPD
    owner_opd: OPD = Field(description="OPD penanggung jawab")
    description: Text = Field(min_length=1, max_length=2000, examples=["Percepat pencairan anggaran"])
    due_on: date = Field(examples=["2025-05-31"])


class ActionReview(Strict):
    status: d.ActionStatus
    note: Text = Field("", max_length=2000)


def _pool(request: Request) -> Any:
    return request.app.state.runtime.pool


async def _get(request: Request, round_ref: UUID) -> dict[str, Any]:
    async with _pool(request).acquire() as conn:
        return await svc.get(conn, round_ref=round_ref)


@router.post("", status_code=201, summary="Buka putaran evaluasi: bekukan angka periode itu")
async def open_round(request: Request, body: RoundCreate, opd: ActingOpd) -> Response:
    async with indicators.snapshot(_pool(request)) as conn:
        figures, targets = await svc.freeze(conn, body.period_kind, body.period)

    async def command(conn: Any) -> tuple[int, Any]:
        return 201, await svc.create(conn, kind=body.period_kind, period=body.period,
                                     title=body.title or f"Evaluasi {body.period}", opd=opd,
                                     figures=figures, targets=targets)

    return await idempotent(request, _pool(request), command)


@router.get("", summary="Daftar putaran evaluasi")
async def list_rounds(request: Request, limit: Annotated[int, Query(ge=1, le=200)] = 50,
                      offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0) -> list[dict[str, Any]]:
    async with _pool(request).acquire() as conn:
        return await svc.list_rounds(conn, limit=limit, offset=offset)


@router.get("/compare", summary="Bandingkan dua putaran")
async def compare(request: Request, a: UUID, b: UUID) -> dict[str, Any]:
    return svc.compare(await _get(request, a), await _get(request, b))


@router.get("/{round_ref}", summary="Satu putaran: angka beku, catatan, hambatan, tindak lanjut")
async def get_round(request: Request, round_ref: UUID) -> dict[str, Any]:
    return await _get(request, round_ref)


@router.get("/{round_ref}/late-data", summary="Selisih angka beku dan angka kini untuk periode yang sama")
async def late_data(request: Request, round_ref: UUID) -> dict[str, Any]:
    r = await _get(request, round_ref)
    async with indicators.snapshot(_pool(request)) as conn:
        live, _ = await svc.freeze(conn, r["period_kind"], r["period"])
    changes = d.diff(r["figures"], live)
    return {"round_ref": round_ref, "period": r["period"], "changed_cells": len(changes), "changes": changes}


@router.put("/{round_ref}/notes/{opd}", summary="Catatan kemajuan OPD")
async def put_note(request: Request, round_ref: UUID, opd: OPD, body: NoteWrite, acting: ActingOpd) -> Response:
    async def command(conn: Any) -> tuple[int, Any]:
        return 200, await svc.put_note(conn, round_ref=round_ref, opd=opd, acting_opd=acting, note=body.progress_note)
    return await idempotent(request, _pool(request), command)


@router.post("/{round_ref}/obstacles", status_code=201, summary="Catat hambatan")
async def add_obstacle(request: Request, round_ref: UUID, body: ObstacleCreate, acting: ActingOpd) -> Response:
    async def command(conn: Any) -> tuple[int, Any]:
        return 201, await svc.add_obstacle(conn, round_ref=round_ref, acting_opd=acting, body=body.model_dump())
    return await idempotent(request, _pool(request), command)


@router.post("/{round_ref}/actions", status_code=201, summary="Catat tindak lanjut")
async def add_action(request: Request, round_ref: UUID, body: ActionCreate, acting: ActingOpd) -> Response:
    async def command(conn: Any) -> tuple[int, Any]:
        return 201, await svc.add_action(conn, round_ref=round_ref, acting_opd=acting, body=body.model_dump())
    return await idempotent(request, _pool(request), command)


@router.put("/{round_ref}/actions/{action_ref}", summary="Status tindak lanjut pada putaran ini")
async def review_action(request: Request, round_ref: UUID, action_ref: UUID, body: ActionReview,
                        acting: ActingOpd) -> Response:
    async def command(conn: Any) -> tuple[int, Any]:
        return 200, await svc.review_action(conn, round_ref=round_ref, action_ref=action_ref, acting_opd=acting,
                                            status=body.status, note=body.note)
    return await idempotent(request, _pool(request), command)


@router.post("/{round_ref}/approve", summary="Setujui putaran (hanya DP3A); setelah itu hanya-baca")
async def approve(request: Request, round_ref: UUID, acting: ActingOpd) -> Response:
    correlation = request.headers.get("X-Correlation-ID")

    async def command(conn: Any) -> tuple[int, Any]:
        return 200, await svc.approve(conn, round_ref=round_ref, acting_opd=acting, correlation_id=correlation)
    return await idempotent(request, _pool(request), command)


@router.get("/{round_ref}/export.xlsx", summary="Ekspor XLSX putaran untuk rapat")
async def export_xlsx(request: Request, round_ref: UUID) -> Response:
    r = await _get(request, round_ref)
    return Response(rounds_page.to_xlsx(r),
                    media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="evaluasi-{r["period"]}.xlsx"'})


@pages.get("/{round_ref}/cetak", response_class=HTMLResponse, summary="Halaman cetak putaran (Bahasa Indonesia)")
async def printable(request: Request, round_ref: UUID) -> HTMLResponse:
    return HTMLResponse(rounds_page.to_html(await _get(request, round_ref)))


__all__ = ["pages", "router"]
