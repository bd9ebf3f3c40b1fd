"""In-memory stand-ins for the monitoring unit of work: the same methods as the SQL repositories, dicts inside."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from itertools import count
from typing import Any
from uuid import UUID

from berdaya_shared.unit_of_work import RecordingUnitOfWork
from monitoring.domain.rounds import Action, Round
from monitoring.service_layer import translator
from monitoring.service_layer.indicators import PeriodFigures

_EPOCH = datetime(2025, 4, 1, 2, 0, tzinfo=UTC)


class FakeRounds:
    """Rounds, notes, obstacles, actions and reviews; a read hands out a copy, as a database row would."""

    def __init__(self) -> None:
        self.rounds: dict[UUID, Round] = {}
        self.notes_: dict[tuple[UUID, str], str] = {}
        self.obstacles_: list[dict[str, Any]] = []
        self.actions: dict[UUID, Action] = {}
        self.reviews: dict[tuple[UUID, UUID], tuple[str, str]] = {}
        self._ticks = count()

    async def add(self, r: Round) -> None:
        r.opened_at = _EPOCH + timedelta(minutes=next(self._ticks))  # the database clock: later rounds, later times
        self.rounds[r.round_ref] = replace(r)

    async def get(self, round_ref: UUID, *, for_update: bool = False) -> Round | None:
        found = self.rounds.get(round_ref)
        return replace(found) if found else None

    async def save_approval(self, r: Round) -> None:
        self.rounds[r.round_ref] = replace(self.rounds[r.round_ref], approved_on=r.approved_on,
                                           approved_by_opd=r.approved_by_opd)

    async def page(self, *, limit: int, offset: int) -> list[dict[str, Any]]:
        newest = sorted(self.rounds.values(), key=lambda r: r.opened_at or _EPOCH, reverse=True)
        return [{"round_ref": r.round_ref, "period_kind": r.period_kind, "period": r.period, "title": r.title,
                 "opened_at": r.opened_at, "approved_on": r.approved_on} for r in newest[offset:offset + limit]]

    async def put_note(self, round_ref: UUID, opd: str, note: str) -> None:
        self.notes_[(round_ref, opd)] = note

    async def notes(self, round_ref: UUID) -> list[dict[str, Any]]:
        return [{"opd": opd, "progress_note": note} for (ref, opd), note in sorted(self.notes_.items(), key=str)
                if ref == round_ref]

    async def add_obstacle(self, values: dict[str, Any]) -> None:
        self.obstacles_.append(dict(values))

    async def obstacles(self, round_ref: UUID) -> list[dict[str, Any]]:
        return [{k: v for k, v in o.items() if k != "round_ref"} for o in self.obstacles_
                if o["round_ref"] == round_ref]

    async def add_action(self, action: Action) -> None:
        self.actions[action.action_ref] = replace(action)
        self.reviews[(action.action_ref, action.opened_round_ref)] = (action.status, "")

    async def get_action(self, action_ref: UUID, *, for_update: bool = False) -> Action | None:
        found = self.actions.get(action_ref)
        if found is None:
            return None
        return replace(found, opened_at=self.rounds[found.opened_round_ref].opened_at)

    async def save_review(self, action: Action, round_ref: UUID, note: str) -> None:
        self.reviews[(action.action_ref, round_ref)] = (action.status, note)
        self.actions[action.action_ref] = replace(self.actions[action.action_ref], status=action.status,
                                                  closed_round_ref=action.closed_round_ref)

    async def actions_of(self, r: Round) -> list[dict[str, Any]]:
        out = []
        for a in self.actions.values():
            opened = self.rounds[a.opened_round_ref]
            closed = self.rounds.get(a.closed_round_ref) if a.closed_round_ref else None
            assert opened.opened_at and r.opened_at
            if opened.opened_at > r.opened_at or (closed and closed.opened_at and closed.opened_at < r.opened_at):
                continue
            review = self.reviews.get((a.action_ref, r.round_ref))
            out.append({"action_ref": a.action_ref, "opd": a.opd, "owner_opd": a.owner_opd,
                        "description": a.description, "due_on": a.due_on, "status": a.status,
                        "status_in_round": review[0] if review else None, "opened_round_ref": a.opened_round_ref,
                        "opened_period": opened.period, "closed_round_ref": a.closed_round_ref,
                        "carried_over": a.opened_round_ref != r.round_ref})
        return out


class FakeTargets:
    def __init__(self) -> None:
        self.rows: dict[tuple[int, str, str], float] = {}

    async def put(self, *, year: int, kecamatan_code: str, indicator: str, target_value: float) -> None:
        self.rows[(year, kecamatan_code, indicator)] = target_value


class FakeMonitoringUnitOfWork(RecordingUnitOfWork):
    """``live`` stands for the live projection: what ``live_figures`` reads now; ``public`` for the publication:
    what ``public_figures`` and ``public_targets`` read."""

    def __init__(self, live: PeriodFigures | None = None, public: PeriodFigures | None = None) -> None:
        super().__init__(translator.to_contract)
        self.rounds = FakeRounds()
        self.targets = FakeTargets()
        self.live = live or PeriodFigures([], [])
        self.public = public or PeriodFigures([], [])
        self.asked: list[tuple[Any, ...]] = []

    async def public_figures(self, months: tuple[str, str]) -> list[dict[str, Any]]:
        self.asked.append(("public figures", months))
        return self.public.figures

    async def public_targets(self, year: int, kecamatan: str | None = "all") -> list[dict[str, Any]]:
        self.asked.append(("public targets", year, kecamatan))
        return self.public.targets

    async def live_figures(self, months: tuple[str, str], year: int) -> PeriodFigures:
        self.asked.append(("figures", months, year))
        return self.live

    async def target_progress(self, year: int, kecamatan: str | None) -> list[dict[str, Any]]:
        self.asked.append(("targets", year, kecamatan))
        return [{"year": y, "kecamatan_code": k, "indicator": i, "target": v}
                for (y, k, i), v in sorted(self.targets.rows.items()) if y == year and kecamatan in (None, k)]
