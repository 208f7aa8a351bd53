"""POST /v1/fulfilment-plans over real HTTP: the plan is the planner's on the equivalent scenario, and the
delivery charge follows the configured policy (UK flat, free over a basket value, US pass-through)."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from fulfilment_engine import freight
from fulfilment_engine.domain import money
from fulfilment_engine.planner import plan
from fulfilment_engine.scenario import parse_scenario
from fulfilment_engine.store import OfferStore

CARTS = {
    "uk-free-delivery": ("GB", [{"sku": "CF100004", "qty": 2}, {"sku": "CF100024", "qty": 1}]),
    "uk-mixed": (
        "GB",
        [
            {"sku": "CF100001", "qty": 1, "unit_price": "249.00"},
            {"sku": "CF100002", "qty": 3},
            {"sku": "CF100006", "qty": 2},
            {"sku": "CF100010", "qty": 5},
            {"sku": "CF100012", "qty": 4},
        ],
    ),
    "ie": ("IE", [{"sku": "CF100003", "qty": 1}, {"sku": "CF100011", "qty": 2}]),
    "fr": ("FR", [{"sku": "CF100002", "qty": 2}, {"sku": "CF100009", "qty": 1}]),
    "us-weight": (
        "US",
        [{"sku": "CF100005", "qty": 3}, {"sku": "CF100009", "qty": 2}, {"sku": "CF100012", "qty": 1}],
    ),
    "more-than-stock": ("GB", [{"sku": "CF100008", "qty": 500}]),
}


@pytest.mark.parametrize("cart_name", sorted(CARTS))
def test_plan_is_the_planners_on_the_equivalent_scenario(kit, sample_store_url, cart_name):
    country, cart = CARTS[cart_name]
    request = kit.plan_request(cart, country=country)
    expected = plan(
        parse_scenario(
            json.loads(json.dumps(kit.scenario_from_store(sample_store_url, request)), parse_float=Decimal)
        )
    ).to_dict()

    with kit.running_service(sample_store_url) as client:
        response = client.post("/v1/fulfilment-plans", json=request, headers=kit.auth())

    assert response.status_code == 200, response.text
    answer = response.json()
    assert kit.plan_part(answer) == expected
    assert answer["demo"] is False
    assert set(answer) >= {
        "status",
        "allocations",
        "shipments",
        "unfilled",
        "goods_total",
        "freight_total",
        "total",
        "delivery_charge",
        "delivery_policy",
    }


def test_partial_plan_says_what_is_unfilled(kit, service):
    answer = service.post(
        "/v1/fulfilment-plans", headers=kit.auth(), json=kit.plan_request([{"sku": "CF100008", "qty": 500}])
    ).json()
    placed = sum(a["qty"] for a in answer["allocations"])
    assert answer["status"] == "partial"
    assert answer["unfilled"] == [{"sku": "CF100008", "qty": 500 - placed}]
    assert 0 < placed < 500


@pytest.mark.parametrize(
    ("qty", "unit_price", "charge", "basket"),
    [
        (1, "24.99", "4.95", "24.99"),
        (4, "24.99", "4.95", "99.96"),
        (4, "25.00", "0.00", "100.00"),  # at the threshold: free
        (5, "24.99", "0.00", "124.95"),
    ],
)
def test_uk_flat_rate_free_over_the_basket_value(kit, service, qty, unit_price, charge, basket):
    request = kit.plan_request([{"sku": "CF100002", "qty": qty, "unit_price": unit_price}])
    answer = service.post("/v1/fulfilment-plans", json=request, headers=kit.auth()).json()

    assert answer["status"] == "ok"
    assert answer["delivery_charge"] == charge
    policy = answer["delivery_policy"]
    assert (policy["type"], policy["region"], policy["charge"], policy["free_over"]) == (
        "flat",
        "UK",
        "4.95",
        "100.00",
    )
    assert policy["basket_value"] == basket


def test_a_line_without_price_counts_at_planned_cost(kit, service):
    answer = service.post(
        "/v1/fulfilment-plans", headers=kit.auth(), json=kit.plan_request([{"sku": "CF100004", "qty": 1}])
    ).json()
    assert answer["delivery_policy"]["basket_value"] == answer["goods_total"]
    assert Decimal(answer["goods_total"]) >= 100
    assert answer["delivery_charge"] == "0.00"


def test_eu_country_takes_the_eu_flat_rate(kit, service):
    answer = service.post(
        "/v1/fulfilment-plans",
        headers=kit.auth(),
        json=kit.plan_request(
            [{"sku": "CF100002", "qty": 1, "unit_price": "24.99"}], country="IE", currency="EUR"
        ),
    ).json()
    assert answer["status"] == "ok"
    assert answer["delivery_policy"]["region"] == "EU"
    assert answer["delivery_charge"] == "12.50"


def test_a_cart_to_france_is_filled_by_the_eu_distributor_at_the_eu_flat_rate(kit, service):
    answer = service.post(
        "/v1/fulfilment-plans",
        headers=kit.auth(),
        json=kit.plan_request(
            [{"sku": "CF100002", "qty": 2, "unit_price": "24.99"}], country="FR", currency="EUR"
        ),
    ).json()
    assert answer["status"] == "ok", answer
    assert [s["distributor"] for s in answer["shipments"]] == ["ALS"]  # the UK ones do not deliver there
    assert answer["delivery_policy"]["region"] == "EU"
    assert answer["delivery_charge"] == "12.50"


def test_us_passes_the_weight_based_freight_through(kit, service, sample_sqlite_url):
    country, cart = CARTS["us-weight"]
    answer = service.post(
        "/v1/fulfilment-plans", json=kit.plan_request(cart, country=country), headers=kit.auth()
    ).json()

    assert answer["delivery_policy"]["type"] == "pass_through"
    assert answer["delivery_policy"]["region"] == "US"
    assert answer["delivery_charge"] == answer["freight_total"]
    # Independently: each US shipment priced by its distributor's weight rule from the store.
    with OfferStore.open(sample_sqlite_url) as store:
        rules = {d: r.freight for d, r in store.distributors().items()}
    expected = sum(
        (
            money(
                freight.freight_charge(
                    rules[s["distributor"]], Decimal(s["goods"]), Decimal(str(s["billable_weight_kg"]))
                )
            )
            for s in answer["shipments"]
        ),
        Decimal(0),
    )
    assert {s["distributor"] for s in answer["shipments"]} <= {"DAH", "ASI"}
    assert Decimal(answer["delivery_charge"]) == expected > 0


def test_a_country_nobody_ships_to_is_infeasible_and_costs_nothing(kit, service):
    answer = service.post(
        "/v1/fulfilment-plans",
        headers=kit.auth(),
        json=kit.plan_request([{"sku": "CF100002", "qty": 2}], country="JP"),
    ).json()
    assert answer["status"] == "infeasible"
    assert answer["unfilled"] == [{"sku": "CF100002", "qty": 2}]
    assert answer["delivery_charge"] == "0.00"
    assert answer["delivery_policy"]["region"] is None
