"""A woman's journey across OPDs, and the names of a trainer's course participants (asked by her browser).

``POST /women/names`` takes the refs in the body (never in a URL that access logs keep), answers only for women
enrolled in courses of the caller's OPD, and logs every name it answers with the caller and her stated purpose.
``POST /women/enrolment-search`` lets a trainer find a woman to enrol in one of her OPD's courses by name (at most a
few answers, only what choosing needs), each answer logged with the purpose "enrolment in course X".
"""

from typing import Any
from uuid import UUID

import asyncpg
from berdaya_shared.entrypoints import Caller, query
from fastapi import APIRouter, Request, Response

from ..service_layer import enrolment_search, journey
from .deps import Purpose, Uow, log_reads
from .schemas_journey import EnrolmentCandidates, EnrolmentSearch, JourneyRead, NamesRead, NamesRequest

router = APIRouter(tags=["Perjalanan perempuan antar-OPD"])


@router.get("/women/{person_ref}/journey", response_model=JourneyRead, summary="Perjalanan antar-OPD",
            description="Pelatihan (terdaftar, lulus, putus), penempatan kerja, stan pameran, produk dan penjualan, "
                        "dari peristiwa training.events dan marketplace.events.")
async def read_journey(person_ref: UUID, request: Request, uow: Uow) -> Response:
    return await query(request, lambda conn: journey.of_woman(uow(conn), person_ref=person_ref), model=JourneyRead)


@router.post("/women/names", response_model=NamesRead, summary="Nama peserta pelatihan OPD sendiri",
             description="Untuk pelatih: nama hanya untuk perempuan yang terdaftar di pelatihan OPD pemanggil "
                         "(ref lain tidak dijawab). Perlu izin trainee_names:read dan header X-Purpose; setiap nama "
                         "yang dijawab dicatat di log audit data pribadi.")
async def trainee_names(body: NamesRequest, request: Request, why: Purpose, uow: Uow, caller: Caller) -> Response:
    async def handle(conn: asyncpg.Connection) -> dict[str, Any]:
        answer = await journey.trainee_names(uow(conn), person_refs=body.person_refs, opd=caller.opd)
        await log_reads(conn, request, [i["person_ref"] for i in answer["items"]], why=why)
        return answer

    return await query(request, handle, model=NamesRead)


@router.post("/women/enrolment-search", response_model=EnrolmentCandidates,
             summary="Cari calon peserta pelatihan menurut nama",
             responses={409: {"description": "Jadwal pelatihan belum diterima registri"},
                        422: {"description": "Nama tanpa huruf, desa tidak dikenal, atau lebih dari 5 yang cocok"}},
             description="Untuk pelatih yang mendaftarkan peserta ke pelatihan OPD-nya: nama (tiap bagian utuh), "
                         "desa dan tahun lahir dikirim di badan permintaan (bukan di URL). Menjawab paling banyak "
                         "5 perempuan dengan ref, nama, desa, kecamatan dan tahun lahir saja (tanpa NIK, tanpa data "
                         "kesejahteraan); pencarian yang cocok dengan lebih banyak ditolak. Perlu izin "
                         "enrolment_search:read dan header X-Purpose; setiap jawaban dicatat di log audit data "
                         "pribadi dengan tujuan pendaftaran ke pelatihan itu.")
async def search_for_enrolment(body: EnrolmentSearch, request: Request, why: Purpose, uow: Uow,
                               caller: Caller) -> Response:
    async def handle(conn: asyncpg.Connection) -> dict[str, Any]:
        answer = await enrolment_search.candidates(uow(conn), course_ref=body.course_ref, name=body.name,
                                                   desa=body.desa, birth_year=body.birth_year, opd=caller.opd)
        await log_reads(conn, request, [i["person_ref"] for i in answer["items"]],
                        why=f"{why}; pendaftaran ke pelatihan {body.course_ref}")
        return answer

    return await query(request, handle, model=EnrolmentCandidates)
