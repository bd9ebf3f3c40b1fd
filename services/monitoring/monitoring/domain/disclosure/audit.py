"""The attacker's linear program (after sdcTable's ``attack()``, Statistik Austria): every published cell is an
equality over the inner cells, every withheld cell an interval the outsider knows from its mark, the tables agree
on their shared totals, and inner cells are non-negative. Minimising and maximising a withheld cell gives the
range an outsider can derive for it from everything published. Solved with HiGHS (highspy), warm-started: one
model per family-year, only the objective changes between cells.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import highspy
import numpy as np

INF = highspy.kHighsInf
_EPS = 1e-6


class InconsistentModel(RuntimeError):
    """The published figures and the stated relations admit no table: the model or the data is wrong."""


@dataclass(frozen=True)
class Range:
    low: float
    high: float
    binding: tuple[int, ...]  # rows (cells) whose value limited the range on its tight side(s)

    def integers(self) -> int:
        """How many whole numbers the range holds (counts are whole)."""
        if self.high == INF:
            return 2**31
        return max(0, int(np.floor(self.high + _EPS)) - int(np.ceil(self.low - _EPS)) + 1)


class Attack:
    """A linear program over ``n`` non-negative inner cells.

    ``equal``: pairs of inner-cell sets with equal sums (tables agreeing on a total); ``at_most``: (i, j) with
    inner cell i <= inner cell j; ``rows``: (inner cells, low, high) — one per published or withheld cell."""

    def __init__(self, n: int, equal: Sequence[tuple[Sequence[int], Sequence[int]]],
                 at_most: Sequence[tuple[int, int]], rows: Sequence[tuple[Sequence[int], float, float]]) -> None:
        self.n = n
        self.first_cell_row = len(equal) + len(at_most)
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        # One model, many objectives: a warm-started primal simplex beats presolving each (measured 50x faster).
        h.setOptionValue("presolve", "off")
        h.setOptionValue("simplex_strategy", 4)
        h.addVars(n, np.zeros(n), np.full(n, INF))
        starts, index, value, lower, upper = [], [], [], [], []
        for a, b in equal:
            starts.append(len(index))
            index += [*a, *b]
            value += [1.0] * len(a) + [-1.0] * len(b)
            lower.append(0.0)
            upper.append(0.0)
        for i, j in at_most:
            starts.append(len(index))
            index += [i, j]
            value += [1.0, -1.0]
            lower.append(-INF)
            upper.append(0.0)
        for inner, low, high in rows:
            starts.append(len(index))
            index += list(inner)
            value += [1.0] * len(inner)
            lower.append(low)
            upper.append(high)
        if starts:
            h.addRows(len(starts), np.array(lower, float), np.array(upper, float), len(index),
                      np.array(starts, np.int32), np.array(index, np.int32), np.array(value, float))
        self.rows = list(rows)
        self.h = h
        self._costed: list[int] = []

    def _solve(self, inner: Sequence[int], sense: highspy.ObjSense) -> tuple[float, np.ndarray]:
        h = self.h
        if self._costed:
            h.changeColsCost(len(self._costed), np.array(self._costed, np.int32), np.zeros(len(self._costed)))
        self._costed = list(inner)
        if inner:
            h.changeColsCost(len(inner), np.array(inner, np.int32), np.ones(len(inner)))
        h.changeObjectiveSense(sense)
        h.run()
        status = h.getModelStatus()
        if status not in (highspy.HighsModelStatus.kOptimal, highspy.HighsModelStatus.kUnbounded):
            # A warm start can stall on badly scaled rows (Rupiah beside counts): solve once more from scratch.
            h.setOptionValue("presolve", "on")
            h.clearSolver()
            h.run()
            h.setOptionValue("presolve", "off")
            status = h.getModelStatus()
        if status == highspy.HighsModelStatus.kUnbounded:
            return (INF if sense == highspy.ObjSense.kMaximize else -INF), np.zeros(0)
        if status != highspy.HighsModelStatus.kOptimal:
            raise InconsistentModel(f"HiGHS: {h.modelStatusToString(status)}")
        return h.getInfo().objective_function_value, np.asarray(h.getSolution().row_dual)

    def feasible(self) -> bool:
        try:
            self._solve([], highspy.ObjSense.kMinimize)
        except InconsistentModel:
            return False
        return True

    def range(self, row: int) -> Range:
        """The least and greatest value cell ``row`` can take, and the cell rows binding it."""
        inner = self.rows[row][0]
        low, dual_low = self._solve(inner, highspy.ObjSense.kMinimize)
        high, dual_high = self._solve(inner, highspy.ObjSense.kMaximize)
        binding = set()
        for duals in (dual_low, dual_high):
            for k in np.flatnonzero(np.abs(duals) > _EPS):
                if k >= self.first_cell_row and k - self.first_cell_row != row:
                    binding.add(int(k - self.first_cell_row))
        return Range(max(0.0, low), high, tuple(sorted(binding)))
