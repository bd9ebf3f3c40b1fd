"""The inbox consumer: batches from Kafka applied exactly once to a service's database.

For each batch: poison messages go to ``dlq.<consumer>`` (headers name the error and the source
topic/partition/offset); every valid event id is recorded in the inbox and the service's ``apply``
runs on the new ones, in one database transaction; only then are the offsets committed. Database
failures are retried with backoff, never dead-lettered. A redelivered batch hits the inbox's primary
key and changes nothing.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import asyncpg
from aiokafka import ConsumerRecord
from berdaya_contracts import Event, PoisonMessage, decode
from berdaya_contracts.topics import dlq_topic, physical
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka import Topic as KafkaTopic
from faststream.kafka.annotations import KafkaMessage

log = logging.getLogger(__name__)

ApplyBatch = Callable[[asyncpg.Connection, list[Event]], Awaitable[None]]
EventHandler = Callable[[asyncpg.Connection, Event], Awaitable[None]]


def dispatch(handlers: Mapping[str, EventHandler]) -> ApplyBatch:
    """An ``apply`` for a service's explicit handler table (``EVENT_HANDLERS``, keyed by ``event_type``): each event
    of the batch, in order, goes to its handler inside the inbox transaction; an event with no handler is skipped
    (the inbox still records it, so a replay skips it cheaply)."""

    async def apply(conn: asyncpg.Connection, events: list[Event]) -> None:
        for event in events:
            handler = handlers.get(event.event_type)
            if handler is not None:
                await handler(conn, event)

    return apply

TRANSIENT_ERRORS = (
    OSError,
    asyncio.TimeoutError,
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    asyncpg.CannotConnectNowError,
    asyncpg.TooManyConnectionsError,
    asyncpg.AdminShutdownError,
)

_RECORD_INBOX = """
INSERT INTO inbox (consumer, event_id, topic, event_type)
SELECT $1, e.id, e.topic, e.type FROM unnest($2::uuid[], $3::text[], $4::text[]) AS e(id, topic, type)
ON CONFLICT DO NOTHING
RETURNING event_id
"""


@dataclass
class InboxConsumer:
    """Applies batches for one consumer (one service, one consumer group)."""

    name: str
    pool: asyncpg.Pool
    apply: ApplyBatch
    broker: KafkaBroker
    max_backoff_s: float = 30.0
    namespace: str = ""
    stats: dict[str, int] = field(default_factory=lambda: {"applied": 0, "duplicates": 0, "dead_lettered": 0})

    async def handle_records(self, records: Sequence[ConsumerRecord[Any, Any]]) -> None:
        events: list[Event] = []
        sources: dict[Any, ConsumerRecord[Any, Any]] = {}
        for record in records:
            try:
                event = decode(record.value)
            except PoisonMessage as poison:
                await self._dead_letter(record, poison)
                continue
            events.append(event)
            sources[event.event_id] = record
        if not events:
            return
        try:
            await self._apply_with_retry(events, sources)
        except Exception:  # noqa: BLE001
            # One event the service cannot apply must not hold back the rest: apply one by one and
            # dead-letter only the events that fail on their own.
            log.exception("consumer %s: batch failed, applying its %d events one by one", self.name, len(events))
            for event in events:
                try:
                    await self._apply_with_retry([event], sources)
                except Exception as exc:  # noqa: BLE001
                    await self._dead_letter(sources[event.event_id], PoisonMessage("apply_failed", repr(exc)[:500]))

    async def _apply_with_retry(self, events: list[Event], sources: dict[Any, ConsumerRecord[Any, Any]]) -> None:
        backoff = 0.1
        while True:
            try:
                await self._apply_once(events, sources)
                return
            except TRANSIENT_ERRORS as exc:
                log.warning("consumer %s: database unavailable (%s), retrying in %.1fs", self.name, exc, backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, self.max_backoff_s)

    async def _apply_once(self, events: list[Event], sources: dict[Any, ConsumerRecord[Any, Any]]) -> None:
        async with self.pool.acquire() as conn, conn.transaction():
            ids = [e.event_id for e in events]
            fresh = {
                row["event_id"]
                for row in await conn.fetch(
                    _RECORD_INBOX,
                    self.name,
                    ids,
                    [sources[i].topic for i in ids],
                    [e.event_type for e in events],
                )
            }
            new, seen = [], set()
            for event in events:
                if event.event_id in fresh and event.event_id not in seen:
                    seen.add(event.event_id)
                    new.append(event)
            if new:
                await self.apply(conn, new)
        self.stats["applied"] += len(new)
        self.stats["duplicates"] += len(events) - len(new)

    async def _dead_letter(self, record: ConsumerRecord[Any, Any], poison: PoisonMessage) -> None:
        headers = {
            "dlq-error": poison.reason,
            "dlq-error-detail": poison.detail,
            "dlq-source-topic": record.topic,
            "dlq-source-partition": str(record.partition),
            "dlq-source-offset": str(record.offset),
            "dlq-consumer": self.name,
        }
        log.warning("consumer %s: dead-lettering %s[%s]@%s: %s", self.name, record.topic,
                    record.partition, record.offset, poison)
        topic = physical(dlq_topic(self.name), self.namespace)
        await self.broker.publish(record.value or b"", topic, key=record.key, headers=headers)
        self.stats["dead_lettered"] += 1


async def _keep_raw(msg: Any) -> None:
    """The inbox consumer reads the raw records itself; FastStream must not try to decode them."""
    return None


def subscribe(
    broker: KafkaBroker,
    consumer: InboxConsumer,
    topics: Sequence[str],
    *,
    max_records: int = 1000,
    batch_timeout_ms: int = 200,
    group_id: str | None = None,
    **options: Any,
) -> Any:
    """Register a batch subscriber on ``broker`` that feeds ``consumer``.

    One consumer group per service, starting from the earliest offset; offsets are committed by hand
    after the database transaction (FastStream's default would commit before processing). The group's name on
    the cluster carries the namespace (``<namespace>.<group>``), as topics do, so a namespaced copy never joins
    another copy's group. ``options`` go to the aiokafka consumer as they are (session timeout, static membership).
    """
    subscriber = broker.subscriber(
        *(KafkaTopic(physical(t, consumer.namespace), declare=False) for t in topics),
        batch=True,
        group_id=physical(group_id or consumer.name, consumer.namespace),
        auto_offset_reset="earliest",
        ack_policy=AckPolicy.MANUAL,
        max_records=max_records,
        batch_timeout_ms=batch_timeout_ms,
        decoder=_keep_raw,
        title=f"{consumer.name} inbox consumer",
        **options,
    )

    @subscriber
    async def handle(msg: KafkaMessage) -> None:
        try:
            await consumer.handle_records(msg.raw_message)
        except Exception:
            # e.g. the dead-letter topic unreachable: rewind to the batch's first offsets and try again.
            log.exception("consumer %s: batch not handled; it will be redelivered", consumer.name)
            await msg.nack()
            await asyncio.sleep(1)
            return
        await msg.ack()

    return subscriber


__all__ = ["ApplyBatch", "InboxConsumer", "subscribe"]
