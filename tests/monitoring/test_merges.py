"""Monitoring counts a merged woman once: every fact of the retired ref under the survivor (registered, trained,
business, market, poverty exit, aid...), a late event about the retired ref too, an undo gives her records back,
and any arrival order or a replay gives the same figures. Through the real inbox consumer path."""

from collections.abc import AsyncIterator
from datetime import date
from types import SimpleNamespace
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import pytest_asyncio
from berdaya_contracts import Envelope, Event, decode, new_envelope
from berdaya_contracts import marketplace_v1 as m
from berdaya_contracts import registry_v1 as r
from berdaya_contracts import training_v1 as t
from berdaya_shared.messaging import InboxConsumer
from monitoring.adapters import LIVE_SCHEMA, prepare_database
from monitoring.adapters.indicator_sql import BASE_SQL
from monitoring.entrypoints.consumer import make_apply
from monitoring.service_layer import indicators
from monitoring.service_layer.indicators import Filters

from tests.monitoring.conftest import Monitoring
from tests.support import infra
from tests.support.kafka import wait_for

KEC = "64.02.06"
COURSE = uuid4()
FIGURES = ("dropouts", "women_registered", "pekka_registered", "enrolments", "completions", "women_trained", "ukm_registered",
           "business_startups", "women_first_business", "women_first_market", "poverty_exits", "poverty_exit_rate",
           "social_aid_recipients", "coop_women_members", "capital_recipients")


def her_record(ref: UUID, *, registered_on: date, baseline_on: date, business: bool) -> list[Envelope]:
    """One record of a woman: registered, a baseline below the poverty line, enrolled and trained in COURSE,
    later above the line, aid; with ``business`` a business and a sale."""
    out = [
        new_envelope(r.WomanRegistered(person_ref=ref, kecamatan_code=KEC, age_band="35-44",
                                       pekka_category="productive", household_size=4, registered_by_opd="dp3a",
                                       registered_on=registered_on)),
        new_envelope(r.WelfareAssessed(assessment_ref=uuid4(), person_ref=ref, assessed_on=baseline_on,
                                       household_size=4, monthly_household_income_idr=2_000_000,
                                       per_capita_income_idr=500_000, poverty_line_idr=753_332,
                                       below_poverty_line=True, is_baseline=True)),
        new_envelope(t.ParticipantEnrolled(course_ref=COURSE, person_ref=ref, enrolled_on=date(2026, 2, 1))),
        new_envelope(t.TrainingCompleted(course_ref=COURSE, person_ref=ref, completed_on=date(2026, 2, 20),
                                         attendance_rate=0.9, certified=True)),
        new_envelope(r.WelfareAssessed(assessment_ref=uuid4(), person_ref=ref, assessed_on=date(2026, 9, 1),
                                       household_size=4, monthly_household_income_idr=4_000_000,
                                       per_capita_income_idr=1_000_000, poverty_line_idr=753_332,
                                       below_poverty_line=False, is_baseline=False)),
        new_envelope(r.AidProvided(aid_ref=uuid4(), person_ref=ref, kind="social_aid", provider_opd="dp3a",
                                   provided_on=date(2026, 5, 1))),
    ]
    if business:
        b = uuid4()
        out += [new_envelope(r.BusinessRegistered(business_ref=b, owner_person_ref=ref, sector="kuliner",
                                                  kecamatan_code=KEC, has_nib=True, has_pirt=True, has_halal=False,
                                                  started_on=date(2026, 3, 1), registered_on=date(2026, 3, 5))),
                new_envelope(m.SaleRecorded(sale_ref=uuid4(), business_ref=b, owner_person_ref=ref, channel="digital",
                                            amount_idr=300_000, quantity=2, sold_on=date(2026, 4, 1)))]
    return out


SURVIVOR, RETIRED = uuid4(), uuid4()
# A second course both records enrolled in: the survivor's record completed it, the retired one dropped out.
SECOND = uuid4()
OVERLAP = [new_envelope(t.CourseScheduled(course_ref=SECOND, organizer_opd="dp3a", field="kerajinan_tangan",
                                          kecamatan_code=KEC, starts_on=date(2026, 5, 4), ends_on=date(2026, 5, 8),
                                          sessions=4, capacity=20)),
           *(new_envelope(t.ParticipantEnrolled(course_ref=SECOND, person_ref=ref, enrolled_on=date(2026, 5, 4)))
             for ref in (SURVIVOR, RETIRED)),
           new_envelope(t.TrainingCompleted(course_ref=SECOND, person_ref=SURVIVOR, completed_on=date(2026, 5, 8),
                                            attendance_rate=1.0, certified=True)),
           new_envelope(t.ParticipantDropped(course_ref=SECOND, person_ref=RETIRED, dropped_on=date(2026, 5, 5),
                                             reason="keluarga"))]
MERGE = uuid4()
COURSE_EVENT = new_envelope(t.CourseScheduled(course_ref=COURSE, organizer_opd="dp3a", field="kuliner",
                                              kecamatan_code=KEC, starts_on=date(2026, 2, 2), ends_on=date(2026, 2, 20),
                                              sessions=6, capacity=40))
BEFORE = [COURSE_EVENT,
          *her_record(SURVIVOR, registered_on=date(2026, 3, 10), baseline_on=date(2026, 3, 10), business=False),
          *her_record(RETIRED, registered_on=date(2026, 1, 10), baseline_on=date(2026, 1, 12), business=True),
          *OVERLAP]
MERGED = new_envelope(r.WomenMerged(merge_ref=MERGE, surviving_ref=SURVIVOR, retired_ref=RETIRED,
                                    merged_on=date(2026, 10, 1)))
# A fact recorded under the retired ref reaches monitoring after the merge (a membership made before it).
LATE = [new_envelope(r.CoopFormed(coop_ref=(coop := uuid4()), kecamatan_code=KEC, kind="produsen",
                                  founding_member_refs=[SURVIVOR, uuid4(), uuid4()], formed_on=date(2026, 3, 1),
                                  has_legal_entity=True)),
        new_envelope(r.CoopMemberJoined(coop_ref=coop, person_ref=RETIRED, joined_on=date(2026, 6, 1))),
        new_envelope(r.CapitalDisbursed(disbursement_ref=uuid4(), recipient_type="woman", recipient_ref=RETIRED,
                                        source="dp3a_grant", amount_idr=2_000_000, disbursed_on=date(2026, 6, 2)))]
UNMERGED = new_envelope(r.WomenUnmerged(merge_ref=MERGE, surviving_ref=SURVIVOR, retired_ref=RETIRED,
                                        unmerged_on=date(2026, 10, 2)))


def events(envelopes: list[Envelope]) -> list[Event]:
    return [decode(e.to_bytes()) for e in envelopes]


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def pool(database_server_url: str) -> AsyncIterator[asyncpg.Pool]:
    url = await infra.create_database(database_server_url)
    p = await asyncpg.create_pool(url, min_size=1, max_size=2)
    async with p.acquire() as conn:
        await prepare_database(conn)
    yield p
    await p.close()
    await infra.drop_database(database_server_url, url)


async def feed(pool: asyncpg.Pool, batch: list[Event]) -> None:
    sources = {e.event_id: SimpleNamespace(topic=e.envelope.producer + ".events") for e in batch}
    consumer = InboxConsumer(name="monitoring", pool=pool, apply=make_apply(), broker=None)  # type: ignore[arg-type]
    await consumer._apply_with_retry(batch, sources)  # type: ignore[arg-type]


async def reset(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn:
        tables = await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname = $1", LIVE_SCHEMA)
        await conn.execute(f"TRUNCATE {', '.join(f'{LIVE_SCHEMA}.' + t['tablename'] for t in tables)}; TRUNCATE inbox")


async def figures(pool: asyncpg.Pool) -> dict[str, Any]:
    async with indicators.snapshot(pool) as conn:
        report = await indicators.report(conn, list(FIGURES), Filters(), None)
        out: dict[str, Any] = {i["indicator"]: i["cells"][0]["value"] if i["cells"] else None for i in report}
        by_period = await indicators.report(conn, ["women_registered"], Filters(), "period")
        out["registered_in"] = {c["key"]: c["value"] for c in by_period[0]["cells"]}
        out["funnel"] = {s["step"]: s["value"] for s in await indicators.funnel(conn, Filters())}
        out["all"] = await indicators.report(conn, list(BASE_SQL), Filters(), "kecamatan")
    return out


async def test_a_merged_woman_counts_once_in_every_figure_and_an_undo_gives_her_records_back(
        pool: asyncpg.Pool) -> None:
    await reset(pool)
    await feed(pool, events(BEFORE))
    apart = await figures(pool)
    assert apart["women_registered"] == 2 and apart["women_trained"] == 2 and apart["poverty_exits"] == 2
    assert apart["enrolments"] == 4 and apart["completions"] == 3 and apart["dropouts"] == 1

    await feed(pool, events([MERGED]))
    once = await figures(pool)
    assert once["enrolments"] == 2 and once["completions"] == 2  # one seat in each course
    assert once["dropouts"] == 0  # her retired record's drop-out: she completed that course
    for name in ("women_registered", "pekka_registered", "women_trained", "ukm_registered", "women_first_business",
                 "women_first_market", "poverty_exits", "poverty_exit_rate", "social_aid_recipients"):
        assert once[name] == 1, (name, once[name])
    assert once["funnel"] == {"registered": 1, "trained": 1, "business": 1, "market": 1, "above_poverty_line": 1}
    # in the program since the earlier registration (the retired record's January); the earlier baseline counts
    assert once["registered_in"] == {"2026-01": 1}

    await feed(pool, events(LATE))  # about the retired ref, after the merge: counted for the survivor
    late = await figures(pool)
    # three founders, her survivor record among them; her retired record's joining is no fourth member
    assert late["coop_women_members"] == 3 and late["capital_recipients"] == 1

    await feed(pool, events([UNMERGED]))
    undone = await figures(pool)
    assert undone["women_registered"] == 2 and undone["women_trained"] == 2 and undone["poverty_exits"] == 2
    assert undone["enrolments"] == 4 and undone["dropouts"] == 1
    assert undone["coop_women_members"] == 4 and undone["capital_recipients"] == 1  # the grant was hers (retired)
    assert undone["registered_in"] == {"2026-01": 1, "2026-03": 1}
    assert undone["funnel"]["registered"] == 2 and undone["funnel"]["business"] == 1

    # Rebuild by replay: the same events in another order, the merge first, give the same figures.
    await reset(pool)
    await feed(pool, events([UNMERGED, *LATE, MERGED, *reversed(BEFORE)]))
    assert await figures(pool) == undone
    await reset(pool)
    await feed(pool, events([*LATE, MERGED, *reversed(BEFORE)]))
    assert await figures(pool) == late


async def test_through_kafka_a_rebuild_by_replay_gives_the_same_figures_after_a_merge(monitoring: Monitoring) -> None:
    """The running service: the events on its topics (the late ones after the merge), then ``POST /api/admin/rebuild``
    replays the topics into a fresh schema and swaps it in: the same figures, her counted once."""

    async def exact() -> dict[str, Any]:
        body = (await monitoring.client.get("/api/indicators", params={"group_by": "kecamatan"})).json()
        return {i["indicator"]: i["cells"] for i in body["indicators"]}

    async def registered_once() -> bool:
        cells = (await exact())["women_registered"]
        return bool(cells) and cells[0]["value"] == 1 and (await exact())["coop_women_members"][0]["value"] == 3

    await monitoring.events.publish([*BEFORE, MERGED])
    await monitoring.events.publish(LATE)
    await wait_for(registered_once, timeout_s=60)
    before = await exact()
    assert (await monitoring.client.post("/api/admin/rebuild")).status_code == 202

    async def rebuilt() -> bool:
        return (await monitoring.client.get("/api/admin/rebuild")).json()["state"] in ("done", "failed")

    await wait_for(rebuilt, timeout_s=120)
    assert (await monitoring.client.get("/api/admin/rebuild")).json()["state"] == "done"
    assert await exact() == before
