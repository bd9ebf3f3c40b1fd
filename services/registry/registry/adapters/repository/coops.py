"""SQL for cooperatives (members, annual meetings) and capital disbursements."""

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from ...domain.coops import Coop
from ...domain.events import CapitalDisbursed, CoopAnnualMeetingHeld, Membership
from .base import Repository


class CoopRepository(Repository):
    """A cooperative with its memberships and RATs: the coop row is the aggregate's lock."""

    async def add(self, coop: Coop, founding_member_refs: Sequence[UUID]) -> None:
        await self.conn.execute(
            "INSERT INTO coops (coop_ref, name, kecamatan_code, kind, formed_on, has_legal_entity,"
            " legal_entity_number) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            coop.coop_ref, coop.name, coop.kecamatan_code, coop.kind, coop.formed_on, coop.has_legal_entity,
            coop.legal_entity_number,
        )
        await self.conn.executemany(
            "INSERT INTO coop_memberships (coop_ref, person_ref, joined_on, founding) VALUES ($1, $2, $3, true)",
            [(coop.coop_ref, ref, coop.formed_on) for ref in founding_member_refs],
        )

    async def get(self, coop_ref: UUID, *, for_update: bool = False) -> Coop | None:
        row = await self.conn.fetchrow(
            "SELECT * FROM coops WHERE coop_ref = $1" + (" FOR UPDATE" if for_update else ""), coop_ref)
        if row is None:
            return None
        return Coop(row["coop_ref"], row["name"], row["kecamatan_code"], row["kind"], row["formed_on"],
                    row["has_legal_entity"], row["legal_entity_number"])

    async def members(self, coop_ref: UUID) -> list[dict[str, Any]]:
        """Every membership, past and present, in the order recorded (without those a merge set aside: her
        other, overlapping membership stands for both)."""
        return [dict(r) for r in await self.conn.fetch(
            "SELECT person_ref, joined_on, left_on, founding FROM coop_memberships WHERE coop_ref = $1"
            " AND set_aside_by IS NULL ORDER BY id", coop_ref)]

    async def meetings(self, coop_ref: UUID) -> list[dict[str, Any]]:
        return [dict(r) for r in await self.conn.fetch(
            "SELECT fiscal_year, held_on FROM coop_annual_meetings WHERE coop_ref = $1 ORDER BY fiscal_year",
            coop_ref)]

    async def active_membership(self, coop_ref: UUID, person_ref: UUID) -> Membership | None:
        """Her active membership, named by the ref it was recorded under (a merge may have moved it to her)."""
        row = await self.conn.fetchrow(
            "SELECT joined_on, COALESCE(recorded_ref, person_ref) AS recorded FROM coop_memberships"
            " WHERE coop_ref = $1 AND person_ref = $2 AND left_on IS NULL AND set_aside_by IS NULL",
            coop_ref, person_ref,
        )
        return Membership(coop_ref, row["recorded"], row["joined_on"]) if row else None

    async def add_member(self, membership: Membership) -> None:
        await self.conn.execute(
            "INSERT INTO coop_memberships (coop_ref, person_ref, joined_on) VALUES ($1, $2, $3)",
            membership.coop_ref, membership.person_ref, membership.joined_on,
        )

    async def end_membership(self, membership: Membership, left_on: Any) -> None:
        await self.conn.execute(
            "UPDATE coop_memberships SET left_on = $3 WHERE coop_ref = $1 AND COALESCE(recorded_ref, person_ref) = $2"
            " AND left_on IS NULL AND set_aside_by IS NULL",
            membership.coop_ref, membership.person_ref, left_on,
        )

    async def meeting_held(self, coop_ref: UUID, fiscal_year: int) -> bool:
        return bool(await self.conn.fetchval(
            "SELECT 1 FROM coop_annual_meetings WHERE coop_ref = $1 AND fiscal_year = $2", coop_ref, fiscal_year))

    async def add_meeting(self, meeting: CoopAnnualMeetingHeld) -> None:
        await self.conn.execute(
            "INSERT INTO coop_annual_meetings (coop_ref, fiscal_year, held_on) VALUES ($1, $2, $3)",
            meeting.coop_ref, meeting.fiscal_year, meeting.held_on,
        )


# recipient type -> (table, key column, extra condition); names from this table only, never from input
_RECIPIENTS = {
    "woman": ("women", "person_ref", " AND erased_at IS NULL AND merged_into IS NULL"),
    "business": ("businesses", "business_ref", ""),
    "coop": ("coops", "coop_ref", ""),
}


class CapitalRepository(Repository):
    async def recipient_known(self, recipient_type: str, recipient_ref: UUID) -> bool:
        """A registered (not erased) woman, a registered business or cooperative with this ref."""
        table, key, extra = _RECIPIENTS[recipient_type]
        return bool(await self.conn.fetchval(f"SELECT 1 FROM {table} WHERE {key} = $1{extra}", recipient_ref))

    async def add(self, d: CapitalDisbursed) -> None:
        await self.conn.execute(
            "INSERT INTO capital_disbursements (disbursement_ref, recipient_type, recipient_ref, source, amount_idr,"
            " disbursed_on, provider_opd) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            d.disbursement_ref, d.recipient_type, d.recipient_ref, d.source, d.amount_idr, d.disbursed_on,
            d.provider_opd,
        )
