"""Form errors for the staff pages: a refusal or a validation failure as field -> Indonesian message.

The page re-renders the form with what was typed, ``errors`` beside each field (``ui/macros/forms.html``) and
an error summary linking to them. A refusal without a field (a conflict with what is stored) is shown under
``_form`` in the summary.
"""

from collections.abc import Iterable, Mapping
from typing import Any

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
