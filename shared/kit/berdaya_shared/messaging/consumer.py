"""The inbox consumer: batches from Kafka applied exactly once to a service's database.

For each batch: poison messages go to ``dlq.<consumer>`` (headers name the error and the source
topic/partition/offset); every valid event id is recorded in the inbox and the service's ``apply``
runs on the new ones, in one database transaction; only then are the offsets committed. Database
failures are retried with backoff, never dead-lettered. A redelivered batch hits the inbox's primary
key and changes nothing.

Each event of an applied batch gets a CONSUMER span, child of the ``traceparent`` its record carries (the
producer's relay span), timed as the batch's transaction; batch sizes and durations, events applied, duplicate
and dead-lettered by type go to the service's metrics when it has them.
"""

import asyncio
import json
import logging
import time
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
from opentelemetry.trace import SpanKind

from ..observability import tracing

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
    metrics: Any = None  # berdaya_shared.observability.metrics.ServiceMetrics, or None

    async def handle_records(self, records: Sequence[ConsumerRecord[Any, Any]]) -> None:
        began = time.monotonic()
        try:
            await self._handle_records(records)
        finally:
            if self.metrics is not None:
                self.metrics.consumer_batch.labels(self.name).observe(len(records))
                self.metrics.consumer_batch_seconds.labels(self.name).observe(time.monotonic() - began)

    async def _handle_records(self, records: Sequence[ConsumerRecord[Any, Any]]) -> None:
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
        began = time.time_ns()
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
        self._observe(events, seen, sources, began, time.time_ns())

    def _observe(self, events: list[Event], applied: set[Any], sources: dict[Any, ConsumerRecord[Any, Any]],
                 began_ns: int, ended_ns: int) -> None:
        """One CONSUMER span per event that carries a trace context (timed as the batch's transaction), and the
        events counted by type and outcome."""
        tracer = tracing.tracer()
        for event in events:
            outcome = "applied" if event.event_id in applied else "duplicate"
            if self.metrics is not None:
                self.metrics.consumed.labels(self.name, event.event_type, outcome).inc()
            record = sources[event.event_id]
            parent = tracing.context_from(tracing.header(getattr(record, "headers", None), tracing.TRACEPARENT))
            if parent is None:
                continue
            span = tracer.start_span(
                f"{record.topic} process", context=parent, kind=SpanKind.CONSUMER, start_time=began_ns,
                attributes={"messaging.system": "kafka", "messaging.operation.type": "process",
                            "messaging.destination.name": record.topic, "messaging.consumer.group.name": self.name,
                            "messaging.message.id": str(event.event_id), "messaging.batch.message_count": len(events),
                            "messaging.kafka.offset": record.offset, "berdaya.event_type": event.event_type,
                            "berdaya.consumer": self.name, "berdaya.outcome": outcome})
            span.end(end_time=ended_ns)

    async def _dead_letter(self, record: ConsumerRecord[Any, Any], poison: PoisonMessage) -> None:
        headers = {
            "dlq-error": poison.reason,
            "dlq-error-detail": poison.detail,
            "dlq-source-topic": record.topic,
            "dlq-source-partition": str(record.partition),
            "dlq-source-offset": str(record.offset),
            "dlq-consumer": self.name,
        }
        for name in (tracing.TRACEPARENT, "correlation_id"):  # the source's trace and request, for whoever reads it
            value = tracing.header(getattr(record, "headers", None), name)
            if value:
                headers[f"dlq-source-{name.replace('_', '-')}"] = value.decode("latin-1")
        log.warning("consumer %s: dead-lettering %s[%s]@%s: %s", self.name, record.topic,
                    record.partition, record.offset, poison)
        topic = physical(dlq_topic(self.name), self.namespace)
        await self.broker.publish(record.value or b"", topic, key=record.key, headers=headers)
        self.stats["dead_lettered"] += 1
        if self.metrics is not None:
            self.metrics.dead_letters.labels(self.name).inc()
            self.metrics.dead_lettered.labels(self.name, _event_type_of(record.value), poison.reason).inc()


def _event_type_of(raw: bytes | None) -> str:
    """The envelope's ``event_type`` of a poison record when it can be read at all, as a bounded label value."""
    from ..observability.metrics import event_type_label

    try:
        found = json.loads(raw or b"").get("event_type")
    except (ValueError, AttributeError):
        found = None
    return event_type_label(found if isinstance(found, str) else None)


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
