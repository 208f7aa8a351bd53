"""The shortcuts that make the planner fast, each checked against the exhaustive search.

The planner proves an optimum in one of three ways (milp.Solution.proof): the LP relaxation's bound
meets the starting plan ("bound", no MIP runs), HiGHS finds nothing below the starting plan ("cutoff"),
or HiGHS's own optimum ("solver"). Columns are fixed from the relaxation's duals before the MIP, and
offers are dropped before the model is built. Each is an argument about every plan; here each is held
to the exhaustive search on the same random scenarios the planner is compared with, with and without
small-order charges.
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest

from fulfilment_engine.planner import milp
from fulfilment_engine.planner.heuristic import starting_plan
from fulfilment_engine.planner.highs import Deadline, exact_objective
from fulfilment_engine.planner.problem import prepare
from fulfilment_engine.scenario import parse_scenario

SEEDS = range(400)
WITH_AND_WITHOUT_CHARGES = pytest.mark.parametrize(
    "small_order", [False, True], ids=["freight", "freight+small-order"]
)


def _cases(small_scenario, small_order):
    """(seed, scenario, problem, units) for the random scenarios where every reachable unit can ship
    (stage 2 only: no stage 1 to run first)."""
    for seed in SEEDS:
        scenario = small_scenario(seed, small_order=small_order)
        problem = prepare(scenario)
        if not problem.candidates:
            continue
        if problem.capacity_binds and not problem.everything_reachable_fits():
            continue
        yield seed, scenario, problem, sum(problem.reachable(sku) for sku in problem.demand)


def _relaxed(small_scenario, small_order):
    """(seed, scenario, problem, units, stage-2 model, LP relaxation) where the relaxation has an optimum."""
    for seed, scenario, problem, units in _cases(small_scenario, small_order):
        model = milp.build(problem, units)
        relaxed = model.mip.relaxation(Deadline.after(10))
        if relaxed is not None:
            yield seed, scenario, problem, units, model, relaxed


def _objective(problem, best) -> int:
    """The model's objective of the exhaustive search's optimum: (D + 1) × pence + shipments."""
    _, total, shipments = best
    return (len(problem.depots) + 1) * int(total * 100) + shipments


@WITH_AND_WITHOUT_CHARGES
def test_every_way_of_proving_the_optimum_agrees_with_the_exhaustive_search(
    small_order, small_scenario, exhaustive
):
    proofs: dict[str, int] = {}
    for seed, scenario, problem, units in _cases(small_scenario, small_order):
        solution = milp.least_cost(problem, units, Deadline.after(10))
        proofs[solution.proof] = proofs.get(solution.proof, 0) + 1
        best = exhaustive(scenario)
        assert sum(solution.quantities.values()) == best[0], seed
        assert solution.objective == _objective(problem, best), (seed, solution.proof)
    assert set(proofs) == {"bound", "cutoff", "solver"}, proofs


@WITH_AND_WITHOUT_CHARGES
def test_the_relaxation_bound_never_exceeds_the_optimum(small_order, small_scenario, exhaustive):
    checked = 0
    for seed, scenario, problem, _, _, (_, bound) in _relaxed(small_scenario, small_order):
        assert bound.value <= _objective(problem, exhaustive(scenario)), seed
        checked += 1
    assert checked > 300


@WITH_AND_WITHOUT_CHARGES
def test_fixing_columns_by_the_bound_keeps_every_plan_as_good_as_the_target(
    small_order, small_scenario, exhaustive
):
    """Fix columns for plans no worse than the optimum itself: the optimal plan must survive intact."""
    tightened = 0
    for seed, scenario, problem, units, model, (_, bound) in _relaxed(small_scenario, small_order):
        optimum = milp.least_cost(problem, units, Deadline.after(10))
        tightened += model.mip.fix_by_reduced_cost(bound, _objective(problem, exhaustive(scenario)))
        values = milp.complete(problem, model.mip, model.layout, optimum.quantities)
        assert values is not None and model.mip.satisfies(values), seed
    assert tightened > 0


@WITH_AND_WITHOUT_CHARGES
def test_starting_plans_are_plans(small_order, small_scenario):
    built = 0
    for seed, _, problem, _, model, (lp_values, _) in _relaxed(small_scenario, small_order):
        quantities = starting_plan(problem, lp_values, {d: c.ships for d, c in model.layout.items()})
        if quantities is None:
            continue
        values = milp.complete(problem, model.mip, model.layout, quantities)
        assert values is not None and model.mip.satisfies(values), seed
        built += 1
    assert built > 300


@WITH_AND_WITHOUT_CHARGES
def test_a_plan_costs_in_the_model_what_the_decimal_pricing_says(small_order, small_scenario, exhaustive):
    """The optimal plan's columns filled in from its quantities alone (milp.complete, as the starting
    plan's are: free delivery, bands, small-order charges waived or not) satisfy the model and cost in
    it exactly what the exhaustive search, pricing with freight.py, says the optimum costs."""
    compared = 0
    for seed, scenario, problem, units, model, _ in _relaxed(small_scenario, small_order):
        solution = milp.least_cost(problem, units, Deadline.after(10))
        values = milp.complete(problem, model.mip, model.layout, solution.quantities)
        assert values is not None and model.mip.satisfies(values), seed
        assert exact_objective(model.mip.cost, values) == _objective(problem, exhaustive(scenario)), seed
        compared += 1
    assert compared > 300


def _scenario(cart, distributors, offers, small_orders=None):
    small_orders = small_orders or {}
    return parse_scenario(
        {
            "currency": "GBP",
            "ship_to": {"country": "GB"},
            "cart": [{"sku": sku, "qty": qty} for sku, qty in cart],
            "products": [{"sku": sku, "weight_kg": "1"} for sku in dict(cart)],
            "distributors": [
                {
                    "id": d,
                    **({"freight": rule} if rule else {}),
                    **({"small_order": small_orders[d]} if d in small_orders else {}),
                }
                for d, rule in distributors.items()
            ],
            "offers": [
                {"distributor": d, "sku": sku, "stock": stock, "cost": cost} for d, sku, stock, cost in offers
            ],
        }
    )


def test_an_offer_dearer_than_one_at_a_distributor_that_ships_anyway_is_dropped(exhaustive):
    # Only D1 has A, so every plan ships from D1; B there costs 10.00, at D2 10.50. Moving B to D1 saves
    # 0.50 and cannot add freight at D1, so D2's B is never in an optimal plan, although D2's £5 shipment
    # is more than the 0.50 difference (the rule without "ships anyway" keeps it).
    scenario = _scenario(
        [("A", 1), ("B", 2)],
        {"D1": {"type": "flat", "charge": "9.95"}, "D2": {"type": "flat", "charge": "5.00"}},
        [("D1", "A", 5, "20.00"), ("D1", "B", 5, "10.00"), ("D2", "B", 5, "10.50")],
    )
    problem = prepare(scenario)
    assert [c.offer.distributor for c in problem.by_sku["B"]] == ["D1"]
    assert [c.offer.distributor for c in problem.every_offer["B"]] == ["D1", "D2"]
    solution = milp.least_cost(problem, 3, Deadline.after(10))
    best = exhaustive(scenario)
    assert best[1] == Decimal("49.95")
    assert solution.objective == _objective(problem, best)


def test_a_distributor_that_may_not_ship_still_keeps_its_cheaper_offers(exhaustive):
    # D2's B is dearer than D1's by less than D1's shipment; nothing forces D1 to ship, so D2's offer
    # must stay: on its own, B ships cheaper from D2 (10.50 + 5.00 < 10.00 + 9.95).
    scenario = _scenario(
        [("B", 1)],
        {"D1": {"type": "flat", "charge": "9.95"}, "D2": {"type": "flat", "charge": "5.00"}},
        [("D1", "B", 5, "10.00"), ("D2", "B", 5, "10.50")],
    )
    problem = prepare(scenario)
    assert sorted(c.offer.distributor for c in problem.by_sku["B"]) == ["D1", "D2"]
    solution = milp.least_cost(problem, 1, Deadline.after(10))
    assert solution.objective == _objective(problem, exhaustive(scenario))
    assert {problem.candidates[i].offer.distributor for i in solution.quantities} == {"D2"}


UNDER_50 = {"below": "50.00", "charge": "5.00"}

# (cart, offers, the distributors whose A is kept, the optimum, whether WC's threshold is within reach)
SMALL_ORDER_DOMINANCE = [
    # WC sells A 1.00 cheaper, but one A (all WC could ship here) pays 5.00: D2's A is the optimum.
    pytest.param(
        [("A", 1)],
        [("WC", "A", 5, "9.00"), ("D2", "A", 5, "10.00")],
        ["D2", "WC"],
        "10.00",
        False,
        id="a cheaper offer whose new shipment pays the charge",
    ),
    # The same with WC's threshold within reach (A and B, 54.00): a shipment it opens with one A still
    # pays 5.00. Best: B at D3, A at D2 (50.00), not both at WC (54.00) nor A at WC (54.00).
    pytest.param(
        [("A", 1), ("B", 1)],
        [("WC", "A", 5, "9.00"), ("WC", "B", 5, "45.00"), ("D2", "A", 5, "10.00"), ("D3", "B", 5, "40.00")],
        ["D2", "WC"],
        "50.00",
        True,
        id="a cheaper offer under a threshold within reach",
    ),
    # One A at WC costs 50.00, the threshold itself: a shipment holding it pays nothing, so WC's A
    # undercuts D2's by 1.00 whatever else ships, and D2's is dropped.
    pytest.param(
        [("A", 2)],
        [("WC", "A", 5, "50.00"), ("D2", "A", 5, "51.00")],
        ["WC"],
        "100.00",
        True,
        id="one unit reaches the threshold on its own",
    ),
    # Only WC has B (45.00); A is 0.50 cheaper at D2, but without A WC's goods fall under 50.00 and pay
    # 5.00: taking a unit off WC can raise its charges, so WC's A stays (the optimum, 55.00).
    pytest.param(
        [("A", 1), ("B", 1)],
        [("WC", "A", 5, "10.00"), ("WC", "B", 5, "45.00"), ("D2", "A", 5, "9.50")],
        ["D2", "WC"],
        "55.00",
        True,
        id="an offer that keeps a shipment over its threshold",
    ),
    # Only WC has B, so every plan ships from WC; adding A there can only lift it over its threshold,
    # never add a charge, so D2's dearer A is dropped (although WC's charge is more than the 0.50).
    pytest.param(
        [("A", 1), ("B", 1)],
        [("WC", "A", 5, "10.00"), ("WC", "B", 5, "45.00"), ("D2", "A", 5, "10.50")],
        ["WC"],
        "55.00",
        True,
        id="a distributor that ships anyway can only waive its charge",
    ),
]


@pytest.mark.parametrize(("cart", "offers", "kept", "optimum", "within_reach"), SMALL_ORDER_DOMINANCE)
def test_dropping_offers_counts_small_order_charges(cart, offers, kept, optimum, within_reach, exhaustive):
    """WC ships free but charges 5.00 under 50.00 of goods; the others ship free, no charge."""
    distributors = dict.fromkeys(dist for dist, *_ in offers)
    scenario = _scenario(cart, distributors, offers, small_orders={"WC": UNDER_50})
    problem = prepare(scenario)
    wc = next(d for d in problem.depots if d.id == "WC")
    assert (wc.small_order.below is not None) == within_reach
    assert sorted(c.offer.distributor for c in problem.by_sku["A"]) == kept
    solution = milp.least_cost(problem, sum(qty for _, qty in cart), Deadline.after(10))
    best = exhaustive(scenario)
    assert best[1] == Decimal(optimum)
    assert solution.objective == _objective(problem, best)


def test_the_bound_is_proven_despite_floating_point():
    """A bound from duals that are far off (scaled) is still a bound: only weaker."""
    scenario = _scenario(
        [("A", 3), ("B", 2)],
        {"D1": {"type": "flat", "charge": "9.95", "free_over": "40"}, "D2": None},
        [("D1", "A", 5, "10.00"), ("D1", "B", 5, "7.25"), ("D2", "A", 2, "11.00"), ("D2", "B", 1, "9.00")],
    )
    problem = prepare(scenario)
    model = milp.build(problem, 5)
    _, exact = model.mip.relaxation(Deadline.after(10))
    optimum = milp.least_cost(problem, 5, Deadline.after(10)).objective
    assert exact.value <= optimum
    rows = len(model.mip.row_lower)
    for scale in (0.0, 0.5, 1.5, -1.0):
        distorted = model.mip.dual_bound(np.full(rows, scale * 1000.0))
        assert distorted.value <= optimum
