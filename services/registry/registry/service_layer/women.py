"""Women handlers: register, read, look up by NIK, search, correct, dismiss a possible duplicate, erase personal
data. Each takes the registry unit of work; the rules are the domain's (``domain.women``), the sealing the adapters'.
Merging two records of one woman and the duplicate queue are in ``merges.py``.
"""

from collections.abc import Mapping
from dataclasses import asdict
from datetime import date
from typing import Any
from uuid import UUID, uuid4

from berdaya_shared.errors import Invalid, NotFound

from ..adapters.repository.women import personal, seal
from ..domain import merges, nik
from ..domain import women as rules
from ..domain.events import Profile
from ..domain.women import NewWoman, Woman
from .unit_of_work import RegistryUnitOfWork

_PUBLIC = ("person_ref", "age_band", "kecamatan_code", "desa_code", "household_size", "pekka_category",
           "registered_by_opd", "registered_on")


def _view(public: Mapping[str, Any], clear: Mapping[str, Any], duplicates: list[UUID],
          verify: list[str] | None = None) -> dict[str, Any]:
    """A woman as ``WomanRead`` shows her: the public record, her personal data in clear (None once erased)."""
    return {
        **{k: public[k] for k in _PUBLIC},
        "nik_masked": nik.mask(clear["nik"]) if clear["nik"] else None,
        "full_name": clear["full_name"],
        "birth_date": clear["birth_date"],
        "phone": clear["phone"],
        "possible_duplicate_of": duplicates,
        "merged_into": public.get("merged_into"),
        "needs_verification": verify or [],
        "erased": public["erased_at"] is not None,
        "erased_at": public["erased_at"],
    }


def _in_hand(woman: Woman, duplicates: list[UUID]) -> dict[str, Any]:
    """The view of a record just written, from the values in hand (nothing decrypted)."""
    d = woman.details
    public = {**asdict(woman.profile), "person_ref": woman.person_ref, "registered_by_opd": d.registered_by_opd,
              "registered_on": woman.registered_on, "erased_at": None}
    return _view(public, {"nik": d.nik.value, "full_name": d.full_name, "birth_date": d.birth_date,
                          "phone": d.phone}, duplicates, list(woman.verify))


def _stored(uow: RegistryUnitOfWork, row: Mapping[str, Any], duplicates: list[UUID],
            verify: list[str] | None = None) -> dict[str, Any]:
    return _view(row, {**personal(uow.cipher, row), "birth_date": row["birth_date"]}, duplicates, verify)


async def create(uow: RegistryUnitOfWork, *, woman: NewWoman, today: date) -> dict[str, Any]:
    """Register a woman; publishes WomanRegistered. Raises Invalid for a rule she breaks, Conflict (with the
    existing ``person_ref``) when her NIK is registered. A possible duplicate is registered and flagged; a birth
    date confirmed from her KTP that differs from her NIK's is registered and flagged for verification."""
    registered, event = rules.register(woman, person_ref=uuid4(), today=today)
    row = seal(uow.cipher, registered)
    if uow.cipher.rotating:  # she may be stored under the previous HMAC, which the unique index cannot see
        existing = await uow.women.refs_by_nik(uow.cipher.nik_macs(registered.details.nik.value))
        if existing:
            raise rules.already_registered(next(iter(existing.values())))
    flagged = await uow.women.add(row)
    if flagged is None:
        existing = await uow.women.refs_by_nik([row.nik_hmac])
        raise rules.already_registered(existing[row.nik_hmac])
    await uow.verification.flag([(registered.person_ref, why) for why in registered.verify])
    await uow.publish([event])
    return _in_hand(registered, flagged)


async def _duplicates(uow: RegistryUnitOfWork, person_ref: UUID) -> list[UUID]:
    return (await uow.women.duplicates_of([person_ref]))[person_ref]


async def get(uow: RegistryUnitOfWork, *, person_ref: UUID, area: frozenset[str] | None = None) -> dict[str, Any]:
    """One woman with her personal data. ``area``: the kecamatan the caller is limited to (None: no limit);
    raises NotFound, or Forbidden for a woman outside the caller's area."""
    row = await uow.women.get(person_ref)
    if row is None:
        raise rules.not_found(person_ref)
    rules.within_area(row["kecamatan_code"], area)
    verify = (await uow.verification.open_of([person_ref]))[person_ref]
    return _stored(uow, row, await _duplicates(uow, person_ref), verify)


async def get_by_nik(uow: RegistryUnitOfWork, *, nik_value: str, area: frozenset[str] | None = None) -> dict[str, Any]:
    found = await uow.women.refs_by_nik(uow.cipher.nik_macs(nik_value))
    if not found:
        raise NotFound("NIK ini belum terdaftar", "no woman with this NIK", field="nik")
    return await get(uow, person_ref=next(iter(found.values())), area=area)


async def search(uow: RegistryUnitOfWork, *, filters: dict[str, Any], possible_duplicate: bool | None, limit: int,
                 offset: int, area: frozenset[str] | None = None,
                 name_tokens: tuple[bytes, ...] | None = None) -> dict[str, Any]:
    """A page of women. A caller limited to some kecamatan sees only women living there; asking for another
    kecamatan is Forbidden."""
    if area is not None and filters.get("kecamatan_code") is not None:
        rules.within_area(filters["kecamatan_code"], area)
    rows, total = await uow.women.search(filters, possible_duplicate=possible_duplicate, limit=limit, offset=offset,
                                         areas=sorted(area) if area is not None else None, name_tokens=name_tokens)
    duplicates = await uow.women.duplicates_of([r["person_ref"] for r in rows])
    verify = await uow.verification.open_of([r["person_ref"] for r in rows])
    items = [_stored(uow, r, duplicates[r["person_ref"]], verify[r["person_ref"]]) for r in rows]
    return {"items": items, "total": total, "limit": limit, "offset": offset}


async def find(uow: RegistryUnitOfWork, *, name: str | None = None, nik_value: str | None = None,
               kecamatan_code: str | None = None, desa_code: str | None = None, limit: int = 50, offset: int = 0,
               area: frozenset[str] | None = None) -> dict[str, Any]:
    """Women matching every criterion given (``search``'s page). ``name``: every part of it must be a part of her
    name, case, accents and punctuation ignored ("siti aminah" finds "Siti Nur Aminah"), matched on the blind
    index; ``nik_value``: the 16 digits, matched on the NIK's keyed HMAC. Raises Invalid when nothing is asked or
    the name has no letters; Forbidden for a kecamatan outside ``area``."""
    if not (name or "").strip() and not nik_value and not kecamatan_code and not desa_code:
        raise Invalid("Isi minimal satu: nama, NIK, desa atau kecamatan", "give a name, NIK, desa or kecamatan",
                      field="name")
    tokens = None
    if (name or "").strip():
        tokens = uow.cipher.name_tokens(rules.name_parts(name or ""))
        if not tokens:
            raise Invalid("Nama yang dicari harus memuat huruf", "the name has no letters", field="name")
    filters = {"nik_hmac": uow.cipher.nik_mac(nik_value) if nik_value else None, "kecamatan_code": kecamatan_code,
               "desa_code": desa_code}
    return await search(uow, filters=filters, possible_duplicate=None, limit=limit, offset=offset, area=area,
                        name_tokens=tokens)


async def require_active(uow: RegistryUnitOfWork, person_ref: UUID, *, for_update: bool = False) -> dict[str, Any]:
    """Her stored row: NotFound when there is none, Conflict when her personal data was erased or the record was
    merged into another (the answer names the surviving ref)."""
    row = await uow.women.get(person_ref, for_update=for_update)
    if row is None:
        raise rules.not_found(person_ref)
    if row.get("merged_into") is not None:
        raise merges.retired(person_ref, row["merged_into"])
    rules.require_living(person_ref, erased=row["erased_at"] is not None)
    return row


def _woman(uow: RegistryUnitOfWork, row: Mapping[str, Any], *, today: date) -> Woman:
    """A stored (living) record as the rules see it: opened, its NIK parsed."""
    clear = personal(uow.cipher, row)
    parsed = nik.parse(clear["nik"] or "", today=today)
    details = NewWoman(
        nik=parsed, full_name=clear["full_name"] or "",
        birth_date=row["birth_date"], phone=clear["phone"], kecamatan_code=row["kecamatan_code"],
        desa_code=row["desa_code"], household_size=row["household_size"], pekka_category=row["pekka_category"],
        registered_by_opd=row["registered_by_opd"], registered_on=row["registered_on"],
        birth_date_confirmed=nik.birth_date_differs(parsed, row["birth_date"]),  # confirmed when registered
    )
    profile = Profile(row["kecamatan_code"], row["desa_code"], row["age_band"], row["pekka_category"],
                      row["household_size"])
    return Woman(row["person_ref"], details, profile)


async def correct(uow: RegistryUnitOfWork, *, person_ref: UUID, changes: dict[str, Any],
                  today: date) -> dict[str, Any]:
    """Correct the fields in ``changes`` (a parsed NIK for ``nik``); publishes WomanProfileCorrected only when the
    public profile changed. Raises like a registration, and Conflict when a new NIK is someone else's."""
    row = await require_active(uow, person_ref, for_update=True)
    current = _woman(uow, row, today=today)
    corrected, event = rules.correct(current, changes, today=today)
    sealed = seal(uow.cipher, corrected)
    if sealed.nik_hmac != row["nik_hmac"]:  # a new NIK, or hers re-keyed while the keys rotate
        clash = [ref for ref in (await uow.women.refs_by_nik(uow.cipher.nik_macs(corrected.details.nik.value))).values()
                 if ref != person_ref]
        if clash:
            raise rules.already_registered(clash[0])
    await uow.women.update(sealed, reflag=corrected.matched_on != current.matched_on)
    await uow.verification.flag([(person_ref, why) for why in corrected.verify])
    if event is not None:
        await uow.publish([event])
    return _in_hand(corrected, await _duplicates(uow, person_ref))


async def erase(uow: RegistryUnitOfWork, *, person_ref: UUID, today: date) -> dict[str, Any]:
    """Erase her personal data (UU PDP), and that of every record merged into hers (the same woman); publishes
    PersonalDataErased the first time only. A retired record is erased through the survivor (Conflict)."""
    row = await uow.women.get(person_ref, for_update=True)
    if row is None:
        raise rules.not_found(person_ref)
    if row.get("merged_into") is not None:
        raise merges.retired(person_ref, row["merged_into"])
    event = rules.erase(person_ref, already_erased=row["erased_at"] is not None, today=today)
    if event is not None:
        for ref in await uow.merges.group(person_ref):
            await uow.women.erase(ref)
        await uow.publish([event])
    return await get(uow, person_ref=person_ref)


async def dismiss_duplicate(uow: RegistryUnitOfWork, *, person_ref: UUID, other_ref: UUID,
                            opd: str | None = None) -> dict[str, Any]:
    """A reviewer found the two records to be different women: the flag is closed (no event: nothing public)."""
    await require_active(uow, person_ref)
    if not await uow.women.dismiss_duplicate(person_ref, other_ref, opd=opd):
        raise rules.no_open_flag()
    return await get(uow, person_ref=person_ref)
