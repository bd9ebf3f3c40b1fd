"""Cooperatives: formation, dated membership facts, RAT meetings; capital disbursements."""

from typing import Any

from berdaya_contracts import Envelope

from . import Handler, StatementBatch


async def coop_formed(conn: StatementBatch, p: Any, env: Envelope) -> None:
    await conn.execute(
        "INSERT INTO coops (coop_ref, kecamatan_code, kind, formed_on, has_legal_entity) VALUES ($1, $2, $3, $4, $5)"
        " ON CONFLICT DO NOTHING",
        p.coop_ref, p.kecamatan_code, p.kind, p.formed_on, p.has_legal_entity,
    )
    await conn.executemany(
        "INSERT INTO coop_member_events VALUES ($1, $2, $3, 'join') ON CONFLICT DO NOTHING",
        [(p.coop_ref, ref, p.formed_on) for ref in p.founding_member_refs],
    )


async def member_joined(conn: StatementBatch, p: Any, env: Envelope) -> None:
    await conn.execute("INSERT INTO coop_member_events VALUES ($1, $2, $3, 'join') ON CONFLICT DO NOTHING",
                       p.coop_ref, p.person_ref, p.joined_on)


async def member_left(conn: StatementBatch, p: Any, env: Envelope) -> None:
    await conn.execute("INSERT INTO coop_member_events VALUES ($1, $2, $3, 'leave') ON CONFLICT DO NOTHING",
                       p.coop_ref, p.person_ref, p.left_on)


async def annual_meeting(conn: StatementBatch, p: Any, env: Envelope) -> None:
    await conn.execute(
        "INSERT INTO coop_meetings VALUES ($1, $2, $3) ON CONFLICT (coop_ref, fiscal_year)"
        " DO UPDATE SET held_on = LEAST(coop_meetings.held_on, EXCLUDED.held_on)",
        p.coop_ref, p.fiscal_year, p.held_on,
    )


async def capital_disbursed(conn: StatementBatch, p: Any, env: Envelope) -> None:
    await conn.execute(
        "INSERT INTO capital VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
        p.disbursement_ref, p.recipient_type, p.recipient_ref, p.source, p.amount_idr, p.disbursed_on,
    )


HANDLERS: dict[str, Handler] = {
    "registry.CoopFormed": coop_formed,
    "registry.CoopMemberJoined": member_joined,
    "registry.CoopMemberLeft": member_left,
    "registry.CoopAnnualMeetingHeld": annual_meeting,
    "registry.CapitalDisbursed": capital_disbursed,
}
