"""SQL for verification flags: why a registered woman's record needs a look by DP3A (a birth date confirmed from the
KTP that differs from the NIK's), for the verification/duplicate queue."""

from collections.abc import Sequence
from uuid import UUID

from .base import Repository


class VerificationRepository(Repository):
    async def flag(self, flags: Sequence[tuple[UUID, str]]) -> None:
        """(person_ref, reason) pairs; a flag already open stays as it is."""
        if flags:
            await self.conn.executemany(
                "INSERT INTO verification_flags (person_ref, reason) VALUES ($1, $2) ON CONFLICT DO NOTHING", flags)

    async def open_of(self, refs: Sequence[UUID]) -> dict[UUID, list[str]]:
        """Each ref's open flags (reasons, sorted)."""
        out: dict[UUID, list[str]] = {ref: [] for ref in refs}
        for row in await self.conn.fetch(
                "SELECT person_ref, reason FROM verification_flags WHERE person_ref = ANY($1::uuid[])"
                " AND status = 'open' ORDER BY reason", list(refs)):
            out[row["person_ref"]].append(row["reason"])
        return out
