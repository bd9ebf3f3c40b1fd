"""Form errors for the staff pages: a refusal or a validation failure as field -> Indonesian message.

The page re-renders the form with what was typed, ``errors`` beside each field (``ui/macros/forms.html``) and
an error summary linking to them. A refusal without a field (a conflict with what is stored) is shown under
``_form`` in the summary.
"""

import json
from collections.abc import Iterable, Mapping
from typing import Any
from uuid import UUID, uuid4

from fastapi import Request
from fastapi.responses import Response
from pydantic import ValidationError

from .. import errors
from ..http import field_errors


def from_refusal(refusal: errors.Refusal) -> dict[str, str]:
    """{field: pesan} of a refusal; its own message under ``_form`` when it names no field."""
    found = {e.field: e.pesan for e in refusal.errors}
    return found or {"_form": refusal.pesan}


def from_validation(error: ValidationError, labels: Mapping[str, str] | None = None) -> dict[str, str]:
    """{field: pesan} of a pydantic validation error; ``labels`` replace field names in the messages."""
    out: dict[str, str] = {}
    for problem in field_errors(error.errors(include_url=False)):
        name = problem["field"]
        pesan = problem["pesan"]
        if labels and name in labels and pesan.startswith(f"{name}: "):
            pesan = f"{labels[name]}: {pesan.removeprefix(name + ': ')}"
        out.setdefault(name, pesan)
    return out


def merge(*parts: Mapping[str, str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in parts:
        for key, value in part.items():
            out.setdefault(key, value)
    return out


def values(form: Mapping[str, Any], names: Iterable[str]) -> dict[str, str]:
    """What was typed, to show it again (strings, stripped of nothing: exactly as sent)."""
    return {name: str(form.get(name, "")) for name in names}


FORM_KEY = "form_key"


def new_form_key() -> str:
    """A fresh key for one showing of a form (the ``form_key()`` macro puts it in a hidden field)."""
    return str(uuid4())


def adopt_form_key(request: Request, form: Mapping[str, Any]) -> None:
    """Make a plain form's double submission harmless: its hidden ``form_key`` (a UUID drawn when the form was
    shown) becomes the request's Idempotency-Key, so the kit's ``command`` applies a form sent twice once and answers
    the copy with the first answer. A request that carries its own key (the offline outbox) keeps it; a value that is
    not a UUID is ignored."""
    if "idempotency-key" in request.headers:
        return
    try:
        key = str(UUID(str(form.get(FORM_KEY, ""))))
    except ValueError:
        return
    request.scope["headers"] = [*request.scope["headers"], (b"idempotency-key", key.encode())]
    request.__dict__.pop("_headers", None)  # Starlette caches the parsed headers on first use


def answered(response: Response) -> Any:
    """The JSON answer of a command run by a page. A refusal stored under the request's Idempotency-Key (409, 410:
    a form sent twice that conflicted the first time) comes back as a response; it is raised again as its kind, so
    the page shows it beside its field like a fresh one."""
    body = json.loads(bytes(response.body))
    if response.status_code < 400:
        return body
    kind = {409: errors.Conflict, 410: errors.Gone}.get(response.status_code, errors.Invalid)
    problems = [errors.FieldError(e["field"], e["pesan"], e.get("detail", "")) for e in body.get("kesalahan", [])]
    raise kind(body.get("pesan", ""), body.get("detail", ""), errors=problems)
