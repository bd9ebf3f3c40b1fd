"""The request's correlation id as a context variable: set once at the edge (``CorrelationMiddleware``), read by
the log formatter, so every log line a request causes carries it without passing it around."""

from contextvars import ContextVar, Token

correlation_id: ContextVar[str | None] = ContextVar("berdaya_correlation_id", default=None)


def bind_correlation(value: str | None) -> Token[str | None]:
    """Make ``value`` the correlation id of the current task and of the tasks it starts; returns the token that
    ``correlation_id.reset`` takes."""
    return correlation_id.set(value)
