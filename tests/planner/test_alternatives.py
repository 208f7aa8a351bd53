"""The runner-up of each allocation: the best plan without that offer, priced like the plan."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from fulfilment_engine.planner import plan
from fulfilment_engine.planner.alternatives import RunnerUp, runner_ups
from fulfilment_engine.scenario import parse_scenario


def cart():
    # A: D1 10.00, D2 9.00 but D2 charges 5.00 freight, D3 11.00 ships free. B: only at D1.
    return parse_scenario(
        {
            "currency": "GBP",
            "ship_to": {"country": "GB"},
            "cart": [{"sku": "A", "qty": 2}, {"sku": "B", "qty": 1}],
            "products": [{"sku": "A"}, {"sku": "B"}],
            "distributors": [
                {"id": "D1", "freight": {"type": "flat", "charge": "4.00"}},
                {"id": "D2", "freight": {"type": "flat", "charge": "5.00"}},
                {"id": "D3"},
            ],
            "offers": [
                {"distributor": "D1", "sku": "A", "stock": 5, "cost": "10.00"},
                {"distributor": "D2", "sku": "A", "stock": 5, "cost": "9.00"},
                {"distributor": "D3", "sku": "A", "stock": 5, "cost": "11.00"},
                {"distributor": "D1", "sku": "B", "stock": 5, "cost": "30.00"},
            ],
        }
    )


def test_each_allocation_has_its_runner_up_priced_as_the_whole_cart():
    scenario = cart()
    result = plan(scenario)
    # A rides with B at D1: 2 × 10.00 + 30.00 + 4.00 freight = 54.00.
    assert {(a.sku, a.distributor) for a in result.allocations} == {("A", "D1"), ("B", "D1")}
    assert result.total == Decimal("54.00")
    alternatives = runner_ups(scenario, result)
    # Without D1's A: D3 at 2 × 11.00, free (D2's 18.00 + 5.00 freight is dearer), and B still at D1.
    assert alternatives[("A", "D1")] == RunnerUp("A", "D1", ("D3",), Decimal("56.00"), Decimal("2.00"))
    # Nobody else has B.
    assert alternatives[("B", "D1")] == RunnerUp("B", "D1", (), None, None)


def test_runner_ups_use_the_plans_own_unit_costs():
    """A plan made on live figures: the comparison uses the costs the plan used for its offers."""
    scenario = cart()
    live = dataclasses.replace(
        scenario,
        offers=tuple(
            dataclasses.replace(o, cost=Decimal("8.00")) if (o.sku, o.distributor) == ("A", "D1") else o
            for o in scenario.offers
        ),
    )
    result = plan(live)
    assert result.total == Decimal("50.00")
    alternatives = runner_ups(scenario, result)  # the feed scenario, the live plan
    assert alternatives[("A", "D1")].extra == Decimal("6.00")  # 56.00 against 50.00


def test_the_plan_of_the_scenario_itself_is_the_base_to_compare_with():
    """Given the planner's own plan of the scenario as `base`, nothing is planned twice and every
    runner-up is the same."""
    scenario = cart()
    result = plan(scenario)
    assert runner_ups(scenario, result, base=result) == runner_ups(scenario, result)
