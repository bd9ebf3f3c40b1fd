"""Welfare assessments, poverty lines, and aid with case notes behind their own scope, over HTTP."""

from datetime import date
from typing import Any
from uuid import UUID

import asyncpg
from berdaya_shared.entrypoints import IdempotencyKey, Today, command, query
from fastapi import APIRouter, Request, Response

from ..service_layer import welfare
from .deps import Opd, Purpose, Uow, log_reads
from .schemas_welfare import (
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
async def assess(person_ref: UUID, body: WelfareAssessmentCreate, request: Request, today: Today, uow: Uow,
                 _key: IdempotencyKey = None) -> Response:
    return await command(request, lambda conn: welfare.assess(
        uow(conn), person_ref=person_ref, assessed_on=body.assessed_on,
        household_size=body.household_size, monthly_income_idr=body.monthly_household_income_idr, today=today,
        confirmed_low_income=body.confirm_low_income,
    ), model=WelfareAssessmentRead, status=201)


@router.get("/women/{person_ref}/welfare-assessments", response_model=list[WelfareAssessmentRead],
            summary="Riwayat penilaian kesejahteraan seorang perempuan")
async def assessments(person_ref: UUID, request: Request, uow: Uow) -> Response:
    return await query(request, lambda conn: welfare.assessments(uow(conn), person_ref=person_ref),
                       model=list[WelfareAssessmentRead])


@router.get("/poverty-lines", response_model=list[PovertyLineRead], summary="Garis kemiskinan menurut tanggal berlakunya")
async def poverty_lines(request: Request, uow: Uow) -> Response:
    return await query(request, lambda conn: welfare.poverty_lines(uow(conn)), model=list[PovertyLineRead])


@router.put("/poverty-lines/{valid_from}", response_model=PovertyLineRead,
            summary="Tetapkan garis kemiskinan yang berlaku mulai tanggal ini")
async def set_poverty_line(valid_from: date, body: PovertyLineSet, request: Request, uow: Uow,
                           _key: IdempotencyKey = None) -> Response:
    return await command(request, lambda conn: welfare.set_poverty_line(
        uow(conn), valid_from=valid_from, idr=body.idr, source=body.source), model=PovertyLineRead)


@router.post("/women/{person_ref}/aid", status_code=201, response_model=AidRead, summary="Catat bantuan",
             description="Peristiwa yang diterbitkan hanya memuat jenis, OPD dan tanggal; catatan kasus tetap "
                         "di registri.")
async def provide_aid(person_ref: UUID, body: AidCreate, request: Request, opd: Opd, today: Today,
                      uow: Uow, _key: IdempotencyKey = None) -> Response:
    return await command(request, lambda conn: welfare.provide_aid(
        uow(conn), person_ref=person_ref, kind=body.kind,
        provider_opd=opd or body.provider_opd, provided_on=body.provided_on, case_note=body.case_note, today=today,
    ), model=AidRead, status=201)


@router.get("/women/{person_ref}/aid", response_model=list[AidRead], summary="Daftar bantuan (tanpa catatan kasus)")
async def list_aid(person_ref: UUID, request: Request, uow: Uow) -> Response:
    return await query(request, lambda conn: welfare.aid_of(uow(conn), person_ref=person_ref),
                       model=list[AidRead])


# Case notes need their own scopes (aid_notes:read / aid_notes:write, see policy.py); reading them is
# a personal-data read: purpose required, logged.
case_notes_router = APIRouter(tags=["Catatan kasus (akses terbatas)"])


@case_notes_router.get("/aid/{aid_ref}/case-notes", response_model=list[CaseNoteRead],
                       summary="Baca catatan kasus (dicatat di log akses data pribadi)")
async def read_case_notes(aid_ref: UUID, request: Request, why: Purpose, uow: Uow) -> Response:
    async def handle(conn: asyncpg.Connection) -> list[dict[str, Any]]:
        person_ref, notes = await welfare.case_notes(uow(conn), aid_ref=aid_ref)
        await log_reads(conn, request, [person_ref], why=why)
        return notes

    return await query(request, handle, model=list[CaseNoteRead])


@case_notes_router.post("/aid/{aid_ref}/case-notes", status_code=201, response_model=CaseNoteRead,
                        summary="Tambah catatan kasus")
async def add_case_note(aid_ref: UUID, body: CaseNoteCreate, request: Request, opd: Opd, uow: Uow,
                        _key: IdempotencyKey = None) -> Response:
    return await command(request, lambda conn: welfare.add_case_note(
        uow(conn), aid_ref=aid_ref, note=body.note, written_by_opd=opd or body.written_by_opd,
    ), model=CaseNoteRead, status=201)
