"""Metrics, traces and the correlation id across HTTP → outbox → Kafka → another service's inbox."""

import json
import random
import re
import uuid
from pathlib import Path

import httpx
from berdaya_contracts.topics import REGISTRY_EVENTS, physical
from opentelemetry.trace import SpanKind
from prometheus_client.parser import text_string_to_metric_families

from tests.ops.conftest import Pair
from tests.registry.helpers import woman_body
from tests.support.kafka import read_all, wait_for

ALERTS = Path(__file__).resolve().parents[2] / "deploy" / "prometheus" / "alerts.yml"


def scrape(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of a Prometheus text exposition, by (name, sorted labels), parsed by prometheus_client."""
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def value(samples: dict, name: str, **labels: str) -> float | None:
    return samples.get((name, tuple(sorted(labels.items()))))


async def metrics_of(client: httpx.AsyncClient) -> dict:
    answer = await client.get("/metrics", auth=None)  # public: a Prometheus server scrapes it without a token
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/plain; version=")
    return scrape(answer.text)


async def register(pair: Pair, correlation: str, traceparent: str | None = None) -> dict:
    headers = {"X-OPD": "dp3a", "X-Correlation-ID": correlation}
    if traceparent:
        headers["traceparent"] = traceparent
    answer = await pair.registry.post("/women", json=woman_body(random.Random(), kecamatan_code="64.02.06",
                                                                 desa_code="64.02.06.1001"), headers=headers)
    assert answer.status_code == 201, answer.text
    assert answer.headers["x-correlation-id"] == correlation
    return answer.json()


async def applied_in_training(pair: Pair, minimum: int) -> dict:
    async def enough() -> dict | None:
        samples = await metrics_of(pair.training)
        applied = value(samples, "berdaya_consumer_events_total", consumer="training",
                        event_type="registry.WomanRegistered", outcome="applied") or 0
        return samples if applied >= minimum else None

    return await wait_for(enough, timeout_s=60)


async def test_one_registration_is_one_trace_across_both_services(pair: Pair) -> None:
    trace_id = uuid.uuid4().hex
    woman = await register(pair, f"trace-{trace_id[:8]}", f"00-{trace_id}-{'1' * 16}-01")
    person_ref = woman["person_ref"]

    def chain() -> dict | None:
        spans = [s for s in pair.spans.get_finished_spans() if format(s.context.trace_id, "032x") == trace_id]
        consumed = [s for s in spans if s.kind is SpanKind.CONSUMER and s.attributes.get("berdaya.consumer") == "training"]
        return {"all": spans, "consumed": consumed} if consumed else None

    found = await wait_for(chain, timeout_s=60)
    by_id = {s.context.span_id: s for s in found["all"]}
    server = [s for s in found["all"] if s.kind is SpanKind.SERVER]
    assert [s.name for s in server] == ["POST /women"], "the HTTP request is the trace's server span"
    assert server[0].parent.span_id == int("1" * 16, 16), "the caller's traceparent is honoured"
    consumer = found["consumed"][0]
    producer = by_id[consumer.parent.span_id]
    assert producer.kind is SpanKind.PRODUCER
    assert producer.attributes["messaging.destination.name"] == physical(REGISTRY_EVENTS, pair.namespace)
    assert producer.attributes["berdaya.event_type"] == consumer.attributes["berdaya.event_type"] == \
        "registry.WomanRegistered"
    assert producer.parent.span_id == server[0].context.span_id, "the relay continues the request's span"
    assert consumer.attributes["berdaya.outcome"] == "applied"
    assert person_ref not in json.dumps([dict(s.attributes) for s in found["all"]]), "no refs in span attributes"


async def test_the_kafka_correlation_header_is_the_events_and_the_clients(pair: Pair) -> None:
    correlation = f"corr-{uuid.uuid4().hex[:12]}"
    woman = await register(pair, correlation)

    async def published() -> list | None:
        records = await read_all(pair.bootstrap, physical(REGISTRY_EVENTS, pair.namespace), idle_s=0.3)
        mine = [r for r in records if json.loads(r.value)["payload"].get("person_ref") == woman["person_ref"]]
        return mine or None

    records = await wait_for(published, timeout_s=60)
    everything = await read_all(pair.bootstrap, physical(REGISTRY_EVENTS, pair.namespace), idle_s=0.3)
    for record in everything:  # every message of the run, not only this one
        headers = dict(record.headers)
        envelope = json.loads(record.value)
        assert headers["correlation_id"].decode() == envelope["correlation_id"], envelope["event_type"]
        assert headers["traceparent"].startswith(b"00-")
    assert {json.loads(r.value)["correlation_id"] for r in records} == {correlation}


async def test_metrics_name_routes_statuses_and_the_event_flow(pair: Pair) -> None:
    woman = await register(pair, f"metrics-{uuid.uuid4().hex[:8]}")
    refused = await pair.registry.get(f"/businesses/{uuid.uuid4()}", headers={"X-OPD": "dp3a"})
    assert refused.status_code == 404
    training = await applied_in_training(pair, 1)
    registry = await metrics_of(pair.registry)

    assert value(registry, "berdaya_http_requests_total", handler="/women", method="POST", status="201") >= 1
    assert value(registry, "berdaya_http_requests_total", handler="/businesses/{business_ref}", method="GET",
                 status="404") >= 1
    assert value(registry, "berdaya_outbox_published_events_total", topic=REGISTRY_EVENTS) >= 1
    assert value(registry, "berdaya_outbox_publish_seconds_count") >= 1
    assert value(registry, "berdaya_outbox_delay_seconds_count") >= 1
    assert value(registry, "berdaya_outbox_relay_batch_size_events_count") >= 1
    assert value(registry, "berdaya_ready") == 1
    assert value(registry, "berdaya_outbox_backlog_events") is not None
    assert value(registry, "process_resident_memory_bytes") > 10_000_000

    assert value(training, "berdaya_consumer_lag_events", consumer="training") is not None
    assert value(training, "berdaya_consumer_state", consumer="training", berdaya_consumer_state="running") == 1
    assert value(training, "berdaya_consumer_batch_size_records_count", consumer="training") >= 1
    assert value(training, "berdaya_consumer_batch_seconds_count", consumer="training") >= 1

    labels = {v for samples in (registry, training) for (_, pairs), _ in samples.items() for _, v in pairs}
    assert woman["person_ref"] not in labels and not any(v.startswith("/businesses/") and "{" not in v for v in labels), \
        "labels carry route templates, never a raw path or a ref"


async def test_progress_hooks_reach_the_scrape(pair: Pair) -> None:
    metrics = pair.training_app.state.runtime.metrics
    metrics.report_progress("import", done=250, target=1000)
    state = {"state": "running", "events_applied": 30, "target_events": 120}
    metrics.watch_progress("rebuild", lambda: state)
    samples = await metrics_of(pair.training)
    assert value(samples, "berdaya_job_progress_ratio", job="import") == 0.25
    assert value(samples, "berdaya_job_running", job="rebuild") == 1
    assert value(samples, "berdaya_job_progress_ratio", job="rebuild") == 0.25
    state.update(state="done", events_applied=120)
    samples = await metrics_of(pair.training)
    assert value(samples, "berdaya_job_running", job="rebuild") == 0
    assert value(samples, "berdaya_job_progress_ratio", job="rebuild") == 1


async def test_every_metric_the_alert_rules_use_is_exposed(pair: Pair) -> None:
    rules = ALERTS.read_text()  # noqa: ASYNC240 (a small file, once)
    used = set(re.findall(r"\b(berdaya_[a-z_]+)", rules)) - {"berdaya_consumer_dead_letters"}
    used.add("berdaya_consumer_dead_letters_total")
    exposed = {name for samples in (await metrics_of(pair.registry), await metrics_of(pair.training))
               for name, _ in samples}
    assert used and used <= exposed, f"not exposed: {sorted(used - exposed)}"
    training = await metrics_of(pair.training)
    assert value(training, "berdaya_consumer_dead_letters_total", consumer="training") == 0, \
        "the dead-letter counter starts at 0, so the alert sees the first one"
