"""The live feed past one instance: a feed that applied nothing itself (a second monitoring instance on the same
database) still follows every committed change and every release, and listens again after losing its connection."""

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest_asyncio
from monitoring.service_layer import live
from monitoring.service_layer.live import LiveFeed

from tests.monitoring.conftest import Monitoring
from tests.monitoring.scenario import program
from tests.support.kafka import wait_for

EVENTS = program(seed=5, women=12)
MORE = program(seed=6, women=7)


@pytest_asyncio.fixture(loop_scope="session")
async def other(monitoring: Monitoring) -> AsyncIterator[LiveFeed]:
    """Another instance's feed: its own pool and LISTEN connection on the same database, no consumer of its own."""
    pool = await asyncpg.create_pool(monitoring.settings.database_url, min_size=1, max_size=3)
    feed = LiveFeed(lambda: pool, throttle_s=30.0)  # longer than every wait below: only notifications wake it
    tasks = [asyncio.create_task(feed.run()), asyncio.create_task(feed.listen(monitoring.settings.database_url,
                                                                              retry_s=0.2))]
    try:
        await wait_for(lambda: _true(feed.listening), timeout_s=10)
        yield feed
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await pool.close()


async def _true(value: bool) -> bool:
    return value


async def headline(m: Monitoring, internal: bool = True) -> dict[str, Any]:
    resp = await (m.client if internal else m.public).get("/api/headline")
    assert resp.status_code == 200, resp.text
    return resp.json()


async def _follows(m: Monitoring, feed: LiveFeed, internal: bool, registered: int | None = None) -> bool:
    message = feed.last[internal]
    if message is None:
        return False
    want = await headline(m, internal)
    if registered is not None and want["figures"]["women_registered"]["value"] != registered:
        return False
    return same(json.loads(message), want)


def same(message: dict[str, Any], answer: dict[str, Any]) -> bool:
    """The feed's message carries the figures and funnel of ``GET /api/headline`` (whose model adds the release's
    period and id to the internal face, and ``cohort: null`` to the public funnel), and the release it shows."""
    steps = [{k: v for k, v in step.items() if v is not None or k != "cohort"} for step in answer["funnel"]]
    return (message["figures"] == answer["figures"] and message["funnel"] == steps
            and message.get("release_id") == answer["release_id"])


async def test_a_feed_that_applied_nothing_follows_every_commit(monitoring: Monitoring, other: LiveFeed) -> None:
    queue = other.subscribe(internal=True)
    before = other.notified
    await monitoring.events.publish(EVENTS)
    # Applied by the service's consumer only; the other feed learns it from the commits' notifications.
    await wait_for(lambda: _follows(monitoring, other, True, registered=12), timeout_s=30, interval_s=0.2)
    assert other.notified > before
    assert not queue.empty(), "the other instance's subscribers were pushed the new figures"
    while not queue.empty():
        last = queue.get_nowait()
    assert same(json.loads(last), await headline(monitoring))
    other.unsubscribe(queue)


async def test_a_rolled_back_change_wakes_no_feed(monitoring: Monitoring, other: LiveFeed) -> None:
    conn = await asyncpg.connect(monitoring.settings.database_url)
    try:
        before = other.notified
        tr = conn.transaction()
        await tr.start()
        await live.notify(conn, live.APPLIED)
        await tr.rollback()
        await asyncio.sleep(1.0)
        assert other.notified == before
        async with conn.transaction():
            await live.notify(conn, live.APPLIED)
        await wait_for(lambda: _true(other.notified > before), timeout_s=5, interval_s=0.1)
    finally:
        await conn.close()


async def test_a_release_made_elsewhere_reaches_this_public_stream(monitoring: Monitoring, other: LiveFeed) -> None:
    await wait_for(lambda: _follows(monitoring, other, True, registered=12), timeout_s=30, interval_s=0.2)
    await other.current(False)
    before = other.last[False]
    resp = await monitoring.client.post("/api/admin/releases")
    assert resp.status_code == 200, resp.text
    assert resp.json()["release_id"] is not None
    await wait_for(lambda: _follows(monitoring, other, False), timeout_s=10, interval_s=0.1)
    assert other.last[False] != before, "the release changed the public figures"


async def test_the_listener_comes_back_after_its_connection_is_killed(monitoring: Monitoring,
                                                                      other: LiveFeed) -> None:
    connects = other.connects
    conn = await asyncpg.connect(monitoring.settings.database_url)
    try:  # every instance's listener (the service's and the other's), as a database restart would
        killed = await conn.fetchval("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                     "WHERE datname = current_database() AND application_name = $1", live.LISTENER)
        assert killed == 2
    finally:
        await conn.close()
    await wait_for(lambda: _true(other.connects == connects + 1 and other.listening), timeout_s=10, interval_s=0.05)
    await monitoring.events.publish(MORE)
    await wait_for(lambda: _follows(monitoring, other, True, registered=19), timeout_s=30, interval_s=0.2)
