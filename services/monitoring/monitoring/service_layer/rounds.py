"""Evaluation round handlers: open (with the period's figures frozen), notes, obstacles, actions, approve, and the
reads (one round, the list, late data, comparison). Each takes the monitoring unit of work; the rules are in
``domain/rounds.py``."""

from datetime import date
from typing import Any
from uuid import UUID, uuid4

import asyncpg
from berdaya_shared import errors

from ..domain import rounds as d
from . import indicators
from .unit_of_work import MonitoringUnitOfWork


async def freeze(conn: asyncpg.Connection, kind: d.PeriodKind, period: str) -> indicators.PeriodFigures:
    """The figures a round of ``period`` freezes, read on ``conn`` (a snapshot of the live projection).
    Raises Invalid for a period that does not match its kind."""
    return await indicators.period_figures(conn, _months(kind, period), int(period[:4]))


def _months(kind: d.PeriodKind, period: str) -> tuple[str, str]:
    months = d.month_range(kind, period)
    if months is None:
        raise errors.Invalid("period harus YYYY-MM untuk bulan atau YYYY-Qn untuk triwulan",
                             f"period {period!r} does not match period_kind {kind!r}", field="period")
    return months


async def require(uow: MonitoringUnitOfWork, round_ref: UUID, *, for_update: bool = False) -> d.Round:
    found = await uow.rounds.get(round_ref, for_update=for_update)
    if found is None:
        raise errors.NotFound("Putaran evaluasi tidak ditemukan", "evaluation round not found", field="round_ref")
    return found


async def _writable(uow: MonitoringUnitOfWork, round_ref: UUID) -> d.Round:
    found = await require(uow, round_ref, for_update=True)
    found.require_writable()
    return found


async def open_round(uow: MonitoringUnitOfWork, *, kind: d.PeriodKind, period: str, title: str, opd: str | None,
                     frozen: indicators.PeriodFigures) -> dict[str, Any]:
    """Open a round of ``period`` with ``frozen`` (its figures, read before the transaction). Raises Forbidden
    without an acting OPD."""
    opened = d.Round.open(kind=kind, period=period, title=title, opd=opd, figures=frozen.figures,
                          targets=frozen.targets)
    await uow.rounds.add(opened)
    return await view(uow, opened)


async def put_note(uow: MonitoringUnitOfWork, *, round_ref: UUID, opd: str, acting_opd: str | None,
                   note: str) -> dict[str, Any]:
    """An OPD's progress note (one per OPD per round, replaced when written again)."""
    d.require_own(acting_opd, opd)
    await _writable(uow, round_ref)
    await uow.rounds.put_note(round_ref, opd, note)
    return {"round_ref": round_ref, "opd": opd, "progress_note": note}


async def add_obstacle(uow: MonitoringUnitOfWork, *, round_ref: UUID, acting_opd: str | None, opd: str,
                       category: d.ObstacleCategory, description: str, severity: d.Severity) -> dict[str, Any]:
    d.require_own(acting_opd, opd)
    await _writable(uow, round_ref)
    values = {"obstacle_ref": uuid4(), "round_ref": round_ref, "opd": opd, "category": category,
              "description": description, "severity": severity}
    await uow.rounds.add_obstacle(values)
    return values


async def add_action(uow: MonitoringUnitOfWork, *, round_ref: UUID, acting_opd: str | None, opd: str,
                     owner_opd: str, description: str, due_on: date) -> dict[str, Any]:
    d.require_own(acting_opd, opd)
    action = d.Action.open(await _writable(uow, round_ref), acting_opd=acting_opd, opd=opd, owner_opd=owner_opd,
                           description=description, due_on=due_on)
    await uow.rounds.add_action(action)
    return {"action_ref": action.action_ref, "opened_round_ref": round_ref, "status": action.status, "opd": opd,
            "owner_opd": owner_opd, "description": description, "due_on": due_on}


async def review_action(uow: MonitoringUnitOfWork, *, round_ref: UUID, action_ref: UUID, acting_opd: str | None,
                        status: d.ActionStatus, note: str) -> dict[str, Any]:
    """The action's status in this round (``done`` closes it here)."""
    in_round = await _writable(uow, round_ref)
    action = await uow.rounds.get_action(action_ref, for_update=True)
    if action is None:
        raise errors.NotFound("Tindak lanjut tidak ditemukan", "action not found", field="action_ref")
    action.review(in_round, acting_opd=acting_opd, status=status)
    await uow.rounds.save_review(action, round_ref, note)
    return {"action_ref": action_ref, "round_ref": round_ref, "status": status, "note": note}


async def approve(uow: MonitoringUnitOfWork, *, round_ref: UUID, acting_opd: str | None,
                  today: date) -> dict[str, Any]:
    """DP3A approves the round on ``today`` (WITA): it becomes read-only and EvaluationRoundApproved is published
    with its frozen figures, in the same transaction."""
    d.require_approver(acting_opd)
    found = await _writable(uow, round_ref)
    approved = found.approve(acting_opd, today, await uow.public_figures(_months(found.period_kind, found.period)))
    await uow.rounds.save_approval(found)
    await uow.publish([approved])
    return await view(uow, found)


async def view(uow: MonitoringUnitOfWork, r: d.Round, internal: bool = True) -> dict[str, Any]:
    """A round as the API answers it: frozen figures and targets, notes, obstacles, actions. The public face
    (``internal`` False) shows the period's published cells and target progress instead of the frozen exact
    figures: a round frozen before the publication existed passes through it the same way."""
    figures, targets = r.figures, r.targets
    if not internal:
        figures = await uow.public_figures(_months(r.period_kind, r.period))
        targets = await uow.public_targets(int(r.period[:4]))
    return {"round_ref": r.round_ref, "period_kind": r.period_kind, "period": r.period, "title": r.title,
            "opened_at": r.opened_at, "opened_by_opd": r.opened_by_opd, "status": r.status,
            "approved_on": r.approved_on, "approved_by_opd": r.approved_by_opd, "figures": figures,
            "targets": targets, "notes": await uow.rounds.notes(r.round_ref),
            "obstacles": await uow.rounds.obstacles(r.round_ref), "actions": await uow.rounds.actions_of(r)}


async def get(uow: MonitoringUnitOfWork, *, round_ref: UUID, internal: bool = True) -> dict[str, Any]:
    return await view(uow, await require(uow, round_ref), internal)


async def list_(uow: MonitoringUnitOfWork, *, limit: int, offset: int) -> list[dict[str, Any]]:
    """Rounds, newest first, each with its status."""
    return [{**r, "status": "approved" if r["approved_on"] else "open"}
            for r in await uow.rounds.page(limit=limit, offset=offset)]


async def late_data(uow: MonitoringUnitOfWork, *, round_ref: UUID, internal: bool = True) -> dict[str, Any]:
    """Cells whose live value for the round's period now differs from the frozen one: data that arrived after the
    meeting. Public face: the publication never revises a released cell, so it has no late data to show."""
    r = await require(uow, round_ref)
    if not internal:
        return {"round_ref": round_ref, "period": r.period, "changed_cells": 0, "changes": []}
    live = await uow.live_figures(_months(r.period_kind, r.period), int(r.period[:4]))
    changes = d.diff(r.figures, live.figures)
    return {"round_ref": round_ref, "period": r.period, "changed_cells": len(changes), "changes": changes}


async def compare(uow: MonitoringUnitOfWork, *, a: UUID, b: UUID, internal: bool = True) -> dict[str, Any]:
    return d.compare(await get(uow, round_ref=a, internal=internal), await get(uow, round_ref=b, internal=internal))
