"""Small-order charges through the service: the distributors' charges from the store reach the planner,
the answer shows them per shipment and in `charges_total`, the OpenAPI document describes both, and a
pass-through delivery policy passes them on with the freight.

The sample data gives VIP (£3.50 under £25.00), Target Components (£4.50 under £40.00) and Midwich
(£5.00 under £50.00) a small-order charge."""

from __future__ import annotations

import dataclasses
import json
from decimal import Decimal

import httpx

from fulfilment_engine.config import parse_config_text
from fulfilment_engine.domain import money
from fulfilment_engine.planner import plan
from fulfilment_engine.scenario import parse_scenario
from fulfilment_engine.service import create_app, service_settings
from fulfilment_engine.service.auth import hash_api_key
from fulfilment_engine.service.server import BackgroundServer

# Two of one cable: VIP's is the cheapest (2 × 7.29 + 5.95 freight = 20.53) until its £3.50 charge
# under £25.00 is counted (24.03); TD SYNNEX's 2 × 7.30 + 8.50 = 23.10 is then the cheapest.
CHANGED_BY_THE_CHARGE = [{"sku": "CF100064", "qty": 2}]
# One cheap cable that only VIP ships economically: the plan pays VIP's charge.
PAYS_THE_CHARGE = [{"sku": "CF100040", "qty": 1}]


def _planned(kit, store_url: str, request: dict, *, without_charges: bool = False):
    """The planner's answer on the scenario the store makes of `request` (optionally with every
    distributor's small-order charge taken away)."""
    scenario = parse_scenario(
        json.loads(json.dumps(kit.scenario_from_store(store_url, request)), parse_float=Decimal)
    )
    if without_charges:
        scenario = dataclasses.replace(
            scenario,
            distributors={
                key: dataclasses.replace(d, small_order=None) for key, d in scenario.distributors.items()
            },
        )
    return scenario, plan(scenario)


def test_the_openapi_document_lists_the_charges(kit, service):
    schemas = service.get("/openapi.json").json()["components"]["schemas"]
    shipment, response = schemas["ShipmentOut"], schemas["FulfilmentPlanResponse"]
    assert "small_order_charge" in shipment["properties"] and "small_order_charge" in shipment["required"]
    assert "charges_total" in response["properties"] and "charges_total" in response["required"]
    assert shipment["properties"]["small_order_charge"]["pattern"] == r"^-?\d+\.\d{2}$"
    assert "small-order" in shipment["properties"]["small_order_charge"]["description"]
    assert "charges_total" in response["properties"]["total"]["description"]


def test_the_service_plans_with_the_distributors_small_order_charges(kit, sample_store_url):
    request = kit.plan_request(CHANGED_BY_THE_CHARGE)
    scenario, charged = _planned(kit, sample_store_url, request)
    _scenario, uncharged = _planned(kit, sample_store_url, request, without_charges=True)
    # The cart is one the charge changes: without charges, a distributor that has one would ship it.
    (cheapest_uncharged,) = uncharged.shipments
    rule = scenario.distributors[cheapest_uncharged.distributor].small_order
    assert rule is not None and cheapest_uncharged.goods < rule.below
    assert uncharged.total < charged.total < uncharged.total + rule.charge

    with kit.running_service(sample_store_url) as client:
        response = client.post("/v1/fulfilment-plans", json=request, headers=kit.auth())
    assert response.status_code == 200, response.text
    answer = response.json()
    assert kit.plan_part(answer) == charged.to_dict()
    assert cheapest_uncharged.distributor not in {s["distributor"] for s in answer["shipments"]}
    assert answer["charges_total"] == "0.00"
    assert Decimal(answer["total"]) == charged.total


def test_a_charge_the_plan_pays_is_on_the_shipment_and_in_the_totals(kit, service, sample_sqlite_url):
    answer = service.post(
        "/v1/fulfilment-plans", json=kit.plan_request(PAYS_THE_CHARGE), headers=kit.auth()
    ).json()
    scenario, _plan = _planned(kit, sample_sqlite_url, kit.plan_request(PAYS_THE_CHARGE))
    (shipment,) = answer["shipments"]
    rule = scenario.distributors[shipment["distributor"]].small_order
    assert rule is not None and Decimal(shipment["goods"]) < rule.below
    assert Decimal(shipment["small_order_charge"]) == rule.charge > 0
    assert answer["charges_total"] == shipment["small_order_charge"]
    assert answer["freight_total"] == shipment["freight"]
    assert Decimal(answer["total"]) == (
        Decimal(answer["goods_total"]) + Decimal(answer["freight_total"]) + Decimal(answer["charges_total"])
    )
    # The UK policy is a flat rate: what the distributor charges us does not change the customer's.
    assert answer["delivery_policy"]["type"] == "flat"


def test_pass_through_delivery_passes_on_freight_and_small_order_charges(kit, sample_sqlite_url):
    config = parse_config_text(
        f'[service]\napi_keys = ["{hash_api_key(kit.API_KEY)}"]\n'
        '[service.delivery]\ndefault = "pass_through"\n',
        source="test fulfil.toml",
    )
    app = create_app(config, service_settings(config.raw), sample_sqlite_url)
    with BackgroundServer(app) as server, httpx.Client(base_url=server.url, timeout=30) as client:
        paid = client.post(
            "/v1/fulfilment-plans", json=kit.plan_request(PAYS_THE_CHARGE), headers=kit.auth()
        ).json()
        free_of_charges = client.post(
            "/v1/fulfilment-plans", json=kit.plan_request(CHANGED_BY_THE_CHARGE), headers=kit.auth()
        ).json()

    assert Decimal(paid["charges_total"]) > 0 and Decimal(paid["freight_total"]) > 0
    assert Decimal(paid["delivery_charge"]) == money(
        Decimal(paid["freight_total"]) + Decimal(paid["charges_total"])
    )
    assert paid["delivery_policy"]["type"] == "pass_through"
    assert paid["delivery_policy"]["reason"] == (
        "pass-through: the freight and small-order charges of the planned shipments"
    )
    # No charge in the plan: the freight alone, worded as before.
    assert free_of_charges["delivery_charge"] == free_of_charges["freight_total"]
    assert (
        free_of_charges["delivery_policy"]["reason"] == "pass-through: the freight of the planned shipments"
    )
