"""Refusals the domain raises; the entrypoints turn them into HTTP answers."""

from typing import Any


class Refused(Exception):
    """A command the rules refuse. ``status`` follows HTTP semantics so the API can answer it unchanged."""

    status = 422

    def __init__(self, pesan: str, detail: str, *, field: str | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.pesan = pesan
        self.detail = detail
        self.field = field
        self.extra = extra


class NotFound(Refused):
    status = 404


class Conflict(Refused):
    status = 409


class Invalid(Refused):
    status = 422
