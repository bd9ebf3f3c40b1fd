"""What the registry's staff pages share: reads on one pooled connection through the unit of work, a form's
Idempotency-Key, the places and PEKKA categories as choices, and a refused command's errors for the form.

Pages are ``SessionRoute`` routes (the signed-in user's verified token is the Principal, so ``policy.POLICY`` applies
to them as to the API) and call the same service-layer handlers as the API routes."""

import json
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import asyncpg
from berdaya_shared import errors
from berdaya_shared.entrypoints import pool
from berdaya_shared.http import IDEMPOTENCY_HEADER
from berdaya_shared.ui import forms
from fastapi import Request, Response

from ..domain.kukar import KECAMATAN
from ..domain.places import DESA

T = TypeVar("T")

PEKKA = (("none", "Bukan PEKKA"), ("productive", "PEKKA usia produktif"),
         ("child_marriage_risk", "Rawan perkawinan anak"), ("elderly", "PEKKA lansia"))
PEKKA_LABELS = dict(PEKKA)
KECAMATAN_CHOICES = sorted(KECAMATAN.items(), key=lambda item: item[1])


def desa_groups() -> list[tuple[str, list[tuple[str, str]]]]:
    """(kecamatan name, [(desa code, desa name)]) for a grouped select, both sorted by name."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for d in DESA.values():
        groups.setdefault(d.kecamatan_code, []).append((d.code, d.name))
    return [(name, sorted(groups.get(code, []), key=lambda item: item[1])) for code, name in KECAMATAN_CHOICES]


def place(kecamatan_code: str | None, desa_code: str | None = None) -> str:
    """"Jahab, Tenggarong" from the codes (a code outside the official list is shown as the code)."""
    kecamatan = KECAMATAN.get(kecamatan_code or "", kecamatan_code or "—")
    if desa_code:
        desa = DESA.get(desa_code)
        return f"{desa.name if desa else desa_code}, {kecamatan}"
    return kecamatan


async def read(request: Request, handler: Callable[[asyncpg.Connection], Awaitable[T]]) -> T:
    """Run a read (a service-layer query and its access-log rows) on one pooled connection, in one transaction."""
    async with pool(request).acquire() as conn, conn.transaction():
        return await handler(conn)


def use_form_key(request: Request, key: str) -> None:
    """Make the form's ``idempotency_key`` (a UUID rendered into the form) the request's Idempotency-Key, so
    ``entrypoints.command`` applies a double-clicked or re-sent form once and replays its first answer."""
    if not key or len(key) > 200:
        raise errors.BadRequest("Formulir ini tidak lengkap; muat ulang halamannya", "form without idempotency_key",
                                field="idempotency_key")
    name = IDEMPOTENCY_HEADER.lower().encode()
    request.scope["headers"] = [(k, v) for k, v in request.scope["headers"] if k != name] + [(name, key.encode())]
    request.__dict__.pop("_headers", None)  # Starlette caches the parsed headers


def answer_of(response: Response) -> tuple[int, Any]:
    """(status, JSON body) of a ``command`` answer (a first answer or a replay)."""
    return response.status_code, json.loads(bytes(response.body))


def refusal_errors(body: dict[str, Any], known: tuple[str, ...]) -> dict[str, str]:
    """A refusal's body (replayed) as {field: pesan}; fields the form does not have go to the summary."""
    out: dict[str, str] = {}
    for problem in body.get("kesalahan") or []:
        out.setdefault(problem.get("field") if problem.get("field") in known else "_form", problem.get("pesan", ""))
    return out or {"_form": body.get("pesan", "Permintaan ditolak")}


def errors_of(refusal: errors.Refusal, known: tuple[str, ...]) -> dict[str, str]:
    """``forms.from_refusal`` with fields the form does not have moved to the summary."""
    return {(name if name in known else "_form"): pesan for name, pesan in forms.from_refusal(refusal).items()}


async def submit(request: Request, key: str, handler: Callable[[asyncpg.Connection], Awaitable[Any]], *,
                 model: Any, known: tuple[str, ...], status: int = 201) -> tuple[Any, dict[str, str]]:
    """Run a form's command through ``entrypoints.command`` with the form's Idempotency-Key: (its answer, {}) or
    (None, {field: pesan}) when refused (fields the form does not have go to the summary)."""
    from berdaya_shared.entrypoints import command

    use_form_key(request, key)
    try:
        code, body = answer_of(await command(request, handler, model=model, status=status))
    except errors.Refusal as refusal:
        return None, errors_of(refusal, known)
    if code >= 400:
        return None, refusal_errors(body, known)
    return body, {}
