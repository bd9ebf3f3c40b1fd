"""training.events and marketplace.events → each woman's journey (``adapters/journey.py``). Runs inside the inbox
consumer's transaction, so each event is applied exactly once.

Only version 1 payloads are read: a later version of an event is published beside its v1 (DESIGN.md §2), so the
v1 copy is the one applied and the other is skipped (still recorded in the inbox). Events about things that are not
part of a woman's journey (fairs, delistings) have no handler.
"""

import asyncpg
from berdaya_contracts import Event
from berdaya_contracts import marketplace_v1 as m
from berdaya_contracts import training_v1 as t
from berdaya_shared import clock
from berdaya_shared.messaging.consumer import EventHandler

from ..adapters import journey


async def course_scheduled(conn: asyncpg.Connection, event: Event) -> None:
    p = event.payload
    assert isinstance(p, t.CourseScheduled)
    await journey.course_scheduled(conn, course_ref=p.course_ref, organizer_opd=p.organizer_opd, field=p.field,
                                   kecamatan_code=p.kecamatan_code, starts_on=p.starts_on, ends_on=p.ends_on,
                                   sessions=p.sessions, capacity=p.capacity)


async def course_rescheduled(conn: asyncpg.Connection, event: Event) -> None:
    p = event.payload
    assert isinstance(p, t.CourseRescheduled)
    await journey.course_rescheduled(conn, course_ref=p.course_ref, starts_on=p.starts_on, ends_on=p.ends_on,
                                     capacity=p.capacity)


async def participant_enrolled(conn: asyncpg.Connection, event: Event) -> None:
    p = event.payload
    assert isinstance(p, t.ParticipantEnrolled)
    await journey.enrolled(conn, course_ref=p.course_ref, person_ref=p.person_ref, enrolled_on=p.enrolled_on)


async def training_completed(conn: asyncpg.Connection, event: Event) -> None:
    p = event.payload
    assert isinstance(p, t.TrainingCompleted)
    await journey.completed(conn, course_ref=p.course_ref, person_ref=p.person_ref, completed_on=p.completed_on,
                            attendance_rate=p.attendance_rate, certified=p.certified)


async def participant_dropped(conn: asyncpg.Connection, event: Event) -> None:
    p = event.payload
    assert isinstance(p, t.ParticipantDropped)
    await journey.dropped(conn, course_ref=p.course_ref, person_ref=p.person_ref, dropped_on=p.dropped_on,
                          reason=p.reason)


async def job_placed(conn: asyncpg.Connection, event: Event) -> None:
    p = event.payload
    assert isinstance(p, t.JobPlaced)
    await journey.placed(conn, placement_ref=p.placement_ref, person_ref=p.person_ref, course_ref=p.course_ref,
                         sector=p.sector, formal=p.formal, monthly_wage_idr=p.monthly_wage_idr, placed_on=p.placed_on)


async def booth_assigned(conn: asyncpg.Connection, event: Event) -> None:
    p = event.payload
    assert isinstance(p, m.BoothAssigned)
    # the payload has no date: the day the booth was assigned (the event's occurred_at) in WITA
    await journey.market(conn, key=f"booth:{p.fair_ref}:{p.business_ref}", kind="booth", person_ref=p.owner_person_ref,
                         business_ref=p.business_ref, fair_ref=p.fair_ref, channel="trade_fair",
                         on_date=event.envelope.occurred_at.astimezone(clock.WITA).date())


async def product_listed(conn: asyncpg.Connection, event: Event) -> None:
    p = event.payload
    assert isinstance(p, m.ProductListed)
    await journey.market(conn, key=f"listing:{p.product_ref}", kind="listing", person_ref=p.owner_person_ref,
                         business_ref=p.business_ref, channel=p.channel, amount_idr=p.price_idr, on_date=p.listed_on)


async def sale_recorded(conn: asyncpg.Connection, event: Event) -> None:
    p = event.payload
    assert isinstance(p, m.SaleRecorded)
    await journey.market(conn, key=f"sale:{p.sale_ref}", kind="sale", person_ref=p.owner_person_ref,
                         business_ref=p.business_ref, fair_ref=p.fair_ref, channel=p.channel,
                         amount_idr=p.amount_idr, quantity=p.quantity, on_date=p.sold_on)


EVENT_HANDLERS: dict[str, EventHandler] = {
    "training.CourseScheduled": course_scheduled,
    "training.CourseRescheduled": course_rescheduled,
    "training.ParticipantEnrolled": participant_enrolled,
    "training.TrainingCompleted": training_completed,
    "training.ParticipantDropped": participant_dropped,
    "training.JobPlaced": job_placed,
    "marketplace.BoothAssigned": booth_assigned,
    "marketplace.ProductListed": product_listed,
    "marketplace.SaleRecorded": sale_recorded,
}


async def apply(conn: asyncpg.Connection, events: list[Event]) -> None:
    """The inbox consumer's ``apply``: each v1 event of the batch, in order, to its handler."""
    for event in events:
        handler = EVENT_HANDLERS.get(event.event_type)
        if handler is not None and event.envelope.event_version == 1:
            await handler(conn, event)
