"""One service's process wiring: database pool and migrations, the Kafka broker, the outbox relay and
the inbox consumer, started and stopped together from the FastAPI lifespan.

HTTP commands need only PostgreSQL (their events go to the outbox), so the start returns, and the service answers,
as soon as the database is migrated and the producer has connected. The consumer joins its group in the background:
after a crash that can take until the group coordinator gives up the dead member (the session timeout), and no
command should wait for it. ``/ready`` reports the parts separately.

Every Berdaya service builds one ``ServiceRuntime`` in its ``bootstrap.py``; nothing here knows any
service's domain.
"""

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import asyncpg
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from berdaya_contracts.topics import physical
from faststream.kafka import KafkaBroker

from . import migrate
from .messaging import idempotency
from .messaging.consumer import ApplyBatch, InboxConsumer, subscribe
from .messaging.relay import OutboxRelay
from .messaging.settings import MessagingSettings, broker_security, kafka_client_kwargs
from .observability import logs
from .observability.metrics import ServiceMetrics

log = logging.getLogger(__name__)
POOL_CLOSE_TIMEOUT_S = 10.0
# A background task cancelled at stop and still running after this long swallowed its cancellation (on Python 3.11
# ``asyncio.wait_for`` can, when the awaited call completes in the same step): it is logged and left behind rather
# than keeping the service from stopping.
TASK_STOP_TIMEOUT_S = 10.0
JOIN_RETRY_MAX_S = 10.0  # between attempts to join the consumer group while Kafka is unreachable
PURGE_EVERY_S = 6 * 3600.0  # stored Idempotency-Key answers older than idempotency.RETENTION are deleted this often


def make_broker(settings: MessagingSettings, *, client_id: str) -> KafkaBroker:
    """The service's broker: idempotent producer (acks=all), no topic auto-creation, connected as the configured
    principal through FastStream's own security object (``broker_security``)."""
    return KafkaBroker(
        settings.bootstrap_list(),
        security=broker_security(settings),
        client_id=client_id,
        enable_idempotence=True,
        linger_ms=5,
        allow_auto_create_topics=False,
        logger=logging.getLogger(f"berdaya.{client_id}.kafka"),
        log_level=logging.DEBUG,  # FastStream's "Received"/"Processed" per batch: the metrics count batches
    )


async def keep_session(_conn: asyncpg.Connection) -> None:
    """Pool release without asyncpg's reset query (one round trip less per request). A pooled connection carries
    no session state here: settings are SET LOCAL, advisory locks are transaction-level and LISTEN has a
    connection of its own. asyncpg still rolls back an open transaction and drops listeners on release."""


@dataclass
class ServiceRuntime:
    name: str
    database_url: str
    migrations: Sequence[migrate.Migration]
    settings: MessagingSettings = field(default_factory=MessagingSettings)
    consume_topics: Sequence[str] = ()
    apply: ApplyBatch | None = None
    pool_size: int = 10
    run_relay: bool = True
    group_id: str | None = None  # defaults to the service name; tests use their own groups
    migrate_on_start: bool = True
    # Setup that is not a versioned migration (monitoring's rebuildable projection schema), run after migrating.
    prepare: Callable[[asyncpg.Connection], Awaitable[None]] | None = None
    started_at: float = field(default_factory=time.monotonic)

    def __post_init__(self) -> None:
        self.broker = make_broker(self.settings, client_id=self.name)
        self.metrics = ServiceMetrics(self.name)  # exposed at /metrics (berdaya_shared.observability)
        self.pool: asyncpg.Pool | None = None
        self.relay: OutboxRelay | None = None
        self.consumer: InboxConsumer | None = None
        self._tasks: list[asyncio.Task[Any]] = []
        self.consumer_state = "none"  # none | joining | running (| lagging, from health())
        self.start_s: float | None = None  # how long start() took: what a restart adds to the process start
        self.consumer_error: str | None = None
        self._lag_clients: tuple[AIOKafkaAdminClient, AIOKafkaConsumer] | None = None
        if self.consume_topics:
            if self.apply is None:
                raise ValueError("a consuming service needs an apply function")
            # The consumer needs the pool, created at start; it looks it up lazily through this proxy.
            self.consumer = InboxConsumer(
                name=self.name, pool=None, apply=self.apply, broker=self.broker,  # type: ignore[arg-type]
                max_backoff_s=self.settings.retry_max_backoff_s,
                namespace=self.settings.topic_namespace, metrics=self.metrics,
            )
            self.metrics.consumer(self.name)
            subscribe(
                self.broker,
                self.consumer,
                self.consume_topics,
                max_records=self.settings.consumer_max_records,
                batch_timeout_ms=self.settings.consumer_batch_timeout_ms,
                fetch_min_bytes=self.settings.consumer_fetch_min_bytes,
                fetch_max_wait_ms=self.settings.consumer_fetch_max_wait_ms,
                group_id=self.group_id,
                session_timeout_ms=self.settings.consumer_session_timeout_ms,
                heartbeat_interval_ms=self.settings.consumer_session_timeout_ms // 3,
                group_instance_id=self.settings.consumer_group_instance_id,
            )

    async def start(self) -> None:
        """Database pool and migrations, then the producer, the outbox relay and the retention purge; the consumer
        joins its group in a background task. Returns once commands can be served."""
        began = time.monotonic()
        logs.adopt_uvicorn()  # uvicorn may have configured its loggers after ours: its records go out as JSON too
        self.pool = await asyncpg.create_pool(self.database_url, min_size=2, max_size=self.pool_size,
                                              reset=keep_session)
        async with self.pool.acquire() as conn:
            if self.migrate_on_start:
                applied = await migrate.migrate(conn, self.all_migrations())
                for migration in applied:
                    log.info("%s: applied migration %s", self.name, migration.label)
            if self.prepare is not None:
                await self.prepare(conn)
        if self.consumer is not None:
            self.consumer.pool = self.pool
        await self.broker.connect()  # the producer (and admin client); subscribers start in _join
        if self.run_relay:
            self.relay = OutboxRelay(
                self.pool,
                self.broker,
                batch_size=self.settings.relay_batch_size,
                poll_interval_s=self.settings.relay_poll_interval_s,
                max_backoff_s=self.settings.retry_max_backoff_s,
                namespace=self.settings.topic_namespace,
                listen_dsn=self.database_url,
                metrics=self.metrics,
            )
            self._tasks.append(asyncio.create_task(self.relay.run(), name=f"{self.name}-outbox-relay"))
        if self.broker.subscribers:
            self.consumer_state = "joining"
            self._tasks.append(asyncio.create_task(self._join(), name=f"{self.name}-consumer-join"))
        self._tasks.append(asyncio.create_task(self._purge(), name=f"{self.name}-idempotency-purge"))
        self.start_s = round(time.monotonic() - began, 3)
        log.info("%s started in %.2f s (consumer: %s)", self.name, self.start_s, self.consumer_state)

    async def _join(self) -> None:
        """Start the subscribers (join the consumer group, wait for partitions), retrying while Kafka is away.

        FastStream starts subscribers registered before the broker started with ``subscriber.start()``, the same
        call its documentation gives for subscribers added to a running broker ("Dynamic Subscribers")."""
        backoff = 0.5
        while True:
            try:
                for subscriber in self.broker.subscribers:
                    await subscriber.start()
            except Exception as exc:  # noqa: BLE001 (Kafka unreachable at start: keep serving HTTP, retry)
                self.consumer_error = f"{type(exc).__name__}: {exc}"[:200]
                log.warning("%s: consumer could not join (%s); retrying in %.1f s", self.name, exc, backoff)
                for subscriber in self.broker.subscribers:
                    with contextlib.suppress(Exception):
                        await subscriber.stop()
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, JOIN_RETRY_MAX_S)
                continue
            self.broker.running = True
            self.consumer_state, self.consumer_error = "running", None
            log.info("%s: consumer joined its group", self.name)
            return

    async def _purge(self) -> None:
        """Delete Idempotency-Key answers older than ``idempotency.RETENTION``, first a minute after the start."""
        await asyncio.sleep(60)
        while True:
            try:
                assert self.pool is not None
                async with self.pool.acquire() as conn:
                    purged = await idempotency.purge_expired(conn)
                if purged:
                    log.info("%s: purged %d Idempotency-Key answers older than %s", self.name, purged,
                             idempotency.RETENTION)
            except Exception as exc:  # noqa: BLE001 (housekeeping; the next round retries)
                log.warning("%s: Idempotency-Key purge failed: %r", self.name, exc)
            await asyncio.sleep(PURGE_EVERY_S)

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        if self._tasks:
            done, pending = await asyncio.wait(self._tasks, timeout=TASK_STOP_TIMEOUT_S)
            for task in done:
                if not task.cancelled():
                    task.exception()  # retrieved: a task that failed before the stop was logged by its own loop
            for task in pending:
                log.warning("%s: task %s still running %.0f s after its cancellation; left behind", self.name,
                            task.get_name(), TASK_STOP_TIMEOUT_S)
        self._tasks.clear()
        if self._lag_clients is not None:
            admin, offsets = self._lag_clients
            self._lag_clients = None
            with contextlib.suppress(Exception):
                await offsets.stop()
            with contextlib.suppress(Exception):
                await admin.close()
        stopping = asyncio.create_task(self.broker.stop(), name=f"{self.name}-broker-stop")
        if not (await asyncio.wait({stopping}, timeout=TASK_STOP_TIMEOUT_S))[0]:
            log.warning("%s: the Kafka clients did not stop within %.0f s; left behind", self.name,
                        TASK_STOP_TIMEOUT_S)
        elif not stopping.cancelled() and (failed := stopping.exception()) is not None:
            raise failed
        if self.pool is not None:
            try:  # a request or stream still holding a connection must not keep the process from stopping
                await asyncio.wait_for(self.pool.close(), POOL_CLOSE_TIMEOUT_S)
            except TimeoutError:
                log.warning("%s: database connections still in use after %.0f s; closing them", self.name,
                            POOL_CLOSE_TIMEOUT_S)
                self.pool.terminate()

    def all_migrations(self) -> list[migrate.Migration]:
        """The kit's migrations, then the service's."""
        return [*migrate.kit_migrations(), *self.migrations]

    @contextlib.asynccontextmanager
    async def lifespan(self, _app: Any = None) -> AsyncIterator[None]:
        await self.start()
        try:
            yield
        finally:
            await self.stop()

    async def consumer_lag(self) -> int:
        """Events on the consumed topics not yet committed by this service's consumer group."""
        if self._lag_clients is None:
            connect = kafka_client_kwargs(self.settings)
            admin = AIOKafkaAdminClient(**connect, client_id=f"{self.name}-lag")
            offsets: AIOKafkaConsumer = AIOKafkaConsumer(**connect, group_id=None, enable_auto_commit=False,
                                                         client_id=f"{self.name}-lag")
            await admin.start()
            await offsets.start()
            self._lag_clients = (admin, offsets)
        admin, offsets = self._lag_clients
        topics = [physical(t, self.settings.topic_namespace) for t in self.consume_topics]
        # The partitions from the admin client: a consumer without a subscription knows no topic's partitions
        # (aiokafka's partitions_for_topic answers None), which made the lag always 0.
        partitions = [TopicPartition(d["topic"], p["partition"]) for d in await admin.describe_topics(topics)
                      for p in d["partitions"]]
        committed = await admin.list_consumer_group_offsets(self.settings.group(self.group_id or self.name))
        end = await offsets.end_offsets(partitions)
        return sum(max(0, end[tp] - (committed[tp].offset if tp in committed else 0)) for tp in partitions)

    async def health(self) -> dict[str, Any]:
        """Readiness, part by part: ``database`` and ``producer`` ("ok" or the error) decide ``ok`` (commands can
        be served); ``consumer`` (consuming services) says ``state`` joining | running | lagging, the lag in events
        and the inbox counters, and does not hold readiness back. ``outbox_backlog``: events not yet on Kafka;
        ``start_s``: seconds the runtime's start took (database, migrations, producer)."""
        status: dict[str, Any] = {"service": self.name, "uptime_s": round(time.monotonic() - self.started_at, 1),
                                  "start_s": self.start_s}
        try:
            assert self.pool is not None
            async with self.pool.acquire() as conn:
                status["outbox_backlog"] = await conn.fetchval(
                    "SELECT count(*) FROM outbox WHERE published_at IS NULL"
                )
            status["database"] = "ok"
        except Exception as exc:  # noqa: BLE001
            status["database"] = f"error: {type(exc).__name__}"
        try:
            status["producer"] = "ok" if await self.broker.ping(timeout=3.0) else "unreachable"
        except Exception as exc:  # noqa: BLE001
            status["producer"] = f"error: {type(exc).__name__}"
        if self.consumer is not None:
            consumer: dict[str, Any] = {"state": self.consumer_state, **self.consumer.stats}
            if self.consumer_error:
                consumer["error"] = self.consumer_error
            if self.consumer_state != "joining":
                try:
                    consumer["lag"] = await asyncio.wait_for(self.consumer_lag(), 5.0)
                except Exception as exc:  # noqa: BLE001 (lag is information; readiness does not hang on it)
                    consumer["lag"] = f"unknown: {type(exc).__name__}"
                if isinstance(consumer["lag"], int) and consumer["lag"] > self.settings.consumer_max_records:
                    consumer["state"] = "lagging"  # more than one batch behind
            status["consumer"] = consumer
        status["ok"] = status["database"] == "ok" and status["producer"] == "ok"
        return status
