"""HTTP routers: thin. Commands run through ``idempotent`` (one transaction, Idempotency-Key honoured).

Each router takes its dependencies at construction so authentication can be added per router later.
"""

from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any
from uuid import UUID, uuid4

import asyncpg
from berdaya_shared.contracts.common import OPD, KecamatanCode
from berdaya_shared.contracts.training_v1 import TrainingField
from berdaya_shared.http import DomainError, idempotent
from fastapi import APIRouter, Header, Path, Query, Request, Response
from pydantic import BaseModel

from ..service_layer import courses, participants, placements
from . import schemas as s

WITA = timedelta(hours=8)  # Kutai Kartanegara's time zone (UTC+8)
Limit = Annotated[int, Query(ge=1, le=200, description="Page size, at most 200")]
Offset = Annotated[int, Query(ge=0, le=10_000_000)]
CourseRef = Annotated[UUID, Path(description="The course's ref")]
SessionNo = Annotated[int, Path(ge=1, le=365, description="Session number, 1..sessions of the course")]
XOpd = Annotated[OPD | None, Header(alias="X-OPD", description="OPD of the actor (until authentication arrives)")]
IdemKey = Annotated[str | None, Header(alias="Idempotency-Key", description="Retry-safe key for this command")]

REFUSALS: dict[int | str, dict[str, Any]] = {
    404: {"description": "Unknown course / enrolment"},
    409: {"description": "Conflicts with the current state (full course, already enrolled, already completed)"},
    422: {"description": "Invalid input or a rule refused it; `pesan` says why in Bahasa Indonesia"},
}


def today_wita() -> date:
    return (datetime.now(UTC) + WITA).date()


def pool_of(request: Request) -> asyncpg.Pool:
    return request.app.state.runtime.pool


def correlation(request: Request) -> str:
    given = request.headers.get("X-Correlation-ID", "")
    return given if 0 < len(given) <= 100 and given.isprintable() else str(uuid4())


def read(model: type[BaseModel], value: dict[str, Any]) -> dict[str, Any]:
    return model.model_validate(value).model_dump(mode="json")


async def command(request: Request, status: int, model: type[BaseModel],
                  handler: Callable[[asyncpg.Connection], Awaitable[dict[str, Any]]]) -> Response:
    async def run(conn: asyncpg.Connection) -> tuple[int, Any]:
        return status, read(model, await handler(conn))

    return await idempotent(request, pool_of(request), run)


async def query(request: Request, model: type[BaseModel],
                handler: Callable[[asyncpg.Connection], Awaitable[dict[str, Any]]]) -> dict[str, Any]:
    async with pool_of(request).acquire() as conn:
        return read(model, await handler(conn))


def courses_router(dependencies: Sequence[Any] = ()) -> APIRouter:
    router = APIRouter(prefix="/courses", tags=["courses"], dependencies=list(dependencies), responses=REFUSALS)

    @router.post("", status_code=201, response_model=s.CourseRead, summary="Schedule a course")
    async def schedule(body: s.CourseCreate, request: Request, x_opd: XOpd = None,
                       _key: IdemKey = None) -> Response:
        opd = body.organizer_opd or x_opd
        if opd is None:
            raise DomainError(422, "organizer_opd: wajib diisi (atau kirim header X-OPD)", "organizer_opd missing",
                              field="organizer_opd")
        if x_opd is not None and opd != x_opd:
            raise DomainError(403, "Anda tidak dapat menjadwalkan pelatihan atas nama OPD lain",
                              "organizer_opd differs from the actor's X-OPD", field="organizer_opd")
        threshold = body.completion_threshold or request.app.state.settings.completion_threshold
        return await command(request, 201, s.CourseRead, lambda conn: courses.create(
            conn, organizer_opd=opd, field=body.field, kecamatan_code=body.kecamatan_code, title=body.title,
            starts_on=body.starts_on, ends_on=body.ends_on, sessions=body.sessions, capacity=body.capacity,
            completion_threshold=threshold, correlation_id=correlation(request),
        ))

    @router.get("", response_model=s.CourseList, summary="List courses with their fill rate")
    async def list_courses(request: Request, limit: Limit = 50, offset: Offset = 0,
                           organizer_opd: OPD | None = None, field: TrainingField | None = None,
                           kecamatan_code: Annotated[KecamatanCode | None, Query()] = None) -> dict[str, Any]:
        return await query(request, s.CourseList, lambda conn: courses.list_(
            conn, organizer_opd=organizer_opd, field=field, kecamatan_code=kecamatan_code, limit=limit,
            offset=offset))

    @router.get("/{course_ref}", response_model=s.CourseRead, summary="Read a course with its fill rate")
    async def get_course(course_ref: CourseRef, request: Request) -> dict[str, Any]:
        return await query(request, s.CourseRead, lambda conn: courses.get(conn, course_ref=course_ref))

    @router.post("/{course_ref}/enrolments", status_code=201, response_model=s.EnrolmentRead,
                 summary="Enrol a registered woman (checked against the registry replica)")
    async def enrol(course_ref: CourseRef, body: s.EnrolmentCreate, request: Request,
                    _key: IdemKey = None) -> Response:
        return await command(request, 201, s.EnrolmentRead, lambda conn: participants.enrol(
            conn, course_ref=course_ref, person_ref=body.person_ref, enrolled_on=body.enrolled_on or today_wita(),
            correlation_id=correlation(request)))

    @router.get("/{course_ref}/enrolments", response_model=s.EnrolmentList, summary="List participants")
    async def list_enrolments(course_ref: CourseRef, request: Request, limit: Limit = 50, offset: Offset = 0,
                              status: s.EnrolmentStatus | None = None) -> dict[str, Any]:
        return await query(request, s.EnrolmentList, lambda conn: participants.list_(
            conn, course_ref=course_ref, status=status, limit=limit, offset=offset))

    @router.get("/{course_ref}/enrolments/{person_ref}", response_model=s.EnrolmentRead,
                summary="One participant: attendance, completion, certificate")
    async def get_enrolment(course_ref: CourseRef, person_ref: UUID, request: Request) -> dict[str, Any]:
        return await query(request, s.EnrolmentRead, lambda conn: participants.get(
            conn, course_ref=course_ref, person_ref=person_ref))

    @router.post("/{course_ref}/sessions/{session_no}/attendance", response_model=s.AttendanceRead,
                 summary="Record one session's attendance for the whole class",
                 description="All rows or none. A row equal to what is stored publishes nothing; a changed row "
                             "is a correction and publishes a new AttendanceRecorded (latest wins).")
    async def attendance(course_ref: CourseRef, session_no: SessionNo, body: s.AttendanceBatch,
                         request: Request, _key: IdemKey = None) -> Response:
        marks = [(r.person_ref, r.present) for r in body.records]
        return await command(request, 200, s.AttendanceRead, lambda conn: participants.record_attendance(
            conn, course_ref=course_ref, session_no=session_no, marks=marks, correlation_id=correlation(request)))

    @router.get("/{course_ref}/sessions/{session_no}/attendance", response_model=s.SessionSheetRead,
                summary="The attendance sheet of one session")
    async def sheet(course_ref: CourseRef, session_no: SessionNo, request: Request) -> dict[str, Any]:
        return await query(request, s.SessionSheetRead, lambda conn: participants.session_sheet(
            conn, course_ref=course_ref, session_no=session_no))

    @router.post("/{course_ref}/completions", status_code=201, response_model=s.EnrolmentRead,
                 summary="Complete a participant; certificate when attendance reaches the threshold",
                 description="Below the threshold an override_reason is required and no certificate is issued.")
    async def complete(course_ref: CourseRef, body: s.CompletionCreate, request: Request,
                       _key: IdemKey = None) -> Response:
        return await command(request, 201, s.EnrolmentRead, lambda conn: participants.complete(
            conn, course_ref=course_ref, person_ref=body.person_ref, completed_on=body.completed_on,
            override_reason=body.override_reason, correlation_id=correlation(request)))

    @router.post("/{course_ref}/dropouts", status_code=201, response_model=s.EnrolmentRead,
                 summary="Record a drop-out with its reason (frees the seat)")
    async def drop(course_ref: CourseRef, body: s.DropoutCreate, request: Request,
                   _key: IdemKey = None) -> Response:
        return await command(request, 201, s.EnrolmentRead, lambda conn: participants.drop(
            conn, course_ref=course_ref, person_ref=body.person_ref, dropped_on=body.dropped_on,
            reason=body.reason, correlation_id=correlation(request)))

    return router


def placements_router(dependencies: Sequence[Any] = ()) -> APIRouter:
    router = APIRouter(prefix="/placements", tags=["placements"], dependencies=list(dependencies),
                       responses=REFUSALS)

    @router.post("", status_code=201, response_model=s.PlacementRead, summary="Record a job placement")
    async def place(body: s.PlacementCreate, request: Request, x_opd: XOpd = None,
                    _key: IdemKey = None) -> Response:
        return await command(request, 201, s.PlacementRead, lambda conn: placements.create(
            conn, person_ref=body.person_ref, course_ref=body.course_ref, sector=body.sector, formal=body.formal,
            monthly_wage_idr=body.monthly_wage_idr, placed_on=body.placed_on,
            recorded_by_opd=x_opd or "distransnaker", correlation_id=correlation(request)))

    @router.get("", response_model=s.PlacementList, summary="List placements")
    async def list_placements(request: Request, limit: Limit = 50, offset: Offset = 0,
                              person_ref: UUID | None = None, course_ref: UUID | None = None) -> dict[str, Any]:
        return await query(request, s.PlacementList, lambda conn: placements.list_(
            conn, person_ref=person_ref, course_ref=course_ref, limit=limit, offset=offset))

    @router.get("/{placement_ref}", response_model=s.PlacementRead, summary="Read a placement")
    async def get_placement(placement_ref: UUID, request: Request) -> dict[str, Any]:
        return await query(request, s.PlacementRead, lambda conn: placements.get(conn, placement_ref=placement_ref))

    return router


