"""Women over HTTP: register, look up, search, correct, review possible duplicates, erase personal data.

Commands run through the kit's ``command`` (one transaction, Idempotency-Key, audit row, answer validated);
reads of personal data through ``query``, each one logged with its stated purpose.
"""

from typing import Annotated, Any
from uuid import UUID

import asyncpg
from berdaya_contracts.common import DesaCode, KecamatanCode, PekkaCategory
from berdaya_shared import audit, errors
from berdaya_shared.entrypoints import Caller, IdempotencyKey, Limit, Offset, Today, command, query
from fastapi import APIRouter, Query, Request, Response

from ..adapters import audit_store
from ..service_layer import women
from .deps import Opd, Purpose, Uow, log_reads
from .schemas_women import NikLookup, WomanCorrect, WomanCreate, WomanList, WomanRead

router = APIRouter(tags=["Perempuan (DP3A)"])

_409: dict[int | str, dict[str, Any]] = {409: {"description": "NIK sudah terdaftar; badan jawaban memuat person_ref yang ada"}}
_PII = ("Memuat data pribadi: perlu izin personal_data:read dan header X-Purpose; setiap pembacaan dicatat "
        "di log audit (GET /audit/pii-access).")
_NOT_NULL = ("nik", "full_name", "birth_date", "kecamatan_code", "household_size", "pekka_category")


@router.post("/women", status_code=201, response_model=WomanRead, responses=_409, summary="Daftarkan perempuan")
async def register(body: WomanCreate, request: Request, opd: Opd, today: Today, uow: Uow,
                   _key: IdempotencyKey = None) -> Response:
    woman = body.new_woman(registered_by_opd=opd, registered_on=body.registered_on)

    async def handle(conn: asyncpg.Connection) -> dict[str, Any]:
        work = uow(conn)
        answer = await women.create(work, woman=woman, today=today)
        for ref, stored in work.women.inserted.items():  # the trail keeps the row as stored, without reading it back
            audit.written(request, "person_ref", ref, audit_store.safe_state(stored))
        return answer

    return await command(request, handle, model=WomanRead, status=201)


@router.get("/women", response_model=WomanList, summary="Cari perempuan terdaftar", description=_PII)
async def search(
    request: Request,
    why: Purpose,
    uow: Uow,
    caller: Caller,
    kecamatan_code: Annotated[KecamatanCode | None, Query()] = None,
    desa_code: Annotated[DesaCode | None, Query()] = None,
    pekka_category: Annotated[PekkaCategory | None, Query()] = None,
    possible_duplicate: Annotated[bool | None, Query(description="Hanya yang ditandai mungkin ganda")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Response:
    async def handle(conn: asyncpg.Connection) -> dict[str, Any]:
        page = await women.search(
            uow(conn),
            filters={"kecamatan_code": kecamatan_code, "desa_code": desa_code, "pekka_category": pekka_category},
            possible_duplicate=possible_duplicate, limit=limit, offset=offset, area=caller.kecamatan,
        )
        await log_reads(conn, request, [w["person_ref"] for w in page["items"]], why=why)
        return page

    return await query(request, handle, model=WomanList)


@router.post("/women/lookup", response_model=WomanRead, summary="Cari berdasarkan NIK",
             description="NIK dikirim di badan permintaan (bukan di URL) agar tidak tercatat di log akses. " + _PII)
async def lookup(body: NikLookup, request: Request, why: Purpose, uow: Uow, caller: Caller) -> Response:
    async def handle(conn: asyncpg.Connection) -> dict[str, Any]:
        woman = await women.get_by_nik(uow(conn), nik_value=body.nik.value,  # type: ignore[attr-defined]
                                       area=caller.kecamatan)
        await log_reads(conn, request, [woman["person_ref"]], why=why)
        return woman

    return await query(request, handle, model=WomanRead)


@router.get("/women/{person_ref}", response_model=WomanRead, summary="Baca data perempuan", description=_PII)
async def read(person_ref: UUID, request: Request, why: Purpose, uow: Uow, caller: Caller) -> Response:
    async def handle(conn: asyncpg.Connection) -> dict[str, Any]:
        woman = await women.get(uow(conn), person_ref=person_ref, area=caller.kecamatan)
        await log_reads(conn, request, [person_ref], why=why)
        return woman

    return await query(request, handle, model=WomanRead)


@router.patch("/women/{person_ref}", response_model=WomanRead, responses=_409, summary="Koreksi data")
async def correct(person_ref: UUID, body: WomanCorrect, request: Request, today: Today, uow: Uow,
                  _key: IdempotencyKey = None) -> Response:
    changes = {name: getattr(body, name) for name in body.model_fields_set}
    if "confirm_birth_date_differs_from_nik" in changes:
        changes["birth_date_confirmed"] = changes.pop("confirm_birth_date_differs_from_nik")
    for required in _NOT_NULL:
        if required in changes and changes[required] is None:
            raise errors.Invalid(f"{required}: tidak boleh dikosongkan", f"{required} cannot be null",
                                 field=required)
    return await command(request, lambda conn: women.correct(
        uow(conn), person_ref=person_ref, changes=changes, today=today,
    ), model=WomanRead)


@router.post("/women/{person_ref}/possible-duplicates/{other_ref}/dismiss", response_model=WomanRead,
             summary="Tinjau kemungkinan ganda: nyatakan dua orang berbeda",
             description="Bila ternyata orang yang sama, koreksi atau hapus salah satu catatan.")
async def dismiss_duplicate(person_ref: UUID, other_ref: UUID, request: Request, uow: Uow,
                            _key: IdempotencyKey = None) -> Response:
    return await command(request, lambda conn: women.dismiss_duplicate(
        uow(conn), person_ref=person_ref, other_ref=other_ref), model=WomanRead)


@router.delete("/women/{person_ref}/personal-data", response_model=WomanRead, summary="Hapus data pribadi (UU PDP)",
               description="Menghapus NIK, nama, telepon, tanggal lahir dan catatan kasus. Referensi, kecamatan, "
                           "kelompok umur dan semua hitungan tetap. Menerbitkan PersonalDataErased.")
async def erase(person_ref: UUID, request: Request, today: Today, uow: Uow,
                _key: IdempotencyKey = None) -> Response:
    return await command(request, lambda conn: women.erase(
        uow(conn), person_ref=person_ref, today=today), model=WomanRead)
