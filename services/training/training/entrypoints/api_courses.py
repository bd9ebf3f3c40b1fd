"""Courses and their participants over HTTP: thin routes handing each request to a handler.

Commands run through the kit's ``command`` (one transaction, Idempotency-Key, audit row, answer validated);
reads through ``query``. The caller's OPD comes from the verified token.
"""

from collections.abc import Sequence
from typing import Annotated, Any
from uuid import UUID

from berdaya_contracts.common import OPD, KecamatanCode
from berdaya_contracts.training_v1 import TrainingField
from berdaya_shared import errors
from berdaya_shared.entrypoints import (
    ActingOpd,
    CorrelationId,
    IdempotencyKey,
    Limit,
    Offset,
    Today,
    command,
    query,
)
from fastapi import APIRouter, Path, Query, Request, Response

from ..service_layer import courses, participants
from ..service_layer.unit_of_work import TrainingUnitOfWork as Uow
from . import schemas_courses as s

CourseRef = Annotated[UUID, Path(description="Referensi pelatihan")]
SessionNo = Annotated[int, Path(ge=1, le=365, description="Nomor sesi, 1 sampai jumlah sesi pelatihan")]

REFUSALS: dict[int | str, dict[str, Any]] = {
    404: {"description": "Pelatihan atau peserta tidak ditemukan"},
    409: {"description": "Bertentangan dengan keadaan saat ini (kuota penuh, sudah terdaftar, sudah selesai)"},
    422: {"description": "Data tidak valid atau ditolak aturan; `pesan` menjelaskan alasannya"},
}


def router(dependencies: Sequence[Any] = ()) -> APIRouter:
    api = APIRouter(prefix="/courses", tags=["Pelatihan"], dependencies=list(dependencies), responses=REFUSALS)

    @api.post("", status_code=201, response_model=s.CourseRead, summary="Jadwalkan pelatihan")
    async def schedule(body: s.CourseCreate, request: Request, opd: ActingOpd, correlation: CorrelationId,
                       _key: IdempotencyKey = None) -> Response:
        organizer = body.organizer_opd or opd
        if organizer is None:
            raise errors.Invalid("organizer_opd: wajib diisi (token ini tidak membawa OPD)", "organizer_opd missing",
                                 field="organizer_opd")
        threshold = body.completion_threshold or request.app.state.settings.completion_threshold
        return await command(request, lambda conn: courses.create(
            Uow(conn, correlation_id=correlation), organizer_opd=organizer, field=body.field,
            kecamatan_code=body.kecamatan_code, title=body.title, starts_on=body.starts_on, ends_on=body.ends_on,
            sessions=body.sessions, capacity=body.capacity, completion_threshold=threshold,
        ), model=s.CourseRead, status=201)

    @api.get("", response_model=s.CourseList, summary="Daftar pelatihan dengan tingkat keterisian")
    async def list_courses(request: Request, limit: Limit = 50, offset: Offset = 0,
                           organizer_opd: OPD | None = None, field: TrainingField | None = None,
                           kecamatan_code: Annotated[KecamatanCode | None, Query()] = None) -> Response:
        return await query(request, lambda conn: courses.list_(
            Uow(conn), organizer_opd=organizer_opd, field=field, kecamatan_code=kecamatan_code, limit=limit,
            offset=offset), model=s.CourseList)

    @api.get("/{course_ref}", response_model=s.CourseRead, summary="Baca pelatihan dengan tingkat keterisiannya")
    async def get_course(course_ref: CourseRef, request: Request) -> Response:
        return await query(request, lambda conn: courses.get(Uow(conn), course_ref=course_ref), model=s.CourseRead)

    @api.put("/{course_ref}/schedule", response_model=s.CourseRead, summary="Ubah tanggal dan kapasitas pelatihan",
             description="Tanggal mulai, tanggal selesai dan kapasitas baru (ketiganya). Ditolak 409 bila pelatihan "
                         "sudah selesai atau kapasitas di bawah jumlah peserta terdaftar, 422 bila selesai sebelum "
                         "mulai. Menerbitkan training.CourseRescheduled bila ada yang berubah.")
    async def reschedule(course_ref: CourseRef, body: s.CourseReschedule, request: Request, today: Today,
                         correlation: CorrelationId, _key: IdempotencyKey = None) -> Response:
        return await command(request, lambda conn: courses.reschedule(
            Uow(conn, correlation_id=correlation), course_ref=course_ref, starts_on=body.starts_on,
            ends_on=body.ends_on, capacity=body.capacity, today=today), model=s.CourseRead)

    @api.post("/{course_ref}/enrolments", status_code=201, response_model=s.EnrolmentRead,
              summary="Daftarkan perempuan terdaftar (diperiksa terhadap replika registri)")
    async def enrol(course_ref: CourseRef, body: s.EnrolmentCreate, request: Request, today: Today,
                    correlation: CorrelationId, _key: IdempotencyKey = None) -> Response:
        return await command(request, lambda conn: participants.enrol(
            Uow(conn, correlation_id=correlation), course_ref=course_ref, person_ref=body.person_ref,
            enrolled_on=body.enrolled_on or today), model=s.EnrolmentRead, status=201)

    @api.get("/{course_ref}/enrolments", response_model=s.EnrolmentList, summary="Daftar peserta")
    async def list_enrolments(course_ref: CourseRef, request: Request, limit: Limit = 50, offset: Offset = 0,
                              status: s.EnrolmentStatus | None = None) -> Response:
        return await query(request, lambda conn: participants.list_(
            Uow(conn), course_ref=course_ref, status=status, limit=limit, offset=offset), model=s.EnrolmentList)

    @api.get("/{course_ref}/enrolments/{person_ref}", response_model=s.EnrolmentRead,
             summary="Satu peserta: kehadiran, kelulusan, sertifikat")
    async def get_enrolment(course_ref: CourseRef, person_ref: UUID, request: Request) -> Response:
        return await query(request, lambda conn: participants.get(
            Uow(conn), course_ref=course_ref, person_ref=person_ref), model=s.EnrolmentRead)

    @api.post("/{course_ref}/sessions/{session_no}/attendance", response_model=s.AttendanceRead,
              summary="Catat kehadiran satu sesi untuk seluruh kelas",
              description="Semua baris atau tidak sama sekali. Baris yang sama dengan yang tersimpan tidak menerbitkan "
                          "apa pun; baris yang berubah adalah koreksi dan menerbitkan AttendanceRecorded baru "
                          "(yang terakhir berlaku).")
    async def attendance(course_ref: CourseRef, session_no: SessionNo, body: s.AttendanceBatch,
                         request: Request, correlation: CorrelationId, _key: IdempotencyKey = None) -> Response:
        marks = [(r.person_ref, r.present) for r in body.records]
        return await command(request, lambda conn: participants.record_attendance(
            Uow(conn, correlation_id=correlation), course_ref=course_ref, session_no=session_no, marks=marks,
        ), model=s.AttendanceRead)

    @api.get("/{course_ref}/sessions/{session_no}/attendance", response_model=s.SessionSheetRead,
             summary="Daftar hadir satu sesi")
    async def sheet(course_ref: CourseRef, session_no: SessionNo, request: Request) -> Response:
        return await query(request, lambda conn: participants.session_sheet(
            Uow(conn), course_ref=course_ref, session_no=session_no), model=s.SessionSheetRead)

    @api.post("/{course_ref}/completions", status_code=201, response_model=s.EnrolmentRead,
              summary="Nyatakan peserta selesai; sertifikat bila kehadiran mencapai batas",
              description="Di bawah batas kehadiran wajib ada override_reason, dan tidak ada sertifikat.")
    async def complete(course_ref: CourseRef, body: s.CompletionCreate, request: Request,
                       correlation: CorrelationId, _key: IdempotencyKey = None) -> Response:
        return await command(request, lambda conn: participants.complete(
            Uow(conn, correlation_id=correlation), course_ref=course_ref, person_ref=body.person_ref,
            completed_on=body.completed_on, override_reason=body.override_reason,
        ), model=s.EnrolmentRead, status=201)

    @api.post("/{course_ref}/dropouts", status_code=201, response_model=s.EnrolmentRead,
              summary="Catat peserta keluar beserta alasannya (kursinya kosong lagi)")
    async def drop(course_ref: CourseRef, body: s.DropoutCreate, request: Request, correlation: CorrelationId,
                   _key: IdempotencyKey = None) -> Response:
        return await command(request, lambda conn: participants.drop(
            Uow(conn, correlation_id=correlation), course_ref=course_ref, person_ref=body.person_ref,
            dropped_on=body.dropped_on, reason=body.reason,
        ), model=s.EnrolmentRead, status=201)

    return api
