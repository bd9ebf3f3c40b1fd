"""The figures over HTTP: catalogue, indicators, funnel, headline, export and the live stream, each in two faces.

A caller holding ``figures:internal`` (DP3A's evaluation team) gets exact figures from the live projection and
any query; every other caller (no token, a subscriber's token, the dashboard) gets the publication, on the
public grid only (``service_layer/publication.py``).
"""

import asyncio
from collections.abc import AsyncIterator
from typing import Annotated, Any, Literal

from berdaya_shared import errors
from berdaya_shared.entrypoints import Pool, query
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response, StreamingResponse

from ..domain.disclosure import periods as p
from ..domain.indicators import CATALOG
from ..service_layer import cohort, excel_exports, indicators, public_views, publication
from ..service_layer.indicators import Filters, on_snapshot
from . import schemas_indicators as s
from .export_gate import ExportGate, LiveLimit
from .faces import Internal

router = APIRouter(prefix="/api", tags=["Indikator"])


def _with_period(f: Filters, period: str | None) -> Filters:
    if period is None:
        return f
    months = p.months_of(period)
    return Filters(f.kecamatan, months[0], months[-1], f.opd, f.field, f.pekka_category, f.age_band)


def _public(f: Filters, period: str | None, group_by: str | None) -> publication.Query:
    picked = {"kecamatan": f.kecamatan, "opd": f.opd, "field": f.field, "pekka_category": f.pekka_category,
              "age_band": f.age_band}
    return publication.query_of(period, f.period_from, f.period_to, group_by, picked)


@router.get("/catalog", response_model=list[s.IndicatorInfo], summary="Daftar indikator")
async def catalog(request: Request) -> Response:
    async def read(_conn: object) -> list[dict[str, object]]:
        return indicators.catalog()

    return await query(request, read, model=list[s.IndicatorInfo])


@router.get("/indicators", response_model=s.IndicatorsRead, summary="Indikator dengan filter dan pengelompokan")
async def get_indicators(
    request: Request,
    internal: Internal,
    f: Annotated[Filters, Depends(s.filters)],
    indicator: Annotated[list[s.IndicatorName] | None, Query(description="Boleh diulang; kosong = semua")] = None,  # type: ignore[valid-type]
    group_by: s.GroupBy | None = None,
    period: s.Period = None,
) -> Response:
    if internal:
        return await query(request, on_snapshot(lambda conn: indicators.report_view(
            conn, indicator, _with_period(f, period), group_by)), model=s.IndicatorsRead)
    q = _public(f, period, group_by)
    return await query(request, lambda conn: publication.report(conn, indicator, q), model=s.IndicatorsRead)


@router.get("/periods", response_model=s.PeriodsRead, summary="Periode yang sudah dirilis untuk publik")
async def get_periods(request: Request) -> Response:
    async def read(conn: Any) -> dict[str, Any]:
        return await publication.released(conn)

    return await query(request, read, model=s.PeriodsRead)


@router.get("/funnel", response_model=list[s.FunnelStep],
            summary="Corong: terdaftar → terlatih → usaha → pasar → kesejahteraan")
async def get_funnel(request: Request, internal: Internal, f: Annotated[Filters, Depends(s.filters)],
                     period: s.Period = None) -> Response:
    if internal:
        return await query(request, on_snapshot(lambda conn: indicators.funnel(conn, _with_period(f, period))),
                           model=list[s.FunnelStep])
    q = _public(f, period, None)
    if q.dim not in (None, "kecamatan", "pekka_category", "age_band"):
        raise errors.Forbidden("Corong publik hanya per kecamatan, kategori PEKKA atau kelompok umur",
                               f"funnel by {q.dim} is not on the public grid", field=q.dim or "")

    async def read(conn: Any) -> list[dict[str, Any]]:
        return (await public_views.funnel(conn, q.period, q.dim, q.key))["steps"]

    return await query(request, read, model=list[s.FunnelStep])


@router.get("/cohort", response_model=s.CohortRead,
            summary="Corong kohort: dari perempuan terdaftar, yang terlatih; dari mereka, yang punya usaha; …",
            description="Publik: sel rilis tabel kohort (kabupaten atau satu kecamatan, satu periode kisi); langkah "
                        "yang disembunyikan bertanda x. Dengan figures:internal: angka tepat dari model baca.")
async def get_cohort(request: Request, internal: Internal, f: Annotated[Filters, Depends(s.filters)],
                     period: s.Period = None) -> Response:
    if internal:
        return await query(request, on_snapshot(lambda conn: cohort.internal(conn, _with_period(f, period), period)),
                           model=s.CohortRead)
    q = _public(f, period, None)
    if q.dim not in (None, "kecamatan"):
        raise errors.Forbidden("Corong kohort publik hanya untuk kabupaten atau satu kecamatan",
                               f"cohort by {q.dim} is not on the public grid", field=q.dim or "")
    return await query(request, lambda conn: cohort.public(conn, q.period, q.key), model=s.CohortRead)


@router.get("/headline", response_model=s.HeadlineRead, summary="Angka utama (pesan yang sama dengan siaran langsung)")
async def get_headline(request: Request, internal: Internal) -> Response:
    if internal:
        return await query(request, on_snapshot(indicators.headline), model=s.HeadlineRead)
    return await query(request, public_views.headline, model=s.HeadlineRead)


_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get("/export", summary="Ekspor CSV / XLSX suatu periode untuk rapat koordinasi", response_class=Response,
            description="Berkas unduhan (`Content-Disposition: attachment`): `format=csv` memberi CSV UTF-8, "
                        "`format=xlsx` memberi lembar kerja Excel. Tanpa token: angka publik yang sudah dirilis.",
            responses={200: {"description": "Berkas CSV atau XLSX", "content": {
                "text/csv": {"schema": {"type": "string"}}, _XLSX: {"schema": {"type": "string", "format": "binary"}}}}})
async def export(
    request: Request,
    pool: Pool,
    internal: Internal,
    f: Annotated[Filters, Depends(s.filters)],
    format: Literal["csv", "xlsx"] = "csv",
    group_by: s.GroupBy = "kecamatan",
    period: s.Period = None,
    style: Annotated[excel_exports.Style, Query(
        description="CSV: id = pemisah ';' dan koma desimal (Excel berbahasa Indonesia, bawaan); "
                    "en = pemisah ',' dan titik desimal")] = "id",
) -> Response:
    async def make() -> tuple[bytes, str]:
        if internal:
            g = _with_period(f, period)
            async with indicators.snapshot(pool) as conn:
                report = await indicators.report(conn, [i.name for i in CATALOG], g, group_by)
            label = f"{g.period_from or 'awal'}-{g.period_to or 'kini'}"
        else:
            q = _public(f, period, group_by)
            async with pool.acquire() as conn:
                answer = await publication.report(conn, None, q)
            report, label = answer["indicators"], answer["period"]
        face = "internal" if internal else "publik"
        if format == "csv":
            return await asyncio.to_thread(excel_exports.to_csv, report, group_by, style), label
        return await asyncio.to_thread(excel_exports.to_xlsx, report, group_by, label, face), label

    gate: ExportGate = request.app.state.export_gate
    key = None
    if not internal:  # the publication is the same for every caller until the next release: made once for all
        async with pool.acquire() as conn:
            key = ("export", format, style, group_by, period, repr(f), await publication.latest_release_id(conn))
    data, label = await gate.run(key, make)
    name = f"indikator-berdaya-{label}"
    if format == "csv":
        return Response(data, media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})
    return Response(data, media_type=_XLSX,
                    headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'})


@router.get("/stream", summary="Siaran langsung angka utama (Server-Sent Events)", response_class=StreamingResponse,
            description="Aliran `text/event-stream` yang tidak pernah selesai. Saat dibuka (juga saat tersambung "
                        "kembali dengan `Last-Event-ID`): satu peristiwa `headline` berisi angka utama lengkap (JSON "
                        "seperti `/api/headline`). Sesudah itu, setiap perubahan dikirim sebagai peristiwa `change` "
                        "yang hanya memuat yang berubah sejak pesan sebelumnya: `figures` (hanya indikator yang "
                        "angkanya berubah), `funnel` (hanya langkah yang berubah, utuh, dikenali dari `step`), dan "
                        "pada wajah publik `release_id` / `period` bila berubah. Gabungkan perubahan ke pesan "
                        "terakhir: hasilnya sama dengan `/api/headline` saat itu. Setiap pesan membawa `id` yang "
                        "selalu naik. Pelanggan yang tertinggal menerima `headline` lengkap lagi. Komentar "
                        "`keep-alive` tiap 15 detik.",
            responses={200: {"description": "Aliran Server-Sent Events", "content": {
                "text/event-stream": {"schema": {"type": "string"}}}}})
async def stream(request: Request, internal: Internal) -> StreamingResponse:
    feed = request.app.state.feed
    limit: LiveLimit = request.app.state.live_limit
    limit.enter()  # 503 past the most subscribers at once

    async def events() -> AsyncIterator[str]:
        queue = feed.subscribe(internal)
        try:
            # Always a whole message first, reconnection (Last-Event-ID) included: ids are per instance, and a
            # client may come back to another instance or after changes it missed.
            sent, first = await feed.current(internal)
            yield f"id: {sent}\nevent: headline\ndata: {first}\n\n"
            while not await request.is_disconnected():
                try:
                    seq, event, data = await asyncio.wait_for(queue.get(), timeout=15)
                except TimeoutError:
                    yield ": keep-alive\n\n"
                    continue
                if seq <= sent:
                    continue  # queued before the whole message above, which already holds it
                sent = seq
                yield f"id: {seq}\nevent: {event}\ndata: {data}\n\n"
        finally:
            feed.unsubscribe(queue)
            limit.leave()

    return StreamingResponse(events(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
