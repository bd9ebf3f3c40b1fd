"""SQL for poverty lines, welfare assessments, aid records and their encrypted case notes."""

from datetime import date
from typing import Any
from uuid import UUID

from ...domain.events import AidProvided, PovertyLine, WelfareAssessed
from .base import Repository


class WelfareRepository(Repository):
    """The dated poverty-line configuration and each woman's household assessments."""

    async def poverty_lines(self) -> list[dict[str, Any]]:
        """Every configured line, oldest first: valid_from, idr, source."""
        return [dict(r) for r in await self.conn.fetch(
            "SELECT valid_from, idr, source FROM poverty_lines ORDER BY valid_from")]

    async def lines(self) -> list[PovertyLine]:
        return [PovertyLine(r["valid_from"], r["idr"]) for r in await self.poverty_lines()]

    async def set_poverty_line(self, *, valid_from: date, idr: int, source: str) -> None:
        await self.conn.execute(
            "INSERT INTO poverty_lines (valid_from, idr, source) VALUES ($1, $2, $3)"
            " ON CONFLICT (valid_from) DO UPDATE SET idr = excluded.idr, source = excluded.source",
            valid_from, idr, source,
        )

    async def assessed_before(self, person_ref: UUID) -> bool:
        return await self.conn.fetchval(
            "SELECT exists(SELECT 1 FROM welfare_assessments WHERE person_ref = $1)", person_ref)

    async def add_assessment(self, a: WelfareAssessed) -> None:
        await self.conn.execute(
            "INSERT INTO welfare_assessments (assessment_ref, person_ref, assessed_on, household_size,"
            " monthly_household_income_idr, per_capita_income_idr, poverty_line_idr, poverty_line_valid_from,"
            " below_poverty_line, is_baseline) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            a.assessment_ref, a.person_ref, a.assessed_on, a.household_size, a.monthly_household_income_idr,
            a.per_capita_income_idr, a.poverty_line.idr, a.poverty_line.valid_from, a.below_poverty_line,
            a.is_baseline,
        )

    async def assessments(self, person_ref: UUID) -> list[dict[str, Any]]:
        rows = await self.conn.fetch(
            "SELECT * FROM welfare_assessments WHERE person_ref = $1 ORDER BY assessed_on, created_at", person_ref)
        return [{k: v for k, v in dict(r).items() if k != "created_at"} for r in rows]


class AidRepository(Repository):
    """Aid given to women; case notes only as ciphertext (the service layer seals and opens them)."""

    async def add(self, aid: AidProvided) -> None:
        await self.conn.execute(
            "INSERT INTO aid_records (aid_ref, person_ref, kind, provider_opd, provided_on)"
            " VALUES ($1, $2, $3, $4, $5)",
            aid.aid_ref, aid.person_ref, aid.kind, aid.provider_opd, aid.provided_on,
        )

    async def owner(self, aid_ref: UUID) -> UUID | None:
        """The woman an aid record is about, or None when there is no such record."""
        return await self.conn.fetchval("SELECT person_ref FROM aid_records WHERE aid_ref = $1", aid_ref)

    async def of_person(self, person_ref: UUID) -> list[dict[str, Any]]:
        """Her aid records with the number of case notes each has (never their text)."""
        rows = await self.conn.fetch(
            "SELECT a.aid_ref, a.person_ref, a.kind, a.provider_opd, a.provided_on,"
            " (SELECT count(*) FROM aid_case_notes n WHERE n.aid_ref = a.aid_ref) AS case_notes"
            " FROM aid_records a WHERE a.person_ref = $1 ORDER BY a.provided_on, a.created_at", person_ref,
        )
        return [dict(r) for r in rows]

    async def add_note(self, *, aid_ref: UUID, note_cipher: bytes, written_by_opd: str) -> dict[str, Any]:
        """Store a sealed note; returns its note_id and created_at."""
        row = await self.conn.fetchrow(
            "INSERT INTO aid_case_notes (aid_ref, note_cipher, written_by_opd) VALUES ($1, $2, $3)"
            " RETURNING note_id, created_at",
            aid_ref, note_cipher, written_by_opd,
        )
        return dict(row)  # type: ignore[arg-type]

    async def notes(self, aid_ref: UUID) -> list[dict[str, Any]]:
        rows = await self.conn.fetch(
            "SELECT note_id, aid_ref, note_cipher, written_by_opd, created_at FROM aid_case_notes"
            " WHERE aid_ref = $1 ORDER BY note_id", aid_ref,
        )
        return [dict(r) for r in rows]
