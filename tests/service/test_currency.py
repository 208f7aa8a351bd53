"""Carts in another currency than the store's: `[service] currency` and `exchange_rates` convert every
amount the planner sees (costs, freight rules, small-order charges); a currency without a rate is a 422."""

from __future__ import annotations

from decimal import Decimal

import pytest

from fulfilment_engine.domain import money
from fulfilment_engine.errors import ConfigError
from fulfilment_engine.service import service_settings
from fulfilment_engine.service.auth import hash_api_key

CART = [
    {"sku": "CF100002", "qty": 1},
    {"sku": "CF100006", "qty": 2},
    {"sku": "CF100010", "qty": 3},
]
IN_EUROS = 'currency = "GBP"\nexchange_rates = { EUR = "1.20" }\n'


def test_a_cart_in_euros_is_planned_over_the_stores_pounds_converted(kit, sample_sqlite_url):
    with kit.running_service(sample_sqlite_url, service_extra=IN_EUROS) as client:
        pounds = client.post(
            "/v1/fulfilment-plans", json=kit.plan_request(CART, currency="GBP"), headers=kit.auth()
        ).json()
        euros = client.post(
            "/v1/fulfilment-plans",
            json=kit.plan_request(CART, country="IE", currency="EUR"),
            headers=kit.auth(),
        ).json()
        pounds_ie = client.post(
            "/v1/fulfilment-plans",
            json=kit.plan_request(CART, country="IE", currency="GBP"),
            headers=kit.auth(),
        ).json()

    assert pounds["status"] == euros["status"] == "ok"
    assert euros["currency"] == "EUR"
    rate = Decimal("1.20")
    # The same distributors and quantities as in pounds; every figure times the rate.
    assert [(a["sku"], a["distributor"], a["qty"]) for a in euros["allocations"]] == [
        (a["sku"], a["distributor"], a["qty"]) for a in pounds_ie["allocations"]
    ]
    for euro, pound in zip(euros["allocations"], pounds_ie["allocations"], strict=True):
        assert Decimal(euro["unit_cost"]) == money(Decimal(pound["unit_cost"]) * rate)
    for key in ("goods_total", "freight_total", "charges_total"):
        assert Decimal(euros[key]) == money(Decimal(pounds_ie[key]) * rate), key
    assert Decimal(pounds_ie["freight_total"]) > 0  # the freight rule was converted, not only the costs


def test_a_currency_without_a_rate_is_a_422_naming_it(kit, sample_sqlite_url):
    with kit.running_service(sample_sqlite_url, service_extra=IN_EUROS) as client:
        response = client.post(
            "/v1/fulfilment-plans",
            json=kit.plan_request(CART, country="US", currency="USD"),
            headers=kit.auth(),
        )
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["path"] == "currency" and error["type"] == "currency_not_offered"
    assert "prices in GBP" in error["message"] and "USD" in error["message"]


def test_without_a_store_currency_the_carts_currency_is_a_label_as_before(kit, service):
    response = service.post(
        "/v1/fulfilment-plans", json=kit.plan_request(CART, currency="USD"), headers=kit.auth()
    )
    assert response.status_code == 200 and response.json()["currency"] == "USD"


@pytest.mark.parametrize(
    ("extra", "where"),
    [
        ({"exchange_rates": {"EUR": "1.2"}}, "[service].exchange_rates"),
        ({"currency": "pounds"}, "[service].currency"),
        ({"currency": "GBP", "exchange_rates": {"EURO": "1.2"}}, "[service].exchange_rates.EURO"),
        ({"currency": "GBP", "exchange_rates": {"EUR": "0"}}, "[service].exchange_rates.EUR"),
        ({"currency": "GBP", "exchange_rates": {"EUR": "lots"}}, "[service].exchange_rates.EUR"),
    ],
)
def test_currency_settings_are_checked(kit, extra, where):
    raw = {"service": {"api_keys": [hash_api_key(kit.API_KEY)], **extra}}
    with pytest.raises(ConfigError) as caught:
        service_settings(raw, where="fulfil.toml")
    assert f"fulfil.toml: {where}" in str(caught.value)
