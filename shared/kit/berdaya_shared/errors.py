"""One vocabulary of refusals for every domain and service layer, free of HTTP.

A domain rule or a handler raises a ``Refusal`` subclass that says what kind of refusal it is (the thing does
not exist, it conflicts with what is stored, the input is invalid, the caller may not do it, ...), a message for
staff in Bahasa Indonesia (``pesan``), the technical reason in English (``detail``), the field it concerns and,
where a form has several problems, one ``FieldError`` per field. Only the HTTP edge (``berdaya_shared.http``)
turns a kind into a status code; nothing here imports a web framework.
"""

from dataclasses import dataclass
from typing import Any, ClassVar


@dataclass(frozen=True)
class FieldError:
    """One field's problem: its name as the client sent it, the Indonesian message, the English reason."""

    field: str
    pesan: str
    detail: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "pesan": self.pesan, "detail": self.detail}


class Refusal(Exception):
    """A command or query the rules refuse, in words a user can act on.

    ``extra`` carries facts the client may use (the existing ``person_ref`` of an already registered NIK, the
    scope that was missing, ...); they are added to the error body as they are.
    """

    kind: ClassVar[str] = "invalid"

    def __init__(self, pesan: str, detail: str, *, field: str | None = None,
                 errors: list[FieldError] | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.pesan = pesan
        self.detail = detail
        self.field = field
        self.errors = list(errors or ())
        if field is not None and not any(e.field == field for e in self.errors):
            self.errors.insert(0, FieldError(field, pesan, detail))
        self.extra = extra

    def body(self) -> dict[str, Any]:
        """The error body every Berdaya API answers with: ``{pesan, detail, kesalahan?, ...extra}``."""
        out: dict[str, Any] = {"pesan": self.pesan, "detail": self.detail}
        if self.errors:
            out["kesalahan"] = [e.as_dict() for e in self.errors]
        out.update(self.extra)
        return out


class BadRequest(Refusal):
    """The request itself cannot be read (a malformed header, a body that is not what the route takes)."""

    kind = "bad_request"


class Unauthenticated(Refusal):
    """No valid credentials: the caller must sign in or fetch a new token."""

    kind = "unauthenticated"


class Forbidden(Refusal):
    """The caller is known but may not do this (missing scope, another OPD's record, another kecamatan)."""

    kind = "forbidden"


class NotFound(Refusal):
    """The thing named does not exist (or the caller may not know that it does)."""

    kind = "not_found"


class Conflict(Refusal):
    """The request is valid but conflicts with what is stored (already registered, course full, in flight)."""

    kind = "conflict"


class Gone(Refusal):
    """The thing existed and is no longer available (a personal record erased on request)."""

    kind = "gone"


class TooLarge(Refusal):
    """The request exceeds a stated limit (file size, rows, body size)."""

    kind = "too_large"


class Invalid(Refusal):
    """The input breaks a rule (a field's format, a date in the future, a NIK that does not match)."""

    kind = "invalid"


class Unavailable(Refusal):
    """A dependency is down; nothing was done and the same request may be sent again later."""

    kind = "unavailable"


__all__ = [
    "BadRequest", "Conflict", "FieldError", "Forbidden", "Gone", "Invalid", "NotFound", "Refusal", "TooLarge",
    "Unauthenticated", "Unavailable",
]
