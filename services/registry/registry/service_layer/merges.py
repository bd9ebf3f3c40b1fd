"""The duplicate queue and merges: list possible-duplicate pairs with what differs between the two records, merge
two records of one woman (``WomenMerged``), undo a mistaken merge (``WomenUnmerged``). The rules are the domain's
(``domain.merges``, ``domain.duplicates``); dismissing a pair is in ``women.py``."""

from collections.abc import Mapping
from datetime import date
from typing import Any
from uuid import UUID, uuid4

from berdaya_shared import errors

from ..adapters import crypto
from ..adapters.repository.women import personal
from ..domain import merges as rules
from ..domain import nik
from ..domain.merges import NikFrom, Side
from .unit_of_work import RegistryUnitOfWork

# What the queue compares between the two records of a pair, in the order a reviewer reads them.
COMPARED = ("nik_masked", "full_name", "birth_date", "phone", "kecamatan_code", "desa_code", "household_size",
            "pekka_category", "registered_on", "registered_by_opd")


def _record(uow: RegistryUnitOfWork, row: Mapping[str, Any], facts: Mapping[str, int]) -> dict[str, Any]:
    clear = personal(uow.cipher, row)
    return {
        "person_ref": row["person_ref"],
        "nik_masked": nik.mask(clear["nik"]) if clear["nik"] else None,
        "full_name": clear["full_name"],
        "birth_date": row["birth_date"],
        "phone": clear["phone"],
        **{k: row[k] for k in ("kecamatan_code", "desa_code", "household_size", "pekka_category", "age_band",
                               "registered_on", "registered_by_opd", "merged_into")},
        "erased": row["erased_at"] is not None,
        "facts": dict(facts),
    }


async def queue(uow: RegistryUnitOfWork, *, status: str, kecamatan_code: str | None, limit: int,
                offset: int) -> dict[str, Any]:
    """A page of flagged pairs, each with both records in full (personal data: the caller logs the read) and the
    fields in which they differ."""
    pairs, total = await uow.women.pairs(status=status, kecamatan_code=kecamatan_code, limit=limit, offset=offset)
    return {"items": await _pairs(uow, pairs), "total": total, "limit": limit, "offset": offset}


async def pair(uow: RegistryUnitOfWork, *, person_ref: UUID, other_ref: UUID) -> dict[str, Any]:
    """One flagged pair as the queue shows it (both records, what differs), whatever its status. Raises NotFound
    when the two records were never flagged together."""
    row = await uow.merges.pair(person_ref, other_ref)
    if row is None:
        raise errors.NotFound("Kedua catatan ini tidak ada dalam antrean kemungkinan ganda",
                              f"no possible-duplicate flag between {person_ref} and {other_ref}", field="other_ref")
    return (await _pairs(uow, [row]))[0]


async def recent(uow: RegistryUnitOfWork, *, limit: int = 10) -> list[dict[str, Any]]:
    """The latest merges still in force, newest first, each with both names (personal data: the caller logs the
    read) so a reviewer recognises the one to undo, and the kecamatan of the two records (``kecamatan_codes``)."""
    merges = [await get(uow, merge_ref=ref) for ref in await uow.merges.recent(limit)]
    rows = await uow.women.get_many(sorted({m[k] for m in merges for k in ("surviving_ref", "retired_ref")}, key=str))
    for m in merges:
        for side in ("surviving", "retired"):
            row = rows.get(m[f"{side}_ref"])
            m[f"{side}_name"] = personal(uow.cipher, row)["full_name"] if row else None
        m["kecamatan_codes"] = sorted({rows[m[k]]["kecamatan_code"] for k in ("surviving_ref", "retired_ref")
                                       if m[k] in rows})
    return merges


async def _pairs(uow: RegistryUnitOfWork, pairs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    refs = sorted({ref for p in pairs for ref in (p["person_ref"], p["other_ref"])}, key=str)
    rows = await uow.women.get_many(refs)
    facts = await uow.merges.fact_counts(refs)
    items = []
    for p in pairs:
        a, b = (_record(uow, rows[ref], facts[ref]) for ref in (p["other_ref"], p["person_ref"]))
        items.append({
            "person_ref": p["person_ref"], "other_ref": p["other_ref"], "status": p["status"],
            "score": p["score"], "flagged_at": p["flagged_at"], "decided_at": p["decided_at"],
            "decided_by_opd": p["decided_by_opd"], "records": [a, b],
            "differences": [field for field in COMPARED if a[field] != b[field]],
        })
    return items


def _side(uow: RegistryUnitOfWork, row: Mapping[str, Any] | None) -> Side | None:
    if row is None:
        return None
    return Side(row["person_ref"], row["erased_at"] is not None, row.get("merged_into"), row["birth_date"],
                uow.cipher.decrypt(row["nik_cipher"], context=crypto.NIK), row["registered_on"],
                row["registered_by_opd"])


async def merge(uow: RegistryUnitOfWork, *, surviving_ref: UUID, retired_ref: UUID, nik_from: NikFrom, opd: str,
                today: date) -> dict[str, Any]:
    """Merge the retired record into the surviving one; publishes WomenMerged. Raises Invalid, NotFound, Conflict
    (``domain.merges.plan``)."""
    rows = await uow.merges.lock_women([surviving_ref, retired_ref])
    refs = [surviving_ref, retired_ref]
    plan = rules.plan(
        merge_ref=uuid4(), surviving=_side(uow, rows.get(surviving_ref)), retired_side=_side(uow, rows.get(retired_ref)),
        surviving_ref=surviving_ref, retired_ref=retired_ref, nik_from=nik_from,
        baselines=await uow.merges.baselines(refs), memberships=await uow.merges.active_memberships(refs),
        today=today,
    )
    merge_ref = plan.event.merge_ref
    retired_row = rows[retired_ref]
    await uow.merges.add(merge_ref=merge_ref, surviving_ref=surviving_ref, retired_ref=retired_ref, merged_on=today,
                         opd=opd, nik_from=nik_from, survivor=rows[surviving_ref])
    await uow.women.decide_pair(surviving_ref, retired_ref, "merged", opd=opd)
    await uow.merges.retire(
        merge_ref=merge_ref, surviving_ref=surviving_ref, retired_ref=retired_ref,
        survivor_nik=(retired_row["nik_hmac"], retired_row["nik_cipher"]) if plan.survivor_nik else None,
        registered_on=plan.registered_on, registered_by_opd=plan.registered_by_opd,
        demote_baseline=plan.demote_baseline, set_aside=plan.set_aside,
    )
    await uow.publish([plan.event])
    return await get(uow, merge_ref=merge_ref)


async def get(uow: RegistryUnitOfWork, *, merge_ref: UUID) -> dict[str, Any]:
    """A merge: its two refs, when and by whom, which NIK the survivor kept, how many facts moved, and whether
    (when, why) it was undone. No personal data."""
    row = await uow.merges.get(merge_ref)
    if row is None:
        raise rules.merge_not_found(merge_ref)
    keys = ("merge_ref", "surviving_ref", "retired_ref", "merged_on", "merged_by_opd", "nik_from", "moved",
            "unmerged_on", "unmerged_by_opd", "unmerge_reason")
    return {**{k: row[k] for k in keys}, "status": "undone" if row["unmerged_on"] else "merged"}


async def undo(uow: RegistryUnitOfWork, *, merge_ref: UUID, reason: str, opd: str, today: date) -> dict[str, Any]:
    """Undo a mistaken merge; publishes WomenUnmerged. The retired record stands alone again with its NIK and the
    facts recorded under it; the pair is marked as two different women. Raises NotFound, Conflict
    (``domain.merges.undo``)."""
    merge_row = await uow.merges.get(merge_ref, for_update=True)
    record = None if merge_row is None else rules.MergeRecord(
        merge_ref, merge_row["surviving_ref"], merge_row["retired_ref"], merge_row["unmerged_on"] is not None)
    later: list[UUID] = []
    erased = nik_taken = False
    survivor_nik: tuple[bytes, bytes] | None = None
    retired_mac: bytes | None = None
    if record is not None and not record.undone:
        rows = await uow.merges.lock_women([record.surviving_ref, record.retired_ref])
        survivor, retired = rows[record.surviving_ref], rows[record.retired_ref]
        later = await uow.merges.later_active(merge_ref)
        erased = survivor["erased_at"] is not None or retired["erased_at"] is not None
        if not erased:
            retired_mac = uow.cipher.nik_mac(uow.cipher.decrypt(retired["nik_cipher"], context=crypto.NIK) or "")
            macs = [retired_mac]
            if merge_row["nik_from"] == "retired":  # type: ignore[index]
                sealed = merge_row["survivor_nik_cipher"]  # type: ignore[index]
                survivor_nik = (uow.cipher.nik_mac(uow.cipher.decrypt(sealed, context=crypto.NIK) or ""), sealed)
                macs.append(survivor_nik[0])
            holders = await uow.women.refs_by_nik(macs)
            nik_taken = any(ref != record.surviving_ref for ref in holders.values())
    event = rules.undo(record, merge_ref=merge_ref, later=later, survivor_erased=erased, nik_taken=nik_taken,
                       today=today)
    await uow.merges.restore(merge_row,  # type: ignore[arg-type]
                             survivor_nik=survivor_nik, retired_nik_mac=retired_mac, unmerged_on=today, opd=opd,
                             reason=reason)
    await uow.women.decide_pair(event.surviving_ref, event.retired_ref, "dismissed", opd=opd)
    await uow.women.flag_duplicates([event.retired_ref])
    await uow.publish([event])
    return await get(uow, merge_ref=merge_ref)
