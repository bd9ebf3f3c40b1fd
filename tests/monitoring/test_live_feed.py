"""The live feed past one instance: a feed that applied nothing itself (a second monitoring instance on the same
database) still follows every committed change and every release, and listens again after losing its connection.
And what it sends: after one whole message, only the cells that changed (read from the indicators the batch
rewrote), with rising SSE ids; a reconnecting client gets a whole message first; a burst ends in the right state."""

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from datetime import date
from typing import Any
from uuid import uuid4

import asyncpg
import httpx
import pytest_asyncio
from berdaya_contracts import new_envelope
from berdaya_contracts import registry_v1 as r
from httpx_sse import aconnect_sse
from monitoring.service_layer import live
from monitoring.service_layer.feed_delta import merge
from monitoring.service_layer.live import LiveFeed

from tests.monitoring.conftest import Monitoring
from tests.monitoring.scenario import program
from tests.support.auth import AllScopes
from tests.support.kafka import wait_for

EVENTS = program(seed=5, women=12)
MORE = program(seed=6, women=7)
BURST = [program(seed=7, women=6), program(seed=8, women=7)]


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
    start = await other.current(True)
    before = other.notified
    await monitoring.events.publish(EVENTS)
    # Applied by the service's consumer only; the other feed learns it from the commits' notifications.
    await wait_for(lambda: _follows(monitoring, other, True, registered=12), timeout_s=30, interval_s=0.2)
    assert other.notified > before
    assert not queue.empty(), "the other instance's subscribers were pushed the new figures"
    assert same(fold(start, queue), await headline(monitoring))
    other.unsubscribe(queue)


def fold(start: tuple[int, str], queue: asyncio.Queue[live.Item]) -> dict[str, Any]:
    """The whole message ``start`` (its id and JSON, as ``current`` answers) with every later queued message folded
    in, as a client does: a whole one replaces it, a change is merged into it."""
    sent, message = start[0], json.loads(start[1])
    while not queue.empty():
        seq, event, data = queue.get_nowait()
        if seq <= sent:
            continue  # already in the message
        sent, body = seq, json.loads(data)
        message = body if event == "headline" else merge(message, body)
    return message


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


def capital(recipient: Any, amount: int) -> Any:
    return new_envelope(r.CapitalDisbursed(disbursement_ref=uuid4(), recipient_type="woman", recipient_ref=recipient,
                                           source="dp3a_grant", amount_idr=amount, disbursed_on=date(2026, 4, 2)))


async def test_a_change_to_one_indicator_sends_only_that_indicator(monitoring: Monitoring, other: LiveFeed) -> None:
    """Capital to a woman moves one headline figure: the other instance's feed re-reads only the indicators the
    batch rewrote (no whole headline) and sends a change naming that figure alone, equal to /api/headline."""
    await wait_for(lambda: _follows(monitoring, other, True), timeout_s=30, interval_s=0.2)
    queue = other.subscribe(internal=True)
    reads = dict(other.reads)
    was = (await headline(monitoring))["figures"]["capital_disbursed_idr"]["value"]
    woman = EVENTS[2].payload["person_ref"]  # the first woman registered in EVENTS
    await monitoring.events.publish([capital(woman, 2_500_000)])
    await wait_for(lambda: _true(not queue.empty()), timeout_s=30, interval_s=0.1)
    _, event, data = queue.get_nowait()
    change = json.loads(data)
    assert event == "change"
    assert change == {"figures": {"capital_disbursed_idr": {"value": was + 2_500_000, "suppressed": False}}}
    assert change["figures"]["capital_disbursed_idr"] == (await headline(monitoring))["figures"]["capital_disbursed_idr"]
    assert other.reads["whole"] == reads["whole"] and other.reads["part"] > reads["part"]
    other.unsubscribe(queue)


async def events(client: httpx.AsyncClient, headers: dict[str, str] | None = None) -> AsyncIterator[tuple[int, str,
                                                                                                         Any]]:
    """The SSE messages of ``/api/stream``: (id, event, data decoded)."""
    async with aconnect_sse(client, "GET", "/api/stream", headers=headers or {}) as source:
        assert source.response.status_code == 200, source.response.status_code
        async for sse in source.aiter_sse():
            if not sse.data:  # a keep-alive comment (the client repeats the last id on it)
                continue
            yield int(sse.id), sse.event, sse.json()


async def first_message(client: httpx.AsyncClient, headers: dict[str, str] | None = None) -> tuple[int, str, Any]:
    """The first SSE message of a new connection to ``/api/stream``, then the connection closed."""
    stream = events(client, headers)
    try:
        return await anext(stream)
    finally:
        await stream.aclose()


async def test_a_reconnecting_client_gets_a_whole_message_with_what_it_missed(monitoring: Monitoring,
                                                                              base_url: str) -> None:
    await wait_for(lambda: _follows(monitoring, monitoring.app.state.feed, True), timeout_s=30, interval_s=0.2)
    async with httpx.AsyncClient(base_url=base_url, auth=AllScopes(), timeout=30) as client:
        first_id, event, first = await first_message(client)
        assert event == "headline" and same(first, await headline(monitoring))
        woman = EVENTS[4].payload["person_ref"]
        await monitoring.events.publish([capital(woman, 1_000_000)])  # while the client is away
        more = first["figures"]["capital_disbursed_idr"]["value"] + 1_000_000

        async def moved() -> bool:
            return (await headline(monitoring))["figures"]["capital_disbursed_idr"]["value"] == more

        await wait_for(moved, timeout_s=30, interval_s=0.2)
        await wait_for(lambda: _follows(monitoring, monitoring.app.state.feed, True), timeout_s=30, interval_s=0.2)
        want = await headline(monitoring)
        again_id, event, message = await first_message(client, {"Last-Event-ID": str(first_id)})
        assert event == "headline", "a reconnection starts from a whole message"
        assert again_id > first_id and same(message, want)


async def test_two_changes_in_a_burst_end_in_the_right_state(monitoring: Monitoring, base_url: str) -> None:
    """Two batches published back to back while a client listens: every message after the first is a change, ids
    rise, and the changes folded into the first message give /api/headline."""
    async with httpx.AsyncClient(base_url=base_url, auth=AllScopes(), timeout=60) as client:
        seen: list[tuple[int, str]] = []
        state: dict[str, Any] = {}
        want = int((await headline(monitoring))["figures"]["women_registered"]["value"]) + 13

        async def listen() -> None:
            nonlocal state
            async for seq, event, body in events(client):
                seen.append((seq, event))
                state = body if event == "headline" else merge(state, body)

        async def caught_up() -> bool:
            return bool(state) and same(state, await headline(monitoring))

        task = asyncio.create_task(listen())
        try:
            await wait_for(lambda: _true(bool(seen)), timeout_s=10, interval_s=0.05)
            for batch in BURST:
                await monitoring.events.publish(batch)
            await wait_for(lambda: _follows(monitoring, monitoring.app.state.feed, True, registered=want),
                           timeout_s=30, interval_s=0.2)
            await wait_for(caught_up, timeout_s=10, interval_s=0.1)
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        assert state["figures"]["women_registered"]["value"] == want
        assert len(seen) >= 2 and [e for _, e in seen] == ["headline"] + ["change"] * (len(seen) - 1)
        assert [s for s, _ in seen] == sorted({s for s, _ in seen}), "ids rise"
