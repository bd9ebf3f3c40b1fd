"""A woman's whole record for her page: profile, welfare assessments, aid (with case notes only for a reader allowed
them), businesses with their monthly reports, cooperative memberships and capital. One read: the caller logs it."""

from typing import Any
from uuid import UUID

from ..adapters import crypto
from . import businesses, welfare, women
from .unit_of_work import RegistryUnitOfWork


async def overview(uow: RegistryUnitOfWork, *, person_ref: UUID, area: frozenset[str] | None = None,
                   case_notes: bool = False) -> dict[str, Any]:
    """{woman, assessments, aid, businesses (each with its reports), memberships, capital}. ``case_notes``: each
    aid record carries its notes opened (only for a caller with aid_notes:read). Raises like ``women.get``
    (NotFound; Forbidden outside the caller's kecamatan)."""
    woman = await women.get(uow, person_ref=person_ref, area=area)
    aid = await welfare.aid_of(uow, person_ref=person_ref)
    if case_notes:
        for record in aid:
            record["notes"] = (await welfare.case_notes(uow, aid_ref=record["aid_ref"]))[1]
    owned = (await businesses.search(uow, owner_person_ref=person_ref, kecamatan_code=None, sector=None, limit=200,
                                     offset=0))["items"]
    for business in owned:
        business["reports"] = await uow.businesses.reports(business["business_ref"])
    return {
        "woman": woman,
        "assessments": await welfare.assessments(uow, person_ref=person_ref),
        "aid": aid,
        "businesses": owned,
        "memberships": await uow.overview.memberships(person_ref),
        "capital": await uow.overview.capital([person_ref, *(b["business_ref"] for b in owned)]),
    }


async def names_of(uow: RegistryUnitOfWork, refs: list[UUID]) -> dict[UUID, str | None]:
    """Each woman's name in clear (None once erased), for pages that list members or owners: a personal-data read
    the caller logs."""
    rows = await uow.overview.sealed_names(refs)
    return {ref: uow.cipher.decrypt(sealed, context=crypto.NAME) for ref, sealed in rows.items()}
