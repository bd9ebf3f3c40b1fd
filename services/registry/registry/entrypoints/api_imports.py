"""Bulk import of women lists (CSV/XLSX) as a background job: upload, progress, the row report, held rows.

The upload reads and checks the whole file, records the job and answers 202 at once; the job commits in several
transactions (one per chunk of rows, ``service_layer.imports``) in the background. The upload holds its
Idempotency-Key with the kit's ``claimed`` until the job is recorded (a copy with the same key replays the same
job), validates its answer against ``ImportRead`` and writes its audit row like ``command`` does. The reports are
files, not JSON: the two downloads answer a spreadsheet.
"""

import asyncio
import hashlib
import json
from collections.abc import AsyncIterator, Coroutine
from contextlib import asynccontextmanager
from datetime import date
from typing import Annotated, Any
from uuid import UUID

import asyncpg
from berdaya_contracts.common import OPD
from berdaya_shared import audit, errors
from berdaya_shared.entrypoints import IdempotencyKey, Pool, Today, answer, command, query
from berdaya_shared.http import claimed
from fastapi import APIRouter, File, Form, Path, Request, UploadFile
from fastapi.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..adapters import spreadsheets_report
from ..adapters.repository.imports import ReportRow
from ..service_layer import import_review, imports
from ..service_layer.import_rows import Context
from ..service_layer.import_workers import RowReaders
from ..service_layer.unit_of_work import RegistryUnitOfWork
from .deps import Opd, Purpose, Uow, log_reads
from .schemas_imports import HeldDecided, HeldDecision, HeldList, ImportRead

router = APIRouter(tags=["Impor daftar perempuan"])
_SCOPE = "POST /women/imports"
_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Room for the multipart framing (boundaries, part headers, the form fields) around the file itself.
_MULTIPART_SLACK = 64 * 1024


def too_large(max_bytes: int) -> errors.Refusal:
    size = f"{max_bytes / 2**20:.4g} MB" if max_bytes >= 2**20 else f"{max_bytes / 1024:.4g} KB"
    return errors.TooLarge(f"Berkas terlalu besar: maksimal {size} per impor",
                           f"file exceeds import_max_bytes ({max_bytes} bytes)", field="file", max_bytes=max_bytes)


def not_while_rotating(request: Request) -> None:
    """Raises Unavailable while the NIK keys rotate: an import matches thousands of NIKs in bulk under the current
    HMAC only, so it waits for the rotation (minutes; docs/operations.md) rather than miss a registered woman."""
    if request.app.state.cipher.rotating:
        raise errors.Unavailable("Impor ditunda selama rotasi kunci NIK; coba lagi setelah rotasi selesai",
                                 "NIK key rotation in progress")


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


def _readers(request: Request) -> RowReaders:
    """The app's row readers (their worker processes start on the first large import)."""
    state = request.app.state
    if getattr(state, "import_readers", None) is None:
        settings = state.settings
        state.import_readers = RowReaders(state.cipher, encryption_key=settings.nik_encryption_key,
                                          hmac_key=settings.nik_hmac_key, processes=settings.import_workers)
        state.import_jobs = set()
    return state.import_readers


def _launch(request: Request, job: Coroutine[Any, Any, None]) -> None:
    """Run the import in the background; the app keeps a reference until it ends."""
    task = asyncio.create_task(job)
    jobs: set[asyncio.Task[None]] = request.app.state.import_jobs
    jobs.add(task)
    task.add_done_callback(jobs.discard)


@router.post("/women/imports", status_code=202, response_model=ImportRead, summary="Impor daftar perempuan",
             description=(
                 "Unggah berkas .csv atau .xlsx. Baris judul kolom dicari di 20 baris pertama (judul daftar di atasnya "
                 "boleh); lembar petunjuk dilewati. Kolom: NIK, Nama, Tanggal Lahir, Kecamatan (kode atau nama), "
                 "Jumlah Anggota Keluarga (wajib); Telepon, Desa/Kelurahan (kode atau nama), Kategori PEKKA, "
                 "Tanggal Pendaftaran, Pendapatan Rumah Tangga per Bulan, Tanggal Penilaian (opsional); kolom No "
                 "diabaikan; kolom lain ditolak. Berkas dibaca utuh dulu: yang tidak terbaca, tanpa baris data, atau "
                 "melebihi batas ukuran (REGISTRY_IMPORT_MAX_BYTES, bawaan 50 MB) atau jumlah baris "
                 "(REGISTRY_IMPORT_MAX_ROWS, bawaan 200.000) ditolak utuh. Lalu impor berjalan di latar belakang "
                 "(202): pantau GET /women/imports/{import_ref}; laporan per baris di error_report; baris yang "
                 "perlu konfirmasi petugas di held_rows."),
             responses={413: {"description": "Berkas melebihi batas ukuran atau jumlah baris"},
                        422: {"description": "Berkas atau baris judulnya tidak bisa dipakai"}})
async def upload(
    request: Request,
    file: Annotated[UploadFile, File(description="Berkas .csv atau .xlsx")],
    opd: Opd,
    today: Today,
    pool: Pool,
    uow: Uow,
    _key: IdempotencyKey = None,
    registered_by_opd: Annotated[OPD, Form()] = "dp3a",
) -> Response:
    data = await read_upload(request, file)
    return await start_job(request, data=data, filename=file.filename or "upload", opd=opd or registered_by_opd,
                           today=today, pool=pool, uow=uow)


async def read_upload(request: Request, file: UploadFile) -> bytes:
    """The uploaded file's bytes; TooLarge over ``import_max_bytes``, Invalid when empty (field ``file``);
    Unavailable while the NIK keys rotate (an import could miss a woman registered under the old key)."""
    not_while_rotating(request)
    settings = request.app.state.settings
    data = await file.read(settings.import_max_bytes + 1)
    if len(data) > settings.import_max_bytes:
        raise too_large(settings.import_max_bytes)
    if not data:
        raise errors.Invalid("Berkas kosong", "empty file", field="file")
    return data


async def start_job(request: Request, *, data: bytes, filename: str, opd: str, today: date, pool: asyncpg.Pool,
                    uow: Uow) -> Response:
    """Check the whole file, record the job and run it in the background: the 202 answer (``ImportRead``), or the
    replay of the first answer for a copy with the same Idempotency-Key. Raises Invalid/TooLarge for a file that
    cannot be used (nothing recorded). The API's upload and the import page both start jobs here."""
    settings = request.app.state.settings
    # One upload, one job: a copy sent with the same key waits for the first answer and replays it.
    async with claimed(request, pool, fingerprint=hashlib.sha256(data).hexdigest()) as key:
        if key.replay is not None:
            return key.replay
        sheet = await asyncio.to_thread(imports.open_file, data, filename, settings.import_max_rows)
        async with pool.acquire() as conn, conn.transaction():
            import_ref = await imports.start(uow(conn), sheet=sheet, filename=filename, opd=opd)
            body = answer(ImportRead, await import_review.get(uow(conn), import_ref=import_ref))
            await audit.record_change(conn, request, 202, body, None)
            raw = json.dumps(body).encode()
            await key.store(conn, 202, raw)

    @asynccontextmanager
    async def begin() -> AsyncIterator[RegistryUnitOfWork]:
        async with pool.acquire() as conn, conn.transaction():
            yield uow(conn)

    ctx = Context(opd=body["registered_by_opd"], today=today, import_ref=import_ref,
                  correlation_id=request.headers.get("X-Correlation-ID"))
    _launch(request, imports.run(
        begin, readers=_readers(request), sheet=sheet, ctx=ctx, chunk_size=settings.import_chunk_size,
        parallel=len(sheet.rows) >= settings.import_parallel_rows))
    return Response(raw, status_code=202, media_type="application/json",
                    headers={"Location": f"/women/imports/{import_ref}"})


@router.get("/women/imports/{import_ref}", response_model=ImportRead, summary="Kemajuan dan ringkasan impor")
async def read(import_ref: UUID, request: Request, uow: Uow) -> Response:
    return await query(request, lambda conn: import_review.get(uow(conn), import_ref=import_ref), model=ImportRead)


async def report_rows(request: Request, pool: asyncpg.Pool, uow: Uow, import_ref: UUID, why: str) -> list[ReportRow]:
    """The job's row report (``import_review.report``), the read logged with ``why``."""
    async with pool.acquire() as conn:
        rows = await import_review.report(uow(conn), import_ref=import_ref)
        await log_reads(conn, request, [None], why=why)  # the report names rows, not people
    return rows


@router.get("/women/imports/{import_ref}/errors.csv", summary="Laporan per baris (CSV)",
            description="Baris; Kolom (judul seperti di berkas); Hasil; Masalah; Perbaikan. Dipisah titik koma.",
            response_class=Response, responses={200: {"content": {"text/csv": {}}}})
async def errors_csv(import_ref: UUID, request: Request, pool: Pool, uow: Uow, why: Purpose) -> Response:
    rows = await report_rows(request, pool, uow, import_ref, why)
    return Response(spreadsheets_report.report_csv(rows), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="laporan-impor-{import_ref}.csv"'})


@router.get("/women/imports/{import_ref}/errors.xlsx", summary="Laporan per baris (XLSX)",
            response_class=Response, responses={200: {"content": {_XLSX: {}}}})
async def errors_xlsx(import_ref: UUID, request: Request, pool: Pool, uow: Uow, why: Purpose) -> Response:
    rows = await report_rows(request, pool, uow, import_ref, why)
    return Response(spreadsheets_report.report_xlsx(rows), media_type=_XLSX,
                    headers={"Content-Disposition": f'attachment; filename="laporan-impor-{import_ref}.xlsx"'})


@router.get("/women/imports/{import_ref}/held", response_model=HeldList, summary="Baris yang menunggu konfirmasi",
            description="Memuat data pribadi: perlu izin personal_data:read dan header X-Purpose; dicatat di log audit.")
async def held(import_ref: UUID, request: Request, why: Purpose, today: Today, uow: Uow) -> Response:
    async def handle(conn: asyncpg.Connection) -> dict[str, Any]:
        page = await import_review.held(uow(conn), import_ref=import_ref, today=today)
        await log_reads(conn, request, [None], why=why)
        return page

    return await query(request, handle, model=HeldList)


@router.post("/women/imports/{import_ref}/held/{row_no}", response_model=HeldDecided,
             summary="Putuskan baris yang ditahan: konfirmasi (didaftarkan ke impor yang sama) atau batalkan")
async def decide(import_ref: UUID, row_no: Annotated[int, Path(ge=1, le=1_000_000, description="Nomor baris di berkas")],
                 body: HeldDecision, request: Request, today: Today, uow: Uow,
                 _key: IdempotencyKey = None) -> Response:
    not_while_rotating(request)
    return await command(request, lambda conn: import_review.decide(
        uow(conn), import_ref=import_ref, row_no=row_no, confirm=set(body.confirm),
        income_idr=body.monthly_household_income_idr, discard=body.discard, today=today), model=HeldDecided)
