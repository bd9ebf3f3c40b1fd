"""The figures over HTTP: catalogue, indicators, funnel, headline (through the kit's ``query``: one snapshot of the
live projection, answer validated), and the CSV/XLSX export and the live stream (files and events, not JSON)."""

import asyncio
from collections.abc import AsyncIterator
from typing import Annotated, Literal

from berdaya_shared.entrypoints import Pool, query
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response, StreamingResponse

from ..domain.indicators import CATALOG
from ..service_layer import exports, indicators
from ..service_layer.indicators import Filters, on_snapshot
from . import schemas_indicators as s

router = APIRouter(prefix="/api", tags=["Indikator"])


@router.get("/catalog", response_model=list[s.IndicatorInfo], summary="Daftar indikator")
async def catalog(request: Request) -> Response:
    async def read(_conn: object) -> list[dict[str, object]]:
        return indicators.catalog()

    return await query(request, read, model=list[s.IndicatorInfo])


@router.get("/indicators", response_model=s.IndicatorsRead, summary="Indikator dengan filter dan pengelompokan")
async def get_indicators(
    request: Request,
    f: Annotated[Filters, Depends(s.filters)],
    indicator: Annotated[list[s.IndicatorName] | None, Query(description="Boleh diulang; kosong = semua")] = None,  # type: ignore[valid-type]
    group_by: s.GroupBy | None = None,
) -> Response:
    return await query(request, on_snapshot(lambda conn: indicators.report_view(conn, indicator, f, group_by)),
                       model=s.IndicatorsRead)


@router.get("/funnel", response_model=list[s.FunnelStep],
            summary="Corong: terdaftar → terlatih → usaha → pasar → di atas GK")
async def get_funnel(request: Request, f: Annotated[Filters, Depends(s.filters)]) -> Response:
    return await query(request, on_snapshot(lambda conn: indicators.funnel(conn, f)), model=list[s.FunnelStep])


@router.get("/headline", response_model=s.HeadlineRead, summary="Angka utama (pesan yang sama dengan siaran langsung)")
async def get_headline(request: Request) -> Response:
    return await query(request, on_snapshot(indicators.headline), model=s.HeadlineRead)


@router.get("/export", summary="Ekspor CSV / XLSX suatu periode untuk rapat koordinasi")
async def export(
    pool: Pool,
    f: Annotated[Filters, Depends(s.filters)],
    format: Literal["csv", "xlsx"] = "csv",
    group_by: s.GroupBy = "kecamatan",
) -> Response:
    async with indicators.snapshot(pool) as conn:
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
