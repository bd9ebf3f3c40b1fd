"""OpenTelemetry traces across HTTP, the outbox and Kafka: one registration is one trace in every service.

The path of a trace context (W3C Trace Context, ``traceparent``):

1. the HTTP request's server span (``opentelemetry-instrumentation-fastapi``; a caller's ``traceparent`` is
   honoured, so a trace can start in the client);
2. ``outbox.add_many`` stores the current ``traceparent`` in the outbox row, in the command's transaction;
3. the relay publishes each row in a PRODUCER span that is the child of the stored context, and sends that span's
   ``traceparent`` as a Kafka header;
4. each consuming service's inbox consumer records a CONSUMER span per event, child of the header's context.

The SDK's tracer provider is always installed (trace and span ids appear in every log line); spans leave the
process only when OTLP export is configured with OpenTelemetry's own environment variables
(``OTEL_EXPORTER_OTLP_ENDPOINT`` or ``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT``, over HTTP/protobuf; sampling with
``OTEL_TRACES_SAMPLER``). Off by default. Query strings are removed from the HTTP span attributes (they can carry
personal data).
"""

import logging
import os
from collections.abc import Iterable, Mapping
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import propagate, trace

log = logging.getLogger(__name__)
TRACER_NAME = "berdaya"
TRACEPARENT = "traceparent"


def configure_tracing(service: str) -> Any:
    """Install the SDK tracer provider once per process (the first service's name is the resource's
    ``service.name``), with an OTLP exporter when its endpoint is configured; returns the provider."""
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider

    current = trace.get_tracer_provider()
    if isinstance(current, TracerProvider):
        return current
    provider = TracerProvider(resource=Resource.create({"service.name": service}))
    if otlp_configured(os.environ):
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        from opentelemetry.sdk.trace.export import BatchSpanProcessor

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
        log.info("traces exported over OTLP/HTTP")
    trace.set_tracer_provider(provider)
    return provider


def otlp_configured(env: Mapping[str, str]) -> bool:
    """True when the environment names an OTLP endpoint and does not turn trace export off."""
    if env.get("OTEL_SDK_DISABLED", "").lower() == "true" or env.get("OTEL_TRACES_EXPORTER", "otlp") == "none":
        return False
    return bool(env.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") or env.get("OTEL_EXPORTER_OTLP_ENDPOINT"))


def tracer() -> trace.Tracer:
    return trace.get_tracer(TRACER_NAME)


def current_traceparent() -> str | None:
    """The ``traceparent`` of the current span (None outside any span)."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier.get(TRACEPARENT)


def context_from(traceparent: str | bytes | None) -> otel_context.Context | None:
    """The context a stored or received ``traceparent`` names (None when absent or unreadable)."""
    if not traceparent:
        return None
    value = traceparent.decode("latin-1") if isinstance(traceparent, bytes) else traceparent
    found = propagate.extract({TRACEPARENT: value})
    return found if trace.get_current_span(found).get_span_context().is_valid else None


def inject_into(headers: dict[str, str], span: trace.Span) -> dict[str, str]:
    """``headers`` with the ``traceparent`` (and ``tracestate``) of ``span`` added."""
    propagate.inject(headers, context=trace.set_span_in_context(span))
    return headers


def header(headers: Iterable[tuple[str, bytes | None]] | None, name: str) -> bytes | None:
    """One Kafka record header's value by name (aiokafka gives a list of (name, bytes))."""
    for key, value in headers or ():
        if key == name:
            return value
    return None


def _drop_query(span: trace.Span, scope: dict[str, Any]) -> None:
    """server_request_hook: the span keeps the URL without its query string."""
    if span.is_recording() and scope.get("query_string"):
        for key in ("http.url", "url.full"):
            value = getattr(span, "attributes", {}).get(key)
            if isinstance(value, str):
                span.set_attribute(key, value.split("?", 1)[0])
        span.set_attribute("url.query", "")


def instrument_fastapi(app: Any) -> None:
    """Server spans for ``app``'s requests named by route template; the operational routes are left out."""
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

    FastAPIInstrumentor.instrument_app(app, server_request_hook=_drop_query, excluded_urls="/metrics,/health,/ready",
                                       exclude_spans=["receive", "send"])
