"""Each woman's journey across OPDs, and the names a trainer may read: her course participants'.

The journey comes from training.events and marketplace.events (``entrypoints/consumer.py`` → ``adapters/journey``);
a trainer's OPD may read the name of a woman only once she is enrolled in one of that OPD's courses (issue 17:
names stay in the registry; the trainer's browser asks for them with her own token).
"""

from typing import Any
from uuid import UUID

from berdaya_shared import errors

from ..adapters import crypto, journey
from .unit_of_work import RegistryUnitOfWork

MAX_NAMES = 200  # one class list at a time


async def of_woman(uow: RegistryUnitOfWork, *, person_ref: UUID) -> dict[str, Any]:
    """Her courses, placements and market activity (refs, codes, dates, amounts); NotFound for an unknown ref."""
    if await uow.women.get(person_ref) is None:
        raise errors.NotFound("Perempuan ini tidak terdaftar", f"no woman {person_ref}", field="person_ref")
    return await journey.of_woman(uow.conn, person_ref)


async def trainee_names(uow: RegistryUnitOfWork, *, person_refs: list[UUID], opd: str | None) -> dict[str, Any]:
    """``{"items": [{"person_ref", "full_name"}]}`` for those of ``person_refs`` enrolled in a course organized by
    ``opd`` and not erased; every other ref is silently left out (an answer must not reveal who is registered).
    Raises Forbidden without an OPD, Invalid for more than MAX_NAMES refs."""
    if not opd:
        raise errors.Forbidden("Nama peserta hanya untuk pelatih sebuah OPD", "the token names no OPD")
    if len(person_refs) > MAX_NAMES:
        raise errors.Invalid(f"Paling banyak {MAX_NAMES} peserta sekali minta",
                             f"at most {MAX_NAMES} refs per request", field="person_refs")
    allowed = await journey.enrolled_with_opd(uow.conn, list(dict.fromkeys(person_refs)), opd)
    rows = await uow.conn.fetch(
        "SELECT person_ref, name_cipher FROM women WHERE person_ref = ANY($1::uuid[]) AND erased_at IS NULL"
        " AND name_cipher IS NOT NULL ORDER BY person_ref", allowed)
    items = [{"person_ref": r["person_ref"], "full_name": uow.cipher.decrypt(r["name_cipher"], context=crypto.NAME)}
             for r in rows]
    items.sort(key=lambda i: (i["full_name"] or "").casefold())
    return {"items": items}


async def timeline(uow: RegistryUnitOfWork, *, person_ref: UUID) -> dict[str, Any]:
    """``of_woman`` plus ``market``: each booth, listing and sale on its own (``adapters.journey.market_lines``), for
    her page's journey in date order. The caller has already checked she exists and may be read."""
    return {**await journey.of_woman(uow.conn, person_ref),
            "market": await journey.market_lines(uow.conn, person_ref)}
