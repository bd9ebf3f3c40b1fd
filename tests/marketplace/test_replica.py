"""The replica of registered businesses: idempotent, unchanged by a replay of registry.events, and following the
merges of two records of one woman (and their undoing)."""

from uuid import uuid4

from marketplace.bootstrap import create_app

from tests.marketplace.conftest import Market
from tests.support.kafka import unique, wait_for

DUMP = "SELECT business_ref, owner_person_ref, sector, kecamatan_code, registered FROM businesses_replica ORDER BY 1"


async def test_replaying_the_registry_topic_leaves_the_replica_unchanged(market: Market) -> None:
    for _ in range(5):
        await market.known_business(sector="kerajinan")
    owner = uuid4()
    await market.known_business(owner=owner)
    from datetime import date

    from berdaya_contracts import registry_v1 as r
    await market.registry.publish(r.PersonalDataErased(person_ref=owner, erased_on=date(2026, 1, 5)))
    async with market.app.state.runtime.pool.acquire() as conn:
        before = [dict(x) for x in await conn.fetch(DUMP)]
        applied_before = await conn.fetchval("SELECT count(*) FROM inbox")

    replay = create_app(market.app.state.settings, group_id=unique("replay"))
    async with replay.state.runtime.lifespan():
        consumer = replay.state.runtime.consumer
        await wait_for(lambda: consumer.stats["duplicates"] >= applied_before + 1, timeout_s=60)
        assert consumer.stats["applied"] == 0
    async with market.app.state.runtime.pool.acquire() as conn:
        assert [dict(x) for x in await conn.fetch(DUMP)] == before
    assert any(row["owner_person_ref"] == owner for row in before), "erasure keeps the business and its owner ref"


async def test_a_merge_gives_her_businesses_to_the_survivor_and_an_undo_gives_them_back(market: Market) -> None:
    from datetime import date

    from berdaya_contracts import registry_v1 as r

    survivor, retired, merge = uuid4(), uuid4(), uuid4()
    business, _ = await market.known_business(owner=retired)

    async def owners() -> dict[object, object]:
        async with market.app.state.runtime.pool.acquire() as conn:
            rows = await conn.fetch("SELECT business_ref, owner_person_ref FROM businesses_replica"
                                    " WHERE recorded_owner_ref = $1", retired)
        return {row["business_ref"]: row["owner_person_ref"] for row in rows}

    await market.registry.publish(r.WomenMerged(merge_ref=merge, surviving_ref=survivor, retired_ref=retired,
                                                merged_on=date(2026, 11, 20)))
    await wait_for(lambda: _is(owners, {business: survivor}), timeout_s=30)
    body = {"business_ref": str(business), "channel": "digital", "amount_idr": 120000, "quantity": 3,
            "sold_on": "2026-11-21"}
    sale = await market.client.post("/sales", json=body, headers={"Idempotency-Key": f"sale-{uuid4()}"})
    assert sale.status_code == 201 and sale.json()["owner_person_ref"] == str(survivor)

    # A business registered under the retired ref that arrives after the merge is hers under the survivor too.
    late, _ = await market.known_business(owner=retired)
    assert await owners() == {business: survivor, late: survivor}

    await market.registry.publish(r.WomenUnmerged(merge_ref=merge, surviving_ref=survivor, retired_ref=retired,
                                                  unmerged_on=date(2026, 11, 22)))
    await wait_for(lambda: _is(owners, {business: retired, late: retired}), timeout_s=30)
    sale = await market.client.post("/sales", json=body, headers={"Idempotency-Key": f"sale-{uuid4()}"})
    assert sale.status_code == 201 and sale.json()["owner_person_ref"] == str(retired)


async def _is(read: object, expected: dict[object, object]) -> bool:
    return await read() == expected  # type: ignore[operator]
