"""The audit trail of changes: who changed what, when, with the answer given, in the service's database.

Every command goes through ``berdaya_shared.http.idempotent``, which calls ``record_change`` inside the
command's own transaction: the change and its audit row commit together or not at all. A service whose
answers carry personal data (the registry) gives a ``snapshot`` function, so the trail holds the
entity's stored state before and after (encrypted columns only as fingerprints) instead of the answer.
"""

import hashlib
import hmac
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import asyncpg
from fastapi import FastAPI, Request

Snapshot = Callable[[asyncpg.Connection, str, str], Awaitable[dict[str, Any] | None]]


@dataclass(frozen=True)
class AuditConfig:
    snapshot: Snapshot | None = None  # (conn, ref name, ref) -> stored state, for before/after
    store_answer: bool = True  # False where answers carry personal data


def install(app: FastAPI, *, snapshot: Snapshot | None = None, store_answer: bool = True) -> None:
    app.state.audit = AuditConfig(snapshot, store_answer)


def _config(request: Request) -> AuditConfig:
    return getattr(request.app.state, "audit", None) or AuditConfig()


def entity_of(request: Request, answer: Any = None) -> tuple[str, str] | None:
    """The entity a command is about: the first ``*_ref`` in the path, else the first in the answer."""
    params = request.path_params
    for name, value in params.items():
        if name.endswith("_ref"):
            return name, str(value)
    if isinstance(answer, dict):
        for name, value in answer.items():
            if name.endswith("_ref") and value is not None:
                return name, str(value)
    if params:
        name, value = next(iter(params.items()))
        return name, str(value)
    return None


def written(request: Request, name: str, ref: Any, state: dict[str, Any]) -> None:
    """A command hands over the stored state of a record it has just written (as the snapshot function would
    give it), so the trail does not read it back. Only for a record the command does not change afterwards."""
    known = getattr(request.state, "audit_written", None) or {}
    request.state.audit_written = {**known, (name, str(ref)): state}


async def _after(conn: asyncpg.Connection, request: Request, snapshot: Snapshot, name: str, ref: str
                 ) -> dict[str, Any] | None:
    known = getattr(request.state, "audit_written", None) or {}
    if (name, ref) in known:
        return known[(name, ref)]
    return await snapshot(conn, name, ref)


async def before(conn: asyncpg.Connection, request: Request) -> dict[str, Any] | None:
    config, entity = _config(request), entity_of(request)
    if config.snapshot is None or entity is None:
        return None
    return await config.snapshot(conn, *entity)


async def record_change(
    conn: asyncpg.Connection, request: Request, status: int, answer: Any, prior: dict[str, Any] | None
) -> None:
    """Write the audit row of a command, in the command's transaction. ``answer`` is JSON-able."""
    config = _config(request)
    entity = entity_of(request, answer)
    after: Any = None
    if config.snapshot is not None:
        # A command under a parent (an aid record for a woman) shows the record it created, when known.
        for created in _new_refs(request, answer):
            after = await _after(conn, request, config.snapshot, *created)
            if after is not None:
                prior = None
                break
        if after is None and entity is not None:
            after = await _after(conn, request, config.snapshot, *entity)
    if after is None:
        after = answer if config.store_answer else _refs_only(answer)
    principal = getattr(request.state, "principal", None)
    route = request.scope.get("route")
    await conn.execute(
        "INSERT INTO audit_log (client_id, opd, method, path, status, entity_ref, before, after)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8::jsonb)",
        getattr(principal, "client_id", None), getattr(principal, "opd", None), request.method,
        getattr(route, "path", request.url.path), status, f"{entity[0]}={entity[1]}" if entity else None,
        _json(prior), _json(after),
    )


def _new_refs(request: Request, answer: Any) -> list[tuple[str, str]]:
    """The answer's own ref (its first ``*_ref`` field) when the path does not name it: a created record."""
    if not isinstance(answer, dict):
        return []
    first = next(((k, str(v)) for k, v in answer.items() if k.endswith("_ref") and v is not None), None)
    return [first] if first and first[1] not in {str(v) for v in request.path_params.values()} else []


def _refs_only(answer: Any) -> Any:
    if isinstance(answer, dict):
        return {k: v for k, v in answer.items() if k.endswith("_ref") or k in ("status", "id")}
    return None


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, default=str)


def fingerprint(value: bytes | None, key: bytes) -> str | None:
    """Shows that a personal value changed without showing it: ``hmac:`` + the first 16 hex of HMAC-SHA256(key,
    value). Keyed, with the key from the service's configuration (never in the database): a plain hash of a value
    with few possibilities (a birth date: about 26,000 between 1940 and 2010) is reversed by hashing them all."""
    return None if value is None else "hmac:" + hmac.new(key, value, hashlib.sha256).hexdigest()[:16]


async def query(
    conn: asyncpg.Connection, *, entity_ref: str | None = None, client_id: str | None = None,
    limit: int = 50, offset: int = 0,
) -> list[dict[str, Any]]:
    rows = await conn.fetch(
        "SELECT id, at, client_id, opd, method, path, status, entity_ref, before, after FROM audit_log"
        " WHERE ($1::text IS NULL OR entity_ref = $1) AND ($2::text IS NULL OR client_id = $2)"
        " ORDER BY id DESC LIMIT $3 OFFSET $4",
        entity_ref, client_id, limit, offset,
    )
    return [{**dict(r), "before": json.loads(r["before"]) if r["before"] else None,
             "after": json.loads(r["after"]) if r["after"] else None} for r in rows]
