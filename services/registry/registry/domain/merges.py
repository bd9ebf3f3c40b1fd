"""Merging two records of one woman, and undoing a mistaken merge. Pure: the service layer loads what the rules
need and stores what they decide.

The rules (also written down in the registry README, "Merging two records of one woman"):

- One ``person_ref`` survives; the other is *retired*: its welfare assessments, aid, businesses, cooperative
  memberships and capital follow the survivor. The retired ref stays known (reading it shows ``merged_into``) but
  takes no new facts: commands about it are refused with 409 naming the surviving ref.
- Her NIK: the survivor keeps her own, or takes the retired record's (``nik_from="retired"``) — how a NIK that
  Excel rounded is corrected when the woman registers again with her true NIK. The NIK left over is released, so
  the woman it really belongs to can be registered. The NIK taken must agree with the survivor's birth date.
- Registration: she has been in the program since the earlier of the two registrations (date and OPD).
- Two baselines: the earlier baseline assessment (assessed_on, then assessment_ref) stays her baseline; the other
  becomes an ordinary assessment. Monitoring applies the same rule to the events it holds.
- Two active memberships of one cooperative: the earlier one (joined_on; tie: the survivor's) stays; the other is
  set aside (kept, restored by an undo).
- Undo: a mistaken merge is undone by its ``merge_ref``; everything the merge moved or changed goes back, facts
  recorded for the survivor since stay hers. Merges are undone last-first: a later merge that involves either
  record must be undone before. An undo is refused when a NIK it would give back now belongs to another woman, or
  when her personal data was erased since.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal
from uuid import UUID

from berdaya_shared.errors import Conflict, Invalid, NotFound

from . import nik
from .events import WomenMerged, WomenUnmerged

NikFrom = Literal["surviving", "retired"]


@dataclass(frozen=True)
class Side:
    """One of the two records as the merge rules see it."""

    ref: UUID
    erased: bool
    merged_into: UUID | None
    birth_date: date | None
    nik: str | None
    registered_on: date
    registered_by_opd: str


@dataclass(frozen=True)
class Baseline:
    assessment_ref: UUID
    person_ref: UUID
    assessed_on: date


@dataclass(frozen=True)
class ActiveMembership:
    membership_id: int
    coop_ref: UUID
    person_ref: UUID
    joined_on: date


@dataclass(frozen=True)
class Plan:
    """What a merge changes beyond moving the retired record's facts to the survivor."""

    event: WomenMerged
    survivor_nik: str | None  # the NIK the survivor takes from the retired record, else None (she keeps hers)
    registered_on: date
    registered_by_opd: str
    demote_baseline: UUID | None
    set_aside: tuple[int, ...]


def not_found(ref: UUID, field: str) -> NotFound:
    return NotFound("Perempuan dengan referensi ini tidak terdaftar", f"person {ref} not found", field=field)


def _usable(side: Side | None, ref: UUID, field: str) -> Side:
    if side is None:
        raise not_found(ref, field)
    if side.erased:
        raise Conflict("Data pribadi perempuan ini telah dihapus; catatannya tidak dapat digabung",
                       f"person {ref} was erased", field=field)
    if side.merged_into is not None:
        raise retired(ref, side.merged_into, field=field)
    return side


def retired(ref: UUID, surviving_ref: UUID, *, field: str = "person_ref") -> Conflict:
    return Conflict("Catatan ini sudah digabung ke catatan lain; gunakan referensi catatan yang dipertahankan",
                    f"person {ref} was merged into {surviving_ref}", field=field, surviving_ref=str(surviving_ref))


def plan(*, merge_ref: UUID, surviving: Side | None, retired_side: Side | None, surviving_ref: UUID,
         retired_ref: UUID, nik_from: NikFrom, baselines: Sequence[Baseline],
         memberships: Sequence[ActiveMembership], today: date) -> Plan:
    """Decide a merge of ``retired_ref`` into ``surviving_ref``. Raises Invalid (the same record twice, a NIK that
    does not fit the survivor's birth date), NotFound, Conflict (erased, already merged)."""
    if surviving_ref == retired_ref:
        raise Invalid("Catatan yang dipertahankan dan yang digabung harus berbeda", "the two refs are the same",
                      field="retired_ref")
    survivor = _usable(surviving, surviving_ref, "surviving_ref")
    other = _usable(retired_side, retired_ref, "retired_ref")
    survivor_nik = None
    if nik_from == "retired":
        survivor_nik = other.nik
        try:
            nik.check_birth_date(nik.parse(other.nik or "", today=today), survivor.birth_date)  # type: ignore[arg-type]
        except Invalid:
            raise Invalid("NIK catatan yang digabung tidak sesuai dengan tanggal lahir catatan yang dipertahankan; "
                          "koreksi tanggal lahirnya dulu", "the retired record's NIK does not match the survivor's "
                          "birth date", field="nik_from") from None
    earlier = min((survivor, other), key=lambda s: (s.registered_on, s is not survivor))
    return Plan(
        event=WomenMerged(merge_ref, surviving_ref, retired_ref, today),
        survivor_nik=survivor_nik,
        registered_on=earlier.registered_on,
        registered_by_opd=earlier.registered_by_opd,
        demote_baseline=_later_baseline(baselines),
        set_aside=_overlapping(memberships, surviving_ref),
    )


def _later_baseline(baselines: Sequence[Baseline]) -> UUID | None:
    """Of the two records' baselines, the one that is no longer a baseline (None when there are fewer than two)."""
    if len(baselines) < 2:
        return None
    ordered = sorted(baselines, key=lambda b: (b.assessed_on, str(b.assessment_ref)))
    return ordered[-1].assessment_ref


def _overlapping(memberships: Sequence[ActiveMembership], surviving_ref: UUID) -> tuple[int, ...]:
    """The active memberships set aside: in a cooperative where both records are active members, the later one."""
    by_coop: dict[UUID, list[ActiveMembership]] = {}
    for m in memberships:
        by_coop.setdefault(m.coop_ref, []).append(m)
    aside = []
    for held in by_coop.values():
        held.sort(key=lambda m: (m.joined_on, m.person_ref != surviving_ref, m.membership_id))
        aside.extend(m.membership_id for m in held[1:])
    return tuple(sorted(aside))


@dataclass(frozen=True)
class MergeRecord:
    """A merge as stored, with what an undo needs to know about it."""

    merge_ref: UUID
    surviving_ref: UUID
    retired_ref: UUID
    undone: bool


def merge_not_found(merge_ref: UUID) -> NotFound:
    return NotFound("Penggabungan dengan referensi ini tidak ditemukan", f"merge {merge_ref} not found",
                    field="merge_ref")


def undo(record: MergeRecord | None, *, merge_ref: UUID, later: Sequence[UUID], survivor_erased: bool,
         nik_taken: bool, today: date) -> WomenUnmerged:
    """Check that a merge can be undone. ``later``: the refs of active merges made after it that involve either
    record; ``nik_taken``: a NIK the undo would give back belongs to another woman now. Raises NotFound,
    Conflict."""
    if record is None:
        raise merge_not_found(merge_ref)
    if record.undone:
        raise Conflict("Penggabungan ini sudah dibatalkan", f"merge {merge_ref} was already undone",
                       field="merge_ref")
    if later:
        raise Conflict("Batalkan dulu penggabungan yang lebih baru atas catatan ini",
                       "a later merge involves one of these records: undo it first", field="merge_ref",
                       later_merge_refs=[str(r) for r in later])
    if survivor_erased:
        raise Conflict("Data pribadi perempuan ini telah dihapus; penggabungan tidak dapat dibatalkan",
                       "the survivor's personal data was erased", field="merge_ref")
    if nik_taken:
        raise Conflict("NIK yang akan dikembalikan kini terdaftar untuk perempuan lain; periksa kedua catatan",
                       "a NIK the undo would restore now belongs to another woman", field="merge_ref")
    return WomenUnmerged(record.merge_ref, record.surviving_ref, record.retired_ref, today)
