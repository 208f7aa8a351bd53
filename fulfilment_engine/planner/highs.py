"""A mixed-integer model gathered in plain lists and solved by HiGHS through its array interface.

Besides solving, the model computes two things from a relaxation's dual values that the planner uses
to avoid work: a *rigorous* lower bound on every plan (Lagrangian duality, with the floating-point
error bounded and subtracted) and the column bounds that no plan better than a known one can cross.
Both hold for any dual vector, so HiGHS's tolerances cannot make them wrong.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import highspy
import numpy as np

from ..errors import PlanningError

_KINDS = (highspy.HighsVarType.kContinuous, highspy.HighsVarType.kInteger)
_OPTIMAL = highspy.HighsModelStatus.kOptimal
_INFEASIBLE = highspy.HighsModelStatus.kInfeasible
ROW_TOLERANCE = 1e-6
_UNIT_ROUNDOFF = 2.0**-53

# HiGHS settings for every MIP run, chosen by measurement on the planner benchmark (python -m bench
# planner). The primal heuristics below look for plans; the planner brings its own (heuristic.py), and on
# these small models HiGHS spent more time in them than in proving: switching them off halves the
# solver's median time. They change how fast the optimum is found, never what is proven.
_MIP_OPTIONS = (
    ("mip_heuristic_run_feasibility_jump", False),
    ("mip_heuristic_run_rins", False),
    ("mip_heuristic_run_rens", False),
)


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


@dataclass(frozen=True)
class DualBound:
    """What a relaxation's duals prove about every plan: objective ≥ `value`, and moving integer
    column j by t units off the bound it sits at adds at least `rate[j]` × t (0 where nothing is proven)."""

    value: float
    rate: np.ndarray
    at_upper: np.ndarray  # True where the rate is for moving down from the upper bound
    lower: np.ndarray  # the column bounds it was proven for
    upper: np.ndarray


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
        self._frozen: tuple | None = None  # the row arrays, once built (see _arrays)

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

    def _arrays(self) -> tuple[np.ndarray, ...]:
        """cost, row_lower, row_upper, starts, index, value as arrays: built once, after the last row
        (the relaxation, the bound and the MIP all read them; only column bounds change later)."""
        key = (len(self.cost), len(self.starts), len(self.index))
        if self._frozen is None or self._frozen[0] != key:
            self._frozen = (
                key,
                np.asarray(self.cost, dtype=np.float64),
                np.asarray(self.row_lower, dtype=np.float64),
                np.asarray(self.row_upper, dtype=np.float64),
                np.asarray(self.starts, dtype=np.int32),
                np.asarray(self.index, dtype=np.int32),
                np.asarray(self.value, dtype=np.float64),
            )
        return self._frozen[1:]

    def _lower(self) -> np.ndarray:
        return np.zeros(len(self.cost)) if self.lower is None else np.asarray(self.lower, dtype=np.float64)

    def _solver(self, deadline: Deadline):
        """A fresh HiGHS instance holding the model. One per run: reusing an instance after an LP run,
        or handing HiGHS 1.16 a starting solution with setSolution, made it report an objective that
        did not belong to the values it returned; so a known plan is passed as a cutoff instead."""
        cost, row_lower, row_upper, starts, index, value = self._arrays()
        lp = highspy.HighsLp()
        lp.num_col_ = len(self.cost)
        lp.num_row_ = len(self.row_lower)
        lp.col_cost_ = cost
        lp.col_lower_ = self._lower()
        lp.col_upper_ = np.asarray(self.upper, dtype=np.float64)
        lp.row_lower_ = row_lower
        lp.row_upper_ = row_upper
        lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
        lp.a_matrix_.num_col_ = lp.num_col_
        lp.a_matrix_.num_row_ = lp.num_row_
        lp.a_matrix_.start_ = starts
        lp.a_matrix_.index_ = index
        lp.a_matrix_.value_ = value
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
            # HiGHS's default integrality/row tolerance (1e-6). Every row has integer coefficients over
            # integer columns (or the per-kg weight column, whose rows hold with a margin of a whole
            # unit), so it cannot accept a plan that breaks a rule; a tighter 1e-9, below the LP's own
            # 1e-7, made HiGHS 1.16 discard a true optimum and prove a dearer plan "optimal".
            *_MIP_OPTIONS,
        ):
            highs.setOptionValue(option, value)
        if highs.passModel(lp) != highspy.HighsStatus.kOk:
            raise PlanningError("the solver refused the planning model")
        return highs

    def relaxation(self, deadline: Deadline) -> tuple[np.ndarray, DualBound] | None:
        """The LP relaxation's solution (a guide for the starting plan) and the bound its duals prove,
        or None when it has no optimum."""
        highs = self._solver(deadline)
        highs.setOptionValue("solve_relaxation", True)
        highs.setOptionValue("presolve", "off")
        highs.run()
        if highs.getModelStatus() != _OPTIMAL:
            return None
        solution = highs.getSolution()
        values = np.asarray(solution.col_value, dtype=np.float64)
        return values, self.dual_bound(np.asarray(solution.row_dual, dtype=np.float64))

    def dual_bound(self, row_dual: np.ndarray) -> DualBound:
        """Lagrangian duality: for any multipliers y, every x within the column bounds that satisfies
        the rows has  c·x = (c − Aᵀy)·x + y·Ax ≥ Σ_j min over its bounds of (c − Aᵀy)_j x_j
        + Σ_i (y_i × the row bound y_i presses against).  That holds for *any* y, so HiGHS's inexact
        duals only make it weaker, never wrong; the floating-point error of evaluating it (at most a
        few units in 10^12 of the magnitudes summed) is bounded and subtracted."""
        cost, row_lower, row_upper, starts, index, value = self._arrays()
        rows = len(row_lower)
        y = np.where(
            ((row_dual > 0) & np.isfinite(row_lower)) | ((row_dual < 0) & np.isfinite(row_upper)),
            row_dual,
            0.0,
        )
        row_of = np.repeat(np.arange(rows), np.diff(starts))
        products = value * y[row_of]
        n = len(cost)
        reduced = cost - np.bincount(index, weights=products, minlength=n)
        magnitude = np.abs(cost) + np.bincount(index, weights=np.abs(products), minlength=n)

        lower, upper = self._lower(), np.asarray(self.upper, dtype=np.float64)
        column_terms = np.where(reduced >= 0, reduced * lower, reduced * upper)
        row_terms = np.where(y > 0, y * np.where(y > 0, row_lower, 0.0), y * np.where(y < 0, row_upper, 0.0))
        total = float(np.sum(column_terms)) + float(np.sum(row_terms))

        # Error bound: each reduced cost is a sum of at most (nonzeros + 1) rounded products, so it is
        # off by at most γ × magnitude; the final sums add γ × Σ|terms|. γ = 2 (k + 1) u covers both.
        gamma = 2.0 * (len(index) + n + rows + 1) * _UNIT_ROUNDOFF
        reach = np.maximum(np.abs(lower), np.abs(upper))
        error_per_column = gamma * magnitude
        summed = float(np.sum(np.abs(column_terms))) + float(np.sum(np.abs(row_terms)))
        error = gamma * summed + float(np.sum(error_per_column * reach))
        # Per column, the part of the reduced cost that is certain (sign and size) after its error.
        rate = np.maximum(np.abs(reduced) - error_per_column, 0.0)
        return DualBound(total - 2.0 * error, rate, reduced < 0, lower, upper)

    def satisfies(self, values: list[float]) -> bool:
        """True when `values` meet every bound and row (within ROW_TOLERANCE)."""
        _, row_lower, row_upper, starts, index, value = self._arrays()
        x = np.asarray(values, dtype=np.float64)
        if np.any(x < self._lower() - ROW_TOLERANCE) or np.any(x > np.asarray(self.upper) + ROW_TOLERANCE):
            return False
        row_of = np.repeat(np.arange(len(row_lower)), np.diff(starts))
        activity = np.bincount(row_of, weights=value * x[index], minlength=len(row_lower))
        return bool(
            np.all(activity >= row_lower - ROW_TOLERANCE) and np.all(activity <= row_upper + ROW_TOLERANCE)
        )

    def fix_by_reduced_cost(self, bound: DualBound, target: float) -> int:
        """Tighten integer column bounds that no plan with objective ≤ `target` can cross.

        For every such plan, objective ≥ bound.value + rate_j × (distance of x_j from its bound), so
        that distance is at most (target − bound.value) / rate_j. Every plan no worse than `target`
        survives, the optimum among them included. Returns how many columns were tightened.
        """
        slack = target - bound.value
        if slack < 0:
            return 0
        lower, upper = bound.lower, bound.upper
        movable = np.asarray(self.integer, dtype=bool) & (bound.rate > 0) & (upper > lower)
        with np.errstate(divide="ignore", invalid="ignore"):
            # A hair of slack for the division's own rounding: a bound one unit too loose is harmless.
            reach = np.floor(slack / bound.rate * (1 + 1e-9) + 1e-9)
        new_upper = np.where(movable & ~bound.at_upper, np.minimum(upper, lower + reach), upper)
        new_lower = np.where(movable & bound.at_upper, np.maximum(lower, upper - reach), lower)
        changed = int(np.count_nonzero((new_upper < upper) | (new_lower > lower)))
        self.upper, self.lower = new_upper.tolist(), new_lower.tolist()
        return changed

    def solve(self, deadline: Deadline, cutoff: float | None = None) -> tuple[np.ndarray, float] | None:
        """The best plan with objective below `cutoff` (all plans when None), proven optimal among those:
        column values and objective. None when no plan is below the cutoff. PlanningError when nothing is
        proven in time.

        HiGHS prunes every part of its search that cannot beat the cutoff; it may still hand back a plan
        it met above it, which proves nothing about plans above the cutoff and is reported as None.
        """
        highs = self._solver(deadline)
        if cutoff is not None:
            highs.setOptionValue("objective_bound", cutoff)
        highs.run()
        status = highs.getModelStatus()
        if status == highspy.HighsModelStatus.kTimeLimit:
            raise PlanningError(f"no proven optimum within the time limit of {deadline.limit_s:g} s")
        if cutoff is not None and status in (_INFEASIBLE, highspy.HighsModelStatus.kObjectiveBound):
            return None  # nothing below the cutoff
        if status != _OPTIMAL:
            raise PlanningError(
                f"the solver ended without a proven optimum ({highs.modelStatusToString(status)})"
            )
        values = np.asarray(highs.getSolution().col_value, dtype=np.float64)
        objective = float(np.dot(self._arrays()[0], values))
        reported = highs.getInfo().objective_function_value
        if abs(objective - reported) > 0.5:
            raise PlanningError(
                f"the solver's objective {reported} does not match its solution ({objective})"
            )
        if cutoff is not None and objective >= cutoff:
            return None
        return values, objective


def exact_objective(cost: list[float], values) -> int:
    """c·x for integer costs and whole-unit values, in integers (no float rounding at any size)."""
    return sum(int(c) * round(v) for c, v in zip(cost, values, strict=True) if c and v)
