"""The "belum terjangkau" (not yet reached) list: women whose latest welfare assessment is below the poverty line
and who have no course (any enrolment, from the journey), no business, no cooperative membership and no capital
yet. PEKKA women (any category but 'none') first, then by kecamatan, desa and lowest income per capita."""

from typing import Any

import asyncpg

_FROM = """
FROM women w
JOIN LATERAL (
    SELECT assessed_on, per_capita_income_idr, poverty_line_idr, below_poverty_line FROM welfare_assessments a
    WHERE a.person_ref = w.person_ref ORDER BY assessed_on DESC, created_at DESC LIMIT 1) l ON true
WHERE w.erased_at IS NULL AND l.below_poverty_line
  AND NOT EXISTS (SELECT 1 FROM journey_enrolments e WHERE e.person_ref = w.person_ref)
  AND NOT EXISTS (SELECT 1 FROM businesses b WHERE b.owner_person_ref = w.person_ref)
  AND NOT EXISTS (SELECT 1 FROM coop_memberships m WHERE m.person_ref = w.person_ref)
  AND NOT EXISTS (SELECT 1 FROM capital_disbursements c WHERE c.recipient_type = 'woman'
                  AND c.recipient_ref = w.person_ref)
  AND ($1::text IS NULL OR w.kecamatan_code = $1)
  AND ($2::text IS NULL OR w.desa_code = $2)
  AND ($3::text[] IS NULL OR w.kecamatan_code = ANY($3::text[]))
"""
_ORDER = " ORDER BY (w.pekka_category <> 'none') DESC, w.kecamatan_code, w.desa_code NULLS LAST," \
         " l.per_capita_income_idr, w.person_ref"


async def page(conn: asyncpg.Connection, *, kecamatan_code: str | None, desa_code: str | None,
               areas: list[str] | None, limit: int, offset: int) -> tuple[list[dict[str, Any]], int]:
    """Rows (person_ref, name_cipher, area, PEKKA, age band, the latest assessment) and the total."""
    args = (kecamatan_code, desa_code, areas)
    total = await conn.fetchval("SELECT count(*)" + _FROM, *args)
    rows = await conn.fetch(
        "SELECT w.person_ref, w.name_cipher, w.kecamatan_code, w.desa_code, w.pekka_category, w.age_band,"
        " w.household_size, l.assessed_on, l.per_capita_income_idr, l.poverty_line_idr" + _FROM + _ORDER
        + " LIMIT $4 OFFSET $5", *args, limit, offset)
    return [dict(r) for r in rows], total
