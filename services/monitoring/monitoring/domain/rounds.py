"""Evaluation rounds of the coordination meetings: periods, vocabularies, who may write what, and comparisons.

Pure rules (no I/O). Refusals are ``berdaya_shared.errors`` kinds; the rules are those of ROUNDS.md: each OPD writes
only its own entries, an action is reviewed by the OPD that recorded it or the OPD that owns it, only DP3A approves,
and an approved round is read-only.
"""

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal
from uuid import UUID, uuid4

from berdaya_shared import errors

from .events import RoundApproved

PeriodKind = Literal["month", "quarter"]
ObstacleCategory = Literal["budget", "participants", "market_access", "data", "coordination", "other"]
Severity = Literal["low", "medium", "high"]
ActionStatus = Literal["open", "in_progress", "done"]
APPROVER = "dp3a"

CATEGORY_LABEL = {"budget": "Anggaran", "participants": "Peserta", "market_access": "Akses pasar", "data": "Data",
                  "coordination": "Koordinasi", "other": "Lainnya"}
SEVERITY_LABEL = {"low": "Rendah", "medium": "Sedang", "high": "Tinggi"}
STATUS_LABEL = {"open": "Terbuka", "in_progress": "Berjalan", "done": "Selesai"}
OPD_LABEL = {"dp3a": "DP3A", "disperindag": "Disperindag", "diskop_ukm": "Diskop UKM",
             "distransnaker": "Distransnaker"}

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")


def month_range(kind: PeriodKind, period: str) -> tuple[str, str] | None:
    """First and last month (YYYY-MM) of a period, or None when the period does not match its kind."""
    if kind == "month":
        return (period, period) if _MONTH.match(period) else None
    m = _QUARTER.match(period)
    if not m:
        return None
    year, q = m.group(1), int(m.group(2))
    return f"{year}-{3 * q - 2:02d}", f"{year}-{3 * q:02d}"


def acting(opd: str | None) -> str:
    """The OPD acting on a round, one of the program's four. Raises Forbidden for a caller without one (an outside
    agency's client) or with another agency's."""
    if opd not in OPD_LABEL:
        raise errors.Forbidden("Hanya OPD program (DP3A, Disperindag, Diskop UKM, Distransnaker) yang dapat "
                               "mencatat pada putaran evaluasi", f"the caller's OPD {opd!r} is not a program OPD")
    assert opd is not None
    return opd


def require_own(acting_opd: str | None, opd: str) -> None:
    """An OPD writes only its own notes, obstacles and actions. Raises Forbidden otherwise."""
    if acting(acting_opd) != opd:
        raise errors.Forbidden("OPD hanya boleh mengubah catatannya sendiri",
                               f"{acting_opd} may not write for {opd}", field="opd")


def require_approver(acting_opd: str | None) -> str:
    """Only DP3A approves a round. Raises Forbidden otherwise."""
    if acting(acting_opd) != APPROVER:
        raise errors.Forbidden("Hanya DP3A yang dapat menyetujui putaran evaluasi", "only dp3a may approve")
    return APPROVER


@dataclass
class Round:
    """One meeting's round: its frozen figures and target progress, and whether DP3A approved it."""

    round_ref: UUID
    period_kind: PeriodKind
    period: str
    title: str
    opened_by_opd: str
    figures: list[dict[str, Any]]
    targets: list[dict[str, Any]]
    opened_at: datetime | None = None  # set by storage when the round is stored
    approved_on: date | None = None
    approved_by_opd: str | None = None

    @classmethod
    def open(cls, *, kind: PeriodKind, period: str, title: str, opd: str | None, figures: list[dict[str, Any]],
             targets: list[dict[str, Any]]) -> "Round":
        """A new round of ``figures`` frozen now. Raises Forbidden without an OPD, Invalid for a period that
        does not match its kind."""
        by = acting(opd)
        if month_range(kind, period) is None:
            raise errors.Invalid("period harus YYYY-MM untuk bulan atau YYYY-Qn untuk triwulan",
                                 f"period {period!r} does not match period_kind {kind!r}", field="period")
        return cls(uuid4(), kind, period, title or f"Evaluasi {period}", by, figures, targets)

    @property
    def status(self) -> str:
        return "approved" if self.approved_on is not None else "open"

    def require_writable(self) -> None:
        """Raises Conflict once the round is approved: it is read-only from then on."""
        if self.approved_on is not None:
            raise errors.Conflict("Putaran evaluasi sudah disetujui dan tidak dapat diubah",
                                  "the round is approved and read-only")

    def approve(self, acting_opd: str | None, on: date, published: list[dict[str, Any]] | None = None) -> RoundApproved:
        """DP3A approves the round on ``on`` (WITA); its frozen figures become the official ones. The event other
        agencies receive carries ``published`` (the period's public cells) when given, never exact figures."""
        by = require_approver(acting_opd)
        self.require_writable()
        self.approved_on, self.approved_by_opd = on, by
        return RoundApproved(self.round_ref, self.period_kind, self.period, on, by,
                             tuple(dict(c) for c in (self.figures if published is None else published)))


@dataclass
class Action:
    """A follow-up action, listed from the round that opened it until the round that closed it."""

    action_ref: UUID
    opened_round_ref: UUID
    opd: str  # the OPD that recorded it
    owner_opd: str  # the OPD responsible for it
    description: str
    due_on: date
    status: ActionStatus = "open"
    closed_round_ref: UUID | None = None
    opened_at: datetime | None = field(default=None, compare=False)  # when its opening round was opened

    @classmethod
    def open(cls, in_round: Round, *, acting_opd: str | None, opd: str, owner_opd: str, description: str,
             due_on: date) -> "Action":
        require_own(acting_opd, opd)
        in_round.require_writable()
        return cls(uuid4(), in_round.round_ref, opd, owner_opd, description, due_on, opened_at=in_round.opened_at)

    def review(self, in_round: Round, *, acting_opd: str | None, status: ActionStatus) -> None:
        """The action's status as ``in_round`` reviews it; ``done`` closes it there.

        Raises Conflict when the action was opened in a later round or closed in another one, Forbidden when the
        acting OPD neither recorded nor owns it."""
        by = acting(acting_opd)
        in_round.require_writable()
        if self.opened_at is not None and in_round.opened_at is not None and self.opened_at > in_round.opened_at:
            raise errors.Conflict("Tindak lanjut dibuka pada putaran yang lebih baru",
                                  "the action was opened in a later round", field="action_ref")
        if by not in (self.opd, self.owner_opd):
            raise errors.Forbidden("OPD hanya boleh mengubah tindak lanjutnya sendiri",
                                   f"{by} may not update this action", field="action_ref")
        if self.closed_round_ref is not None and self.closed_round_ref != in_round.round_ref:
            raise errors.Conflict("Tindak lanjut sudah selesai pada putaran sebelumnya", "action already closed")
        self.status = status
        self.closed_round_ref = in_round.round_ref if status == "done" else None


def cell_key(indicator: str, kecamatan_code: str | None) -> str:
    return f"{indicator}|{kecamatan_code or 'kukar'}"


def diff(frozen: list[dict], live: list[dict]) -> list[dict]:
    """Cells whose live value differs from the frozen one (late data), including cells that appeared."""
    before = {cell_key(c["indicator"], c["kecamatan_code"]): c for c in frozen}
    after = {cell_key(c["indicator"], c["kecamatan_code"]): c for c in live}
    out = []
    for key in sorted(set(before) | set(after)):
        b, a = before.get(key), after.get(key)
        bv, av = (b or {}).get("value"), (a or {}).get("value")
        bs, as_ = (b or {}).get("suppressed", False), (a or {}).get("suppressed", False)
        if bv == av and bs == as_:
            continue
        ref = a or b
        assert ref is not None
        change = av - bv if isinstance(av, float | int) and isinstance(bv, float | int) else None
        out.append({"indicator": ref["indicator"], "kecamatan_code": ref["kecamatan_code"], "frozen": bv,
                    "frozen_suppressed": bs, "live": av, "live_suppressed": as_, "change": change})
    return out


def compare(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    """Two rounds side by side (``a`` then ``b``, as read): each cell's change b - a (None when either side is
    suppressed or missing), target progress in both, and the actions each opened and closed."""
    fa = {cell_key(c["indicator"], c["kecamatan_code"]): c for c in a["figures"]}
    fb = {cell_key(c["indicator"], c["kecamatan_code"]): c for c in b["figures"]}
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
    return {"a": _actions_moved(a), "b": _actions_moved(b), "indicators": cells, "targets": targets}


def _actions_moved(r: dict[str, Any]) -> dict[str, Any]:
    ref = r["round_ref"]
    return {"round_ref": ref, "period": r["period"],
            "actions_opened": [x["action_ref"] for x in r["actions"] if x["opened_round_ref"] == ref],
            "actions_closed": [x["action_ref"] for x in r["actions"] if x["closed_round_ref"] == ref]}


def safe_text(value: object) -> object:
    """Spreadsheet formula injection guard for free text typed by users."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
