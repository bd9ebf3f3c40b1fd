"""Bulk import of women lists (CSV/XLSX) and the downloadable error report.

The upload commits in several transactions (one per chunk of rows, see ``service_layer.imports``), so it cannot run
in the kit's one-transaction ``command``: it holds its Idempotency-Key with the kit's ``claimed`` for the whole
import, validates its answer against ``ImportRead`` and writes its audit row like ``command`` does. The error
reports are files, not JSON: the two downloads answer a spreadsheet.
"""

import hashlib
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated
from uuid import UUID

from berdaya_contracts.common import OPD
from berdaya_shared import audit, errors
from berdaya_shared.entrypoints import IdempotencyKey, Pool, Today, answer, query
from berdaya_shared.http import claimed
from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..adapters import spreadsheets
from ..service_layer import imports
from ..service_layer.unit_of_work import RegistryUnitOfWork
from .deps import Cipher, Opd, Purpose, Uow, log_reads
from .schemas_imports import ImportRead

router = APIRouter(tags=["Impor daftar perempuan"])
_SCOPE = "POST /women/imports"
_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Room for the multipart framing (boundaries, part headers, the form fields) around the file itself.
_MULTIPART_SLACK = 64 * 1024


def too_large(max_bytes: int) -> errors.Refusal:
    size = f"{max_bytes / 2**20:.4g} MB" if max_bytes >= 2**20 else f"{max_bytes / 1024:.4g} KB"
    return errors.TooLarge(f"Berkas terlalu besar: maksimal {size} per impor",
                           f"file exceeds import_max_bytes ({max_bytes} bytes)", field="file", max_bytes=max_bytes)


class _TooLarge(Exception):
    pass


class UploadLimit:
    """Refuses an import upload over ``max_bytes`` with 413 before it is parsed.

    The form parser would otherwise spool any upload, however large, to a temporary file before the endpoint
    could look at it: a declared Content-Length over the limit is answered at once, and a body sent without
    one is counted as it arrives and cut off at the limit.
    """

    def __init__(self, app: ASGIApp, *, max_bytes: int, path: str = "/women/imports") -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.path = path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] != self.path:
            await self.app(scope, receive, send)
            return
        limit = self.max_bytes + _MULTIPART_SLACK
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            await self._refuse(scope, receive, send)
            return
        received, cut, started = 0, False, False

        async def counted() -> Message:
            nonlocal received, cut
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    cut = True
                    raise _TooLarge
            return message

        async def guarded(message: Message) -> None:
            nonlocal started
            if cut:
                return  # whatever the app made of the cut body, the answer is the 413 below
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, guarded)
        except Exception:
            if not cut:
                raise
        if cut and not started:
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        error = too_large(self.max_bytes)
        await JSONResponse(error.body(), status_code=413, headers={"Connection": "close"})(scope, receive, send)


@router.post("/women/imports", status_code=201, response_model=ImportRead, summary="Impor daftar perempuan",
             description="Unggah berkas .csv atau .xlsx (baris pertama = judul kolom: nik, nama, tanggal_lahir, "
                         "telepon, kecamatan, kode_desa, jumlah_anggota_keluarga, kategori_pekka; kolom lain "
                         "ditolak). Baris valid didaftarkan; NIK yang sudah terdaftar dilewati; baris tidak valid "
                         "masuk laporan kesalahan. Berkas yang tidak terbaca, tanpa baris data, atau melebihi "
                         "batas ukuran (REGISTRY_IMPORT_MAX_BYTES, bawaan 50 MB) atau jumlah baris "
                         "(REGISTRY_IMPORT_MAX_ROWS, bawaan 200.000) ditolak utuh: tidak ada yang didaftarkan.",
             responses={413: {"description": "Berkas melebihi batas ukuran atau jumlah baris"},
                        422: {"description": "Berkas atau baris judulnya tidak valid"}})
async def upload(
    request: Request,
    file: Annotated[UploadFile, File(description="Berkas .csv atau .xlsx")],
    opd: Opd,
    today: Today,
    pool: Pool,
    cipher: Cipher,
    uow: Uow,
    _key: IdempotencyKey = None,
    registered_by_opd: Annotated[OPD, Form()] = "dp3a",
) -> Response:
    settings = request.app.state.settings
    data = await file.read(settings.import_max_bytes + 1)
    if len(data) > settings.import_max_bytes:
        raise too_large(settings.import_max_bytes)
    if not data:
        raise errors.Invalid("Berkas kosong", "empty file", field="file")
    # The import commits chunk by chunk, so its key is held for the whole import (a copy waits, then replays).
    async with claimed(request, pool, fingerprint=hashlib.sha256(data).hexdigest()) as key:
        if key.replay is not None:
            return key.replay
        async with pool.acquire() as conn:

            @asynccontextmanager
            async def begin() -> AsyncIterator[RegistryUnitOfWork]:
                async with conn.transaction():
                    yield uow(conn)

            result = await imports.run(
                begin, cipher=cipher, data=data, filename=file.filename or "upload", opd=opd or registered_by_opd,
                chunk_size=settings.import_chunk_size, max_rows=settings.import_max_rows, today=today,
            )
            async with conn.transaction():
                body = answer(ImportRead, await imports.get(uow(conn), import_ref=result.import_ref))
                await audit.record_change(conn, request, 201, body, None)
                raw = json.dumps(body).encode()
                await key.store(conn, 201, raw)
    return Response(raw, status_code=201, media_type="application/json")


@router.get("/women/imports/{import_ref}", response_model=ImportRead, summary="Ringkasan impor")
async def read(import_ref: UUID, request: Request, uow: Uow) -> Response:
    return await query(request, lambda conn: imports.get(uow(conn), import_ref=import_ref), model=ImportRead)


async def _error_rows(request: Request, pool: Pool, uow: Uow, import_ref: UUID,
                      why: str) -> list[tuple[int, str, str]]:
    async with pool.acquire() as conn:
        rows = await imports.error_rows(uow(conn), import_ref=import_ref)
        await log_reads(conn, request, [None], why=why)  # refused rows have no person yet
    return rows


@router.get("/women/imports/{import_ref}/errors.csv", summary="Laporan kesalahan impor (CSV)",
            response_class=Response, responses={200: {"content": {"text/csv": {}}}})
async def errors_csv(import_ref: UUID, request: Request, pool: Pool, uow: Uow, why: Purpose) -> Response:
    rows = await _error_rows(request, pool, uow, import_ref, why)
    return Response(spreadsheets.report_csv(rows), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="kesalahan-impor-{import_ref}.csv"'})


@router.get("/women/imports/{import_ref}/errors.xlsx", summary="Laporan kesalahan impor (XLSX)",
            response_class=Response, responses={200: {"content": {_XLSX: {}}}})
async def errors_xlsx(import_ref: UUID, request: Request, pool: Pool, uow: Uow, why: Purpose) -> Response:
    rows = await _error_rows(request, pool, uow, import_ref, why)
    return Response(spreadsheets.report_xlsx(rows), media_type=_XLSX,
                    headers={"Content-Disposition": f'attachment; filename="kesalahan-impor-{import_ref}.xlsx"'})
