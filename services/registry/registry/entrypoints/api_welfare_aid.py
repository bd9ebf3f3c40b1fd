"""Welfare assessments, poverty lines, and aid with case notes behind their own scope."""

from datetime import date
from typing import Any
from uuid import UUID

from berdaya_shared.http import idempotent
from fastapi import APIRouter, Request
from fastapi.responses import Response

from ..service_layer import welfare_aid
from . import deps
from .api_audit import Purpose, log_reads
from .deps import ActorOpd
from .schemas_programs import (
    AidCreate,
    AidRead,
    CaseNoteCreate,
    CaseNoteRead,
    PovertyLineRead,
    PovertyLineSet,
    WelfareAssessmentCreate,
    WelfareAssessmentRead,
)

router = APIRouter(tags=["Kesejahteraan dan bantuan (DP3A)"])


@router.post("/women/{person_ref}/welfare-assessments", status_code=201, response_model=WelfareAssessmentRead,
             summary="Catat penilaian kesejahteraan rumah tangga",
             description="Penilaian pertama = baseline. Garis kemiskinan yang berlaku pada assessed_on dipakai; "
                         "tanggal sebelum garis kemiskinan pertama yang dikonfigurasi ditolak (422).")
async def assess(person_ref: UUID, body: WelfareAssessmentCreate, request: Request) -> Response:
    async def command(conn: Any) -> tuple[int, Any]:
        return 201, await welfare_aid.assess(
            conn, ref=person_ref, assessed_on=body.assessed_on, household_size=body.household_size,
            monthly_income_idr=body.monthly_household_income_idr, correlation_id=deps.correlation_id(request),
        )

    return await idempotent(request, deps.pool(request), command)


@router.get("/women/{person_ref}/welfare-assessments", response_model=list[WelfareAssessmentRead])
async def assessments(person_ref: UUID, request: Request) -> Any:
    async with deps.pool(request).acquire() as conn:
        return await welfare_aid.list_assessments(conn, ref=person_ref)


@router.get("/poverty-lines", response_model=list[PovertyLineRead], summary="Garis kemiskinan (dated config)")
async def poverty_lines(request: Request) -> Any:
    async with deps.pool(request).acquire() as conn:
        return await welfare_aid.list_poverty_lines(conn)


@router.put("/poverty-lines/{valid_from}", response_model=PovertyLineRead,
            summary="Tetapkan garis kemiskinan yang berlaku mulai tanggal ini")
async def set_poverty_line(valid_from: date, body: PovertyLineSet, request: Request) -> Response:
    async def command(conn: Any) -> tuple[int, Any]:
        return 200, await welfare_aid.set_poverty_line(conn, valid_from=valid_from, idr=body.idr, source=body.source)

    return await idempotent(request, deps.pool(request), command)


@router.post("/women/{person_ref}/aid", status_code=201, response_model=AidRead, summary="Catat bantuan",
             description="Peristiwa yang diterbitkan hanya memuat jenis, OPD dan tanggal; catatan kasus tetap "
                         "di registri.")
async def provide_aid(
    person_ref: UUID, body: AidCreate, request: Request, opd: ActorOpd
) -> Response:
    async def command(conn: Any) -> tuple[int, Any]:
        return 201, await welfare_aid.provide_aid(
            conn, cipher=deps.cipher(request), ref=person_ref, kind=body.kind,
            provider_opd=opd or body.provider_opd, provided_on=body.provided_on, case_note=body.case_note,
            correlation_id=deps.correlation_id(request),
        )

    return await idempotent(request, deps.pool(request), command)


@router.get("/women/{person_ref}/aid", response_model=list[AidRead], summary="Daftar bantuan (tanpa catatan kasus)")
async def list_aid(person_ref: UUID, request: Request) -> Any:
    async with deps.pool(request).acquire() as conn:
        return await welfare_aid.list_aid(conn, ref=person_ref)


# Case notes need their own scopes (aid_notes:read / aid_notes:write, see policy.py); reading them is
# a personal-data read: purpose required, logged.
case_notes_router = APIRouter(tags=["Catatan kasus (akses terbatas)"])


@case_notes_router.get("/aid/{aid_ref}/case-notes", response_model=list[CaseNoteRead])
async def read_case_notes(aid_ref: UUID, request: Request, why: Purpose) -> Any:
    async with deps.pool(request).acquire() as conn:
        notes = await welfare_aid.case_notes(conn, cipher=deps.cipher(request), aid_ref=aid_ref)
        person = await conn.fetchval("SELECT person_ref FROM aid_records WHERE aid_ref = $1", aid_ref)
        await log_reads(conn, request, [person], why=why)
        return notes


@case_notes_router.post("/aid/{aid_ref}/case-notes", status_code=201, response_model=CaseNoteRead)
async def add_case_note(
    aid_ref: UUID, body: CaseNoteCreate, request: Request, opd: ActorOpd
) -> Response:
    async def command(conn: Any) -> tuple[int, Any]:
        return 201, await welfare_aid.add_case_note(
            conn, cipher=deps.cipher(request), aid_ref=aid_ref, note=body.note,
            written_by_opd=opd or body.written_by_opd,
        )

    return await idempotent(request, deps.pool(request), command)
