"""A mixed-integer model gathered in plain lists and solved by HiGHS through its array interface."""

from __future__ import annotations

import time
from dataclasses import dataclass

import highspy
import numpy as np

from ..errors import PlanningError

_KINDS = (highspy.HighsVarType.kContinuous, highspy.HighsVarType.kInteger)
_OPTIMAL = highspy.HighsModelStatus.kOptimal
ROW_TOLERANCE = 1e-6


@dataclass(frozen=True)
class Deadline:
    """The whole planning time budget, shared by every solver run of one plan."""

    limit_s: float
    at: float

    @classmethod
    def after(cls, seconds: float) -> Deadline:
        return cls(seconds, time.monotonic() + seconds)

    def remaining(self) -> float:
        left = self.at - time.monotonic()
        if left <= 0:
            raise PlanningError(f"no proven optimum within the time limit of {self.limit_s:g} s")
        return left


class MipModel:
    """Columns (lower bound 0 unless fixed) and rows, handed to HiGHS as one row-wise sparse matrix."""

    def __init__(self) -> None:
        self.cost: list[float] = []
        self.integer: list[bool] = []
        self.upper: list[float] = []
        self.lower: list[float] | None = None  # all 0 unless reduced-cost fixing raised some
        self.row_lower: list[float] = []
        self.row_upper: list[float] = []
        self.starts: list[int] = [0]
        self.index: list[int] = []
        self.value: list[float] = []
        self._relaxed: tuple[float, np.ndarray, np.ndarray] | None = None

    @property
    def size(self) -> int:
        return len(self.cost)

    def column(self, upper: float, cost: float = 0.0, *, integer: bool = True) -> int:
        self.cost.append(cost)
        self.integer.append(integer)
        self.upper.append(upper)
        return len(self.cost) - 1

    def row(self, terms, lower: float = -np.inf, upper: float = np.inf) -> None:
        for column, coefficient in terms:
            if coefficient:
                self.index.append(column)
                self.value.append(coefficient)
        self.starts.append(len(self.index))
        self.row_lower.append(lower)
        self.row_upper.append(upper)

    def _solver(self, deadline: Deadline):
        """A fresh HiGHS instance holding the model. One per run: reusing an instance after an LP run,
        or handing HiGHS 1.16 a starting solution with setSolution, made it report an objective that
        did not belong to the values it returned; so a known plan is passed as a cutoff instead."""
        lp = highspy.HighsLp()
        lp.num_col_ = len(self.cost)
        lp.num_row_ = len(self.row_lower)
        lp.col_cost_ = np.asarray(self.cost, dtype=np.float64)
        lp.col_lower_ = (
            np.zeros(lp.num_col_) if self.lower is None else np.asarray(self.lower, dtype=np.float64)
        )
        lp.col_upper_ = np.asarray(self.upper, dtype=np.float64)
        lp.row_lower_ = np.asarray(self.row_lower, dtype=np.float64)
        lp.row_upper_ = np.asarray(self.row_upper, dtype=np.float64)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
        lp.a_matrix_.num_col_ = lp.num_col_
        lp.a_matrix_.num_row_ = lp.num_row_
        lp.a_matrix_.start_ = np.asarray(self.starts, dtype=np.int32)
        lp.a_matrix_.index_ = np.asarray(self.index, dtype=np.int32)
        lp.a_matrix_.value_ = np.asarray(self.value, dtype=np.float64)
        lp.integrality_ = [_KINDS[flag] for flag in self.integer]

        # The bare binding: the Python wrapper class prints a banner on stdout, which --json cannot have.
        highs = highspy._Highs()
        for option, value in (
            ("output_flag", False),
            ("threads", 1),
            ("time_limit", deadline.remaining()),
            # Every objective value is an integer: a gap under 1 proves the optimum; no relative slack.
            ("mip_rel_gap", 0.0),
            ("mip_abs_gap", 0.5),
            ("mip_feasibility_tolerance", 1e-9),
        ):
            highs.setOptionValue(option, value)
        if highs.passModel(lp) != highspy.HighsStatus.kOk:
            raise PlanningError("the solver refused the planning model")
        return highs

    def relaxation(self, deadline: Deadline) -> np.ndarray | None:
        """The LP relaxation's solution (a guide for the starting plan), or None when it has none.
        Keeps its objective and reduced costs for `fix_by_reduced_cost`."""
        highs = self._solver(deadline)
        highs.setOptionValue("solve_relaxation", True)
        highs.setOptionValue("presolve", "off")
        highs.run()
        if highs.getModelStatus() != _OPTIMAL:
            return None
        solution = highs.getSolution()
        self._relaxed = (
            highs.getInfo().objective_function_value,
            np.asarray(solution.col_value, dtype=np.float64),
            np.asarray(solution.col_dual, dtype=np.float64),
        )
        return self._relaxed[1]

    def satisfies(self, values: list[float]) -> bool:
        """True when `values` meet every bound and row (within ROW_TOLERANCE)."""
        x = np.asarray(values, dtype=np.float64)
        lower = 0.0 if self.lower is None else np.asarray(self.lower)
        if np.any(x < lower - ROW_TOLERANCE) or np.any(x > np.asarray(self.upper) + ROW_TOLERANCE):
            return False
        products = np.asarray(self.value) * x[np.asarray(self.index, dtype=np.int64)]
        activity = np.add.reduceat(np.append(products, 0.0), np.asarray(self.starts[:-1], dtype=np.int64))
        empty = np.diff(self.starts) == 0
        activity[empty] = 0.0
        return bool(
            np.all(activity >= np.asarray(self.row_lower) - ROW_TOLERANCE)
            and np.all(activity <= np.asarray(self.row_upper) + ROW_TOLERANCE)
        )

    def fix_by_reduced_cost(self, incumbent: float) -> int:
        """Tighten column bounds that no plan at least as good as `incumbent` can cross.

        LP duality: every feasible point has objective ≥ LP + Σ d_j (x_j − x*_j), each term ≥ 0 for a
        column at its bound. So moving column j by t units off its bound costs at least |d_j| t, and
        t ≤ (incumbent + margin − LP) / |d_j| for any plan no worse than the incumbent. Every such plan,
        the optimum among them, survives; the margin covers the LP's floating-point tolerances.
        Returns how many columns were tightened.
        """
        if self._relaxed is None:
            return 0
        bound, values, reduced = self._relaxed
        slack = incumbent - bound
        if slack < 0:
            return 0  # an incumbent below the LP bound means numerical trouble: fix nothing
        slack += max(1000.0, 1e-6 * abs(incumbent))
        lower = np.zeros(len(self.upper)) if self.lower is None else np.asarray(self.lower, dtype=np.float64)
        upper = np.asarray(self.upper, dtype=np.float64)
        integer = np.asarray(self.integer, dtype=bool)
        with np.errstate(divide="ignore"):
            reach = np.floor(slack / np.abs(reduced))
        at_lower = integer & (reduced > 1e-9) & (values <= lower + 1e-9)
        at_upper = integer & (reduced < -1e-9) & (values >= upper - 1e-9)
        new_upper = np.where(at_lower, np.minimum(upper, lower + reach), upper)
        new_lower = np.where(at_upper, np.maximum(lower, upper - reach), lower)
        changed = int(np.count_nonzero((new_upper < upper) | (new_lower > lower)))
        self.upper, self.lower = new_upper.tolist(), new_lower.tolist()
        return changed

    def solve(self, deadline: Deadline, incumbent: float | None = None) -> tuple[np.ndarray, float]:
        """The proven optimum: column values and objective. PlanningError when none is proven in time.

        `incumbent` is the objective of a plan known to be feasible: HiGHS then looks only for plans at
        least that good (a cutoff just above it), which there is always one of.
        """
        highs = self._solver(deadline)
        if incumbent is not None:
            highs.setOptionValue("objective_bound", incumbent + 0.5)
        highs.run()
        status = highs.getModelStatus()
        if status == highspy.HighsModelStatus.kTimeLimit:
            raise PlanningError(f"no proven optimum within the time limit of {deadline.limit_s:g} s")
        if status != _OPTIMAL:
            raise PlanningError(
                f"the solver ended without a proven optimum ({highs.modelStatusToString(status)})"
            )
        values = np.asarray(highs.getSolution().col_value, dtype=np.float64)
        objective = float(np.dot(self.cost, values))
        reported = highs.getInfo().objective_function_value
        if abs(objective - reported) > 0.5:
            raise PlanningError(
                f"the solver's objective {reported} does not match its solution ({objective})"
            )
        return values, objective
