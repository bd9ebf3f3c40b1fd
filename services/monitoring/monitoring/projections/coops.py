"""Cooperatives (registry.events): formation, dated membership facts, RAT meetings; capital disbursements."""

from typing import Any

from berdaya_contracts import Envelope

from .batch import Handler, StatementBatch
from .fact import Fact

COOPS = Fact("coops", "coop_ref kecamatan_code kind formed_on has_legal_entity")
# Every dated join and leave is kept; membership on a date is derived at query time (a leave beats a join on
# the same day).
MEMBER_EVENTS = Fact("coop_member_events", "coop_ref person_ref happened_on kind")
# A meeting reported twice for one fiscal year keeps the earliest date.
MEETINGS = Fact("coop_meetings", "coop_ref fiscal_year held_on",
                "(coop_ref, fiscal_year) DO UPDATE SET held_on = LEAST(coop_meetings.held_on, EXCLUDED.held_on)")
CAPITAL = Fact("capital", "disbursement_ref recipient_type recipient_ref source amount_idr disbursed_on")


async def coop_formed(batch: StatementBatch, p: Any, env: Envelope) -> None:
    await COOPS.copy(batch, p, env)
    # Founders join on the day the cooperative is formed.
    await batch.executemany(MEMBER_EVENTS.sql, [(p.coop_ref, ref, p.formed_on, "join")
                                                for ref in p.founding_member_refs])


async def member_joined(batch: StatementBatch, p: Any, env: Envelope) -> None:
    await MEMBER_EVENTS.store(batch, p.coop_ref, p.person_ref, p.joined_on, "join")


async def member_left(batch: StatementBatch, p: Any, env: Envelope) -> None:
    await MEMBER_EVENTS.store(batch, p.coop_ref, p.person_ref, p.left_on, "leave")


HANDLERS: dict[str, Handler] = {
    "registry.CoopFormed": coop_formed,
    "registry.CoopMemberJoined": member_joined,
    "registry.CoopMemberLeft": member_left,
    "registry.CoopAnnualMeetingHeld": MEETINGS.copy,
    "registry.CapitalDisbursed": CAPITAL.copy,
}
