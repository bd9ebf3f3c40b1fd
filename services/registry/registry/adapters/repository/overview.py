"""Reads for a woman's page: her cooperative memberships and the capital disbursed to her or her businesses."""

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from .base import Repository


class OverviewRepository(Repository):
    async def memberships(self, person_ref: UUID) -> list[dict[str, Any]]:
        """Her memberships (past ones too), each with the cooperative's name, kind and kecamatan, oldest first."""
        rows = await self.conn.fetch(
            "SELECT m.coop_ref, c.name, c.kind, c.kecamatan_code, m.joined_on, m.left_on, m.founding"
            " FROM coop_memberships m JOIN coops c USING (coop_ref) WHERE m.person_ref = $1"
            " ORDER BY m.joined_on, m.id", person_ref)
        return [dict(r) for r in rows]

    async def capital(self, recipient_refs: Sequence[UUID]) -> list[dict[str, Any]]:
        """Capital disbursed to any of these recipients (a woman, her businesses), oldest first."""
        rows = await self.conn.fetch(
            "SELECT disbursement_ref, recipient_type, recipient_ref, source, amount_idr, disbursed_on, provider_opd"
            " FROM capital_disbursements WHERE recipient_ref = ANY($1::uuid[]) ORDER BY disbursed_on, created_at",
            list(recipient_refs))
        return [dict(r) for r in rows]

    async def sealed_names(self, refs: Sequence[UUID]) -> dict[UUID, bytes | None]:
        """person_ref -> her sealed name (None once erased)."""
        rows = await self.conn.fetch("SELECT person_ref, name_cipher FROM women WHERE person_ref = ANY($1::uuid[])",
                                     list(refs))
        return {r["person_ref"]: r["name_cipher"] for r in rows}

    async def coops(self, areas: Sequence[str] | None, limit: int) -> list[dict[str, Any]]:
        """Cooperatives (in these kecamatan; None: all), each with its active member count and latest RAT year,
        by kecamatan then name."""
        rows = await self.conn.fetch(
            "SELECT c.coop_ref, c.name, c.kind, c.kecamatan_code, c.formed_on, c.has_legal_entity,"
            " (SELECT count(*) FROM coop_memberships m WHERE m.coop_ref = c.coop_ref AND m.left_on IS NULL)"
            " AS active_members,"
            " (SELECT max(fiscal_year) FROM coop_annual_meetings r WHERE r.coop_ref = c.coop_ref) AS last_rat"
            " FROM coops c WHERE $1::text[] IS NULL OR c.kecamatan_code = ANY($1::text[])"
            " ORDER BY c.kecamatan_code, c.name LIMIT $2", list(areas) if areas is not None else None, limit)
        return [dict(r) for r in rows]
