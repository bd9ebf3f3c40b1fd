"""Merged registry records in training, against the real broker and database: her enrolments and placements follow
the surviving ref, she holds one seat per course, events about an old enrolment keep naming the ref it was made
under, and an undone merge gives everything back — whatever order the merge events arrive in."""

from datetime import date
from uuid import UUID, uuid4

from berdaya_contracts import registry_v1 as r

from tests.support.kafka import wait_for
from tests.training.conftest import Training
from tests.training.flows import attend, enrol_when_arrived, schedule
from tests.training.helpers import training_events


async def merge(t: Training, surviving: UUID, retired: UUID) -> UUID:
    ref = uuid4()
    await t.registry.publish(r.WomenMerged(merge_ref=ref, surviving_ref=surviving, retired_ref=retired,
                                           merged_on=date(2026, 11, 20)))
    return ref


async def counted_as(t: Training, ref: UUID, woman: UUID) -> None:
    """Wait until the service resolves ``ref`` to ``woman`` (the merge event applied)."""
    async def check() -> bool:
        async with t.app.state.runtime.pool.acquire() as conn:
            from training.adapters.merges import canonical
            return await canonical(conn, ref) == woman

    await wait_for(check, timeout_s=30)


async def enrolments(t: Training, course: str) -> list[dict]:
    answer = await t.client.get(f"/courses/{course}/enrolments")
    assert answer.status_code == 200, answer.text
    return answer.json()["items"]


async def test_her_enrolments_follow_the_survivor_and_overlapping_ones_hold_one_seat(training: Training) -> None:
    t, client = training, training.client
    old, new = await t.registry.register(), await t.registry.register()
    finished = (await schedule(client, sessions=1))["course_ref"]
    both = (await schedule(client, sessions=2))["course_ref"]
    await enrol_when_arrived(client, finished, old)
    assert (await attend(client, finished, 1, {old: True})).status_code == 200
    done = await client.post(f"/courses/{finished}/completions", json={"person_ref": str(old),
                                                                       "completed_on": "2025-03-14"})
    assert done.status_code == 201, done.text
    await enrol_when_arrived(client, both, old, enrolled_on="2025-03-03")
    await enrol_when_arrived(client, both, new, enrolled_on="2025-03-04")
    placed = await client.post("/placements", json={"person_ref": str(old), "course_ref": finished,
                                                    "sector": "kuliner", "formal": True,
                                                    "monthly_wage_idr": 3_500_000, "placed_on": "2025-05-01"})
    assert placed.status_code == 201, placed.text
    assert (await client.get(f"/courses/{both}")).json()["enrolled"] == 2

    merge_ref = await merge(t, new, old)
    await counted_as(t, old, new)

    # one seat in the course both records were enrolled in: the earlier enrolment counts, under the survivor
    [counting] = await enrolments(t, both)
    assert counting["person_ref"] == str(new) and counting["enrolled_on"] == "2025-03-03"
    assert (await client.get(f"/courses/{both}")).json()["enrolled"] == 1
    # her completed course and her placement are hers under either ref
    for ref in (old, new):
        shown = (await client.get(f"/courses/{finished}/enrolments/{ref}")).json()
        assert shown["person_ref"] == str(new) and shown["status"] == "completed"
    assert [p["person_ref"] for p in (await client.get("/placements", params={"person_ref": str(old)})).json()[
        "items"]] == [str(new)]
    again = await client.post(f"/courses/{finished}/enrolments", json={"person_ref": str(new),
                                                                       "enrolled_on": "2025-03-03"})
    assert again.status_code == 409  # she is already in it, under her other record
    # a sheet still naming the old ref marks the survivor; the event names the ref the enrolment was made under
    assert (await attend(client, both, 1, {old: True})).status_code == 200
    assert (await attend(client, both, 2, {new: True})).status_code == 200
    completed = await client.post(f"/courses/{both}/completions", json={"person_ref": str(new),
                                                                         "completed_on": "2025-03-14"})
    assert completed.status_code == 201, completed.text
    assert completed.json()["sessions_present"] == 2 and completed.json()["certified"] is True

    async def completion_event() -> dict | None:
        found = [e for e in await training_events(t.bootstrap, t.namespace)
                 if e["event_type"] == "training.TrainingCompleted" and e["payload"]["course_ref"] == both]
        return found[0] if found else None

    assert (await wait_for(completion_event, timeout_s=30))["payload"]["person_ref"] == str(old)

    # undone: each record has its own enrolment again; what happened to the counting one stays on it
    await t.registry.publish(r.WomenUnmerged(merge_ref=merge_ref, surviving_ref=new, retired_ref=old,
                                             unmerged_on=date(2026, 11, 21)))
    await counted_as(t, old, old)
    rows = {e["person_ref"]: e["status"] for e in await enrolments(t, both)}
    assert rows == {str(old): "completed", str(new): "enrolled"}
    assert (await client.get(f"/courses/{finished}/enrolments/{new}")).status_code == 404
    assert [p["person_ref"] for p in (await client.get("/placements", params={"person_ref": str(old)})).json()[
        "items"]] == [str(old)]


async def test_a_chain_of_merges_applied_in_either_order_ends_at_its_last_survivor(training: Training) -> None:
    t, client = training, training.client
    a, b, c = [await t.registry.register() for _ in range(3)]
    course = (await schedule(client))["course_ref"]
    await enrol_when_arrived(client, course, a)
    # B into C first, then A into B: on different partitions they may arrive in this order
    await merge(t, c, b)
    await merge(t, b, a)
    await counted_as(t, a, c)
    assert [e["person_ref"] for e in await enrolments(t, course)] == [str(c)]
    refused = await client.post(f"/courses/{course}/enrolments", json={"person_ref": str(b),
                                                                       "enrolled_on": "2025-03-03"})
    assert refused.status_code == 409
