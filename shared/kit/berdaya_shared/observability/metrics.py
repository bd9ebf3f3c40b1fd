"""Prometheus metrics of one service process (prometheus-client), exposed at ``GET /metrics``.

HTTP requests by route template, method and status come from ``prometheus-fastapi-instrumentator``; the rest is
ours, because it is about our outbox and inbox (FastStream's ``KafkaPrometheusMiddleware`` labels a batch by its
first record's topic, counts inbox duplicates as processed, knows no event types or dead letters, and times the
relay's unconfirmed sends rather than the broker's acknowledgement). Every metric of a process lives in the
runtime's own ``CollectorRegistry`` (several apps in one test process do not collide).

Labels hold route templates, topic names, event types from the contract catalogue, consumer and job names: never
a raw path, an id or anything a user typed. Gauges that describe state (readiness, outbox backlog, consumer lag)
are sampled when Prometheus scrapes, from the same ``health()`` that answers ``/ready``.
"""

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from berdaya_contracts.catalog import BY_KEY
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Enum,
    Gauge,
    Histogram,
    Info,
    generate_latest,
)
from prometheus_client.gc_collector import GCCollector
from prometheus_client.platform_collector import PlatformCollector
from prometheus_client.process_collector import ProcessCollector
from starlette.requests import Request
from starlette.responses import Response

log = logging.getLogger(__name__)
KNOWN_EVENT_TYPES = frozenset(event_type for event_type, _version in BY_KEY)
CONSUMER_STATES = ["none", "joining", "running", "lagging"]
SAMPLE_TIMEOUT_S = 8.0
_BATCH_BUCKETS = (1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000)
_SECONDS_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)


def event_type_label(event_type: str | None) -> str:
    """An event type as a label value: one of the catalogue's, else ``unknown`` (a poison message can carry any
    string, and label values must stay a bounded set)."""
    return event_type if event_type in KNOWN_EVENT_TYPES else "unknown"


class ServiceMetrics:
    """The metrics of one service; the relay, the inbox consumer and the service's own jobs update them."""

    def __init__(self, service: str, registry: CollectorRegistry | None = None) -> None:
        self.service = service
        self.registry = registry or CollectorRegistry()
        r = self.registry
        ProcessCollector(registry=r)  # process_resident_memory_bytes, cpu seconds, open fds
        PlatformCollector(registry=r)
        GCCollector(registry=r)
        Info("berdaya_service", "The service this process runs", registry=r).info({"service": service})
        self.ready = Gauge("berdaya_ready", "1 when /ready answers 200: database and Kafka producer reachable",
                           registry=r)
        self.database_up = Gauge("berdaya_database_up", "1 when the service's database answers", registry=r)
        self.producer_up = Gauge("berdaya_kafka_producer_up", "1 when the Kafka producer reaches the cluster",
                                 registry=r)
        self.outbox_backlog = Gauge("berdaya_outbox_backlog_events", "Committed events not yet on Kafka", registry=r)
        self.outbox_oldest = Gauge("berdaya_outbox_oldest_unpublished_age_seconds",
                                   "Age of the oldest committed event not yet on Kafka (0 when none)", registry=r)
        self.relay_batch = Histogram("berdaya_outbox_relay_batch_size_events", "Events per relay batch",
                                     buckets=_BATCH_BUCKETS, registry=r)
        self.relay_publish = Histogram("berdaya_outbox_publish_seconds",
                                       "Relay batch: first send until Kafka acknowledged every event",
                                       buckets=_SECONDS_BUCKETS, registry=r)
        self.outbox_delay = Histogram("berdaya_outbox_delay_seconds",
                                      "Per event: outbox row written until Kafka acknowledged it",
                                      buckets=_SECONDS_BUCKETS, registry=r)
        self.published = Counter("berdaya_outbox_published_events", "Events the relay published", ["topic"],
                                 registry=r)
        self.relay_failures = Counter("berdaya_outbox_publish_failures",
                                      "Relay batches that failed (broker or database away) and will be retried",
                                      registry=r)
        self.consumer_lag = Gauge("berdaya_consumer_lag_events",
                                  "Events on the consumed topics not yet committed by the consumer group",
                                  ["consumer"], registry=r)
        self.consumer_state = Enum("berdaya_consumer_state", "The inbox consumer's state", ["consumer"],
                                   states=CONSUMER_STATES, registry=r)
        self.consumer_batch = Histogram("berdaya_consumer_batch_size_records", "Records per consumed batch",
                                        ["consumer"], buckets=_BATCH_BUCKETS, registry=r)
        self.consumer_batch_seconds = Histogram("berdaya_consumer_batch_seconds",
                                                "Consumed batch: decode, apply and inbox in one transaction",
                                                ["consumer"], buckets=_SECONDS_BUCKETS, registry=r)
        self.consumed = Counter("berdaya_consumer_events", "Events the inbox consumer handled, by outcome "
                                "(applied; duplicate: already in the inbox, changed nothing)",
                                ["consumer", "event_type", "outcome"], registry=r)
        self.dead_letters = Counter("berdaya_consumer_dead_letters",
                                    "Records sent to the consumer's dead-letter topic (0 from the start: alerts see "
                                    "the first one as an increase)", ["consumer"], registry=r)
        self.dead_lettered = Counter("berdaya_consumer_dead_lettered_events",
                                     "Records sent to the consumer's dead-letter topic, by event type and reason",
                                     ["consumer", "event_type", "reason"], registry=r)
        self.job_running = Gauge("berdaya_job_running", "1 while a long job (import, rebuild) runs", ["job"],
                                 registry=r)
        self.job_done = Gauge("berdaya_job_items_done", "Items a long job has done so far", ["job"], registry=r)
        self.job_target = Gauge("berdaya_job_items_target", "Items a long job has to do (0: unknown)", ["job"],
                                registry=r)
        self.job_progress = Gauge("berdaya_job_progress_ratio", "Share of a long job done, 0 to 1", ["job"],
                                  registry=r)
        self._progress_sources: dict[str, Callable[[], Mapping[str, Any]]] = {}

    def consumer(self, name: str) -> None:
        """Show a consumer's counters from the start, at 0."""
        self.dead_letters.labels(name)

    # -- hooks a service calls -------------------------------------------------------------------------------
    def report_progress(self, job: str, *, done: int, target: int = 0, running: bool = True) -> None:
        """Push the state of a long job (an import: ``report_progress("import", done=rows, target=total)``)."""
        self.job_running.labels(job).set(1 if running else 0)
        self.job_done.labels(job).set(done)
        self.job_target.labels(job).set(target)
        self.job_progress.labels(job).set(min(done / target, 1.0) if target else (0.0 if running else 1.0))

    def watch_progress(self, job: str, source: Callable[[], Mapping[str, Any]]) -> None:
        """Pull the state of a long job at every scrape from ``source()``: a mapping with ``state`` (``running`` or
        ``swapping`` count as running), ``events_applied`` or ``done``, and ``target_events`` or ``target``
        (monitoring's ``RebuildProgress.as_dict``)."""
        self._progress_sources[job] = source

    # -- sampled at scrape -----------------------------------------------------------------------------------
    def sample_health(self, status: Mapping[str, Any]) -> None:
        """Set the state gauges from a ``ServiceRuntime.health()`` answer."""
        self.ready.set(1 if status.get("ok") else 0)
        self.database_up.set(1 if status.get("database") == "ok" else 0)
        self.producer_up.set(1 if status.get("producer") == "ok" else 0)
        if isinstance(status.get("outbox_backlog"), int):
            self.outbox_backlog.set(status["outbox_backlog"])
        consumer = status.get("consumer")
        if isinstance(consumer, Mapping):
            if consumer.get("state") in CONSUMER_STATES:
                self.consumer_state.labels(self.service).state(consumer["state"])
            if isinstance(consumer.get("lag"), int):
                self.consumer_lag.labels(self.service).set(consumer["lag"])

    def sample_progress(self) -> None:
        for job, source in self._progress_sources.items():
            try:
                state = source()
            except Exception as exc:  # noqa: BLE001 (a scrape must not fail on one job)
                log.warning("progress of %s unreadable: %r", job, exc)
                continue
            done = int(state.get("events_applied", state.get("done", 0)) or 0)
            target = int(state.get("target_events", state.get("target", 0)) or 0)
            running = state.get("state") in ("running", "swapping")
            self.report_progress(job, done=done, target=target, running=running)
            if state.get("state") == "done":
                self.job_progress.labels(job).set(1.0)


_OLDEST = "SELECT extract(epoch FROM now() - created_at) FROM outbox WHERE published_at IS NULL ORDER BY id LIMIT 1"


async def sample(runtime: Any, metrics: ServiceMetrics) -> None:
    """Refresh the sampled gauges from the runtime (bounded by ``SAMPLE_TIMEOUT_S``; on timeout the last values
    stay and readiness reads 0)."""
    try:
        status = await asyncio.wait_for(runtime.health(), SAMPLE_TIMEOUT_S)
    except Exception as exc:  # noqa: BLE001
        log.warning("metrics: health sample failed: %r", exc)
        status = {"ok": False}
    metrics.sample_health(status)
    if status.get("database") == "ok" and runtime.pool is not None:
        try:
            async with runtime.pool.acquire() as conn:
                oldest = await conn.fetchval(_OLDEST)
            metrics.outbox_oldest.set(float(oldest or 0.0))
        except Exception as exc:  # noqa: BLE001
            log.warning("metrics: outbox age unreadable: %r", exc)
    metrics.sample_progress()


def metrics_endpoint(runtime: Any, metrics: ServiceMetrics) -> Callable[[Request], Awaitable[Response]]:
    """The ``GET /metrics`` handler: sample, then answer the registry in Prometheus' text format."""

    async def handle(_request: Request) -> Response:
        began = time.monotonic()
        await sample(runtime, metrics)
        body = generate_latest(metrics.registry)
        log.debug("metrics sampled in %.3f s", time.monotonic() - began)
        return Response(body, media_type=CONTENT_TYPE_LATEST)

    return handle
