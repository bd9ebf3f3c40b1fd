"""Bulk import of women lists (CSV/XLSX) and the downloadable error report."""

import hashlib
import json
from typing import Annotated, Any
from uuid import UUID

from berdaya_contracts.common import OPD
from berdaya_shared import audit, errors
from berdaya_shared.http import IDEMPOTENCY_HEADER
from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..adapters import spreadsheets
from ..service_layer import imports
from . import deps
from .api_audit import Purpose, log_reads
from .deps import ActorOpd
from .schemas_programs import ImportRead

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
    opd: ActorOpd,
    registered_by_opd: Annotated[OPD, Form()] = "dp3a",
) -> Response:
    settings = request.app.state.settings
    data = await file.read(settings.import_max_bytes + 1)
    if len(data) > settings.import_max_bytes:
        raise too_large(settings.import_max_bytes)
    if not data:
        raise errors.Invalid("Berkas kosong", "empty file", field="file")
    key = request.headers.get(IDEMPOTENCY_HEADER)
    fingerprint = hashlib.sha256(data).hexdigest()
    pool = deps.pool(request)
    # The import runs one transaction per chunk, so it cannot sit inside the shared one-transaction
    # helper; it is idempotent by NIK anyway, the key only replays the first answer.
    if key is not None:
        async with pool.acquire() as conn:
            stored = await conn.fetchrow(
                "SELECT request_hash, status_code, response_body FROM idempotency_keys WHERE scope = $1 AND key = $2",
                _SCOPE, key,
            )
        if stored is not None:
            if stored["request_hash"] != fingerprint:
                raise errors.Invalid("Idempotency-Key ini sudah dipakai untuk permintaan lain",
                                     "Idempotency-Key was already used with a different request", field=IDEMPOTENCY_HEADER)
            return Response(bytes(stored["response_body"]), status_code=stored["status_code"],
                            media_type="application/json", headers={"Idempotent-Replayed": "true"})
    result = await imports.run(
        pool, cipher=deps.cipher(request), data=data, filename=file.filename or "upload", opd=opd or registered_by_opd,
        chunk_size=settings.import_chunk_size, max_rows=settings.import_max_rows,
        correlation_id=deps.correlation_id(request),
    )
    async with pool.acquire() as conn, conn.transaction():
        answer = jsonable_encoder(await imports.get(conn, result.import_ref))
        await audit.record_change(conn, request, 201, answer, None)
        body = json.dumps(answer).encode()
        if key is not None:
            await conn.execute(
                "INSERT INTO idempotency_keys (scope, key, request_hash, status_code, response_body)"
                " VALUES ($1, $2, $3, 201, $4) ON CONFLICT DO NOTHING", _SCOPE, key, fingerprint, body,
            )
    return Response(body, status_code=201, media_type="application/json")


@router.get("/women/imports/{import_ref}", response_model=ImportRead, summary="Ringkasan impor")
async def read(import_ref: UUID, request: Request) -> Any:
    async with deps.pool(request).acquire() as conn:
        return await imports.get(conn, import_ref)


@router.get("/women/imports/{import_ref}/errors.csv", summary="Laporan kesalahan impor (CSV)",
            response_class=Response, responses={200: {"content": {"text/csv": {}}}})
async def errors_csv(import_ref: UUID, request: Request, why: Purpose) -> Response:
    async with deps.pool(request).acquire() as conn:
        rows = await imports.error_rows(conn, import_ref)
        await log_reads(conn, request, [None], why=why)  # refused rows have no person yet
    return Response(spreadsheets.report_csv(rows), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="kesalahan-impor-{import_ref}.csv"'})


@router.get("/women/imports/{import_ref}/errors.xlsx", summary="Laporan kesalahan impor (XLSX)",
            response_class=Response, responses={200: {"content": {_XLSX: {}}}})
async def errors_xlsx(import_ref: UUID, request: Request, why: Purpose) -> Response:
    async with deps.pool(request).acquire() as conn:
        rows = await imports.error_rows(conn, import_ref)
        await log_reads(conn, request, [None], why=why)  # refused rows have no person yet
    return Response(spreadsheets.report_xlsx(rows), media_type=_XLSX,
                    headers={"Content-Disposition": f'attachment; filename="kesalahan-impor-{import_ref}.xlsx"'})
