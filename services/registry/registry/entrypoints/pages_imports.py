"""The women import page (DP3A): upload a list, watch the job's progress (htmx polls the job page's progress block
every second while it runs), download the row report, and decide the rows held for an officer's confirmation.

The upload starts the job exactly as ``POST /women/imports`` does (``api_imports.start_job``, the form's
Idempotency-Key: a double submission starts one job); held rows are decided with ``import_review.decide`` through
``entrypoints.command``. Held rows show names: the page is a personal-data read, logged with the session's purpose."""

from typing import Annotated, Any
from uuid import UUID, uuid4

import asyncpg
from berdaya_shared import errors
from berdaya_shared.auth import SessionRoute
from berdaya_shared.entrypoints import Pool, Today, command
from berdaya_shared.signin import CurrentUser, flash
from berdaya_shared.signin import Purpose as SessionPurpose
from berdaya_shared.ui import render
from berdaya_shared.ui.formats import parse_rupiah
from fastapi import APIRouter, Path, Request
from fastapi.responses import RedirectResponse, Response

from ..adapters import spreadsheets_report
from ..service_layer import import_review
from .api_imports import read_upload, report_rows, start_job
from .deps import Opd, Uow, log_reads
from .pages_common import answer_of, errors_of, read, refusal_errors, use_form_key
from .schemas_imports import HeldDecided

pages = APIRouter(route_class=SessionRoute, include_in_schema=False)
_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
STATUS = {"running": "Sedang berjalan", "done": "Selesai", "failed": "Gagal (yang sudah tersimpan tetap tersimpan)",
          "interrupted": "Terputus: unggah berkas yang sama lagi; NIK yang sudah terdaftar dilewati"}
COUNTS = (("registered", "Baru didaftarkan"), ("already_registered", "Sudah terdaftar sebelumnya"),
          ("rejected", "Ditolak"), ("held", "Ditahan, menunggu konfirmasi"),
          ("reported", "Dilaporkan (NIK dipakai orang lain atau baris ganda)"),
          ("with_warnings", "Didaftarkan dengan peringatan"), ("possible_duplicates", "Mungkin ganda"),
          ("assessed", "Asesmen awal tercatat"))
CONFIRM_LABELS = {"confirm_birth_date_differs_from_nik": "Tanggal lahir sesuai KTP walau berbeda dengan NIK",
                  "confirm_low_income": "Pendapatan rendah ini memang benar"}
CONFIRMS = {"birth_date": "confirm_birth_date_differs_from_nik",  # a held row's field -> what the officer confirms
            "monthly_household_income_idr": "confirm_low_income"}


async def _upload_page(request: Request, problems: dict[str, str], status_code: int = 200) -> Response:
    return await render(request, "registry/import.html", {
        "title": "Impor daftar perempuan", "errors": problems, "form_key": str(uuid4())}, status_code=status_code)


@pages.get("/perempuan/impor")
async def upload_page(request: Request, user: CurrentUser, why: SessionPurpose) -> Response:
    # the purpose is asked here, before the job page that lists held rows by name
    return await _upload_page(request, {})


@pages.post("/perempuan/impor")
async def upload(request: Request, user: CurrentUser, opd: Opd, today: Today, pool: Pool, uow: Uow) -> Response:
    form = await request.form()
    use_form_key(request, str(form.get("idempotency_key", "")))
    file = form.get("file")
    try:
        if file is None or isinstance(file, str) or not file.filename:
            raise errors.Invalid("Pilih berkas .csv atau .xlsx", "no file", field="file")
        data = await read_upload(request, file)  # type: ignore[arg-type]
        status, body = answer_of(await start_job(request, data=data, filename=file.filename, opd=opd or "dp3a",
                                                 today=today, pool=pool, uow=uow))
    except errors.Refusal as refusal:
        return await _upload_page(request, errors_of(refusal, ("file",)), 413 if isinstance(
            refusal, errors.TooLarge) else 422)
    if status >= 400:
        return await _upload_page(request, refusal_errors(body, ("file",)), 422)
    return RedirectResponse(f"/perempuan/impor/{body['import_ref']}", status_code=303)


@pages.get("/perempuan/impor/{import_ref}")
async def job_page(import_ref: UUID, request: Request, user: CurrentUser, why: SessionPurpose, today: Today,
                   uow: Uow) -> Response:
    async def handle(conn: asyncpg.Connection) -> dict[str, Any]:
        job = await import_review.get(uow(conn), import_ref=import_ref)
        held = {"items": []}
        if job["status"] != "running" and job["held"]:
            held = await import_review.held(uow(conn), import_ref=import_ref, today=today)
            await log_reads(conn, request, [None], why=why)  # held rows name people not yet registered
        return {"job": job, "held": held["items"]}

    found = await read(request, handle)
    job = found["job"]
    done = job["rows_read"] / job["rows_total"] if job["rows_total"] else 1.0
    return await render(request, "registry/import_job.html", {
        "title": f"Impor {job['filename']}", **found, "status_text": STATUS[job["status"]], "counts": COUNTS,
        "percent": round(done * 100), "confirm_labels": CONFIRM_LABELS, "confirms": CONFIRMS,
        "form_keys": {row["row_no"]: str(uuid4()) for row in found["held"]}}, block="job")



@pages.get("/perempuan/impor/{import_ref}/laporan.csv")
async def report_csv(import_ref: UUID, request: Request, user: CurrentUser, why: SessionPurpose, pool: Pool,
                     uow: Uow) -> Response:
    rows = await report_rows(request, pool, uow, import_ref, why)
    return Response(spreadsheets_report.report_csv(rows), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="laporan-impor-{import_ref}.csv"'})


@pages.get("/perempuan/impor/{import_ref}/laporan.xlsx")
async def report_xlsx(import_ref: UUID, request: Request, user: CurrentUser, why: SessionPurpose, pool: Pool,
                      uow: Uow) -> Response:
    rows = await report_rows(request, pool, uow, import_ref, why)
    return Response(spreadsheets_report.report_xlsx(rows), media_type=_XLSX,
                    headers={"Content-Disposition": f'attachment; filename="laporan-impor-{import_ref}.xlsx"'})


@pages.post("/perempuan/impor/{import_ref}/ditahan/{row_no}")
async def decide(import_ref: UUID, row_no: Annotated[int, Path(ge=1, le=1_000_000)], request: Request,
                 user: CurrentUser, today: Today, uow: Uow) -> Response:
    form = await request.form()
    use_form_key(request, str(form.get("idempotency_key", "")))
    back = f"/perempuan/impor/{import_ref}"
    discard = form.get("keputusan") == "batal"
    confirm = {str(v) for v in form.getlist("confirm") if str(v) in CONFIRM_LABELS}
    try:
        income = parse_rupiah(str(form.get("monthly_household_income_idr", "")), field="monthly_household_income_idr",
                              required=False)
        status, body = answer_of(await command(request, lambda conn: import_review.decide(
            uow(conn), import_ref=import_ref, row_no=row_no, confirm=confirm, income_idr=income, discard=discard,
            today=today), model=HeldDecided))
    except errors.Refusal as refusal:
        status, body = 422, refusal.body()
    if status >= 400:
        problems = refusal_errors(body, ())
        await flash(request, f"Baris {row_no} belum dapat diputuskan: {'; '.join(problems.values())}")
    elif body["status"] == "registered":
        await flash(request, f"Baris {row_no} dikonfirmasi dan didaftarkan.")
    else:
        await flash(request, f"Baris {row_no} dibatalkan: tidak didaftarkan.")
    return RedirectResponse(back, status_code=303)


