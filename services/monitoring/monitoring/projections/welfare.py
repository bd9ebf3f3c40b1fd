"""Welfare assessments: every assessment kept; baseline and latest are chosen at query time."""

from typing import Any

from berdaya_contracts import Envelope

from . import Handler, StatementBatch


async def welfare_assessed(conn: StatementBatch, p: Any, env: Envelope) -> None:
    await conn.execute(
        "INSERT INTO assessments (assessment_ref, person_ref, assessed_on, household_size, per_capita_income_idr,"
        " poverty_line_idr, below_poverty_line, is_baseline) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
        " ON CONFLICT DO NOTHING",
        p.assessment_ref, p.person_ref, p.assessed_on, p.household_size, p.per_capita_income_idr,
        p.poverty_line_idr, p.below_poverty_line, p.is_baseline,
    )


HANDLERS: dict[str, Handler] = {
    "registry.WelfareAssessed": welfare_assessed,
}
