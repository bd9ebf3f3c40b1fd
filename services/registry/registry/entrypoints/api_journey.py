"""A woman's journey across OPDs, and the names of a trainer's course participants (asked by her browser).

``POST /women/names`` takes the refs in the body (never in a URL that access logs keep), answers only for women
enrolled in courses of the caller's OPD, and logs every name it answers with the caller and her stated purpose.
"""

from typing import Any
from uuid import UUID

import asyncpg
from berdaya_shared.entrypoints import Caller, query
from fastapi import APIRouter, Request, Response

from ..service_layer import journey
from .deps import Purpose, Uow, log_reads
from .schemas_journey import JourneyRead, NamesRead, NamesRequest

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
