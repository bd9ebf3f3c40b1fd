"""Operability of every service: Prometheus metrics, structured JSON logs, OpenTelemetry traces.

``install(app, runtime)`` (called once by ``berdaya_shared.service.build_app``) adds ``GET /metrics``, HTTP
metrics by route template and status, and server spans; the runtime's relay and inbox consumer update the rest
(``metrics``), carry the trace context through the outbox and Kafka (``tracing``) and log through ``logs``.
Nothing is imported here eagerly: a command that needs no web stack (monitoring's rebuild) stays light.
"""

from typing import Any


def install(app: Any, runtime: Any) -> None:
    """``GET /metrics`` (public, like /health and /ready: it holds no personal data; not in the OpenAPI document),
    HTTP metrics by route template, method and status, and a server span per request."""
    from prometheus_fastapi_instrumentator import Instrumentator

    from . import metrics, tracing

    service_metrics: metrics.ServiceMetrics = runtime.metrics
    Instrumentator(should_group_status_codes=False, excluded_handlers=["^/metrics$"],
                   registry=service_metrics.registry).instrument(app, metric_namespace="berdaya")
    app.add_route("/metrics", metrics.metrics_endpoint(runtime, service_metrics), methods=["GET"],
                  include_in_schema=False)
    tracing.configure_tracing(runtime.name)
    tracing.instrument_fastapi(app)
