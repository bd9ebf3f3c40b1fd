"""The replica of registered women: idempotent, order-tolerant, unchanged by a replay of registry.events."""

from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import uuid4

from berdaya_contracts import new_envelope
from berdaya_contracts import registry_v1 as r
from berdaya_contracts.topics import REGISTRY_EVENTS, physical
from berdaya_shared.runtime import ServiceRuntime
from berdaya_shared.service import service_migrations
from training.bootstrap import SPEC
from training.entrypoints import consumer

from tests.support.kafka import read_all, unique, wait_for
from tests.training.conftest import Training

COLUMNS = "person_ref, registered, kecamatan_code, age_band, pekka_category, erased, erased_on"


async def replica(t: Training) -> list[dict[str, Any]]:
    async with t.app.state.runtime.pool.acquire() as conn:
        return [dict(row) for row in await conn.fetch(f"SELECT {COLUMNS} FROM women_replica ORDER BY person_ref")]


async def row(t: Training, person_ref: object) -> dict[str, Any] | None:
    async with t.app.state.runtime.pool.acquire() as conn:
        found = await conn.fetchrow(f"SELECT {COLUMNS} FROM women_replica WHERE person_ref = $1", person_ref)
    return dict(found) if found else None


async def until(t: Training, person_ref: object, **expected: Any) -> dict[str, Any]:
    async def check() -> dict[str, Any] | None:
        found = await row(t, person_ref)
        return found if found and all(found[k] == v for k, v in expected.items()) else None

    return await wait_for(check, timeout_s=30)


async def populate(t: Training) -> dict[str, Any]:
    """Registrations, a correction, an erasure and one erasure that overtook its registration."""
    plain = await t.registry.register(kecamatan_code="64.02.01", age_band="18-24", pekka_category="none")
    corrected = await t.registry.register(kecamatan_code="64.02.02", age_band="35-44")
    await t.registry.publish(r.WomanProfileCorrected(
        person_ref=corrected, kecamatan_code="64.02.09", age_band="45-54", pekka_category="elderly",
        household_size=2, corrected_on=date(2025, 3, 1),
    ))
    erased = await t.registry.register(kecamatan_code="64.02.03")
    await t.registry.publish(r.PersonalDataErased(person_ref=erased, erased_on=date(2025, 4, 1)))
    # Out of order: the erasure first, then the (older) registration.
    overtaken = uuid4()
    now = datetime.now(UTC)
    await t.registry.publish(r.PersonalDataErased(person_ref=overtaken, erased_on=date(2025, 4, 2)), occurred_at=now)
    await t.registry.register(person_ref=overtaken, kecamatan_code="64.02.04")
    await until(t, plain, registered=True)
    await until(t, corrected, kecamatan_code="64.02.09")
    await until(t, erased, erased=True)
    await until(t, overtaken, registered=True, erased=True)
    return {"plain": plain, "corrected": corrected, "erased": erased, "overtaken": overtaken}


async def replay(t: Training, *, name: str) -> ServiceRuntime:
    """Run the replica consumer again from the earliest offset under a NEW group over the same database,
    until it has seen every record the namespaced registry topic holds now."""
    held = len(await read_all(t.bootstrap, physical(REGISTRY_EVENTS, t.namespace), idle_s=0.3))
    runtime = ServiceRuntime(
        name=name, database_url=t.database_url, migrations=service_migrations(SPEC), settings=t.settings.messaging,
        consume_topics=[REGISTRY_EVENTS], apply=consumer.apply, group_id=unique("replay"), run_relay=False,
    )
    async with runtime.lifespan():
        assert runtime.consumer is not None
        stats = runtime.consumer.stats
        await wait_for(lambda: stats["applied"] + stats["duplicates"] + stats["dead_lettered"] >= held,
                       timeout_s=45)
    return runtime


async def test_profile_corrections_erasure_and_out_of_order_events_shape_the_replica(training: Training) -> None:
    refs = await populate(training)
    assert await row(training, refs["plain"]) == {
        "person_ref": refs["plain"], "registered": True, "kecamatan_code": "64.02.01", "age_band": "18-24",
        "pekka_category": "none", "erased": False, "erased_on": None,
    }
    corrected = await row(training, refs["corrected"])
    assert corrected is not None
    assert (corrected["kecamatan_code"], corrected["age_band"], corrected["pekka_category"]) == (
        "64.02.09", "45-54", "elderly")
    erased = await row(training, refs["erased"])
    assert erased is not None and erased["erased"] and erased["registered"]  # the ref stays, counts remain
    assert erased["kecamatan_code"] == "64.02.03"


async def test_an_older_profile_arriving_late_does_not_undo_a_correction(training: Training) -> None:
    person = uuid4()
    later = datetime.now(UTC)
    await training.registry.publish(r.WomanProfileCorrected(
        person_ref=person, kecamatan_code="64.02.15", age_band="25-34", pekka_category="productive",
        household_size=3, corrected_on=date(2025, 5, 1),
    ), occurred_at=later)
    await until(training, person, kecamatan_code="64.02.15")
    late = new_envelope(r.WomanRegistered(
        person_ref=person, kecamatan_code="64.02.05", age_band="25-34", pekka_category="none", household_size=3,
        registered_by_opd="dp3a", registered_on=date(2025, 1, 2),
    ), occurred_at=later - timedelta(days=30))
    await training.registry.raw(late.to_bytes(), key=late.aggregate_id)

    async def applied() -> bool:
        async with training.app.state.runtime.pool.acquire() as conn:
            return bool(await conn.fetchval(
                "SELECT count(*) FROM inbox WHERE consumer = $1 AND event_id = $2", SPEC.name, late.event_id))

    await wait_for(applied)
    assert (await row(training, person))["kecamatan_code"] == "64.02.15"  # type: ignore[index]


async def test_replaying_the_registry_topic_from_the_start_leaves_the_replica_unchanged(training: Training) -> None:
    await populate(training)
    before = await replica(training)
    assert len(before) >= 4

    # Same consumer name, new group from earliest: the inbox recognises every event.
    again = await replay(training, name=SPEC.name)
    assert again.consumer is not None and again.consumer.stats["applied"] == 0
    assert await replica(training) == before

    # A new consumer name has an empty inbox: every event is applied a second time, and the handlers
    # being idempotent and order-tolerant, the replica is still the same.
    fresh = await replay(training, name=unique("training-rebuild"))
    assert fresh.consumer is not None and fresh.consumer.stats["applied"] >= len(before)
    assert await replica(training) == before


async def test_a_poison_message_is_dead_lettered_and_the_replica_keeps_going(training: Training) -> None:
    poison_key = str(uuid4())
    await training.registry.raw(b"{bukan json", key=poison_key)
    person = await training.registry.register()
    await until(training, person, registered=True)
    dead = await wait_for(lambda: _dead_letters(training, poison_key))
    assert dead[0].value == b"{bukan json"
    assert dict(dead[0].headers)["dlq-error"] == b"invalid_json"


async def _dead_letters(t: Training, key: str) -> list[Any]:
    topic = physical("dlq.training", t.namespace)
    return [rec for rec in await read_all(t.bootstrap, topic, idle_s=0.2) if rec.key == key.encode()]
