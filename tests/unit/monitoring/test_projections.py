"""The projection handlers without a database: which statements each event yields (collected in the real
StatementBatch, never flushed), that every fact names columns its table has, and that the projection package
depends on nothing above it."""

import ast
import re
from dataclasses import replace
from importlib.resources import files
from pathlib import Path
from uuid import uuid4

from berdaya_contracts import Event, decode
from berdaya_contracts import marketplace_v1 as market_v1
from berdaya_contracts.topics import EVENT_TOPICS
from monitoring import projections
from monitoring.projections import business, coops, market, merges, people, training, welfare
from monitoring.projections.fact import Fact

ALL_SAMPLES = [decode(p.read_bytes()) for p in files("berdaya_contracts").joinpath("samples").iterdir()
               if p.name.endswith(".json")]
SAMPLES = {e.event_type: e for e in ALL_SAMPLES if e.envelope.event_version == 1}
V2 = {e.event_type: e for e in ALL_SAMPLES if e.envelope.event_version == 2}
CONSUMED = {t: e for t, e in SAMPLES.items() if e.envelope.producer + ".events" in EVENT_TOPICS}
FACTS = [f for m in (people, welfare, business, coops, training, market, merges) for f in vars(m).values()
         if isinstance(f, Fact)]


async def rows(*events: Event) -> dict[str, list[tuple[object, ...]]]:
    """Statement text -> parameter rows, as the batch would run them."""
    batch = await projections.collect(events)
    return {sql: [tuple(r) for r in params] for sql, params in batch.statements.items()}


def test_every_consumed_event_type_has_a_handler() -> None:
    assert len(CONSUMED) >= 20
    assert set(CONSUMED) == set(projections.EVENT_HANDLERS)


async def test_a_shared_booth_v2_gives_every_business_selling_there_a_booth_row_as_its_v1_twins_do() -> None:
    shared = V2["marketplace.BoothAssigned"]
    p = shared.payload
    expected = [(p.fair_ref, b.business_ref, b.owner_person_ref) for b in p.businesses]
    assert len(expected) == 2
    assert await rows(shared) == {market.BOOTHS.sql: expected}
    twins = [replace(shared, payload=market_v1.BoothAssigned(fair_ref=p.fair_ref, business_ref=b.business_ref,
                                                               owner_person_ref=b.owner_person_ref,
                                                               booth_no=p.booth_no)) for b in p.businesses]
    assert await rows(*twins) == {market.BOOTHS.sql: expected}
    sale = V2["marketplace.SaleRecorded"]
    assert await rows(sale) == {market.SALES.sql: [tuple(getattr(sale.payload, c) for c in market.SALES.columns)]}


async def test_each_fact_event_becomes_one_row_of_its_payloads_values() -> None:
    checked = []
    for event_type, event in CONSUMED.items():
        fact = getattr(projections.EVENT_HANDLERS[event_type], "__self__", None)
        if not isinstance(fact, Fact):
            continue  # handlers that derive values are checked one by one below
        assert await rows(event) == {fact.sql: [tuple(getattr(event.payload, c) for c in fact.columns)]}, event_type
        checked.append(event_type)
    assert len(checked) == 16  # the two merge events; BoothAssigned is derived (v2: one row per business); so are
    # CourseScheduled and CourseRescheduled (their occurred time travels with the dates)


async def test_a_schedule_and_its_reschedule_are_one_course_row_whose_later_event_holds_the_dates() -> None:
    scheduled, moved = SAMPLES["training.CourseScheduled"], SAMPLES["training.CourseRescheduled"]
    assert moved.payload.course_ref == scheduled.payload.course_ref
    [(first, second)] = [tuple(r) for r in (await rows(scheduled, moved)).values()]
    p, q = scheduled.payload, moved.payload
    assert first == (p.course_ref, p.organizer_opd, p.field, p.kecamatan_code, p.starts_on, p.ends_on, p.sessions,
                     p.capacity, scheduled.envelope.occurred_at, scheduled.event_id)
    assert second == (q.course_ref, None, None, None, q.starts_on, q.ends_on, None, q.capacity,
                      moved.envelope.occurred_at, moved.event_id)
    assert second[8] > first[8]  # the reschedule occurred later: its dates hold, whatever the arrival order
    assert "dates_as_of" in training.COURSES.sql and "COALESCE(courses.organizer_opd" in training.COURSES.sql


async def test_a_registration_and_its_correction_carry_ordered_profile_versions() -> None:
    registered = SAMPLES["registry.WomanRegistered"]
    corrected = SAMPLES["registry.WomanProfileCorrected"]
    corrected = replace(corrected, payload=corrected.payload.model_copy(update={
        "person_ref": registered.payload.person_ref, "corrected_on": registered.payload.registered_on}))
    [(reg, cor)] = [tuple(r) for r in (await rows(registered, corrected)).values()]
    assert reg[0] == cor[0] == registered.payload.person_ref
    assert (reg[7], reg[8]) == (registered.payload.registered_by_opd, registered.payload.registered_on)
    assert (cor[7], cor[8]) == (None, None)  # a correction never overwrites who registered her or when
    assert cor[6] > reg[6]  # same day: the correction wins, whatever the arrival order
    assert reg[6].startswith(registered.payload.registered_on.isoformat())


async def test_a_cooperative_brings_its_founders_in_as_members_on_its_formation_day() -> None:
    formed = SAMPLES["registry.CoopFormed"]
    got = await rows(formed)
    p = formed.payload
    assert got[coops.MEMBER_EVENTS.sql] == [(p.coop_ref, ref, p.formed_on, "join") for ref in p.founding_member_refs]
    left = SAMPLES["registry.CoopMemberLeft"].payload
    assert (await rows(SAMPLES["registry.CoopMemberLeft"]))[coops.MEMBER_EVENTS.sql] == [
        (left.coop_ref, left.person_ref, left.left_on, "leave")]


async def test_a_business_report_is_ranked_by_its_event_id_and_attendance_yields_nothing() -> None:
    report = SAMPLES["registry.BusinessReported"]
    [row] = (await rows(report))[business.REPORTS.sql]
    assert row[-1] == report.event_id
    assert await rows(SAMPLES["training.AttendanceRecorded"]) == {}


async def test_many_events_share_one_statement_per_text() -> None:
    sale = SAMPLES["marketplace.SaleRecorded"]
    sales = [replace(sale, payload=sale.payload.model_copy(update={"sale_ref": uuid4()})) for _ in range(50)]
    got = await rows(*sales)
    assert list(got) == [market.SALES.sql] and len(got[market.SALES.sql]) == 50


def test_every_fact_names_columns_of_its_table() -> None:
    ddl = (Path(projections.__file__).parents[1] / "adapters" / "projection.sql").read_text()
    tables = {m["name"]: set(re.findall(r"(?:^|[(,])\s*(\w+)\s+(?:uuid|text|int|date|bigint|boolean|real|timestamptz)",
                                        m["body"]))
              for m in re.finditer(r"CREATE TABLE IF NOT EXISTS (?P<name>\w+) \((?P<body>.*?)\);", ddl, re.S)}
    assert len(tables) == 20 and len(FACTS) >= 20  # with merges
    for fact in FACTS:
        assert set(fact.columns) <= tables[fact.table], fact


def test_the_projections_import_nothing_above_them() -> None:
    package = Path(projections.__file__).parent
    for module in package.glob("*.py"):
        for node in ast.walk(ast.parse(module.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level >= 2:
                assert node.module in ("adapters", "domain") or (node.module or "").startswith(
                    ("adapters.", "domain.")), f"{module.name} imports ..{node.module}"
            if isinstance(node, ast.ImportFrom | ast.Import):
                names = [node.module or ""] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
                assert not any(n.startswith(("monitoring.entrypoints", "monitoring.service_layer", "fastapi"))
                               for n in names), module.name
