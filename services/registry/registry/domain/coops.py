"""Cooperatives (koperasi): formation with founding members, joining and leaving, the annual members' meeting (RAT).

Members are registered women whose personal data has not been erased; a woman is an active member at most once
at a time (she may join again after leaving). A cooperative that holds its RAT for a fiscal year is compliant for
that year (UU No. 25/1992 on cooperatives, art. 26: the members' meeting is held at least once a year), and holds
it at most once per year, not before that year has begun.
"""

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from berdaya_shared.errors import Conflict, Invalid, NotFound

from .dates import not_future
from .events import CoopAnnualMeetingHeld, CoopFormed, CoopMemberJoined, CoopMemberLeft, Membership


@dataclass(frozen=True)
class Coop:
    coop_ref: UUID
    name: str
    kecamatan_code: str
    kind: str
    formed_on: date
    has_legal_entity: bool
    legal_entity_number: str | None


def require_members(refs: Sequence[UUID], living: Collection[UUID], field: str) -> None:
    """Every ref must be a registered, not erased woman (``living``); Invalid lists the others."""
    missing = set(refs) - set(living)
    if missing:
        raise Invalid(
            "Ada anggota yang tidak terdaftar sebagai perempuan di registri (atau datanya telah dihapus)",
            "unknown or erased person_ref", field=field, unknown_refs=sorted(str(m) for m in missing),
        )


def form(coop: Coop, founding_member_refs: Sequence[UUID], *, living: Collection[UUID], today: date) -> CoopFormed:
    not_future(coop.formed_on, today, "formed_on")
    if len(set(founding_member_refs)) != len(founding_member_refs):
        raise Invalid("Anggota pendiri tidak boleh ganda", "duplicate founding member", field="founding_member_refs")
    require_members(founding_member_refs, living, "founding_member_refs")
    return CoopFormed(coop.coop_ref, coop.kecamatan_code, coop.kind, tuple(founding_member_refs), coop.formed_on,
                      coop.has_legal_entity)


def join(coop: Coop, *, person_ref: UUID, joined_on: date, living: bool, active: Membership | None,
         today: date) -> CoopMemberJoined:
    not_future(joined_on, today, "joined_on")
    if joined_on < coop.formed_on:
        raise Invalid("Tanggal bergabung sebelum koperasi dibentuk", "joined_on before formed_on", field="joined_on")
    require_members([person_ref], [person_ref] if living else [], "person_ref")
    if active is not None:
        raise Conflict("Perempuan ini sudah menjadi anggota koperasi", "already an active member", field="person_ref")
    return CoopMemberJoined(Membership(coop.coop_ref, person_ref, joined_on))


def leave(*, left_on: date, active: Membership | None, today: date) -> CoopMemberLeft:
    """``active`` is her current membership of the cooperative (None when she is not an active member)."""
    not_future(left_on, today, "left_on")
    if active is None:
        raise Conflict("Perempuan ini bukan anggota aktif koperasi", "not an active member", field="person_ref")
    if left_on < active.joined_on:
        raise Invalid("Tanggal keluar sebelum tanggal bergabung", "left_on before joined_on", field="left_on")
    return CoopMemberLeft(active, left_on)


def hold_annual_meeting(coop: Coop, *, fiscal_year: int, held_on: date, already_held: bool,
                        today: date) -> CoopAnnualMeetingHeld:
    not_future(held_on, today, "held_on")
    if held_on.year < fiscal_year:
        raise Invalid("RAT tahun buku ini belum bisa diadakan sebelum tahun bukunya berjalan",
                      "held_on before the fiscal year", field="held_on")
    if already_held:
        raise Conflict(f"RAT tahun buku {fiscal_year} sudah tercatat", "RAT already recorded", field="fiscal_year")
    return CoopAnnualMeetingHeld(coop.coop_ref, fiscal_year, held_on)


def not_found(coop_ref: UUID) -> NotFound:
    return NotFound("Koperasi dengan referensi ini tidak terdaftar", f"coop {coop_ref} not found", field="coop_ref")
