"""The planner against an exhaustive search on hundreds of small random scenarios.

Every freight rule is mixed in (flat with and without free_over, weight bands with and without
per_kg_over, dimensional weight at 4000/5000/6000 cm³/kg, carrier rules on their fallback bands, no rule),
along with sub-penny costs, stock-outs, SKUs on two cart lines and offers for SKUs nobody wants; then the
same scenarios again with small-order charges on top of each kind of freight rule.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fulfilment_engine import freight
from fulfilment_engine.domain import CarrierFreight, Plan, Scenario, money
from fulfilment_engine.planner import plan

SEEDS = range(400)


def check_plan_is_consistent(scenario: Scenario, result: Plan) -> None:
    """Independently of the planner: the plan respects stock and demand, and its figures add up."""
    demand: dict[str, int] = {}
    for line in scenario.cart:
        demand[line.sku] = demand.get(line.sku, 0) + line.qty
    stock = {(o.distributor, o.sku): o for o in scenario.offers}

    placed: dict[str, int] = {}
    lines: dict[str, list] = {}
    for a in result.allocations:
        offer = stock[(a.distributor, a.sku)]
        assert 0 < a.qty <= offer.stock
        assert a.unit_cost == offer.cost
        assert a.source == offer.source and a.distributor_sku == offer.part_number
        assert a.reason
        placed[a.sku] = placed.get(a.sku, 0) + a.qty
        lines.setdefault(a.distributor, []).append((scenario.products[a.sku], a.qty, a.unit_cost))
    unfilled = {u.sku: u.qty for u in result.unfilled}
    for sku, wanted in demand.items():
        assert placed.get(sku, 0) + unfilled.get(sku, 0) == wanted
    assert set(placed) <= set(demand)

    assert {s.distributor for s in result.shipments} == set(lines)
    for shipment in result.shipments:
        distributor = scenario.distributors[shipment.distributor]
        rule = distributor.freight
        shipped = [(product, qty) for product, qty, _ in lines[shipment.distributor]]
        goods = sum((cost * qty for _, qty, cost in lines[shipment.distributor]), Decimal(0))
        assert shipment.goods == goods
        assert shipment.weight_kg == freight.actual_weight(shipped)
        assert shipment.billable_weight_kg == freight.billable_weight(rule, shipped)
        assert shipment.freight == freight.freight_charge(rule, goods, shipment.billable_weight_kg)
        assert shipment.freight_source == ("fallback" if isinstance(rule, CarrierFreight) else "rule")
        assert shipment.small_order_charge == freight.small_order_charge(distributor.small_order, goods)
    assert result.charges_total == sum((money(s.small_order_charge) for s in result.shipments), Decimal(0))
    assert result.total == sum(
        (money(s.goods) + money(s.freight) + money(s.small_order_charge) for s in result.shipments),
        Decimal(0),
    )
    body = result.to_dict()
    assert body["total"] == str(
        Decimal(body["goods_total"]) + Decimal(body["freight_total"]) + Decimal(body["charges_total"])
    )

    expected_status = "ok" if not unfilled else ("partial" if placed else "infeasible")
    assert result.status == expected_status


@pytest.mark.parametrize("small_order", [False, True], ids=["freight", "freight+small-order"])
@pytest.mark.parametrize("seed", SEEDS)
def test_planner_matches_exhaustive_search(seed, small_order, small_scenario, exhaustive):
    scenario = small_scenario(seed, small_order=small_order)
    result = plan(scenario)
    check_plan_is_consistent(scenario, result)
    best_units, best_total, best_shipments = exhaustive(scenario)
    assert (sum(a.qty for a in result.allocations), result.total, len(result.shipments)) == (
        best_units,
        best_total,
        best_shipments,
    )


def test_the_random_cases_cover_every_situation(small_scenario):
    """The generator really produces what the comparison above claims to cover."""
    seen = set()
    for seed in SEEDS:
        scenario = small_scenario(seed)
        result = plan(scenario)
        seen.add(result.status)
        skus = [a.sku for a in result.allocations]
        if len(skus) != len(set(skus)):
            seen.add("split line")
        if len(result.shipments) > 1:
            seen.add("several shipments")
        if len({line.sku for line in scenario.cart}) < len(scenario.cart):
            seen.add("sku on two lines")
        for d in scenario.distributors.values():
            seen.add(type(d.freight).__name__)
            rule = d.freight.fallback if isinstance(d.freight, CarrierFreight) else d.freight
            if getattr(rule, "dim_divisor", None):
                seen.add("dimensional")
            if getattr(rule, "per_kg_over", 1) is None:
                seen.add("capacity limit")
            if getattr(rule, "free_over", None) is not None:
                seen.add("free_over")
        if any(o.cost != o.cost.quantize(Decimal("0.01")) for o in scenario.offers):
            seen.add("sub-penny")
    assert seen >= {
        "ok", "partial", "infeasible", "split line", "several shipments", "sku on two lines", "NoneType",
        "FlatFreight", "WeightFreight", "CarrierFreight", "dimensional", "capacity limit", "free_over",
        "sub-penny",
    }  # fmt: skip


def test_the_small_order_cases_cover_every_situation(small_scenario):
    """With small-order charges: each freight kind carries one, plans pay it, waive it exactly at the
    threshold, and avoid it by another distributor or by topping a shipment up."""
    seen = set()
    for seed in SEEDS:
        scenario = small_scenario(seed, small_order=True)
        result = plan(scenario)
        for d in scenario.distributors.values():
            if d.small_order is not None and d.small_order.below > 0 and d.small_order.charge > 0:
                seen.add(f"{type(d.freight).__name__} + small order")
        for shipment in result.shipments:
            rule = scenario.distributors[shipment.distributor].small_order
            if rule is None:
                continue
            if shipment.small_order_charge:
                seen.add("charged")
                if shipment.small_order_charge != money(shipment.small_order_charge):
                    seen.add("sub-penny charge")
            elif shipment.goods == rule.below:
                seen.add("waived exactly at the threshold")
        for allocation in result.allocations:
            if "small-order charge (" in allocation.reason:
                seen.add("avoids a rival's charge")
            if "reaches the small-order threshold" in allocation.reason:
                seen.add("tops a shipment up")
    assert seen >= {
        "NoneType + small order", "FlatFreight + small order", "WeightFreight + small order",
        "CarrierFreight + small order", "charged", "sub-penny charge", "waived exactly at the threshold",
        "avoids a rival's charge", "tops a shipment up",
    }  # fmt: skip


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(min_value=10_000, max_value=10**9), small_order=st.booleans())
def test_planner_matches_exhaustive_search_on_hypothesis_seeds(seed, small_order, small_scenario, exhaustive):
    scenario = small_scenario(seed, small_order=small_order)
    result = plan(scenario)
    check_plan_is_consistent(scenario, result)
    best = exhaustive(scenario)
    assert (sum(a.qty for a in result.allocations), result.total, len(result.shipments)) == best
