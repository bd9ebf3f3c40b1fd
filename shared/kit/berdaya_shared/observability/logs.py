"""Structured JSON logs, the same in every service and every command (python-json-logger on the standard
``logging`` module, so library loggers — uvicorn, aiokafka, FastStream — come out in the same shape).

One line per record on standard error: ``timestamp`` (UTC, ISO 8601, milliseconds), ``level``, ``service``,
``logger``, ``message``, ``correlation_id`` (the request's, from ``context``), ``trace_id`` and ``span_id`` (the
current OpenTelemetry span, 32 and 16 hex digits) and any ``extra=`` fields. uvicorn's access log is rewritten
into the same shape as ``method``, ``path`` (the query string dropped: it can carry personal data), ``status``
and ``http_version``; the client's address is left out (a staff member's IP address is personal data under
UU PDP, and the correlation id already ties a request to its events).

Personal data never goes into a log line (DESIGN.md §3); the end-to-end test scans every service's log for the
scenario's NIKs, names and phone numbers.
"""

import logging
import os
import sys
import warnings
from datetime import UTC, datetime
from typing import Any

from opentelemetry import trace
from pythonjsonlogger.json import JsonFormatter

from .context import correlation_id

_HANDLER_NAME = "berdaya-json"
UVICORN_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access")
_state: dict[str, str] = {}


class BerdayaJsonFormatter(JsonFormatter):
    """python-json-logger's formatter with our fixed fields (``service``, correlation and trace ids)."""

    def __init__(self, service: str) -> None:
        super().__init__("%(message)s", json_ensure_ascii=False)
        self.service = service

    def add_fields(self, log_data: dict[str, Any], record: logging.LogRecord, message_dict: dict[str, Any]) -> None:
        super().add_fields(log_data, record, message_dict)
        extra = {k: v for k, v in log_data.items() if k != "message"}
        span = trace.get_current_span().get_span_context()
        log_data.clear()
        log_data.update(
            timestamp=datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            level=record.levelname, service=self.service, logger=record.name, message=record.getMessage(),
            correlation_id=correlation_id.get(),
            trace_id=format(span.trace_id, "032x") if span.is_valid else None,
            span_id=format(span.span_id, "016x") if span.is_valid else None,
            **extra,
        )


class AccessLogFields(logging.Filter):
    """uvicorn's access record ``(client, method, full_path, http_version, status)`` as structured fields, without
    the client address and the query string."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) == 5:
            _client, method, full_path, http_version, status = args
            path = str(full_path).split("?", 1)[0]
            record.msg, record.args = "%s %s %s", (method, path, status)
            record.method, record.path, record.status, record.http_version = method, path, status, http_version
        return True


_early_warnings: list[str] = []


def hold_warnings() -> None:
    """Keep Python warnings raised before ``configure_logging`` (a library's import-time deprecation notice) to log
    them as JSON once it runs, instead of as plain lines on standard error. ``berdaya_shared.cli`` calls this when
    it is imported, before a service's own modules are."""
    if "service" in _state:
        return

    def keep(message: Warning | str, category: type[Warning], filename: str, lineno: int, file: Any = None,
             line: str | None = None) -> None:
        _early_warnings.append(warnings.formatwarning(message, category, filename, lineno, line).strip())

    warnings.showwarning = keep


def configure_logging(service: str, level: str | None = None) -> None:
    """Send every record of this process to standard error as one JSON line; idempotent.

    ``level`` defaults to the ``LOG_LEVEL`` environment variable, else INFO. Handlers others installed on the root
    logger (pytest's capture) are kept; uvicorn's own handlers are removed so its records reach ours."""
    _state["service"] = service
    root = logging.getLogger()
    root.setLevel((level or os.environ.get("LOG_LEVEL") or "INFO").upper())
    handler = next((h for h in root.handlers if h.get_name() == _HANDLER_NAME), None)
    if handler is None:
        handler = logging.StreamHandler(sys.stderr)
        handler.set_name(_HANDLER_NAME)
        root.addHandler(handler)
    handler.setFormatter(BerdayaJsonFormatter(service))
    logging.captureWarnings(True)
    for text in _early_warnings:
        logging.getLogger("py.warnings").warning("%s", text)
    _early_warnings.clear()
    adopt_uvicorn()


def adopt_uvicorn() -> None:
    """Route uvicorn's loggers through the JSON handler (after uvicorn configured its own, if it did). Does
    nothing in a process whose logging ``configure_logging`` did not set up (an app inside a test run)."""
    if "service" not in _state:
        return
    for name in UVICORN_LOGGERS:
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, AccessLogFields) for f in access.filters):
        access.addFilter(AccessLogFields())
