"""Hand-made scenarios, one per effect that changes the answer, each with its expected plan and reason."""

from __future__ import annotations

from decimal import Decimal

import pytest

from fulfilment_engine.errors import PlanningError
from fulfilment_engine.planner import plan
from fulfilment_engine.scenario import parse_scenario

FLAT_995 = {"type": "flat", "charge": "9.95"}


def scenario(cart, products, distributors, offers, small_orders=None):
    small_orders = small_orders or {}
    return parse_scenario(
        {
            "currency": "GBP",
            "ship_to": {"country": "GB", "postcode": "M1 1AE"},
            "cart": [{"sku": sku, "qty": qty} for sku, qty in cart],
            "products": [{"sku": sku, **fields} for sku, fields in products.items()],
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


def taken(result):
    return {(a.sku, a.distributor): a.qty for a in result.allocations}


def reason(result, sku, distributor):
    return next(a.reason for a in result.allocations if (a.sku, a.distributor) == (sku, distributor))


def test_a_line_is_split_when_the_cheapest_stock_runs_out():
    result = plan(
        scenario(
            [("A", 5)],
            {"A": {}},
            {"D1": None, "D2": None},
            [("D1", "A", 3, "10.00"), ("D2", "A", 9, "12.00")],
        )
    )
    assert taken(result) == {("A", "D1"): 3, ("A", "D2"): 2}
    assert result.total == Decimal("54.00")
    assert reason(result, "A", "D1") == "cheapest in stock"
    assert reason(result, "A", "D2") == "cheapest in stock for the remaining 2 (D1 had 3)"


def test_consolidating_onto_one_distributor_saves_a_shipment():
    # Apart: A from D2 (8 + 9.95) and B from D1 (20 + 9.95) = 47.90. Together at D1: 30 + 9.95 = 39.95.
    result = plan(
        scenario(
            [("A", 1), ("B", 1)],
            {"A": {}, "B": {}},
            {"D1": FLAT_995, "D2": FLAT_995},
            [("D1", "A", 5, "10.00"), ("D1", "B", 5, "20.00"), ("D2", "A", 5, "8.00")],
        )
    )
    assert taken(result) == {("A", "D1"): 1, ("B", "D1"): 1}
    assert (result.total, len(result.shipments)) == (Decimal("39.95"), 1)
    assert (
        reason(result, "A", "D1")
        == "saves a shipment: already shipping from D1 (£2.00 dearer, £9.95 freight saved)"
    )
    assert reason(result, "B", "D1") == "only distributor with stock"


def test_a_shipment_is_topped_up_to_reach_free_delivery():
    # B is £1 cheaper at D2 (free delivery), but taking it at D1 lifts D1 over its £100 threshold.
    result = plan(
        scenario(
            [("A", 4), ("B", 1)],
            {"A": {}, "B": {}},
            {"D1": {"type": "flat", "charge": "9.95", "free_over": "100.00"}, "D2": None},
            [("D1", "A", 9, "24.00"), ("D1", "B", 9, "5.00"), ("D2", "B", 9, "4.00")],
        )
    )
    assert taken(result) == {("A", "D1"): 4, ("B", "D1"): 1}
    assert (result.goods_total, result.freight_total) == (Decimal("101.00"), Decimal("0.00"))
    assert reason(result, "B", "D1") == (
        "reaches free delivery at D1 (over £100.00; £1.00 dearer, £9.95 freight saved)"
    )


@pytest.mark.parametrize(
    ("weight", "winner", "freight"),
    [("0.5", "D1", "5.00"), ("0.501", "D2", "9.00")],  # 4 units: exactly 2 kg, or just over
)
def test_a_weight_exactly_at_max_kg_stays_in_that_band(weight, winner, freight):
    result = plan(
        scenario(
            [("A", 4)],
            {"A": {"weight_kg": weight}},
            {
                "D1": {
                    "type": "weight",
                    "bands": [{"max_kg": 2, "charge": "5.00"}, {"max_kg": 10, "charge": "15.00"}],
                },
                "D2": {"type": "flat", "charge": "9.00"},
            },
            [("D1", "A", 9, "10.00"), ("D2", "A", 9, "10.00")],
        )
    )
    assert taken(result) == {("A", winner): 4}
    assert result.freight_total == Decimal(freight)


@pytest.mark.parametrize(("qty", "winner", "freight"), [(5, "D1", "12.00"), (6, "D2", "13.00")])
def test_per_kg_surcharge_counts_started_kilograms(qty, winner, freight):
    # 1.1 kg each, band up to 5 kg then £2 per started kg: 5.5 kg → 10 + 2×1; 6.6 kg → 10 + 2×2 = 14 > 13.
    result = plan(
        scenario(
            [("A", qty)],
            {"A": {"weight_kg": "1.1"}},
            {
                "D1": {"type": "weight", "per_kg_over": "2.00", "bands": [{"max_kg": 5, "charge": "10.00"}]},
                "D2": {"type": "flat", "charge": "13.00"},
            },
            [("D1", "A", 9, "10.00"), ("D2", "A", 9, "10.00")],
        )
    )
    assert taken(result) == {("A", winner): qty}
    assert result.freight_total == Decimal(freight)


def test_dimensional_weight_moves_a_bulky_box_to_flat_rate():
    # 1 kg but 40×30×30 cm: 7.2 kg at 5000 cm³/kg, over D1's 5 kg band (£20) — D2's £12 flat wins.
    bulky = {"weight_kg": "1", "length_cm": 40, "width_cm": 30, "height_cm": 30}
    rules = {
        "D1": {
            "type": "weight",
            "dim_divisor": 5000,
            "bands": [{"max_kg": 5, "charge": "6.00"}, {"max_kg": 20, "charge": "20.00"}],
        },
        "D2": {"type": "flat", "charge": "12.00"},
    }
    offers = [("D1", "A", 9, "10.00"), ("D2", "A", 9, "10.00")]
    result = plan(scenario([("A", 1)], {"A": bulky}, rules, offers))
    assert taken(result) == {("A", "D2"): 1}

    only_d1 = plan(scenario([("A", 1)], {"A": bulky}, {"D1": rules["D1"]}, offers[:1]))
    (shipment,) = only_d1.shipments
    assert (shipment.weight_kg, shipment.billable_weight_kg, shipment.freight) == (
        Decimal(1),
        Decimal("7.2"),
        Decimal("20.00"),
    )
    assert only_d1.to_dict()["shipments"][0]["billable_weight_kg"] == 7.2

    flat_box = {"weight_kg": "1"}  # no dimensions: billed on its actual 1 kg, £6 at D1
    assert taken(plan(scenario([("A", 1)], {"A": flat_box}, rules, offers))) == {("A", "D1"): 1}


def test_band_membership_is_exact_when_a_heavier_band_is_cheaper():
    # D1 charges £9 up to 1 kg but £4 up to 5 kg. A alone (0.8 kg) costs £9 freight; adding B (1.6 kg)
    # drops it to £4, which beats buying B £1 cheaper at D3. "Cheapest band that fits" would say £4 for
    # A alone, and buy B at D3 (total 24.00) — not a price anyone would charge.
    light = {"weight_kg": "0.8"}
    result = plan(
        scenario(
            [("A", 1), ("B", 1)],
            {"A": light, "B": light},
            {
                "D1": {
                    "type": "weight",
                    "bands": [
                        {"max_kg": 1, "charge": "9.00"},
                        {"max_kg": 5, "charge": "4.00"},
                        {"max_kg": 10, "charge": "12.00"},
                    ],
                },
                "D3": None,
            },
            [("D1", "A", 9, "10.00"), ("D1", "B", 9, "11.00"), ("D3", "B", 9, "10.00")],
        )
    )
    assert taken(result) == {("A", "D1"): 1, ("B", "D1"): 1}
    assert result.total == Decimal("25.00")
    assert reason(result, "B", "D1") == "cheaper weight band at D1 (£1.00 dearer, £5.00 freight saved)"


def test_a_distributor_without_per_kg_over_cannot_exceed_its_last_band():
    # 3 kg each, at most 10 kg a shipment and no other distributor: 3 of the 5 can ship.
    result = plan(
        scenario(
            [("A", 5)],
            {"A": {"weight_kg": 3}},
            {"D1": {"type": "weight", "bands": [{"max_kg": 10, "charge": "7.50"}]}},
            [("D1", "A", 10, "10.00")],
        )
    )
    assert result.status == "partial"
    assert taken(result) == {("A", "D1"): 3}
    assert [(u.sku, u.qty) for u in result.unfilled] == [("A", 2)]
    assert result.total == Decimal("37.50")


def test_capacity_shares_out_units_to_place_as_many_as_possible():
    # D1 can carry 10 kg: one heavy (8 kg) or three light (3 kg). D2 has one more heavy. Most units:
    # three light at D1 and the heavy at D2, even though the heavy is cheaper at D1.
    result = plan(
        scenario(
            [("H", 1), ("L", 3)],
            {"H": {"weight_kg": 8}, "L": {"weight_kg": 3}},
            {"D1": {"type": "weight", "bands": [{"max_kg": 10, "charge": "5.00"}]}, "D2": FLAT_995},
            [("D1", "H", 5, "50.00"), ("D1", "L", 5, "10.00"), ("D2", "H", 5, "70.00")],
        )
    )
    assert result.status == "ok"
    assert taken(result) == {("H", "D2"): 1, ("L", "D1"): 3}


def test_equal_totals_prefer_fewer_shipments():
    # A costs the same at D2 and D1 and nobody charges freight: one shipment, not two.
    result = plan(
        scenario(
            [("A", 1), ("B", 1)],
            {"A": {}, "B": {}},
            {"D2": None, "D1": None},
            [("D2", "A", 5, "10.00"), ("D1", "A", 5, "10.00"), ("D1", "B", 5, "10.00")],
        )
    )
    assert (result.total, len(result.shipments)) == (Decimal("20.00"), 1)
    assert taken(result) == {("A", "D1"): 1, ("B", "D1"): 1}


def test_nothing_in_stock_is_infeasible_with_zero_totals():
    result = plan(
        scenario(
            [("A", 2), ("B", 1)],
            {"A": {}, "B": {}, "C": {}},
            {"D1": FLAT_995},
            [("D1", "A", 0, "10.00"), ("D1", "C", 5, "1.00")],  # A sold out; B never offered; C not wanted
        )
    )
    assert result.status == "infeasible"
    assert (result.allocations, result.shipments) == ((), ())
    assert [(u.sku, u.qty) for u in result.unfilled] == [("A", 2), ("B", 1)]
    body = result.to_dict()
    assert (body["goods_total"], body["freight_total"], body["total"]) == ("0.00", "0.00", "0.00")


def test_a_sku_on_two_lines_is_planned_as_one_demand():
    result = plan(
        scenario(
            [("A", 2), ("B", 1), ("A", 3)],
            {"A": {}, "B": {}},
            {"D1": None},
            [("D1", "A", 4, "10.00"), ("D1", "B", 1, "5.00")],
        )
    )
    assert result.status == "partial"
    assert taken(result) == {("A", "D1"): 4, ("B", "D1"): 1}
    assert [(u.sku, u.qty) for u in result.unfilled] == [("A", 1)]


def test_sub_penny_costs_are_totalled_per_shipment_rounded_half_up():
    # 3 × 0.335 = 1.005 → 1.01 at D1 (rounded once per shipment), against 1.02 at D2.
    result = plan(
        scenario(
            [("A", 3)],
            {"A": {}},
            {"D1": None, "D2": None},
            [("D1", "A", 3, "0.335"), ("D2", "A", 3, "0.34")],
        )
    )
    assert taken(result) == {("A", "D1"): 3}
    assert result.to_dict()["total"] == "1.01"


def test_offer_source_staleness_and_part_number_reach_the_allocation():
    base = scenario([("A", 1)], {"A": {}}, {"D1": None}, [("D1", "A", 1, "10.00")])
    offer = base.offers[0]
    live = type(base)(
        **{
            **base.__dict__,
            "offers": (
                type(offer)(**{**offer.__dict__, "source": "feed", "stale": True, "distributor_sku": "P-9"}),
            ),
        }
    )
    (allocation,) = plan(live).allocations
    assert (allocation.source, allocation.stale, allocation.distributor_sku) == ("feed", True, "P-9")


def test_carrier_rules_are_planned_on_their_fallback_bands():
    result = plan(
        scenario(
            [("A", 1)],
            {"A": {"weight_kg": 3}},
            {"UPSD": {"type": "carrier", "carrier": "ups", "bands": [{"max_kg": 5, "charge": "11.00"}]}},
            [("UPSD", "A", 1, "10.00")],
        )
    )
    (shipment,) = result.shipments
    assert (shipment.freight, shipment.freight_source) == (Decimal("11.00"), "fallback")


UNDER_50 = {"below": "50.00", "charge": "5.00"}


def mice(qty):
    """The distributors of the Odoo module's example: Ingram (9.95 flat, free over 250), TD SYNNEX
    (7.50 up to 2 kg), Westcoast (ships free, but 5.00 on orders under 50.00), Exertis sold out."""
    return scenario(
        [("MOUSE", qty)],
        {"MOUSE": {"weight_kg": "0.2"}},
        {
            "ING": {"type": "flat", "charge": "9.95", "free_over": "250.00"},
            "TD": {
                "type": "weight",
                "per_kg_over": "1.10",
                "bands": [{"max_kg": 2, "charge": "7.50"}, {"max_kg": 30, "charge": "25.00"}],
            },
            "WC": None,
            "EX": {"type": "flat", "charge": "4.95"},
        },
        [
            ("ING", "MOUSE", 100, "10.00"),
            ("TD", "MOUSE", 100, "9.50"),
            ("WC", "MOUSE", 100, "11.00"),
            ("EX", "MOUSE", 0, "8.00"),
        ],
        small_orders={"WC": UNDER_50},
    )


def test_a_small_order_charge_is_priced_like_the_distributor_invoices_it():
    # Two mice at Westcoast: 22.00 + 5.00 = 27.00, more than TD SYNNEX's 19.00 + 7.50 = 26.50.
    two = plan(mice(2))
    assert taken(two) == {("MOUSE", "TD"): 2}
    assert (two.goods_total, two.freight_total, two.charges_total, two.total) == (
        Decimal("19.00"),
        Decimal("7.50"),
        Decimal("0.00"),
        Decimal("26.50"),
    )
    # One mouse: Westcoast's 11.00 + 5.00 still beats 9.50 + 7.50, and the plan shows the charge.
    one = plan(mice(1))
    assert taken(one) == {("MOUSE", "WC"): 1}
    body = one.to_dict()
    (shipment,) = body["shipments"]
    assert (shipment["goods"], shipment["freight"], shipment["small_order_charge"]) == (
        "11.00",
        "0.00",
        "5.00",
    )
    assert (body["goods_total"], body["freight_total"], body["charges_total"], body["total"]) == (
        "11.00",
        "0.00",
        "5.00",
        "16.00",
    )
    assert reason(one, "MOUSE", "WC") == (
        "cheapest once freight and charges are counted "
        "(£1.50 dearer than TD, £2.50 freight and charges saved)"
    )


def test_a_cheaper_distributor_is_passed_over_for_its_small_order_charge():
    result = plan(
        scenario(
            [("A", 1)],
            {"A": {}},
            {"WC": None, "D2": None},
            [("WC", "A", 5, "9.00"), ("D2", "A", 5, "10.00")],
            small_orders={"WC": UNDER_50},
        )
    )
    assert taken(result) == {("A", "D2"): 1}
    assert (result.total, result.charges_total) == (Decimal("10.00"), Decimal("0.00"))
    assert reason(result, "A", "D2") == (
        "avoids WC's small-order charge (£5.00 under £50.00; £1.00 dearer, £5.00 freight and charges saved)"
    )


def test_a_shipment_is_topped_up_over_its_small_order_threshold():
    # Only WC has B (45.00); A is 0.50 cheaper at D2, but A at WC lifts WC's goods to 55.00.
    result = plan(
        scenario(
            [("A", 1), ("B", 1)],
            {"A": {}, "B": {}},
            {"WC": None, "D2": None},
            [("WC", "A", 5, "10.00"), ("WC", "B", 5, "45.00"), ("D2", "A", 5, "9.50")],
            small_orders={"WC": UNDER_50},
        )
    )
    assert taken(result) == {("A", "WC"): 1, ("B", "WC"): 1}
    assert (result.total, result.charges_total) == (Decimal("55.00"), Decimal("0.00"))
    assert reason(result, "A", "WC") == (
        "reaches the small-order threshold at WC (£50.00, avoiding its £5.00 charge; £0.50 dearer, "
        "£5.00 freight and charges saved)"
    )


@pytest.mark.parametrize(
    ("cost", "charge"),
    [("24.99", "5.00"), ("25.00", "0.00"), ("25.005", "0.00"), ("24.995", "5.00")],
)
def test_goods_exactly_at_the_threshold_pay_no_small_order_charge(cost, charge):
    # Two units; the charge applies strictly below 50.00: 49.98 and 49.99 pay it, 50.00 and 50.01 do not.
    result = plan(
        scenario([("A", 2)], {"A": {}}, {"WC": None}, [("WC", "A", 5, cost)], small_orders={"WC": UNDER_50})
    )
    (shipment,) = result.shipments
    assert shipment.small_order_charge == Decimal(charge)


def test_small_order_charge_and_flat_freight_at_one_distributor():
    # D1: 4.95 flat, free over 100.00, and 3.50 under 40.00. One A (30.00) pays both: 38.45. D2 ships
    # free at 37.00 but charges 2.00 under 60.00: 39.00. Two A: D1 60.00 + 4.95 against D2 74.00.
    rules = {"D1": {"type": "flat", "charge": "4.95", "free_over": "100.00"}, "D2": None}
    offers = [("D1", "A", 9, "30.00"), ("D2", "A", 9, "37.00")]
    small_orders = {"D1": {"below": "40.00", "charge": "3.50"}, "D2": {"below": "60", "charge": "2"}}
    one = plan(scenario([("A", 1)], {"A": {}}, rules, offers, small_orders))
    assert taken(one) == {("A", "D1"): 1}
    assert (one.freight_total, one.charges_total, one.total) == (
        Decimal("4.95"),
        Decimal("3.50"),
        Decimal("38.45"),
    )
    two = plan(scenario([("A", 2)], {"A": {}}, rules, offers, small_orders))
    assert taken(two) == {("A", "D1"): 2}
    assert (two.freight_total, two.charges_total, two.total) == (
        Decimal("4.95"),
        Decimal("0.00"),
        Decimal("64.95"),
    )


def test_a_sub_penny_small_order_charge_is_rounded_like_the_rest_of_the_plan():
    # A charge of 2.005 shows (and counts) as 2.01, half-up like every amount on the plan.
    result = plan(
        scenario(
            [("A", 1)],
            {"A": {}},
            {"WC": None},
            [("WC", "A", 5, "7.99")],
            small_orders={"WC": {"below": "50", "charge": "2.005"}},
        )
    )
    assert (result.charges_total, result.total) == (Decimal("2.01"), Decimal("10.00"))
    assert result.to_dict()["shipments"][0]["small_order_charge"] == "2.01"


def test_no_time_to_prove_an_optimum_is_an_error_not_a_guess():
    many = scenario(
        [("A", 1), ("B", 1)],
        {"A": {}, "B": {}},
        {"D1": FLAT_995, "D2": FLAT_995},
        [("D1", "A", 5, "10.00"), ("D2", "B", 5, "20.00"), ("D2", "A", 5, "8.00")],
    )
    with pytest.raises(PlanningError, match="time limit"):
        plan(many, time_limit_s=1e-9)


def ship_to(scenario_, country):
    return parse_scenario(
        {
            "currency": "GBP",
            "ship_to": {"country": country},
            "cart": [{"sku": "A", "qty": 2}],
            "products": [{"sku": "A"}],
            "distributors": [
                {"id": "UK1", "ships_to": ["GB", "ie"]},
                {"id": "EU1", "ships_to": ["FR", "DE"], "freight": FLAT_995},
                *([{"id": "ANY"}] if scenario_ == "with a distributor without ships_to" else []),
            ],
            "offers": [
                {"distributor": "UK1", "sku": "A", "stock": 5, "cost": "10.00"},
                {"distributor": "EU1", "sku": "A", "stock": 5, "cost": "12.00"},
                *(
                    [{"distributor": "ANY", "sku": "A", "stock": 5, "cost": "30.00"}]
                    if scenario_ == "with a distributor without ships_to"
                    else []
                ),
            ],
        }
    )


def test_a_distributor_only_ships_to_its_countries():
    """`ships_to` keeps a distributor's offers out of carts going elsewhere; without it, it ships anywhere."""
    home = plan(ship_to("", "GB"))
    assert taken(home) == {("A", "UK1"): 2}
    assert home.notes == ("not delivering to GB, so not used: EU1",)
    france = plan(ship_to("", "FR"))
    assert taken(france) == {("A", "EU1"): 2}
    assert france.total == Decimal("33.95")
    assert france.notes == ("not delivering to FR, so not used: UK1",)
    nowhere = plan(ship_to("", "US"))
    assert (nowhere.status, nowhere.allocations) == ("infeasible", ())
    assert nowhere.notes == ("not delivering to US, so not used: UK1, EU1",)
    anywhere = plan(ship_to("with a distributor without ships_to", "US"))
    assert (anywhere.status, taken(anywhere)) == ("ok", {("A", "ANY"): 2})


def test_reasons_and_notes_name_distributors_as_a_reader_knows_them():
    """A distributor with a `name` is called by it in reasons and notes (a reseller reads "Westcoast",
    not its engine id "WC"); without one, by its id."""
    data = {
        "currency": "GBP",
        "ship_to": {"country": "GB", "postcode": "M1 1AE"},
        "cart": [{"sku": "A", "qty": 5}],
        "products": [{"sku": "A"}],
        "distributors": [
            {"id": "WC", "name": "Westcoast", "ships_to": ["GB"]},
            {"id": "ING", "name": "Ingram Micro UK", "ships_to": ["GB"]},
            {"id": "EU1", "name": "Euro Parts BV", "ships_to": ["NL"]},
        ],
        "offers": [
            {"distributor": "WC", "sku": "A", "stock": 3, "cost": "10.00"},
            {"distributor": "ING", "sku": "A", "stock": 9, "cost": "12.00"},
            {"distributor": "EU1", "sku": "A", "stock": 9, "cost": "9.00"},
        ],
    }
    result = plan(parse_scenario(data))
    assert taken(result) == {("A", "WC"): 3, ("A", "ING"): 2}
    assert reason(result, "A", "ING") == "cheapest in stock for the remaining 2 (Westcoast had 3)"
    assert result.notes == ("not delivering to GB, so not used: Euro Parts BV",)
