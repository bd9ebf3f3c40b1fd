"""The monitoring repositories: SQL for evaluation rounds (with their notes, obstacles and actions) and targets.

Rounds and actions come back as domain objects; the other reads return plain dicts, the same shapes the unit
tests' in-memory fakes return. Every method runs on the one connection (and transaction) it was given.
"""

import json
from typing import Any
from uuid import UUID

import asyncpg

from ..domain.rounds import Action, Round

_ROUND = ("SELECT round_ref, period_kind, period, title, opened_by_opd, figures, targets, opened_at, approved_on,"
          " approved_by_opd FROM eval_rounds")


def _round(row: asyncpg.Record) -> Round:
    return Round(row["round_ref"], row["period_kind"], row["period"], row["title"], row["opened_by_opd"],
                 json.loads(row["figures"]), json.loads(row["targets"]), row["opened_at"], row["approved_on"],
                 row["approved_by_opd"])


class RoundRepository:
    """Evaluation rounds: the round row is the lock of everything recorded in it."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def add(self, r: Round) -> None:
        """Store a new round; ``opened_at`` is set from the database clock."""
        r.opened_at = await self.conn.fetchval(
            "INSERT INTO eval_rounds (round_ref, period_kind, period, title, opened_by_opd, figures, targets)"
            " VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb) RETURNING opened_at",
            r.round_ref, r.period_kind, r.period, r.title, r.opened_by_opd, json.dumps(r.figures),
            json.dumps(r.targets))

    async def get(self, round_ref: UUID, *, for_update: bool = False) -> Round | None:
        row = await self.conn.fetchrow(_ROUND + " WHERE round_ref = $1" + (" FOR UPDATE" if for_update else ""),
                                       round_ref)
        return _round(row) if row else None

    async def save_approval(self, r: Round) -> None:
        await self.conn.execute("UPDATE eval_rounds SET approved_on = $2, approved_by_opd = $3, approved_at = now()"
                                " WHERE round_ref = $1", r.round_ref, r.approved_on, r.approved_by_opd)

    async def page(self, *, limit: int, offset: int) -> list[dict[str, Any]]:
        """Rounds, newest first: round_ref, period_kind, period, title, opened_at, approved_on."""
        rows = await self.conn.fetch("SELECT round_ref, period_kind, period, title, opened_at, approved_on"
                                     " FROM eval_rounds ORDER BY opened_at DESC LIMIT $1 OFFSET $2", limit, offset)
        return [dict(r) for r in rows]

    async def put_note(self, round_ref: UUID, opd: str, note: str) -> None:
        await self.conn.execute(
            "INSERT INTO eval_round_notes (round_ref, opd, progress_note) VALUES ($1, $2, $3)"
            " ON CONFLICT (round_ref, opd) DO UPDATE SET progress_note = EXCLUDED.progress_note, updated_at = now()",
            round_ref, opd, note)

    async def notes(self, round_ref: UUID) -> list[dict[str, Any]]:
        """Each OPD's note (opd, progress_note), by OPD."""
        rows = await self.conn.fetch("SELECT opd, progress_note FROM eval_round_notes WHERE round_ref = $1"
                                     " ORDER BY opd", round_ref)
        return [dict(r) for r in rows]

    async def add_obstacle(self, values: dict[str, Any]) -> None:
        await self.conn.execute(
            "INSERT INTO eval_obstacles (obstacle_ref, round_ref, opd, category, description, severity)"
            " VALUES ($1, $2, $3, $4, $5, $6)", values["obstacle_ref"], values["round_ref"], values["opd"],
            values["category"], values["description"], values["severity"])

    async def obstacles(self, round_ref: UUID) -> list[dict[str, Any]]:
        """The round's obstacles (obstacle_ref, opd, category, description, severity), in recording order."""
        rows = await self.conn.fetch("SELECT obstacle_ref, opd, category, description, severity FROM eval_obstacles"
                                     " WHERE round_ref = $1 ORDER BY created_at", round_ref)
        return [dict(r) for r in rows]

    async def add_action(self, action: Action) -> None:
        """Store a new action and its first review (``open``) in the round that opened it."""
        await self.conn.execute(
            "INSERT INTO eval_actions (action_ref, opened_round_ref, opd, owner_opd, description, due_on, status)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7)", action.action_ref, action.opened_round_ref, action.opd,
            action.owner_opd, action.description, action.due_on, action.status)
        await self.conn.execute("INSERT INTO eval_action_reviews (action_ref, round_ref, status) VALUES ($1, $2, $3)",
                                action.action_ref, action.opened_round_ref, action.status)

    async def get_action(self, action_ref: UUID, *, for_update: bool = False) -> Action | None:
        row = await self.conn.fetchrow(
            "SELECT a.*, o.opened_at AS round_opened_at FROM eval_actions a"
            " JOIN eval_rounds o ON o.round_ref = a.opened_round_ref WHERE a.action_ref = $1"
            + (" FOR UPDATE OF a" if for_update else ""), action_ref)
        if row is None:
            return None
        return Action(row["action_ref"], row["opened_round_ref"], row["opd"], row["owner_opd"], row["description"],
                      row["due_on"], row["status"], row["closed_round_ref"], row["round_opened_at"])

    async def save_review(self, action: Action, round_ref: UUID, note: str) -> None:
        """The action's status as ``round_ref`` reviewed it (its history), and its current status."""
        await self.conn.execute(
            "INSERT INTO eval_action_reviews (action_ref, round_ref, status, note) VALUES ($1, $2, $3, $4)"
            " ON CONFLICT (action_ref, round_ref) DO UPDATE SET status = EXCLUDED.status, note = EXCLUDED.note,"
            " reviewed_at = now()", action.action_ref, round_ref, action.status, note)
        await self.conn.execute("UPDATE eval_actions SET status = $2, closed_round_ref = $3 WHERE action_ref = $1",
                                action.action_ref, action.status, action.closed_round_ref)

    async def actions_of(self, r: Round) -> list[dict[str, Any]]:
        """Actions opened in this round or carried over into it: opened earlier and not closed before it.

        Each: action_ref, opd, owner_opd, description, due_on, status, status_in_round (None where this round did
        not review it), opened_round_ref, opened_period, closed_round_ref, carried_over."""
        rows = await self.conn.fetch(
            "SELECT a.*, o.period AS opened_period, c.period AS closed_period, rv.status AS status_in_round"
            " FROM eval_actions a JOIN eval_rounds o ON o.round_ref = a.opened_round_ref"
            " LEFT JOIN eval_rounds c ON c.round_ref = a.closed_round_ref"
            " LEFT JOIN eval_action_reviews rv ON rv.action_ref = a.action_ref AND rv.round_ref = $1"
            " WHERE o.opened_at <= $2 AND (c.round_ref IS NULL OR c.opened_at >= $2) ORDER BY a.created_at",
            r.round_ref, r.opened_at)
        return [{"action_ref": x["action_ref"], "opd": x["opd"], "owner_opd": x["owner_opd"],
                 "description": x["description"], "due_on": x["due_on"], "status": x["status"],
                 "status_in_round": x["status_in_round"], "opened_round_ref": x["opened_round_ref"],
                 "opened_period": x["opened_period"], "closed_round_ref": x["closed_round_ref"],
                 "carried_over": x["opened_round_ref"] != r.round_ref} for x in rows]


class TargetRepository:
    """Yearly targets per kecamatan (or ``all``) and indicator."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def put(self, *, year: int, kecamatan_code: str, indicator: str, target_value: float) -> None:
        await self.conn.execute(
            "INSERT INTO targets (year, kecamatan_code, indicator, target_value) VALUES ($1, $2, $3, $4)"
            " ON CONFLICT (year, kecamatan_code, indicator) DO UPDATE SET target_value = EXCLUDED.target_value,"
            " updated_at = now()", year, kecamatan_code, indicator, target_value)
