"""Audit (UU PDP) over HTTP: the log of personal-data reads with their stated purpose, and the change trail, for
DP3A's data protection officer (scope audit:read)."""

from datetime import datetime
from typing import Annotated
from uuid import UUID

from berdaya_shared import audit
from berdaya_shared.entrypoints import Limit, Offset, query
from fastapi import APIRouter, Query, Request, Response

from ..adapters import audit_store
from .schemas_audit import ChangeRead, PiiAccessList

router = APIRouter(tags=["Audit (petugas pelindungan data DP3A)"])
ClientId = Annotated[str | None, Query(max_length=200, pattern=r"^[^\x00-\x1f\x7f]*$")]  # no control characters (NUL)


@router.get("/audit/pii-access", response_model=PiiAccessList, summary="Log akses data pribadi",
            description="Siapa membaca data pribadi siapa, kapan, dan untuk tujuan apa. Terbaru dahulu.")
async def pii_access(request: Request, person_ref: Annotated[UUID | None, Query()] = None, client_id: ClientId = None,
                     since: Annotated[datetime | None, Query()] = None, until: Annotated[datetime | None, Query()] = None,
                     limit: Limit = 50, offset: Offset = 0) -> Response:
    return await query(request, lambda conn: audit_store.reads(
        conn, person_ref=person_ref, client_id=client_id, since=since, until=until, limit=limit, offset=offset,
    ), model=PiiAccessList)


@router.get("/audit/changes", response_model=list[ChangeRead], summary="Jejak perubahan",
            description="Setiap perubahan: klien, OPD, waktu, jalur, status, dan keadaan sebelum/sesudah "
                        "(data pribadi hanya sebagai sidik jari). entity_ref berbentuk 'person_ref=<uuid>'.")
async def changes(request: Request,
                  entity_ref: Annotated[str | None, Query(max_length=200, pattern=r"^[^\x00-\x1f\x7f]*$")] = None,
                  client_id: ClientId = None, limit: Limit = 50, offset: Offset = 0) -> Response:
    return await query(request, lambda conn: audit.query(
        conn, entity_ref=entity_ref, client_id=client_id, limit=limit, offset=offset), model=list[ChangeRead])
