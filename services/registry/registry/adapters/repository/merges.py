"""SQL for merges of two records of one woman: the facts that follow the survivor, what the merge changed on her
record, and how an undo sends it all back.

A fact that moves remembers the ref it was recorded under (``recorded_ref``; NULL while it has never moved), so an
undo moves back exactly the facts that belong to the retired record (and to records merged into it before)."""

import json
from collections.abc import Sequence
from datetime import date
from typing import Any
from uuid import UUID

from ...domain.merges import ActiveMembership, Baseline, MergeRecord
from .base import Repository

# The facts that follow a survivor: (what the answer calls them, table, person column, recorded column, condition).
# Names from this table only, never from input.
FACTS = (
    ("welfare_assessments", "welfare_assessments", "person_ref", "recorded_ref", ""),
    ("aid_records", "aid_records", "person_ref", "recorded_ref", ""),
    ("businesses", "businesses", "owner_person_ref", "recorded_owner_ref", ""),
    ("coop_memberships", "coop_memberships", "person_ref", "recorded_ref", " AND set_aside_by IS NULL"),
    ("capital_disbursements", "capital_disbursements", "recipient_ref", "recorded_ref",
     " AND recipient_type = 'woman'"),
)
# A record and every record merged into it, directly or through another.
_GROUP = """
WITH RECURSIVE g(ref) AS (SELECT $1::uuid UNION SELECT w.person_ref FROM women w JOIN g ON w.merged_into = g.ref)
SELECT array_agg(ref) FROM g
"""


class MergeRepository(Repository):
    async def lock_women(self, refs: Sequence[UUID]) -> dict[UUID, dict[str, Any]]:
        """The records, locked in ref order (two merges of one pair cannot deadlock)."""
        rows = await self.conn.fetch(
            "SELECT * FROM women WHERE person_ref = ANY($1::uuid[]) ORDER BY person_ref FOR UPDATE", list(refs))
        return {r["person_ref"]: dict(r) for r in rows}

    async def baselines(self, refs: Sequence[UUID]) -> list[Baseline]:
        rows = await self.conn.fetch(
            "SELECT assessment_ref, person_ref, assessed_on FROM welfare_assessments"
            " WHERE person_ref = ANY($1::uuid[]) AND is_baseline", list(refs))
        return [Baseline(r["assessment_ref"], r["person_ref"], r["assessed_on"]) for r in rows]

    async def active_memberships(self, refs: Sequence[UUID]) -> list[ActiveMembership]:
        rows = await self.conn.fetch(
            "SELECT id, coop_ref, person_ref, joined_on FROM coop_memberships"
            " WHERE person_ref = ANY($1::uuid[]) AND left_on IS NULL AND set_aside_by IS NULL", list(refs))
        return [ActiveMembership(r["id"], r["coop_ref"], r["person_ref"], r["joined_on"]) for r in rows]

    async def add(self, *, merge_ref: UUID, surviving_ref: UUID, retired_ref: UUID, merged_on: date, opd: str,
                  nik_from: str, survivor: dict[str, Any]) -> None:
        """Record the merge with what it is about to change on the survivor's record."""
        await self.conn.execute(
            "INSERT INTO merges (merge_ref, surviving_ref, retired_ref, merged_on, merged_by_opd, nik_from,"
            " survivor_nik_cipher, survivor_registered_on, survivor_registered_by_opd, moved)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, '{}')",
            merge_ref, surviving_ref, retired_ref, merged_on, opd, nik_from,
            survivor["nik_cipher"] if nik_from == "retired" else None, survivor["registered_on"],
            survivor["registered_by_opd"],
        )

    async def retire(self, *, merge_ref: UUID, surviving_ref: UUID, retired_ref: UUID,
                     survivor_nik: tuple[bytes, bytes] | None, registered_on: date, registered_by_opd: str,
                     demote_baseline: UUID | None, set_aside: Sequence[int]) -> dict[str, int]:
        """Retire the record into the survivor: its NIK released (``survivor_nik``: (mac, sealed) of the NIK the
        survivor takes from it), her registration the earlier one, the later baseline demoted, overlapping
        memberships set aside, its facts moved. Returns how many facts of each kind moved."""
        await self.conn.execute(
            "UPDATE women SET nik_hmac = NULL, merged_into = $2, updated_at = now() WHERE person_ref = $1",
            retired_ref, surviving_ref)
        if survivor_nik is not None:
            await self.conn.execute("UPDATE women SET nik_hmac = $2, nik_cipher = $3 WHERE person_ref = $1",
                                    surviving_ref, *survivor_nik)
        await self.conn.execute(
            "UPDATE women SET registered_on = $2, registered_by_opd = $3, updated_at = now() WHERE person_ref = $1",
            surviving_ref, registered_on, registered_by_opd)
        if set_aside:
            await self.conn.execute("UPDATE coop_memberships SET set_aside_by = $1 WHERE id = ANY($2::bigint[])",
                                    merge_ref, list(set_aside))
        if demote_baseline is not None:
            await self.conn.execute(
                "UPDATE welfare_assessments SET is_baseline = false, baseline_demoted_by = $1"
                " WHERE assessment_ref = $2", merge_ref, demote_baseline)
        moved = {}
        for name, table, person, recorded, condition in FACTS:
            done = await self.conn.execute(
                f"UPDATE {table} SET {recorded} = COALESCE({recorded}, {person}), {person} = $2"
                f" WHERE {person} = $1{condition}", retired_ref, surviving_ref)
            moved[name] = int(done.split()[-1])
        await self.conn.execute("UPDATE merges SET moved = $2::jsonb WHERE merge_ref = $1", merge_ref,
                                json.dumps(moved))
        # Its other open flags are about a record that no longer stands alone (an undo flags it again).
        await self.conn.execute(
            "DELETE FROM possible_duplicates WHERE status = 'open' AND (person_ref = $1 OR other_ref = $1)",
            retired_ref)
        return moved

    async def get(self, merge_ref: UUID, *, for_update: bool = False) -> dict[str, Any] | None:
        row = await self.conn.fetchrow(
            "SELECT * FROM merges WHERE merge_ref = $1" + (" FOR UPDATE" if for_update else ""), merge_ref)
        if row is None:
            return None
        out = dict(row)
        out["moved"] = json.loads(out["moved"]) if isinstance(out["moved"], str) else out["moved"]
        return out

    async def record(self, merge_ref: UUID) -> MergeRecord | None:
        row = await self.get(merge_ref, for_update=True)
        if row is None:
            return None
        return MergeRecord(row["merge_ref"], row["surviving_ref"], row["retired_ref"], row["unmerged_on"] is not None)

    async def later_active(self, merge_ref: UUID) -> list[UUID]:
        """Active merges recorded after this one that involve either of its records (they are undone first)."""
        rows = await self.conn.fetch(
            "SELECT l.merge_ref FROM merges m JOIN merges l ON l.created_at > m.created_at AND l.unmerged_on IS NULL"
            " AND (l.surviving_ref IN (m.surviving_ref, m.retired_ref) OR l.retired_ref IN (m.surviving_ref,"
            " m.retired_ref)) WHERE m.merge_ref = $1 ORDER BY l.created_at", merge_ref)
        return [r["merge_ref"] for r in rows]

    async def fact_counts(self, refs: Sequence[UUID]) -> dict[UUID, dict[str, int]]:
        """How many facts of each kind each record holds now (what a merge would move)."""
        out: dict[UUID, dict[str, int]] = {ref: {} for ref in refs}
        for name, table, person, _, condition in FACTS:
            rows = await self.conn.fetch(
                f"SELECT {person} AS ref, count(*) AS n FROM {table} WHERE {person} = ANY($1::uuid[]){condition}"
                f" GROUP BY 1", list(refs))
            found = {r["ref"]: r["n"] for r in rows}
            for ref in refs:
                out[ref][name] = found.get(ref, 0)
        return out

    async def group(self, ref: UUID) -> list[UUID]:
        """The record and every record merged into it (directly or through another)."""
        return list(await self.conn.fetchval(_GROUP, ref))

    async def restore(self, merge: dict[str, Any], *, survivor_nik: tuple[bytes, bytes] | None,
                      retired_nik_mac: bytes | None, unmerged_on: date, opd: str, reason: str) -> None:
        """Undo ``merge``: the retired record stands alone again with its NIK, its facts (and those of records merged
        into it) go back, the survivor's record is as it was, the set-aside memberships and demoted baseline
        return. ``survivor_nik``: (mac, sealed) of the NIK the survivor had before, when she took the other's."""
        surviving, retired, merge_ref = merge["surviving_ref"], merge["retired_ref"], merge["merge_ref"]
        if survivor_nik is not None:
            await self.conn.execute("UPDATE women SET nik_hmac = $2, nik_cipher = $3 WHERE person_ref = $1",
                                    surviving, *survivor_nik)
        await self.conn.execute(
            "UPDATE women SET registered_on = $2, registered_by_opd = $3, updated_at = now() WHERE person_ref = $1",
            surviving, merge["survivor_registered_on"], merge["survivor_registered_by_opd"])
        await self.conn.execute(
            "UPDATE women SET nik_hmac = $2, merged_into = NULL, updated_at = now() WHERE person_ref = $1",
            retired, retired_nik_mac)
        group = await self.group(retired)
        for _, table, person, recorded, condition in FACTS:
            await self.conn.execute(
                f"UPDATE {table} SET {person} = $2 WHERE {person} = $1 AND {recorded} = ANY($3::uuid[]){condition}",
                surviving, retired, group)
        await self.conn.execute("UPDATE coop_memberships SET set_aside_by = NULL WHERE set_aside_by = $1", merge_ref)
        await self.conn.execute(
            "UPDATE welfare_assessments SET is_baseline = true, baseline_demoted_by = NULL"
            " WHERE baseline_demoted_by = $1", merge_ref)
        await self.conn.execute(
            "UPDATE merges SET unmerged_on = $2, unmerged_by_opd = $3, unmerge_reason = $4 WHERE merge_ref = $1",
            merge_ref, unmerged_on, opd, reason)

    async def recent(self, limit: int) -> list[UUID]:
        """The latest merges still in force, newest first (the ones a reviewer may want to undo)."""
        rows = await self.conn.fetch(
            "SELECT merge_ref FROM merges WHERE unmerged_on IS NULL ORDER BY created_at DESC, merge_ref LIMIT $1",
            limit)
        return [r["merge_ref"] for r in rows]

    async def pair(self, person_ref: UUID, other_ref: UUID) -> dict[str, Any] | None:
        """The flag between two records (in either order), whatever its status."""
        row = await self.conn.fetchrow(
            "SELECT * FROM possible_duplicates WHERE (person_ref, other_ref) IN (($1, $2), ($2, $1))",
            person_ref, other_ref)
        return dict(row) if row else None
