"""A good plan to start the solver from (speed only: the solver still proves the optimum).

HiGHS proves optimality far sooner when it knows a plan at or near the optimum: the plan's value cuts
off the search and, with the LP relaxation's duals, fixes most columns before the MIP starts; when the
relaxation's bound already meets the plan, no MIP runs at all. A few cheap candidates are built
(everything filled cheapest-first; the LP relaxation's distributors filled cheapest-first and by the
LP's own choices), then improved by local search: move a SKU's units from one offer to another, and
close shipments that do not pay for themselves. Each move is priced exactly in the problem's integers
from per-shipment running totals.

The search runs on plain lists indexed by candidate and distributor number: it is called on every plan,
and attribute and dictionary lookups were most of its time.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable

import numpy as np

from .problem import Depot, Problem

MAX_PASSES = 6
INFEASIBLE = float("inf")


def freight_function(depot: Depot) -> Callable[[int, int], int | None]:
    """(goods, billable weight) -> the shipment's freight in money units, None when the rule cannot
    carry it. The same rules as evaluate.shipment_state, bound once per distributor."""
    if depot.flat is not None:
        charge, free_over = depot.flat.charge, depot.flat.free_over
        if free_over is None:
            return lambda goods, load: charge
        return lambda goods, load: 0 if goods >= free_over else charge
    rule = depot.weight
    if rule is None:
        return lambda goods, load: 0
    uppers = [band.upper for band in rule.bands]
    charges = [band.charge for band in rule.bands]
    overflow = rule.overflow_possible
    last_max, last_charge, per_kg, kilogram = rule.last_max, rule.last_charge, rule.per_kg_over, rule.kilogram

    def banded(goods: int, load: int) -> int | None:
        band = bisect_left(uppers, load)  # the first band whose max_kg holds the load
        if band < len(uppers):
            return charges[band]
        if not overflow:
            return None
        return last_charge + per_kg * -(-(load - last_max) // kilogram)

    return banded


def cost_function(depot: Depot) -> Callable[[int, int], int | None]:
    """(goods, billable weight) -> the shipment's freight plus its small-order charge, in money units;
    None when the rule cannot carry it. The charge is a whole number of pence, so rounding the sum to
    the penny adds exactly the charge to the rounded freight (as the plan's totals do)."""
    freight = freight_function(depot)
    rule = depot.small_order
    if rule is None:
        return freight
    charge, below = rule.charge, rule.below
    if below is None:
        return lambda goods, load: None if (f := freight(goods, load)) is None else f + charge

    def charged(goods: int, load: int) -> int | None:
        f = freight(goods, load)
        if f is None or goods >= below:
            return f
        return f + charge

    return charged


class _Search:
    """Quantities per candidate plus each shipment's running goods, weight, unit count and objective
    share ((D + 1) × pence + 1 per shipment, as the model counts it; `freight` holds each shipment's
    freight plus small-order charge)."""

    def __init__(self, problem: Problem):
        depots = problem.depots
        number = {d.id: i for i, d in enumerate(depots)}
        self.freight = [cost_function(d) for d in depots]
        self.money_weight = len(depots) + 1
        self.penny = problem.penny
        size = len(problem.candidates)
        self.depot = [0] * size
        self.cost = [0] * size
        self.weight = [0] * size
        self.limit = [0] * size
        for depot in depots:
            rule = depot.weight
            for c in depot.candidates:
                self.depot[c.index] = number[depot.id]
                self.cost[c.index] = c.cost
                self.limit[c.index] = c.limit
                self.weight[c.index] = 0 if rule is None else rule.unit_weight[c.index]
        self.depots = len(depots)

    def start(self, quantities: dict[int, int]) -> _Plan:
        return _Plan(self, quantities)

    def share(self, depot: int, goods: int, load: int, units: int) -> float:
        """This shipment's share of the objective; INFEASIBLE when its rule cannot carry it."""
        if units == 0:
            return 0
        freight = self.freight[depot](goods, load)
        if freight is None:
            return INFEASIBLE
        penny = self.penny
        if penny == 1:
            return self.money_weight * (goods + freight) + 1
        pence = (2 * goods + penny) // (2 * penny) + (2 * freight + penny) // (2 * penny)
        return self.money_weight * pence + 1


class _Plan:
    def __init__(self, search: _Search, quantities: dict[int, int]):
        self.search = search
        count = search.depots
        self.q = [0] * len(search.cost)
        self.goods = [0] * count
        self.load = [0] * count
        self.units = [0] * count
        for index, qty in quantities.items():
            if qty:
                self.q[index] = qty
                d = search.depot[index]
                self.goods[d] += search.cost[index] * qty
                self.load[d] += search.weight[index] * qty
                self.units[d] += qty
        self.share = [search.share(d, self.goods[d], self.load[d], self.units[d]) for d in range(count)]

    def total(self) -> float:
        return sum(self.share)

    def move_gain(self, source: int, target: int, qty: int) -> float:
        """How much the objective falls when `qty` units move from candidate `source` to `target`."""
        s = self.search
        a, b = s.depot[source], s.depot[target]
        wa, wb = s.weight[source] * qty, s.weight[target] * qty
        if a == b:
            goods = self.goods[a] + (s.cost[target] - s.cost[source]) * qty
            return self.share[a] - s.share(a, goods, self.load[a] - wa + wb, self.units[a])
        after_a = s.share(a, self.goods[a] - s.cost[source] * qty, self.load[a] - wa, self.units[a] - qty)
        after_b = s.share(b, self.goods[b] + s.cost[target] * qty, self.load[b] + wb, self.units[b] + qty)
        return self.share[a] + self.share[b] - after_a - after_b

    def move(self, source: int, target: int, qty: int) -> None:
        s = self.search
        for index, delta in ((source, -qty), (target, qty)):
            d = s.depot[index]
            self.q[index] += delta
            self.goods[d] += s.cost[index] * delta
            self.load[d] += s.weight[index] * delta
            self.units[d] += delta
        for d in {s.depot[source], s.depot[target]}:
            self.share[d] = s.share(d, self.goods[d], self.load[d], self.units[d])


def starting_plan(
    problem: Problem, relaxed: np.ndarray | None, ships: dict[str, int]
) -> dict[int, int] | None:
    """Quantities per candidate for a plan that places every reachable unit, or None.

    `relaxed` is the LP relaxation's column values, `ships` each distributor's shipment column.
    """
    targets = {sku: problem.reachable(sku) for sku in problem.by_sku}
    by_cost = {
        sku: [c.index for c in sorted(group, key=lambda c: (c.cost, c.index))]
        for sku, group in problem.by_sku.items()
    }
    search = _Search(problem)
    number = {d.id: i for i, d in enumerate(problem.depots)}
    capped = {
        number[d.id]: d.weight for d in problem.depots if d.weight is not None and d.weight.capacity_binds
    }

    def fill(open_depots: set[int], seed: np.ndarray | None = None) -> dict[int, int] | None:
        """Each SKU filled from `seed` (the LP's whole units) first, then cheapest-first from the open
        distributors, then from anyone; capacity-limited rules take only what still fits. None when
        that leaves some SKU short of its reachable units."""
        quantities: dict[int, int] = {}
        room = {d: rule.last_max for d, rule in capped.items()}
        for sku, ordered in by_cost.items():
            need = targets[sku]
            for stage in ("seed", "open", "any") if seed is not None else ("open", "any"):
                for index in ordered:
                    if need == 0:
                        break
                    d = search.depot[index]
                    if stage == "open" and d not in open_depots:
                        continue
                    take = min(search.limit[index] - quantities.get(index, 0), need)
                    if stage == "seed":
                        take = min(take, int(seed[index] + 1e-6))
                    if d in room:
                        unit = search.weight[index]
                        if unit:
                            take = min(take, room[d] // unit)
                            room[d] -= max(take, 0) * unit
                    if take > 0:
                        quantities[index] = quantities.get(index, 0) + take
                        need -= take
            if need:
                return None
        return quantities

    tries = [fill(set(range(search.depots)))]
    if relaxed is not None:
        used = {number[d] for d, column in ships.items() if relaxed[column] > 1e-6}
        tries += [fill(used, seed=relaxed), fill(used)]
    plans = [plan for plan in (search.start(q) for q in tries if q is not None) if plan.total() < INFEASIBLE]
    if not plans:
        return None
    best = min(plans, key=_Plan.total)
    _improve(best, list(by_cost.values()))
    return {index: qty for index, qty in enumerate(best.q) if qty}


def _improve(plan: _Plan, groups: list[list[int]]) -> None:
    """Local search to a local optimum. A SKU is looked at again only when a shipment it could use has
    changed since it last had nothing to offer (a 'don't look' mark), so later passes cost little."""
    search = plan.search
    limit, depot, q = search.limit, search.depot, plan.q
    every_group, groups = groups, [group for group in groups if len(group) > 1]
    at_depot: list[set[int]] = [set() for _ in range(search.depots)]
    for number, group in enumerate(groups):
        for index in group:
            at_depot[depot[index]].add(number)

    def touched(*indices: int) -> set[int]:
        return set().union(*(at_depot[depot[index]] for index in indices))

    dirty = set(range(len(groups)))
    for _ in range(MAX_PASSES):
        # Shift a SKU's units between offers (to another shipment, a band, or a free-delivery threshold).
        while dirty:
            number = min(dirty)
            dirty.discard(number)
            group = groups[number]
            for source in group:
                held = q[source]
                if not held:
                    continue
                for target in group:
                    room = limit[target] - q[target]
                    if target == source or room <= 0:
                        continue
                    most = min(held, room)
                    for qty in (1, most) if most > 1 else (most,):
                        if plan.move_gain(source, target, qty) > 0:
                            plan.move(source, target, qty)
                            dirty |= touched(source, target)
                            break
                    held = q[source]
                    if not held:
                        break
        # Close a shipment: move its units to the cheapest room elsewhere, open shipments first.
        for closing in sorted((d for d, n in enumerate(plan.units) if n), key=lambda d: plan.goods[d]):
            moved = _close(plan, closing, every_group)
            for source, target in moved:
                dirty |= touched(source, target)
        if not dirty:
            return


def _close(plan: _Plan, closing: int, groups: list[list[int]]) -> list[tuple[int, int]]:
    """Empty one shipment if that lowers the total (returning the moves made); otherwise leave the plan
    as it was."""
    search, q = plan.search, plan.q
    depot, limit, cost = search.depot, search.limit, search.cost
    before = plan.total()
    done: list[tuple[int, int, int]] = []
    complete = True
    for group in groups:
        for source in group:
            if depot[source] != closing or not q[source]:
                continue
            targets = sorted(
                (t for t in group if depot[t] != closing),
                key=lambda t: (plan.units[depot[t]] == 0, cost[t]),
            )
            for target in targets:
                held = q[source]
                if not held:
                    break
                room = limit[target] - q[target]
                if room > 0 and plan.move_gain(source, target, min(held, room)) > -INFEASIBLE:
                    done.append((source, target, min(held, room)))
                    plan.move(source, target, min(held, room))
            complete = complete and not q[source]
    if complete and plan.total() < before:
        return [(source, target) for source, target, _ in done]
    for source, target, qty in reversed(done):
        plan.move(target, source, qty)
    return []
