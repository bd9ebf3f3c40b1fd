"""HTTP API: indicators, funnel, targets, exports, the live stream and the rebuild admin endpoints."""

import asyncio
import contextlib
import dataclasses
from collections.abc import AsyncIterator
from datetime import date
from typing import Annotated, Any, Literal

from berdaya_shared import audit, errors
from berdaya_shared.http import idempotent
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse

from ..domain.indicators import BY_NAME, CATALOG
from ..service_layer import exports, indicators
from ..service_layer.indicators import Filters
from ..service_layer.rebuild import rebuild
from .schemas import FunnelStep, GroupBy, IndicatorName, IndicatorsRead, TargetRead, TargetWrite, filters

router = APIRouter(prefix="/api", tags=["Indikator"])
admin = APIRouter(prefix="/api/admin", tags=["Admin"])


def _pool(request: Request) -> Any:
    return request.app.state.runtime.pool


@router.get("/catalog", summary="Daftar indikator")
async def catalog() -> list[dict[str, Any]]:
    return [dataclasses.asdict(i) for i in CATALOG]


@router.get("/indicators", response_model=IndicatorsRead, summary="Indikator dengan filter dan pengelompokan")
async def get_indicators(
    request: Request,
    f: Annotated[Filters, Depends(filters)],
    indicator: Annotated[list[IndicatorName] | None, Query(description="Boleh diulang; kosong = semua")] = None,  # type: ignore[valid-type]
    group_by: GroupBy | None = None,
) -> dict[str, Any]:
    names = list(indicator) if indicator else [i.name for i in CATALOG]
    async with indicators.snapshot(_pool(request)) as conn:
        out = await indicators.report(conn, names, f, group_by)
    return {"group_by": group_by, "filters": dataclasses.asdict(f), "indicators": out}


@router.get("/funnel", response_model=list[FunnelStep], summary="Corong: terdaftar → terlatih → usaha → pasar → di atas GK")
async def get_funnel(request: Request, f: Annotated[Filters, Depends(filters)]) -> list[dict[str, Any]]:
    async with indicators.snapshot(_pool(request)) as conn:
        return await indicators.funnel(conn, f)


@router.get("/headline", summary="Angka utama (pesan yang sama dengan siaran langsung)")
async def get_headline(request: Request) -> dict[str, Any]:
    async with indicators.snapshot(_pool(request)) as conn:
        return await indicators.headline(conn)


@router.get("/targets", response_model=list[TargetRead], summary="Target tahunan dan capaian")
async def get_targets(
    request: Request,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    kecamatan: Annotated[str | None, Query(pattern=r"^(all|64\.02\.(0[1-9]|1[0-9]|20))$")] = None,
) -> list[dict[str, Any]]:
    async with indicators.snapshot(_pool(request)) as conn:
        return await indicators.targets_progress(conn, year or date.today().year, kecamatan)


@router.put("/targets", summary="Tetapkan target tahunan per kecamatan dan indikator")
async def put_target(request: Request, body: TargetWrite) -> Response:
    async def command(conn: Any) -> tuple[int, Any]:
        await conn.execute(
            "INSERT INTO targets (year, kecamatan_code, indicator, target_value) VALUES ($1, $2, $3, $4)"
            " ON CONFLICT (year, kecamatan_code, indicator) DO UPDATE SET target_value = EXCLUDED.target_value,"
            " updated_at = now()", body.year, body.kecamatan_code, body.indicator, body.target_value)
        return 200, body.model_dump()

    return await idempotent(request, _pool(request), command)


@router.get("/export", summary="Ekspor CSV / XLSX suatu periode untuk rapat koordinasi")
async def export(
    request: Request,
    f: Annotated[Filters, Depends(filters)],
    format: Literal["csv", "xlsx"] = "csv",
    group_by: GroupBy = "kecamatan",
) -> Response:
    async with indicators.snapshot(_pool(request)) as conn:
        report = await indicators.report(conn, [i.name for i in CATALOG], f, group_by)
    name = f"indikator-berdaya-{f.period_from or 'awal'}-{f.period_to or 'kini'}"
    if format == "csv":
        return Response(exports.to_csv(report, group_by), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})
    return Response(exports.to_xlsx(report, group_by, f),
                    media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'})


@router.get("/stream", summary="Siaran langsung angka utama (Server-Sent Events)")
async def stream(request: Request) -> StreamingResponse:
    feed = request.app.state.feed

    async def events() -> AsyncIterator[str]:
        queue = feed.subscribe()
        try:
            if feed.last_message is None:
                await feed.refresh()
            yield f"event: headline\ndata: {feed.last_message}\n\n"
            while not await request.is_disconnected():
                try:
                    message = await asyncio.wait_for(queue.get(), timeout=15)
                except TimeoutError:
                    yield ": keep-alive\n\n"
                    continue
                yield f"event: headline\ndata: {message}\n\n"
        finally:
            feed.unsubscribe(queue)

    return StreamingResponse(events(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


@admin.get("/rebuild", summary="Kemajuan pembangunan ulang proyeksi")
async def rebuild_status(request: Request) -> dict[str, Any]:
    return request.app.state.rebuild_progress.as_dict()


@admin.post("/rebuild", status_code=202, summary="Bangun ulang semua proyeksi dari offset paling awal")
async def start_rebuild(request: Request) -> JSONResponse:
    state = request.app.state
    if state.rebuild_progress.state in ("running", "swapping"):
        raise errors.Conflict("Pembangunan ulang sedang berjalan", "a rebuild is already running")
    task = asyncio.create_task(rebuild(_pool(request), state.settings.messaging, state.rebuild_progress))
    task.add_done_callback(lambda t: t.cancelled() or t.exception())  # failure is reported in the progress
    state.rebuild_task = task
    state.rebuild_progress.state = "running"
    async with _pool(request).acquire() as conn:
        await audit.record_change(conn, request, 202, {"rebuild": "started"}, None)
    return JSONResponse(state.rebuild_progress.as_dict(), status_code=202)


__all__ = ["admin", "contextlib", "router", "BY_NAME"]
