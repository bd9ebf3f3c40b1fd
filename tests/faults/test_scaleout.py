"""Monitoring past one machine: two monitoring instances in one consumer group over the three-broker cluster (Kafka
shares the topics' partitions between them, no coordination of ours), the load running through the services, one
instance killed with SIGKILL mid-load and restarted.

Then: nothing lost and nothing applied twice (the ledger), both instances answer the same exact figures (every
indicator, regency and per kecamatan) and a single instance's replay of the same events (the rebuild: a fresh group
from the earliest offset) gives them again; an internal live-feed client on each instance saw the changes (its last
message equals the final figures, whichever instance applied them); a release made on one instance reaches the
other's public stream, and publishes each ``IndicatorChanged`` once on ``monitoring.indicators``, not once per
instance.
"""

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import AsyncIterator, Callable
from typing import Any

import asyncpg
import httpx
import pytest_asyncio
from berdaya_contracts.topics import MONITORING_INDICATORS, physical
from httpx_sse import ServerSentEvent, aconnect_sse
from monitoring.service_layer.feed_delta import merge

from tests.faults.infra import KafkaCluster
from tests.faults.stage import ARTIFACTS, Stage, staged
from tests.support.kafka import read_all, wait_for
from tests.support.platform import REPO, free_port

SECOND_ID = "faults-b@127.0.0.1"  # static membership: each instance of the group has an id of its own


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def stage(database_server_url: str) -> AsyncIterator[Stage]:
    kafka = KafkaCluster(3)
    try:
        await kafka.start()
        async with staged(kafka, None, database_server_url, name="scaleout", seed=505) as stage:
            yield stage
    finally:
        kafka.stop()


class Second:
    """A second monitoring process: same database, same consumer group, its own port and group instance id."""

    def __init__(self, stage: Stage) -> None:
        self.stage = stage
        self.url = f"http://127.0.0.1:{free_port()}"
        self.log = ARTIFACTS / "scaleout" / "monitoring-b.log"
        self.log.write_bytes(b"")
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        platform = self.stage.platform
        env = {**os.environ, "MONITORING_DATABASE_URL": platform.databases["monitoring"],
               "MONITORING_PORT": self.url.rsplit(":", 1)[1], "MONITORING_HOST": "127.0.0.1",
               "KAFKA_BOOTSTRAP_SERVERS": self.stage.kafka.bootstrap, **platform.kafka_env.get("monitoring", {}),
               "TOPIC_NAMESPACE": platform.namespace, **self.stage.env, "CONSUMER_GROUP_INSTANCE_ID": SECOND_ID}
        self.proc = subprocess.Popen([sys.executable, "-m", "monitoring"], cwd=REPO, env=env,
                                     stdout=self.log.open("ab"), stderr=subprocess.STDOUT, start_new_session=True)

    async def ready(self, timeout_s: float = 90) -> None:
        async def answers() -> bool:
            assert self.proc is not None and self.proc.poll() is None, self.log.read_text()[-3000:]
            with contextlib.suppress(httpx.HTTPError):
                async with httpx.AsyncClient(timeout=3) as client:
                    return (await client.get(self.url + "/ready")).status_code == 200
            return False

        await wait_for(answers, timeout_s=timeout_s, interval_s=0.3)

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()


class FeedClient:
    """An SSE client of ``/api/stream`` that reconnects (as a browser's EventSource does, sending the last
    ``Last-Event-ID``) when its instance dies. ``messages``: the figures it holds after each message, a whole one
    (``headline``) or a change folded into the one before (``feed_delta.merge``)."""

    def __init__(self, url: str, headers: Callable[[], dict[str, str]]) -> None:
        self.url, self.headers = url, headers
        self.messages: list[dict[str, Any]] = []
        self.events: list[str] = []  # the event of each message
        self.connects = 0
        self.last_id: str | None = None
        self.fresh = True  # no whole message yet on this connection
        self.errors: list[str] = []  # what broke the stream's promises (a change first, ids not rising)

    async def run(self) -> None:
        while True:
            with contextlib.suppress(httpx.HTTPError, OSError):
                resume = {"Last-Event-ID": self.last_id} if self.last_id else {}
                async with httpx.AsyncClient(timeout=httpx.Timeout(10, read=30)) as client, \
                        aconnect_sse(client, "GET", self.url + "/api/stream", headers=self.headers() | resume) as source:
                    assert source.response.status_code == 200, source.response.status_code
                    self.connects += 1
                    self.fresh = True
                    async for sse in source.aiter_sse():
                        if sse.data:  # not a keep-alive comment
                            self.received(sse)
            await asyncio.sleep(0.5)

    def received(self, sse: ServerSentEvent) -> None:
        event, body = sse.event, sse.json()
        if event == "change":
            if self.fresh:
                self.errors.append(f"a change before a whole message on connection {self.connects}")
                return
            body = merge(self.messages[-1], body)
        if self.last_id is not None and int(sse.id) <= int(self.last_id) and not self.fresh:
            self.errors.append(f"id {sse.id} after {self.last_id}")
        self.fresh = False
        self.last_id = sse.id
        self.events.append(event)
        self.messages.append(body)


def same(message: dict[str, Any], answer: dict[str, Any]) -> bool:
    """A feed message carries ``GET /api/headline``'s figures, funnel and release (the public funnel's model adds
    ``cohort: null``)."""
    steps = [{k: v for k, v in s.items() if v is not None or k != "cohort"} for s in answer["funnel"]]
    return (message["figures"] == answer["figures"] and message["funnel"] == steps
            and message.get("release_id") == answer["release_id"])


async def applied(url: str) -> float:
    """Events this instance's consumer applied since it started (its /metrics)."""
    async with httpx.AsyncClient(timeout=10) as client:
        text = (await client.get(url + "/metrics")).text
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
               if line.startswith("berdaya_consumer_events_total{") and 'outcome="applied"' in line)


async def test_two_instances_one_killed_mid_load_figures_feeds_and_releases(stage: Stage) -> None:
    a = stage.platform.endpoints.monitoring
    b = Second(stage)
    b.start()
    await b.ready()
    internal, admin = (lambda: stage.headers["dp3a_evaluation"]), stage.headers["monitoring_admin"]
    feeds = {"a": FeedClient(a, internal), "b": FeedClient(b.url, internal), "b-public": FeedClient(b.url, dict)}
    tasks = [asyncio.create_task(f.run()) for f in feeds.values()]
    before_kill: dict[str, float] = {}

    async def fault() -> None:
        # Both instances took a share of the partitions and applied events; then one dies mid-load.
        await wait_for(lambda: _both_applied(a, b.url), timeout_s=60, interval_s=1)
        before_kill.update({"a": await applied(a), "b": await applied(b.url)})
        b.kill()
        await asyncio.sleep(12)  # past the session timeout (6 s): the survivor takes the dead one's partitions
        b.start()
        await b.ready()

    try:
        row = await stage.run("2 monitoring instances, kill -9 one mid-load, restart", fault, warmup_s=3, tail_s=8)
        print(f"applied before the kill: {before_kill}")
        assert row.lost == 0 and row.applied_twice == 0

        async with httpx.AsyncClient(timeout=60, headers=internal()) as client:
            async def figures(url: str) -> dict[str, Any]:
                out = {}
                for group_by in (None, "kecamatan"):
                    resp = await client.get(url + "/api/indicators", params={"group_by": group_by} if group_by else {})
                    assert resp.status_code == 200, resp.text
                    out[group_by or "kukar"] = resp.json()["indicators"]
                return out

            final = await figures(a)
            assert final == await figures(b.url), "both instances answer the same exact figures"
            assert len(final["kecamatan"]) >= 31 and any(c["value"] for i in final["kecamatan"] for c in i["cells"])
            headline = (await client.get(a + "/api/headline")).json()

            # Each internal feed client's last message equals the final figures, whichever instance applied them.
            async def followed() -> bool:
                return all(f.messages and same(f.messages[-1], headline) for k, f in feeds.items() if k != "b-public")

            await wait_for(followed, timeout_s=30, interval_s=0.5)
            assert feeds["b"].connects >= 2, "b's client reconnected after the kill"
            assert all(not f.errors for f in feeds.values()), {k: f.errors for k, f in feeds.items()}
            assert all("change" in feeds[k].events for k in ("a", "b")), "the changes came as changes"

            # A single instance's projection of the same events: the replay (fresh group, earliest offset) gives
            # the same figures, every indicator, regency and per kecamatan.
            started = await client.post(b.url + "/api/admin/rebuild", headers=admin)
            assert started.status_code == 202, started.text

            async def rebuilt() -> bool:
                state = (await client.get(b.url + "/api/admin/rebuild", headers=admin)).json()
                assert state["state"] != "failed", state
                return state["state"] == "done"

            await wait_for(rebuilt, timeout_s=240, interval_s=0.5)
            assert await figures(a) == final

            # A release on one instance: the other's public stream shows it; the second ask finds nothing due.
            made = await client.post(a + "/api/admin/releases", headers=admin)
            assert made.status_code == 200 and made.json()["release_id"] is not None, made.text
            again = await client.post(b.url + "/api/admin/releases", headers=admin)
            assert again.status_code == 200 and again.json()["release_id"] is None, again.text
            public = (await httpx.AsyncClient(timeout=30).get(b.url + "/api/headline")).json()
            assert public["release_id"] == made.json()["release_id"]
            await wait_for(lambda: _last_is(feeds["b-public"], public), timeout_s=15, interval_s=0.3)

        # Each IndicatorChanged once on monitoring.indicators: as many messages as the release staged, no cell twice.
        staged_rows = await _outbox_count(stage.platform.databases["monitoring"], MONITORING_INDICATORS)
        topic = physical(MONITORING_INDICATORS, stage.platform.namespace)

        async def published() -> list[dict[str, Any]] | None:
            records = await read_all(stage.kafka.bootstrap, topic, idle_s=0.5)
            return [json.loads(r.value)["payload"] for r in records] if len(records) >= staged_rows else None

        messages = await wait_for(published, timeout_s=60, interval_s=1)
        cells = Counter((m["indicator"], m["kecamatan_code"], m["period"]) for m in messages)
        assert staged_rows > 0 and len(messages) == staged_rows, (len(messages), staged_rows)
        assert max(cells.values()) == 1, cells.most_common(3)
        print(f"release {made.json()['release_id']}: {len(messages)} IndicatorChanged, each cell once")
    finally:
        for task in tasks:
            task.cancel()
        outcomes = await asyncio.gather(*tasks, return_exceptions=True)
        b.stop()  # before a client's own failure is raised: the second instance never outlives the test
        failed = [o for o in outcomes if isinstance(o, Exception)]  # not the cancellations
        if failed:
            raise failed[0]


async def _both_applied(a: str, b: str) -> bool:
    return await applied(a) > 0 and await applied(b) > 0


async def _last_is(feed: FeedClient, answer: dict[str, Any]) -> bool:
    return bool(feed.messages) and same(feed.messages[-1], answer)


async def _outbox_count(url: str, topic: str) -> int:
    conn = await asyncpg.connect(url)
    try:
        return await conn.fetchval("SELECT count(*) FROM outbox WHERE topic = $1", topic)
    finally:
        await conn.close()
