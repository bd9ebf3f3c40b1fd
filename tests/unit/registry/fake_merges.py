"""In-memory stand-in for the registry's MergeRepository: moves the facts held by the other fakes the way the SQL
moves rows (each moved fact remembers the ref it was recorded under)."""

from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from registry.domain.merges import ActiveMembership, Baseline, MergeRecord

if TYPE_CHECKING:
    from .fakes import FakeRegistryUnitOfWork

Fact = tuple[Any, UUID, Callable[[UUID], None]]  # (key, person it is held by, move it to another person)


class FakeMerges:
    def __init__(self, uow: "FakeRegistryUnitOfWork") -> None:
        self.uow = uow
        self.rows: dict[UUID, dict[str, Any]] = {}
        self.recorded: dict[tuple[str, Any], UUID] = {}  # (kind, key) -> the ref the fact was recorded under
        self.demoted: dict[UUID, UUID] = {}  # assessment_ref -> merge_ref that demoted it

    def facts(self) -> Iterator[tuple[str, list[Fact]]]:
        """Every fact that follows a survivor, by kind, with a way to move it."""
        w = self.uow

        def welfare(i: int) -> Callable[[UUID], None]:
            return lambda ref: w.welfare.rows.__setitem__(i, replace(w.welfare.rows[i], person_ref=ref))

        def aid(key: UUID) -> Callable[[UUID], None]:
            return lambda ref: w.aid.records.__setitem__(key, replace(w.aid.records[key], person_ref=ref))

        def business(key: UUID) -> Callable[[UUID], None]:
            return lambda ref: w.businesses.rows.__setitem__(key, replace(w.businesses.rows[key],
                                                                          owner_person_ref=ref))

        def membership(m: dict[str, Any]) -> Callable[[UUID], None]:
            def move(ref: UUID) -> None:
                m["recorded_ref"] = m["recorded_ref"] or m["person_ref"]
                m["person_ref"] = ref

            return move

        def capital(i: int) -> Callable[[UUID], None]:
            return lambda ref: w.capital.rows.__setitem__(i, replace(w.capital.rows[i], recipient_ref=ref))

        yield "welfare_assessments", [(a.assessment_ref, a.person_ref, welfare(i)) for i, a in enumerate(w.welfare.rows)]
        yield "aid_records", [(k, a.person_ref, aid(k)) for k, a in w.aid.records.items()]
        yield "businesses", [(k, b.owner_person_ref, business(k)) for k, b in w.businesses.rows.items()]
        yield "coop_memberships", [(m["id"], m["person_ref"], membership(m)) for m in w.coops.memberships
                                   if m["set_aside_by"] is None]
        yield "capital_disbursements", [(c.disbursement_ref, c.recipient_ref, capital(i))
                                        for i, c in enumerate(w.capital.rows) if c.recipient_type == "woman"]

    async def lock_women(self, refs: Sequence[UUID]) -> dict[UUID, dict[str, Any]]:
        return await self.uow.women.get_many(refs)

    async def baselines(self, refs: Sequence[UUID]) -> list[Baseline]:
        return [Baseline(a.assessment_ref, a.person_ref, a.assessed_on) for a in self.uow.welfare.rows
                if a.person_ref in refs and a.is_baseline]

    async def active_memberships(self, refs: Sequence[UUID]) -> list[ActiveMembership]:
        return [ActiveMembership(m["id"], m["coop_ref"], m["person_ref"], m["joined_on"])
                for m in self.uow.coops.memberships
                if m["person_ref"] in refs and m["left_on"] is None and m["set_aside_by"] is None]

    async def add(self, *, merge_ref: UUID, surviving_ref: UUID, retired_ref: UUID, merged_on: date, opd: str,
                  nik_from: str, survivor: dict[str, Any]) -> None:
        self.rows[merge_ref] = {
            "merge_ref": merge_ref, "surviving_ref": surviving_ref, "retired_ref": retired_ref, "merged_on": merged_on,
            "merged_by_opd": opd, "nik_from": nik_from,
            "survivor_nik_cipher": survivor["nik_cipher"] if nik_from == "retired" else None,
            "survivor_registered_on": survivor["registered_on"],
            "survivor_registered_by_opd": survivor["registered_by_opd"], "moved": {},
            "created_at": datetime.now(UTC), "unmerged_on": None, "unmerged_by_opd": None, "unmerge_reason": None,
        }

    def _set_baseline(self, assessment_ref: UUID, value: bool) -> None:
        rows = self.uow.welfare.rows
        i = next(i for i, a in enumerate(rows) if a.assessment_ref == assessment_ref)
        rows[i] = replace(rows[i], is_baseline=value)

    async def retire(self, *, merge_ref: UUID, surviving_ref: UUID, retired_ref: UUID,
                     survivor_nik: tuple[bytes, bytes] | None, registered_on: date, registered_by_opd: str,
                     demote_baseline: UUID | None, set_aside: Sequence[int]) -> dict[str, int]:
        women = self.uow.women.rows
        women[retired_ref].update(nik_hmac=None, merged_into=surviving_ref)
        if survivor_nik is not None:
            women[surviving_ref].update(nik_hmac=survivor_nik[0], nik_cipher=survivor_nik[1])
        women[surviving_ref].update(registered_on=registered_on, registered_by_opd=registered_by_opd)
        for m in self.uow.coops.memberships:
            if m["id"] in set_aside:
                m["set_aside_by"] = merge_ref
        if demote_baseline is not None:
            self._set_baseline(demote_baseline, False)
            self.demoted[demote_baseline] = merge_ref
        moved = {}
        for kind, facts in self.facts():
            moved[kind] = 0
            for key, person, move in facts:
                if person == retired_ref:
                    self.recorded.setdefault((kind, key), retired_ref)
                    move(surviving_ref)
                    moved[kind] += 1
        self.rows[merge_ref]["moved"] = moved
        flags = self.uow.women.flags
        for pair in [p for p, f in flags.items() if retired_ref in p and f["status"] == "open"]:
            del flags[pair]
        return moved

    async def get(self, merge_ref: UUID, *, for_update: bool = False) -> dict[str, Any] | None:
        row = self.rows.get(merge_ref)
        return dict(row) if row else None

    async def record(self, merge_ref: UUID) -> MergeRecord | None:
        row = self.rows.get(merge_ref)
        return MergeRecord(merge_ref, row["surviving_ref"], row["retired_ref"], row["unmerged_on"] is not None) \
            if row else None

    async def later_active(self, merge_ref: UUID) -> list[UUID]:
        m = self.rows[merge_ref]
        both = (m["surviving_ref"], m["retired_ref"])
        return [r["merge_ref"] for r in self.rows.values() if r["created_at"] > m["created_at"]
                and r["unmerged_on"] is None and (r["surviving_ref"] in both or r["retired_ref"] in both)]

    async def group(self, ref: UUID) -> list[UUID]:
        out, todo = [ref], [ref]
        while todo:
            head = todo.pop()
            found = [r for r, row in self.uow.women.rows.items() if row["merged_into"] == head]
            out += found
            todo += found
        return out

    async def fact_counts(self, refs: Sequence[UUID]) -> dict[UUID, dict[str, int]]:
        return {ref: {kind: sum(person == ref for _, person, _ in facts) for kind, facts in self.facts()}
                for ref in refs}

    async def restore(self, merge: dict[str, Any], *, survivor_nik: tuple[bytes, bytes] | None,
                      retired_nik_mac: bytes | None, unmerged_on: date, opd: str, reason: str) -> None:
        women = self.uow.women.rows
        surviving, retired, merge_ref = merge["surviving_ref"], merge["retired_ref"], merge["merge_ref"]
        if survivor_nik is not None:
            women[surviving].update(nik_hmac=survivor_nik[0], nik_cipher=survivor_nik[1])
        women[surviving].update(registered_on=merge["survivor_registered_on"],
                                registered_by_opd=merge["survivor_registered_by_opd"])
        women[retired].update(nik_hmac=retired_nik_mac, merged_into=None)
        group = await self.group(retired)
        for kind, facts in self.facts():
            for key, person, move in facts:
                if person == surviving and self.recorded.get((kind, key)) in group:
                    move(retired)
        for m in self.uow.coops.memberships:
            if m["set_aside_by"] == merge_ref:
                m["set_aside_by"] = None
        for assessment_ref, by in list(self.demoted.items()):
            if by == merge_ref:
                self._set_baseline(assessment_ref, True)
                del self.demoted[assessment_ref]
        self.rows[merge_ref].update(unmerged_on=unmerged_on, unmerged_by_opd=opd, unmerge_reason=reason)
