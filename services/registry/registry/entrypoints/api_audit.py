"""Audit (UU PDP): the stated purpose of personal-data reads, the read log and the change trail, for
DP3A's data protection officer (scope audit:read)."""

from collections.abc import Iterable
from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import asyncpg
from berdaya_shared import audit, errors
from berdaya_shared.auth import authenticated
from fastapi import APIRouter, Depends, Header, Query, Request
from pydantic import BaseModel, Field

from ..adapters import audit_store
from . import deps

router = APIRouter(tags=["Audit (petugas pelindungan data DP3A)"])
PURPOSE_HEADER = "X-Purpose"


async def purpose(
    x_purpose: Annotated[str | None, Header(alias=PURPOSE_HEADER, description=(
        "Tujuan membaca data pribadi (wajib, dicatat di log audit), mis. 'verifikasi penerima bantuan'"))] = None,
) -> str:
    value = (x_purpose or "").strip()
    if not value:
        raise errors.BadRequest("Sebutkan tujuan membaca data pribadi di header X-Purpose",
                                "X-Purpose header is required for personal-data reads", field=PURPOSE_HEADER)
    if not (3 <= len(value) <= 200) or not value.isprintable():
        raise errors.BadRequest("X-Purpose harus 3 sampai 200 karakter yang dapat dibaca",
                                "X-Purpose must be 3-200 printable characters", field=PURPOSE_HEADER)
    return value


Purpose = Annotated[str, Depends(purpose)]


async def log_reads(conn: asyncpg.Connection, request: Request, person_refs: Iterable[Any], *, why: str) -> None:
    """Record that the caller read these people's personal data (in the reading connection)."""
    route = request.scope.get("route")
    what = f"{request.method} {getattr(route, 'path', request.url.path)}"
    await audit_store.record_reads(conn, authenticated(request), person_refs, what=what, purpose=why)


class PiiAccessRead(BaseModel):
    at: datetime
    client_id: str = Field(description="klien OAuth2 yang membaca")
    opd: str | None
    person_ref: UUID | None
    what: str = Field(description="apa yang dibaca, mis. 'GET /women/{person_ref}'")
    purpose: str = Field(description="tujuan yang dinyatakan (X-Purpose)")


class PiiAccessPage(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[PiiAccessRead]


@router.get("/audit/pii-access", response_model=PiiAccessPage, summary="Log akses data pribadi",
            description="Siapa membaca data pribadi siapa, kapan, dan untuk tujuan apa. Terbaru dahulu.")
async def pii_access(
    request: Request,
    person_ref: Annotated[UUID | None, Query()] = None,
    client_id: Annotated[str | None, Query(max_length=200)] = None,
    since: Annotated[datetime | None, Query()] = None,
    until: Annotated[datetime | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> Any:
    async with deps.pool(request).acquire() as conn:
        return await audit_store.reads(conn, person_ref=person_ref, client_id=client_id, since=since, until=until,
                                       limit=limit, offset=offset)


@router.get("/audit/changes", summary="Jejak perubahan",
            description="Setiap perubahan: klien, OPD, waktu, jalur, status, dan keadaan sebelum/sesudah "
                        "(data pribadi hanya sebagai sidik jari). entity_ref berbentuk 'person_ref=<uuid>'.")
async def changes(
    request: Request,
    entity_ref: Annotated[str | None, Query(max_length=200)] = None,
    client_id: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> Any:
    async with deps.pool(request).acquire() as conn:
        return await audit.query(conn, entity_ref=entity_ref, client_id=client_id, limit=limit, offset=offset)
