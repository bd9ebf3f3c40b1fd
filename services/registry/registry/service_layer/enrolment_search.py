"""Finding a woman to enrol in a course, for a trainer who may not search the register (issue 17).

Least disclosure: the search is tied to one course of the caller's OPD (known to the registry from
training.events), matches the same keyed blind index of name parts as the register's search (``name_parts``: every
part typed must be a part of her name), narrows by desa and birth year when given, and answers at most
``MAX_CHOICES`` women with only what choosing needs (ref, name, desa, kecamatan, birth year: no NIK, no phone, no
welfare data). A query matching more is refused whole, so a broad query discloses no name.
"""

from typing import Any
from uuid import UUID

from berdaya_shared import errors

from ..adapters import crypto, journey
from ..adapters.repository import names
from ..domain import places
from ..domain.kukar import KECAMATAN
from ..domain.women import name_parts
from .unit_of_work import RegistryUnitOfWork

MAX_CHOICES = 5  # enough to tell two namesakes apart; more means the trainer should type more


async def candidates(uow: RegistryUnitOfWork, *, course_ref: UUID, name: str, desa: str | None,
                     birth_year: int | None, opd: str | None) -> dict[str, Any]:
    """``{"items": [{person_ref, full_name, desa_code, desa, kecamatan_code, kecamatan, birth_year}]}``, at most
    MAX_CHOICES, sorted by name. Raises Forbidden without an OPD or for another OPD's course; Conflict while the
    course's schedule has not reached the registry; Invalid (field ``name``) for a name without letters or one
    that matches more than MAX_CHOICES women, (field ``desa``) for a desa not in Kukar's official list."""
    if not opd:
        raise errors.Forbidden("Pencarian calon peserta hanya untuk pelatih sebuah OPD", "the token names no OPD")
    organizer = await journey.course_organizer(uow.conn, course_ref)
    if organizer is None:
        raise errors.Conflict("Jadwal pelatihan ini belum diterima registri; coba lagi sebentar lagi",
                              f"course {course_ref} not yet known to the registry", field="course_ref")
    if organizer != opd:
        raise errors.Forbidden("Pelatihan ini diselenggarakan OPD lain", f"course {course_ref} is {organizer}'s",
                               field="course_ref")
    tokens = uow.cipher.name_tokens(name_parts(name))
    if not tokens:
        raise errors.Invalid("Nama yang dicari harus memuat huruf", "the name has no letters", field="name")
    codes: tuple[str, ...] | None = None
    if (desa or "").strip():
        codes, place = places.desa_anywhere(desa or "")
        if not codes:
            raise errors.Invalid(f"{place.problem}. {place.fix}".strip(), "unknown desa", field="desa")
    rows = await names.candidates(uow.conn, tokens, desa_codes=codes, birth_year=birth_year,
                                  limit=MAX_CHOICES + 1)
    if len(rows) > MAX_CHOICES:
        raise errors.Invalid(f"Lebih dari {MAX_CHOICES} perempuan cocok; tulis nama lebih lengkap, desa atau "
                             "tahun lahir", f"more than {MAX_CHOICES} women match: narrow the query", field="name")
    items = [{
        "person_ref": r["person_ref"],
        "full_name": uow.cipher.decrypt(r["name_cipher"], context=crypto.NAME),
        "desa_code": r["desa_code"],
        "desa": places.DESA[r["desa_code"]].name if r["desa_code"] in places.DESA else None,
        "kecamatan_code": r["kecamatan_code"],
        "kecamatan": KECAMATAN.get(r["kecamatan_code"]),
        "birth_year": r["birth_date"].year if r["birth_date"] else None,
    } for r in rows]
    items.sort(key=lambda i: (i["full_name"] or "").casefold())
    return {"items": items}
