"""The rebuild over HTTP: start one (202; 409 while one runs) and watch its progress."""

from typing import Any

from berdaya_shared.entrypoints import Pool, Today, command, query
from fastapi import APIRouter, Request, Response

from ..service_layer import rebuild, release
from . import schemas_admin as s
from .schemas_indicators import ReleaseRead

router = APIRouter(prefix="/api/admin", tags=["Admin"])


@router.get("/rebuild", response_model=s.RebuildRead, summary="Kemajuan pembangunan ulang proyeksi")
async def rebuild_status(request: Request) -> Response:
    async def read(_conn: object) -> dict[str, Any]:
        return request.app.state.rebuild_progress.as_dict()

    return await query(request, read, model=s.RebuildRead)


@router.post("/rebuild", status_code=202, response_model=s.RebuildRead,
             summary="Bangun ulang semua proyeksi dari offset paling awal")
async def start_rebuild(request: Request, pool: Pool) -> Response:
    state = request.app.state

    async def begin(_conn: object) -> dict[str, Any]:
        state.rebuild_task = rebuild.start(pool, state.settings.messaging, state.rebuild_progress)
        return state.rebuild_progress.as_dict()

    return await command(request, begin, model=s.RebuildRead, status=202)


@router.post("/releases", response_model=ReleaseRead,
             summary="Rilis angka publik sekarang: bekukan bulan yang sudah ditutup dan lindungi selnya")
async def make_release(request: Request, today: Today) -> Response:
    state = request.app.state

    async def run(conn: Any) -> dict[str, Any]:
        done = await release.make_release(conn, today=today, grace_days=state.settings.release_grace_days,
                                          start=state.settings.release_start)
        if done["release_id"] is not None:
            state.feed.released()
        return done

    return await query(request, run, model=ReleaseRead)
