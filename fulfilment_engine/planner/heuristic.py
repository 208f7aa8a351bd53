"""A good plan to start the solver from (speed only: the solver still proves the optimum).

HiGHS proves optimality far sooner when it knows a plan at or near the optimum: the plan's value cuts
off the search and, with the LP relaxation's reduced costs, fixes most columns before the MIP starts.
A few cheap candidates are built (everything filled cheapest-first; the LP relaxation's distributors
filled cheapest-first and by the LP's own choices), then improved by local search: move a SKU's units
from one offer to another, and close shipments that do not pay for themselves. Each move is priced
exactly in the problem's integers from per-shipment running totals.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from .evaluate import freight_of
from .problem import Candidate, Problem

MAX_PASSES = 6


class _Plan:
    """Quantities per candidate plus each shipment's running goods, weight, unit count and cost."""

    def __init__(self, problem: Problem, quantities: dict[int, int]):
        self.problem = problem
        self.money_weight = len(problem.depots) + 1
        self.penny = problem.penny
        self.depot = {d.id: d for d in problem.depots}
        self.unit_weight = {
            c.index: (0 if d.weight is None else d.weight.unit_weight[c.index])
            for d in problem.depots
            for c in d.candidates
        }
        self.q = dict(quantities)
        self.goods = dict.fromkeys(self.depot, 0)
        self.load = dict.fromkeys(self.depot, 0)
        self.units = dict.fromkeys(self.depot, 0)
        for candidate in problem.candidates:
            qty = self.q.get(candidate.index, 0)
            if qty:
                self._add(candidate, qty)
        self.cost = {d: self.cost_of(d, self.goods[d], self.load[d], self.units[d]) for d in self.depot}

    def _add(self, candidate: Candidate, qty: int) -> None:
        dist = candidate.offer.distributor
        self.goods[dist] += candidate.cost * qty
        self.units[dist] += qty
        self.load[dist] += self.unit_weight[candidate.index] * qty

    def cost_of(self, dist: str, goods: int, load: int, units: int) -> float:
        """This shipment's share of the objective; inf when its rule cannot carry it."""
        if units == 0:
            return 0.0
        freight = freight_of(self.depot[dist], goods, load)
        if freight is None:
            return float("inf")
        penny2 = 2 * self.penny
        return (
            self.money_weight * ((2 * goods + self.penny) // penny2 + (2 * freight + self.penny) // penny2)
            + 1
        )

    def total(self) -> float:
        return sum(self.cost.values())

    def move_gain(self, source: Candidate, target: Candidate, qty: int) -> float:
        """How much the objective falls when `qty` units move from `source` to `target`."""
        a, b = source.offer.distributor, target.offer.distributor
        wa = self.unit_weight[source.index] * qty
        wb = self.unit_weight[target.index] * qty
        if a == b:
            goods = self.goods[a] + (target.cost - source.cost) * qty
            return self.cost[a] - self.cost_of(a, goods, self.load[a] - wa + wb, self.units[a])
        after_a = self.cost_of(a, self.goods[a] - source.cost * qty, self.load[a] - wa, self.units[a] - qty)
        after_b = self.cost_of(b, self.goods[b] + target.cost * qty, self.load[b] + wb, self.units[b] + qty)
        return self.cost[a] + self.cost[b] - after_a - after_b

    def move(self, source: Candidate, target: Candidate, qty: int) -> None:
        self._add(source, -qty)
        self._add(target, qty)
        self.q[source.index] -= qty
        self.q[target.index] = self.q.get(target.index, 0) + qty
        for dist in {source.offer.distributor, target.offer.distributor}:
            self.cost[dist] = self.cost_of(dist, self.goods[dist], self.load[dist], self.units[dist])


def starting_plan(
    problem: Problem, relaxed: np.ndarray | None, ships: dict[str, int]
) -> dict[int, int] | None:
    """Quantities per candidate for a plan that places every reachable unit, or None.

    `relaxed` is the LP relaxation's column values, `ships` each distributor's shipment column.
    """
    targets = {sku: problem.reachable(sku) for sku in problem.by_sku}
    by_cost = {sku: sorted(group, key=lambda c: (c.cost, c.index)) for sku, group in problem.by_sku.items()}

    capped = {d.id: d.weight for d in problem.depots if d.weight is not None and d.weight.capacity_binds}

    def fill(open_ids: Iterable[str], seed: np.ndarray | None = None) -> dict[int, int] | None:
        """Each SKU filled from `seed` (the LP's whole units) first, then cheapest-first from the open
        distributors, then from anyone; capacity-limited rules take only what still fits. None when
        that leaves some SKU short of its reachable units."""
        open_ids = frozenset(open_ids)
        quantities: dict[int, int] = {}
        room = {dist: rule.last_max for dist, rule in capped.items()}
        for sku, ordered in by_cost.items():
            need = targets[sku]
            for stage in ("seed", "open", "any") if seed is not None else ("open", "any"):
                for candidate in ordered:
                    if need == 0:
                        break
                    dist = candidate.offer.distributor
                    if stage == "open" and dist not in open_ids:
                        continue
                    take = min(candidate.limit - quantities.get(candidate.index, 0), need)
                    if stage == "seed":
                        take = min(take, int(seed[candidate.index] + 1e-6))
                    if dist in room:
                        unit = capped[dist].unit_weight[candidate.index]
                        if unit:
                            take = min(take, room[dist] // unit)
                            room[dist] -= max(take, 0) * unit
                    if take > 0:
                        quantities[candidate.index] = quantities.get(candidate.index, 0) + take
                        need -= take
            if need:
                return None
        return quantities

    tries = [fill(d.id for d in problem.depots)]
    if relaxed is not None:
        used = {d for d, column in ships.items() if relaxed[column] > 1e-6}
        tries += [fill(used, seed=relaxed), fill(used)]
    plans = [
        plan for plan in (_Plan(problem, q) for q in tries if q is not None) if plan.total() < float("inf")
    ]
    if not plans:
        return None
    best = min(plans, key=_Plan.total)
    _improve(best, by_cost)
    return {index: qty for index, qty in best.q.items() if qty}


def _improve(plan: _Plan, by_cost: dict[str, list[Candidate]]) -> None:
    for _ in range(MAX_PASSES):
        improved = False
        # Shift a SKU's units between offers (to another shipment, a band, or a free-delivery threshold).
        for group in by_cost.values():
            for source in group:
                held = plan.q.get(source.index, 0)
                if not held:
                    continue
                for target in group:
                    room = target.limit - plan.q.get(target.index, 0)
                    if target is source or room <= 0:
                        continue
                    for qty in {min(held, room), 1}:
                        if plan.move_gain(source, target, qty) > 0:
                            plan.move(source, target, qty)
                            improved = True
                            break
                    held = plan.q.get(source.index, 0)
                    if not held:
                        break
        # Close a shipment: move its units to the cheapest room elsewhere, open shipments first.
        for closing in sorted((d for d, n in plan.units.items() if n), key=lambda d: plan.goods[d]):
            if _close(plan, closing, by_cost):
                improved = True
        if not improved:
            return


def _close(plan: _Plan, closing: str, by_cost: dict[str, list[Candidate]]) -> bool:
    """Empty one shipment if that lowers the total; otherwise leave the plan as it was."""
    before = plan.total()
    done: list[tuple[Candidate, Candidate, int]] = []
    complete = True
    for group in by_cost.values():
        for source in group:
            if source.offer.distributor != closing or not plan.q.get(source.index):
                continue
            targets = sorted(
                (t for t in group if t.offer.distributor != closing),
                key=lambda t: (plan.units[t.offer.distributor] == 0, t.cost),
            )
            for target in targets:
                held = plan.q.get(source.index, 0)
                room = target.limit - plan.q.get(target.index, 0)
                if not held:
                    break
                if room > 0 and plan.move_gain(source, target, min(held, room)) > float("-inf"):
                    plan.move(source, target, min(held, room))
                    done.append((source, target, min(held, room)))
            complete = complete and not plan.q.get(source.index)
    if complete and plan.total() < before:
        return True
    for source, target, qty in reversed(done):
        plan.move(target, source, qty)
    return False
