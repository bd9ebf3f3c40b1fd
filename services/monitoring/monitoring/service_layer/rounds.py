"""Evaluation rounds: open (freeze the period's figures), notes, obstacles, actions, approve, compare."""

import json
from datetime import date
from typing import Any
from uuid import UUID, uuid4

import asyncpg
from berdaya_contracts import monitoring_v1 as mon
from berdaya_contracts import new_envelope
from berdaya_shared import errors
from berdaya_shared.messaging import outbox

from ..domain import rounds as d
from ..domain.indicators import CATALOG
from .indicators import Filters, compute, targets_progress


async def freeze(conn: asyncpg.Connection, kind: d.PeriodKind, period: str) -> tuple[list[dict], list[dict]]:
    """Every indicator's published cells for the period (regency and by kecamatan), plus target progress."""
    months = d.month_range(kind, period)
    assert months is not None
    f = Filters(period_from=months[0], period_to=months[1])
    figures: list[dict[str, Any]] = []
    for ind in CATALOG:
        for group in (None, "kecamatan"):
            for c in await compute(conn, ind.name, f, group):
                figures.append({"indicator": ind.name, "kecamatan_code": None if group is None else c["key"],
                                "value": c["value"], "suppressed": c["suppressed"]})
    targets = await targets_progress(conn, int(period[:4]), "all")
    return figures, targets


async def _round(conn: asyncpg.Connection, round_ref: UUID, *, lock: bool = False) -> asyncpg.Record:
    row = await conn.fetchrow("SELECT * FROM eval_rounds WHERE round_ref = $1" + (" FOR UPDATE" if lock else ""),
                              round_ref)
    if row is None:
        raise errors.NotFound("Putaran evaluasi tidak ditemukan", "evaluation round not found", field="round_ref")
    return row


async def writable(conn: asyncpg.Connection, round_ref: UUID) -> asyncpg.Record:
    row = await _round(conn, round_ref, lock=True)
    if row["approved_on"] is not None:
        raise errors.Conflict("Putaran evaluasi sudah disetujui dan tidak dapat diubah",
                              "the round is approved and read-only")
    return row


def _own(acting_opd: str, opd: str) -> None:
    if acting_opd != opd:
        raise errors.Forbidden("OPD hanya boleh mengubah catatannya sendiri",
                               f"{acting_opd} may not write for {opd}", field="opd")


async def create(conn: asyncpg.Connection, *, kind: d.PeriodKind, period: str, title: str, opd: str,
                 figures: list[dict], targets: list[dict]) -> dict[str, Any]:
    ref = uuid4()
    await conn.execute(
        "INSERT INTO eval_rounds (round_ref, period_kind, period, title, opened_by_opd, figures, targets)"
        " VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb)",
        ref, kind, period, title, opd, json.dumps(figures), json.dumps(targets))
    return await get(conn, round_ref=ref)


async def put_note(conn: asyncpg.Connection, *, round_ref: UUID, opd: str, acting_opd: str, note: str) -> dict:
    _own(acting_opd, opd)
    await writable(conn, round_ref)
    await conn.execute(
        "INSERT INTO eval_round_notes (round_ref, opd, progress_note) VALUES ($1, $2, $3) ON CONFLICT (round_ref, opd)"
        " DO UPDATE SET progress_note = EXCLUDED.progress_note, updated_at = now()", round_ref, opd, note)
    return {"round_ref": round_ref, "opd": opd, "progress_note": note}


async def add_obstacle(conn: asyncpg.Connection, *, round_ref: UUID, acting_opd: str, body: dict) -> dict:
    _own(acting_opd, body["opd"])
    await writable(conn, round_ref)
    ref = uuid4()
    await conn.execute(
        "INSERT INTO eval_obstacles (obstacle_ref, round_ref, opd, category, description, severity)"
        " VALUES ($1, $2, $3, $4, $5, $6)", ref, round_ref, body["opd"], body["category"], body["description"],
        body["severity"])
    return {"obstacle_ref": ref, "round_ref": round_ref, **body}


async def add_action(conn: asyncpg.Connection, *, round_ref: UUID, acting_opd: str, body: dict) -> dict:
    _own(acting_opd, body["opd"])
    await writable(conn, round_ref)
    ref = uuid4()
    await conn.execute(
        "INSERT INTO eval_actions (action_ref, opened_round_ref, opd, owner_opd, description, due_on, status)"
        " VALUES ($1, $2, $3, $4, $5, $6, 'open')", ref, round_ref, body["opd"], body["owner_opd"],
        body["description"], body["due_on"])
    await conn.execute("INSERT INTO eval_action_reviews (action_ref, round_ref, status) VALUES ($1, $2, 'open')",
                       ref, round_ref)
    return {"action_ref": ref, "opened_round_ref": round_ref, "status": "open", **body}


async def review_action(conn: asyncpg.Connection, *, round_ref: UUID, action_ref: UUID, acting_opd: str,
                        status: d.ActionStatus, note: str) -> dict:
    row = await writable(conn, round_ref)
    action = await conn.fetchrow(
        "SELECT a.*, o.opened_at AS round_opened_at FROM eval_actions a"
        " JOIN eval_rounds o ON o.round_ref = a.opened_round_ref WHERE a.action_ref = $1 FOR UPDATE OF a", action_ref)
    if action is None:
        raise errors.NotFound("Tindak lanjut tidak ditemukan", "action not found", field="action_ref")
    if action["round_opened_at"] > row["opened_at"]:
        raise errors.Conflict("Tindak lanjut dibuka pada putaran yang lebih baru",
                              "the action was opened in a later round", field="action_ref")
    if acting_opd not in (action["opd"], action["owner_opd"]):
        raise errors.Forbidden("OPD hanya boleh mengubah tindak lanjutnya sendiri",
                               f"{acting_opd} may not update this action", field="action_ref")
    if action["closed_round_ref"] is not None and action["closed_round_ref"] != round_ref:
        raise errors.Conflict("Tindak lanjut sudah selesai pada putaran sebelumnya", "action already closed")
    await conn.execute(
        "INSERT INTO eval_action_reviews (action_ref, round_ref, status, note) VALUES ($1, $2, $3, $4)"
        " ON CONFLICT (action_ref, round_ref) DO UPDATE SET status = EXCLUDED.status, note = EXCLUDED.note,"
        " reviewed_at = now()", action_ref, round_ref, status, note)
    await conn.execute("UPDATE eval_actions SET status = $2, closed_round_ref = $3 WHERE action_ref = $1",
                       action_ref, status, round_ref if status == "done" else None)
    return {"action_ref": action_ref, "round_ref": round_ref, "status": status, "note": note}


async def approve(conn: asyncpg.Connection, *, round_ref: UUID, acting_opd: str, correlation_id: str | None) -> dict:
    if acting_opd != d.APPROVER:
        raise errors.Forbidden("Hanya DP3A yang dapat menyetujui putaran evaluasi", "only dp3a may approve",
                               field="X-OPD")
    row = await writable(conn, round_ref)
    today = date.today()
    await conn.execute("UPDATE eval_rounds SET approved_on = $2, approved_by_opd = $3, approved_at = now()"
                       " WHERE round_ref = $1", round_ref, today, acting_opd)
    figures = [mon.RoundFigure(**c) for c in json.loads(row["figures"])]
    await outbox.add(conn, new_envelope(mon.EvaluationRoundApproved(
        round_ref=round_ref, period_kind=row["period_kind"], period=row["period"], approved_on=today,
        approved_by_opd=acting_opd, figures=figures), correlation_id=correlation_id))  # type: ignore[arg-type]
    return await get(conn, round_ref=round_ref)


async def actions_of(conn: asyncpg.Connection, row: asyncpg.Record) -> list[dict[str, Any]]:
    """Actions opened in this round or carried over into it: opened earlier and not closed before it."""
    rows = await conn.fetch(
        "SELECT a.*, o.period AS opened_period, c.period AS closed_period, rv.status AS status_in_round"
        " FROM eval_actions a JOIN eval_rounds o ON o.round_ref = a.opened_round_ref"
        " LEFT JOIN eval_rounds c ON c.round_ref = a.closed_round_ref"
        " LEFT JOIN eval_action_reviews rv ON rv.action_ref = a.action_ref AND rv.round_ref = $1"
        " WHERE o.opened_at <= $2 AND (c.round_ref IS NULL OR c.opened_at >= $2) ORDER BY a.created_at",
        row["round_ref"], row["opened_at"])
    return [{"action_ref": r["action_ref"], "opd": r["opd"], "owner_opd": r["owner_opd"],
             "description": r["description"], "due_on": r["due_on"], "status": r["status"],
             "status_in_round": r["status_in_round"], "opened_round_ref": r["opened_round_ref"],
             "opened_period": r["opened_period"], "closed_round_ref": r["closed_round_ref"],
             "carried_over": r["opened_round_ref"] != row["round_ref"]} for r in rows]


async def get(conn: asyncpg.Connection, *, round_ref: UUID) -> dict[str, Any]:
    row = await _round(conn, round_ref)
    notes = await conn.fetch("SELECT opd, progress_note FROM eval_round_notes WHERE round_ref = $1 ORDER BY opd",
                             round_ref)
    obstacles = await conn.fetch("SELECT obstacle_ref, opd, category, description, severity FROM eval_obstacles"
                                 " WHERE round_ref = $1 ORDER BY created_at", round_ref)
    return {"round_ref": row["round_ref"], "period_kind": row["period_kind"], "period": row["period"],
            "title": row["title"], "opened_at": row["opened_at"], "opened_by_opd": row["opened_by_opd"],
            "status": "approved" if row["approved_on"] else "open", "approved_on": row["approved_on"],
            "approved_by_opd": row["approved_by_opd"], "figures": json.loads(row["figures"]),
            "targets": json.loads(row["targets"]), "notes": [dict(n) for n in notes],
            "obstacles": [dict(o) for o in obstacles], "actions": await actions_of(conn, row)}


async def list_rounds(conn: asyncpg.Connection, *, limit: int, offset: int) -> list[dict[str, Any]]:
    rows = await conn.fetch("SELECT round_ref, period_kind, period, title, opened_at, approved_on FROM eval_rounds"
                            " ORDER BY opened_at DESC LIMIT $1 OFFSET $2", limit, offset)
    return [{**dict(r), "status": "approved" if r["approved_on"] else "open"} for r in rows]


def compare(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    fa = {d.cell_key(c["indicator"], c["kecamatan_code"]): c for c in a["figures"]}
    fb = {d.cell_key(c["indicator"], c["kecamatan_code"]): c for c in b["figures"]}
    cells = []
    for key in sorted(set(fa) | set(fb)):
        ca, cb = fa.get(key), fb.get(key)
        ref = cb or ca
        assert ref is not None
        va, vb = (ca or {}).get("value"), (cb or {}).get("value")
        cells.append({"indicator": ref["indicator"], "kecamatan_code": ref["kecamatan_code"], "a": va, "b": vb,
                      "change": vb - va if va is not None and vb is not None else None})
    ta = {(t["indicator"], t["kecamatan_code"]): t for t in a["targets"]}
    tb = {(t["indicator"], t["kecamatan_code"]): t for t in b["targets"]}
    targets = [{"indicator": k[0], "kecamatan_code": k[1], "target": (tb.get(k) or ta[k])["target"],
                "a": (ta.get(k) or {}).get("progress"), "b": (tb.get(k) or {}).get("progress")}
               for k in sorted(set(ta) | set(tb))]

    def opened(r: dict) -> list:
        return [x["action_ref"] for x in r["actions"] if x["opened_round_ref"] == r["round_ref"]]

    def closed(r: dict) -> list:
        return [x["action_ref"] for x in r["actions"] if x["closed_round_ref"] == r["round_ref"]]

    return {"a": {"round_ref": a["round_ref"], "period": a["period"], "actions_opened": opened(a),
                  "actions_closed": closed(a)},
            "b": {"round_ref": b["round_ref"], "period": b["period"], "actions_opened": opened(b),
                  "actions_closed": closed(b)},
            "indicators": cells, "targets": targets}
