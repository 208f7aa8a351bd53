"""`plan()`: the provably cheapest allocation of a cart to distributors.

Objective, in order: ship as many units as stock and freight capacity allow; then the least goods +
freight + small-order charges total (pence, each shipment's goods, freight and charge rounded half-up
as the plan shows them); then the fewest shipments. Solved exactly as a MILP (milp.py); the plan is
then priced again in Decimal with freight.py and must match what the solver proved, to the penny, or
planning fails loudly.
"""

from __future__ import annotations

from decimal import Decimal

from ..domain import Allocation, Plan, Scenario, Shipment, Unfilled, money, money_text
from ..errors import PlanningError
from . import milp
from .explain import Explainer, distributor_name
from .highs import Deadline
from .pricing import price, to_shipment
from .problem import Problem, prepare, product_of

DEFAULT_TIME_LIMIT_S = 5.0


def plan(scenario: Scenario, *, time_limit_s: float | None = None) -> Plan:
    """The optimal plan for `scenario`.

    Raises PlanningError when no optimum is proven within `time_limit_s` (default 5 s) or the solver's
    answer does not survive the exact re-pricing; never returns a plan it has not proven optimal.
    """
    deadline = Deadline.after(DEFAULT_TIME_LIMIT_S if time_limit_s is None else time_limit_s)
    problem = prepare(scenario)
    if not problem.candidates:
        return _assemble(problem, {}, expected=None)
    reachable = sum(problem.reachable(sku) for sku in problem.demand)
    if problem.capacity_binds and not problem.everything_reachable_fits():
        units = milp.max_units(problem, deadline)
    else:
        units = reachable
    if units == 0:
        return _assemble(problem, {}, expected=None)
    solution = milp.least_cost(problem, units, deadline)
    if sum(solution.quantities.values()) != units:
        raise PlanningError(f"the solver placed {sum(solution.quantities.values())} units, not {units}")
    return _assemble(problem, solution.quantities, expected=solution)


def _assemble(problem: Problem, quantities: dict[int, int], expected: milp.Solution | None) -> Plan:
    scenario = problem.scenario
    shipments: list[Shipment] = []
    for depot in problem.depots:
        lines = [
            (product_of(scenario, c.offer.sku), quantities[c.index], c.offer.cost)
            for c in depot.candidates
            if quantities.get(c.index)
        ]
        if not lines:
            continue
        priced = price(depot.distributor.freight, lines, depot.distributor.small_order)
        if priced.freight is None:
            raise PlanningError(
                f"the solver sent {depot.id} a shipment its freight rule cannot carry "
                f"({priced.billable_weight_kg} kg)"
            )
        shipments.append(to_shipment(depot.id, depot.distributor.freight, priced))

    explainer = Explainer(problem, quantities)
    order = {sku: position for position, sku in enumerate(problem.demand)}
    chosen = sorted(
        (c for c in problem.candidates if quantities.get(c.index)),
        key=lambda c: (order[c.offer.sku], c.offer.cost, c.index),
    )
    allocations = tuple(
        Allocation(
            sku=c.offer.sku,
            distributor=c.offer.distributor,
            qty=quantities[c.index],
            unit_cost=c.offer.cost,
            source=c.offer.source,
            reason=explainer.reason(c),
            stale=c.offer.stale,
            distributor_sku=c.offer.part_number,
        )
        for c in chosen
    )

    placed: dict[str, int] = {}
    for allocation in allocations:
        placed[allocation.sku] = placed.get(allocation.sku, 0) + allocation.qty
    unfilled = tuple(
        Unfilled(sku, wanted - placed.get(sku, 0))
        for sku, wanted in problem.demand.items()
        if wanted > placed.get(sku, 0)
    )
    status = "ok" if not unfilled else ("partial" if allocations else "infeasible")
    notes = ()
    if problem.not_delivering:
        notes = (
            f"not delivering to {scenario.ship_to.country}, so not used: "
            f"{', '.join(distributor_name(scenario, d) for d in problem.not_delivering)}",
        )
    result = Plan(status, allocations, tuple(shipments), unfilled, currency=scenario.currency, notes=notes)

    if expected is not None:
        _check(result, expected)
    return result


def _check(result: Plan, expected: milp.Solution) -> None:
    """The Decimal re-pricing must give exactly the objective the solver proved."""
    pence = int(money(result.total) * 100)
    recomputed = expected.weight * pence + len(result.shipments)
    if recomputed != expected.objective:
        solver_pence, solver_shipments = divmod(expected.objective, expected.weight)
        raise PlanningError(
            f"re-priced plan ({money_text(result.total)}, {len(result.shipments)} shipments) differs from "
            f"the solver's optimum ({money_text(Decimal(solver_pence) / 100)}, {solver_shipments} shipments)"
        )
