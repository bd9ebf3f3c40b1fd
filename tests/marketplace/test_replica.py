"""The replica of registered businesses: idempotent, and unchanged by a replay of registry.events."""

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
