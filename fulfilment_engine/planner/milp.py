"""The exact mixed-integer model of a planning problem.

Columns (integer unless said), per candidate offer c and distributor d:
  x[c]      units taken from offer c                               0 .. min(stock, demand)
  y[d]      d ships (one shipment)                                 binary
  f[d]      flat rule: the shipment is free (goods ≥ free_over)    binary
  w[d]      small-order charge: waived (goods ≥ its threshold)     binary
  z[d,b]    weight rule: the billable weight falls in band b       binary
  o[d]      weight rule: above the last band                       binary
  k[d]      weight rule: started kilograms above the last band     integer
  h[d]      weight rule: the billable weight in kg when above the last band, else 0 (continuous)
  r[d],q[d] goods / freight of the shipment rounded half-up to pence (only when some figure has more
            than two decimal places; otherwise money units are pence already)

A small-order charge costs charge × (y[d] − w[d]), with goods ≥ threshold × w[d] and w[d] ≤ y[d]: the
charge is paid by every shipment whose goods stay below the threshold (the same form as free delivery).

Everything is in exact integers (see problem.py). The lexicographic objective is solved in two stages.
Stage 1 (only when a capacity-limited rule could bind and a quick packing does not already place every
reachable unit) finds the most units that can ship. Stage 2 fixes that many units and minimises
    (D + 1) × (goods + freight + charges in pence) + shipments,
D being the number of possible shipments: a penny outweighs any difference in shipment count, so this is
"least total, then fewest shipments" exactly. Every objective value is an integer, so an absolute gap
below 1 proves optimality.

When every reachable unit ships, stage 2 starts from a plan built by local search (heuristic.py) and
the LP relaxation's proven bound (highs.DualBound): a bound above (plan − 1) proves the plan without a
MIP; otherwise HiGHS only searches below the plan's objective (see _from_starting_plan).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..errors import PlanningError
from .evaluate import half_up, shipment_state
from .heuristic import starting_plan
from .highs import Deadline, MipModel, exact_objective
from .problem import Depot, Problem

INTEGRALITY_TOLERANCE = 1e-6


def _integral(values: np.ndarray) -> np.ndarray:
    rounded = np.rint(values)
    if values.size and float(np.max(np.abs(values - rounded))) > INTEGRALITY_TOLERANCE:
        raise PlanningError("the solver returned a fractional quantity")
    return rounded.astype(np.int64)


def max_units(problem: Problem, deadline: Deadline) -> int:
    """Stage 1: the most units that stock and freight capacity allow together."""
    model = MipModel()
    for candidate in problem.candidates:
        model.column(candidate.limit, cost=-1.0)
    for sku, wanted in problem.demand.items():
        group = problem.by_sku.get(sku, [])
        if sum(c.limit for c in group) > wanted:
            model.row([(c.index, 1) for c in group], upper=wanted)
    for depot in problem.depots:
        if depot.weight is not None and depot.weight.capacity_binds:
            terms = [(c.index, depot.weight.unit_weight[c.index]) for c in depot.candidates]
            model.row(terms, upper=depot.weight.last_max)
    found = model.solve(deadline)
    if found is None:  # cannot happen without a cutoff (taking nothing is a plan); typing only
        raise PlanningError("the solver found no plan")
    return int(_integral(found[0]).sum())


@dataclass(frozen=True)
class Solution:
    quantities: dict[int, int]  # candidate index -> units (only the positive ones)
    objective: int  # (D + 1) × pence + shipments, as proven
    weight: int  # D + 1
    # How optimality was proven: "bound" (the relaxation's bound meets the starting plan; no MIP ran),
    # "cutoff" (HiGHS found nothing below the starting plan) or "solver" (HiGHS's own optimum).
    proof: str = "solver"


@dataclass
class _Columns:
    """Where one distributor's auxiliary columns sit, to fill them in for a starting plan."""

    ships: int
    free: int | None = None
    waived: int | None = None
    bands: list[int] = field(default_factory=list)
    over: int | None = None
    started: int | None = None
    heavy: int | None = None
    goods_pence: int | None = None
    freight_pence: int | None = None


@dataclass
class Model:
    """Stage 2's model: the MIP, where each distributor's columns sit, and whether every reachable
    unit must ship (then a starting plan can be built and the demand rows are equalities)."""

    mip: MipModel
    layout: dict[str, _Columns]
    everything: bool


def least_cost(problem: Problem, units: int, deadline: Deadline) -> Solution:
    """Stage 2: ship exactly `units` (the maximum) at the least total, then with the fewest shipments."""
    model = build(problem, units)
    if model.everything:  # a starting plan must place every reachable unit; otherwise HiGHS finds its own
        proven = _from_starting_plan(problem, model.mip, model.layout, deadline)
        if proven is not None:
            return proven
    found = model.mip.solve(deadline)
    if found is None:  # cannot happen without a cutoff (stage 1 proved `units` fit); typing only
        raise PlanningError("the solver found no plan")
    return _solution(problem, *found, len(problem.depots) + 1)


def build(problem: Problem, units: int) -> Model:
    weight = len(problem.depots) + 1
    in_pence = problem.penny == 1
    model = MipModel()
    for candidate in problem.candidates:
        model.column(candidate.limit, cost=weight * candidate.cost if in_pence else 0.0)

    everything = units == sum(problem.reachable(sku) for sku in problem.demand)
    if everything:
        for group in problem.by_sku.values():
            reachable = problem.reachable(group[0].offer.sku)
            model.row([(c.index, 1) for c in group], lower=reachable, upper=reachable)
    else:
        for sku, group in problem.by_sku.items():
            if sum(c.limit for c in group) > problem.demand[sku]:
                model.row([(c.index, 1) for c in group], upper=problem.demand[sku])
        model.row([(c.index, 1) for c in problem.candidates], lower=units, upper=units)

    layout: dict[str, _Columns] = {}
    for depot in problem.depots:
        columns, freight_terms = _shipment(model, depot, weight if in_pence else 0)
        if depot.small_order is not None:
            _small_order(model, depot, columns, weight, problem.penny)
        if not in_pence:
            goods_terms = [(c.index, c.cost) for c in depot.candidates]
            columns.goods_pence = _rounded_to_pence(
                model, goods_terms, depot.max_goods, problem.penny, weight
            )
            columns.freight_pence = _rounded_to_pence(
                model, freight_terms, depot.max_freight, problem.penny, weight
            )
        layout[depot.id] = columns
    return Model(model, layout, everything)


def _from_starting_plan(
    problem: Problem, model: MipModel, layout: dict[str, _Columns], deadline: Deadline
) -> Solution | None:
    """The optimum, found from a good starting plan and the LP relaxation; None when no starting plan
    could be built (the caller then solves from scratch).

    The relaxation's duals bound every plan from below (highs.DualBound, exact despite floating point).
    Objective values are integers, so when that bound is above (starting plan − 1) no plan beats the
    starting plan and it is the optimum: no MIP is run. Otherwise the bound fixes every column that a
    plan better than the starting plan cannot move, and HiGHS searches only below the starting plan's
    objective: it proves the starting plan optimal (nothing below) or returns the better optimum.
    """
    weight = len(problem.depots) + 1
    relaxed = model.relaxation(deadline)
    lp_values, bound = relaxed if relaxed is not None else (None, None)
    quantities = starting_plan(problem, lp_values, {d: c.ships for d, c in layout.items()})
    start = None if quantities is None else complete(problem, model, layout, quantities)
    if start is None or not model.satisfies(start):
        return None
    incumbent = exact_objective(model.cost, start)
    if bound is not None:
        if bound.value > incumbent - 1:
            return Solution(quantities, incumbent, weight, proof="bound")
        model.fix_by_reduced_cost(bound, incumbent - 1)
    found = model.solve(deadline, cutoff=incumbent - 0.5)
    if found is None:
        return Solution(quantities, incumbent, weight, proof="cutoff")
    return _solution(problem, *found, weight)


def _solution(problem: Problem, values: np.ndarray, objective: float, weight: int) -> Solution:
    quantities = _integral(values[: len(problem.candidates)])
    return Solution(
        quantities={c.index: int(quantities[c.index]) for c in problem.candidates if quantities[c.index] > 0},
        objective=round(objective),
        weight=weight,
    )


def _shipment(model: MipModel, depot: Depot, money_weight: int) -> tuple[_Columns, list[tuple[int, int]]]:
    """The shipment's columns and rows; returns them and its freight as (column, money units) terms."""
    columns = _Columns(ships=model.column(1, cost=1.0))
    ships = columns.ships
    if depot.weight is None:  # (weight rules bound each offer band by band, below)
        for candidate in depot.candidates:
            model.row([(candidate.index, 1), (ships, -candidate.limit)], upper=0)
    freight: list[tuple[int, int]] = []

    if depot.flat is not None:
        freight.append((ships, depot.flat.charge))
        if depot.flat.free_over is not None:
            free = columns.free = model.column(1)
            freight.append((free, -depot.flat.charge))
            model.row([(free, 1), (ships, -1)], upper=0)
            goods = [(c.index, c.cost) for c in depot.candidates]
            model.row([*goods, (free, -depot.flat.free_over)], lower=0)

    rule = depot.weight
    if rule is not None:
        load = [(c.index, rule.unit_weight[c.index]) for c in depot.candidates]
        bands = columns.bands = [model.column(1) for _ in rule.bands]
        freight += [(column, band.charge) for column, band in zip(bands, rule.bands, strict=True)]
        membership = [(column, 1) for column in bands]
        upper = [(column, -band.upper) for column, band in zip(bands, rule.bands, strict=True)]
        lower = [(column, -band.lower) for column, band in zip(bands, rule.bands, strict=True)]
        if rule.overflow_possible:
            # Above the last band the weight moves to its own column (zero otherwise), so the started-kg
            # surcharge is bound by that weight directly rather than through a big-M: a far tighter
            # relaxation when heavy shipments pay per kg. It is counted in kilograms: in the rule's fine
            # units HiGHS takes it for a wide-ranging integer, and its reduced-cost fixing then crawls.
            kg = rule.kilogram
            over = columns.over = model.column(1)
            started = columns.started = model.column(-(-(rule.max_weight - rule.last_max) // kg))
            heavy = columns.heavy = model.column(rule.max_weight / kg, integer=False)
            freight += [(over, rule.last_charge), (started, rule.per_kg_over)]
            membership.append((over, 1))
            load.append((heavy, -kg))
            model.row([(heavy, kg), (over, -rule.max_weight)], upper=0)
            model.row([(heavy, kg), (over, -(rule.last_max + 1))], lower=0)
            # started kilograms × kg ≥ weight above the last band
            model.row([(started, kg), (heavy, -kg), (over, rule.last_max)], lower=0)
        model.row([*membership, (ships, -1)], lower=0, upper=0)
        model.row([*load, *upper], upper=0)
        # The units of an offer that fit in each band: x ≤ Σ_b min(limit, ⌊max_b / unit weight⌋) z_b
        # (+ limit above the last band). This implies x ≤ limit × ships, and keeps the relaxation from
        # packing heavy goods into a light band's share.
        for candidate in depot.candidates:
            unit = rule.unit_weight[candidate.index]
            terms = [(candidate.index, 1)]
            for column, band in zip(bands, rule.bands, strict=True):
                fits = candidate.limit if unit == 0 else min(candidate.limit, band.upper // unit)
                terms.append((column, -fits))
            if columns.over is not None:
                terms.append((columns.over, -candidate.limit))
            model.row(terms, upper=0)
        if not rule.charges_rise:  # only then can a heavier band be cheaper: pin the band from below too
            model.row([*load, *lower], lower=0)

    if money_weight:
        for column, charge in freight:
            model.cost[column] += money_weight * charge
    return columns, freight


def _small_order(model: MipModel, depot: Depot, columns: _Columns, weight: int, penny: int) -> None:
    """The small-order charge: charge × (ships − waived), waived only when goods reach the threshold.
    The charge is a whole number of pence (problem.py rounds it as the plan does), so it is priced in
    the objective directly, in pence, whatever the money unit."""
    rule = depot.small_order
    assert rule is not None
    price = weight * (rule.charge // penny)
    model.cost[columns.ships] += price
    if rule.below is None:
        return  # no shipment from these offers reaches the threshold: it always pays
    waived = columns.waived = model.column(1, cost=-float(price))
    model.row([(waived, 1), (columns.ships, -1)], upper=0)
    goods = [(c.index, c.cost) for c in depot.candidates]
    model.row([*goods, (waived, -rule.below)], lower=0)


def _rounded_to_pence(model: MipModel, terms, most: int, penny: int, weight: int) -> int:
    """A column holding round-half-up(terms / penny), priced in the objective: the plan's totals add
    amounts already rounded to pence per shipment, and so does the model."""
    pence = model.column(most // penny + 1, cost=float(weight))
    # penny × pence − penny/2 ≤ amount < penny × pence + penny/2, doubled to stay in integers.
    doubled = [(column, 2 * coefficient) for column, coefficient in terms]
    model.row([*doubled, (pence, -2 * penny)], lower=-penny, upper=penny - 1)
    return pence


def complete(
    problem: Problem, model: MipModel, layout: dict[str, _Columns], quantities
) -> list[float] | None:
    """Every column's value for a plan given by its quantities (the solver's starting point)."""
    values = [0.0] * model.size
    for index, qty in quantities.items():
        values[index] = float(qty)
    for depot in problem.depots:
        state = shipment_state(depot, quantities)
        if state is None:
            return None
        columns = layout[depot.id]
        values[columns.ships] = float(state.ships)
        if columns.free is not None:
            values[columns.free] = float(state.free)
        if columns.waived is not None:
            values[columns.waived] = float(state.waived)
        if state.band is not None:
            values[columns.bands[state.band]] = 1.0
        if state.over:
            rule = depot.weight
            values[columns.over] = 1.0
            values[columns.started] = float(state.started_kg)
            values[columns.heavy] = state.weight / rule.kilogram
        if columns.goods_pence is not None:
            values[columns.goods_pence] = float(half_up(state.goods, problem.penny))
            values[columns.freight_pence] = float(half_up(state.freight, problem.penny))
    return values
