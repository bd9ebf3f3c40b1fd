"""Women: register, look up, search, correct, erase personal data."""

from typing import Annotated, Any
from uuid import UUID

from berdaya_contracts.common import DesaCode, KecamatanCode, PekkaCategory
from berdaya_shared import audit, errors
from berdaya_shared.http import idempotent
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from ..adapters import audit_store
from ..service_layer import women
from . import deps
from .api_audit import Purpose, log_reads
from .deps import ActorOpd
from .schemas_women import NikLookup, WomanCorrect, WomanCreate, WomanPage, WomanRead

router = APIRouter(tags=["Perempuan (DP3A)"])

_409 = {409: {"description": "NIK sudah terdaftar; badan jawaban memuat person_ref yang ada"}}


@router.post("/women", status_code=201, response_model=WomanRead, responses=_409,
             summary="Daftarkan perempuan")
async def register(body: WomanCreate, request: Request, opd: ActorOpd) -> Response:
    woman = women.NewWoman(**body.model_dump(exclude={"registered_by_opd"}),
                           registered_by_opd=opd or body.registered_by_opd)

    async def command(conn: Any) -> tuple[int, Any]:
        answer, stored = await women.create(conn, cipher=deps.cipher(request), woman=woman,
                                            correlation_id=deps.correlation_id(request))
        audit.written(request, "person_ref", answer["person_ref"], audit_store.safe_state(stored))
        return 201, answer

    return await idempotent(request, deps.pool(request), command)


_PII = ("Memuat data pribadi: perlu izin personal_data:read dan header X-Purpose; setiap pembacaan dicatat "
        "di log audit (GET /audit/pii-access).")


@router.get("/women", response_model=WomanPage, summary="Cari perempuan terdaftar", description=_PII)
async def search(
    request: Request,
    why: Purpose,
    kecamatan_code: Annotated[KecamatanCode | None, Query()] = None,
    desa_code: Annotated[DesaCode | None, Query()] = None,
    pekka_category: Annotated[PekkaCategory | None, Query()] = None,
    possible_duplicate: Annotated[bool | None, Query(description="Hanya yang ditandai mungkin ganda")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> Any:
    async with deps.pool(request).acquire() as conn:
        page = await women.search(
            conn, cipher=deps.cipher(request),
            filters={"kecamatan_code": kecamatan_code, "desa_code": desa_code, "pekka_category": pekka_category},
            possible_duplicate=possible_duplicate, limit=limit, offset=offset,
        )
        await log_reads(conn, request, [w["person_ref"] for w in page["items"]], why=why)
        return page


@router.post("/women/lookup", response_model=WomanRead, summary="Cari berdasarkan NIK",
             description="NIK dikirim di badan permintaan (bukan di URL) agar tidak tercatat di log akses. " + _PII)
async def lookup(body: NikLookup, request: Request, why: Purpose) -> Any:
    async with deps.pool(request).acquire() as conn:
        woman = await women.get_by_nik(conn, cipher=deps.cipher(request), nik_value=body.nik)
        await log_reads(conn, request, [woman["person_ref"]], why=why)
        return woman


@router.get("/women/{person_ref}", response_model=WomanRead, summary="Baca data perempuan", description=_PII)
async def read(person_ref: UUID, request: Request, why: Purpose) -> Any:
    async with deps.pool(request).acquire() as conn:
        woman = await women.get(conn, cipher=deps.cipher(request), ref=person_ref)
        await log_reads(conn, request, [person_ref], why=why)
        return woman


@router.patch("/women/{person_ref}", response_model=WomanRead, responses=_409, summary="Koreksi data")
async def correct(person_ref: UUID, body: WomanCorrect, request: Request) -> Response:
    changes = body.model_dump(exclude_unset=True)
    for required in ("nik", "full_name", "birth_date", "kecamatan_code", "household_size", "pekka_category"):
        if required in changes and changes[required] is None:
            raise errors.Invalid(f"{required}: tidak boleh dikosongkan", f"{required} cannot be null",
                                 field=required)

    async def command(conn: Any) -> tuple[int, Any]:
        return 200, await women.correct(conn, cipher=deps.cipher(request), ref=person_ref, changes=changes,
                                        correlation_id=deps.correlation_id(request))

    return await idempotent(request, deps.pool(request), command)


@router.post("/women/{person_ref}/possible-duplicates/{other_ref}/dismiss", response_model=WomanRead,
             summary="Tinjau kemungkinan ganda: nyatakan dua orang berbeda",
             description="Bila ternyata orang yang sama, koreksi atau hapus salah satu catatan.")
async def dismiss_duplicate(person_ref: UUID, other_ref: UUID, request: Request) -> Response:
    async def command(conn: Any) -> tuple[int, Any]:
        return 200, await women.dismiss_duplicate(conn, cipher=deps.cipher(request), ref=person_ref,
                                                  other_ref=other_ref)

    return await idempotent(request, deps.pool(request), command)


@router.delete("/women/{person_ref}/personal-data", response_model=WomanRead, summary="Hapus data pribadi (UU PDP)",
               description="Menghapus NIK, nama, telepon, tanggal lahir dan catatan kasus. Referensi, kecamatan, "
                           "kelompok umur dan semua hitungan tetap. Menerbitkan PersonalDataErased.")
async def erase(person_ref: UUID, request: Request) -> Response:
    async def command(conn: Any) -> tuple[int, Any]:
        return 200, await women.erase(conn, ref=person_ref, cipher=deps.cipher(request),
                                      correlation_id=deps.correlation_id(request))

    return await idempotent(request, deps.pool(request), command)
