"""One service's process wiring: database pool and migrations, the Kafka broker, the outbox relay and
the inbox consumer, started and stopped together from the FastAPI lifespan.

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
from .messaging.consumer import ApplyBatch, InboxConsumer, subscribe
from .messaging.relay import OutboxRelay
from .messaging.settings import MessagingSettings, broker_security, kafka_client_kwargs

log = logging.getLogger(__name__)
POOL_CLOSE_TIMEOUT_S = 10.0


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
        self.pool: asyncpg.Pool | None = None
        self.relay: OutboxRelay | None = None
        self.consumer: InboxConsumer | None = None
        self._tasks: list[asyncio.Task[Any]] = []
        self._lag_clients: tuple[AIOKafkaAdminClient, AIOKafkaConsumer] | None = None
        if self.consume_topics:
            if self.apply is None:
                raise ValueError("a consuming service needs an apply function")
            # The consumer needs the pool, created at start; it looks it up lazily through this proxy.
            self.consumer = InboxConsumer(
                name=self.name, pool=None, apply=self.apply, broker=self.broker,  # type: ignore[arg-type]
                max_backoff_s=self.settings.retry_max_backoff_s,
                namespace=self.settings.topic_namespace,
            )
            subscribe(
                self.broker,
                self.consumer,
                self.consume_topics,
                max_records=self.settings.consumer_max_records,
                batch_timeout_ms=self.settings.consumer_batch_timeout_ms,
                group_id=self.group_id,
            )

    async def start(self) -> None:
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
        await self.broker.start()
        if self.run_relay:
            self.relay = OutboxRelay(
                self.pool,
                self.broker,
                batch_size=self.settings.relay_batch_size,
                poll_interval_s=self.settings.relay_poll_interval_s,
                max_backoff_s=self.settings.retry_max_backoff_s,
                namespace=self.settings.topic_namespace,
                listen_dsn=self.database_url,
            )
            self._tasks.append(asyncio.create_task(self.relay.run(), name=f"{self.name}-outbox-relay"))
        log.info("%s started", self.name)

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks.clear()
        if self._lag_clients is not None:
            admin, offsets = self._lag_clients
            self._lag_clients = None
            with contextlib.suppress(Exception):
                await offsets.stop()
            with contextlib.suppress(Exception):
                await admin.close()
        await self.broker.stop()
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
        """Readiness: database and broker reachable, outbox backlog, consumer counters."""
        status: dict[str, Any] = {"service": self.name, "uptime_s": round(time.monotonic() - self.started_at, 1)}
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
            status["kafka"] = "ok" if await self.broker.ping(timeout=3.0) else "unreachable"
        except Exception as exc:  # noqa: BLE001
            status["kafka"] = f"error: {type(exc).__name__}"
        if self.consumer is not None:
            status["consumer"] = dict(self.consumer.stats)
            try:
                status["consumer"]["lag"] = await asyncio.wait_for(self.consumer_lag(), 5.0)
            except Exception as exc:  # noqa: BLE001 (lag is information; readiness does not hang on it)
                status["consumer"]["lag"] = f"unknown: {type(exc).__name__}"
        status["ok"] = status["database"] == "ok" and status["kafka"] == "ok"
        return status
