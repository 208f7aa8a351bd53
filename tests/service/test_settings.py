"""The `[service]` table: keys as hashes, origins, delivery policy; every mistake named by its key."""

from __future__ import annotations

import tomllib
from decimal import Decimal

import pytest

from fulfilment_engine.domain import Allocation, CartLine, Plan, Scenario, Shipment, ShipTo
from fulfilment_engine.errors import ConfigError
from fulfilment_engine.service.auth import hash_api_key
from fulfilment_engine.service.delivery import EU_COUNTRIES, parse_policy
from fulfilment_engine.service.settings import service_settings

KEY_HASH = hash_api_key("cfk_secret")


def settings_from(text: str):
    return service_settings(tomllib.loads(text), where="shop.toml")


def test_keys_are_matched_by_hash_only():
    settings = settings_from(f'[service]\napi_keys = ["{KEY_HASH}", "{"ab" * 32}"]')
    assert settings.keys.accepts("cfk_secret")
    assert not settings.keys.accepts("cfk_secreT")
    assert not settings.keys.accepts(KEY_HASH)  # the hash itself is not a key
    assert settings.cors_origins == ()
    assert settings.demo is False


@pytest.mark.parametrize(
    ("text", "where", "what"),
    [
        ("[planner]\ndeadline_ms = 300", "shop.toml: [service]", "missing"),
        ("[service]\ncors_origins = []", "shop.toml: [service].api_keys", "at least one key hash"),
        (
            '[service]\napi_keys = ["cfk_plain_key"]',
            "shop.toml: [service].api_keys[0]",
            "sha256:<64 hex digits>",
        ),
        (
            f'[service]\napi_keys = ["{KEY_HASH}"]\ncors_origin = ["x"]',
            "shop.toml: [service].cors_origin",
            "unknown setting",
        ),
        (
            f'[service]\napi_keys = ["{KEY_HASH}"]\ncors_origins = ["shop.example"]',
            "shop.toml: [service].cors_origins[0]",
            "https://shop.example",
        ),
        (
            f'[service]\napi_keys = ["{KEY_HASH}"]\n[service.delivery]\ndefault = "free"',
            "shop.toml: [service.delivery].default.policy",
            "'flat' or 'pass_through'",
        ),
        (
            f'[service]\napi_keys = ["{KEY_HASH}"]\n'
            '[[service.delivery.regions]]\ncountries = ["GB"]\npolicy = "flat"',
            "shop.toml: [service.delivery].regions[0].charge",
            "is required",
        ),
        (
            f'[service]\napi_keys = ["{KEY_HASH}"]\n[[service.delivery.regions]]\ncountries = ["GB"]\n'
            'policy = "flat"\ncharge = "4.95"\nfree_over = "lots"',
            "shop.toml: [service.delivery].regions[0].free_over",
            "decimal",
        ),
        (
            f'[service]\napi_keys = ["{KEY_HASH}"]\n[[service.delivery.regions]]\ncountries = ["GB"]\n'
            'policy = "flat"\ncharge = "1e26"',
            "shop.toml: [service.delivery].regions[0].charge",
            "up to 12 digits, optionally a point and up to 4 decimals, got '1e26'",
        ),
        (
            f'[service]\napi_keys = ["{KEY_HASH}"]\n[[service.delivery.regions]]\ncountries = ["GB"]\n'
            'policy = "flat"\ncharge = "4.95"\nfree_over = "1_000"',
            "shop.toml: [service.delivery].regions[0].free_over",
            "got '1_000'",
        ),
        (
            f'[service]\napi_keys = ["{KEY_HASH}"]\n[[service.delivery.regions]]\ncountries = ["UK"]\n'
            'policy = "pass_through"\n'
            '[[service.delivery.regions]]\ncountries = ["GBR"]\npolicy = "pass_through"',
            "shop.toml: [service.delivery].regions[1].countries[0]",
            "two-letter",
        ),
        (
            f'[service]\napi_keys = ["{KEY_HASH}"]\n'
            '[[service.delivery.regions]]\nname = "EU"\ncountries = ["EU"]\n'
            'policy = "pass_through"\n[[service.delivery.regions]]\nname = "IE"\ncountries = ["IE"]\n'
            'policy = "pass_through"',
            "shop.toml: [service.delivery].regions[1].countries",
            "already in region 'EU'",
        ),
    ],
)
def test_mistakes_are_named(text, where, what):
    with pytest.raises(ConfigError) as caught:
        settings_from(text)
    assert caught.value.where == where
    assert what in caught.value.message


def _scenario(country: str, lines: list[CartLine]) -> Scenario:
    return Scenario("GBP", ShipTo(country), tuple(lines), {}, {}, ())


def _plan(freight: str, goods: str, *allocations: Allocation) -> Plan:
    shipment = Shipment("D1", Decimal(1), Decimal(goods), Decimal(freight))
    return Plan("ok", tuple(allocations), (shipment,), ())


POLICY = parse_policy(
    tomllib.loads("""
default = "pass_through"
[[regions]]
name = "UK"
countries = ["GB"]
policy = "flat"
charge = "4.95"
free_over = "100.00"
[[regions]]
name = "EU"
countries = ["EU"]
policy = "flat"
charge = 12.5
""")
)


def test_flat_rate_is_waived_from_the_threshold_up():
    plan = _plan("9.95", "60.00", Allocation("A", "D1", 4, Decimal("15.00")))
    below = POLICY.quote(_scenario("GB", [CartLine("A", 4, Decimal("24.99"))]), plan)
    at = POLICY.quote(_scenario("GB", [CartLine("A", 4, Decimal("25.00"))]), plan)
    assert (below.charge, below.basket_value) == (Decimal("4.95"), Decimal("99.96"))
    assert (at.charge, at.basket_value) == (Decimal("0.00"), Decimal("100.00"))
    assert at.to_dict() == {
        "type": "flat",
        "region": "UK",
        "charge": "4.95",
        "free_over": "100.00",
        "basket_value": "100.00",
        "reason": "flat rate (UK) waived: basket 100.00 is at least 100.00",
    }


def test_eu_stands_for_the_member_states_and_others_pass_through():
    plan = _plan("17.30", "20.00", Allocation("A", "D1", 2, Decimal("10.00")))
    assert len(EU_COUNTRIES) == 27
    for country in ("DE", "IE", "FR"):
        quote = POLICY.quote(_scenario(country, [CartLine("A", 2)]), plan)
        assert (quote.rule.region, quote.charge) == ("EU", Decimal("12.50"))
    us = POLICY.quote(_scenario("US", [CartLine("A", 2)]), plan)
    assert (us.rule.type, us.rule.region, us.charge) == ("pass_through", "", Decimal("17.30"))
    assert us.to_dict()["region"] is None


def test_pass_through_adds_the_small_order_charges_to_the_freight():
    # Two shipments: D1 pays 9.95 freight and a 4.50 small-order charge, D2 ships free with a 3.333
    # charge that the plan shows rounded to 3.33. The customer pays what the distributors bill.
    plan = Plan(
        "ok",
        (Allocation("A", "D1", 1, Decimal("12.00")), Allocation("B", "D2", 1, Decimal("8.00"))),
        (
            Shipment("D1", Decimal(1), Decimal("12.00"), Decimal("9.95"), small_order_charge=Decimal("4.50")),
            Shipment("D2", Decimal(1), Decimal("8.00"), Decimal(0), small_order_charge=Decimal("3.333")),
        ),
        (),
    )
    quote = POLICY.quote(_scenario("US", [CartLine("A", 1), CartLine("B", 1)]), plan)
    assert quote.charge == Decimal("17.78") == plan.freight_total + plan.charges_total
    assert (
        quote.to_dict()["reason"]
        == "pass-through: the freight and small-order charges of the planned shipments"
    )
    # A flat region's charge does not depend on what the distributors bill.
    assert POLICY.quote(_scenario("GB", [CartLine("A", 1, Decimal("30.00"))]), plan).charge == Decimal("4.95")


def test_unpriced_lines_count_at_the_planned_cost_of_what_was_placed():
    plan = _plan(
        "0",
        "50.00",
        Allocation("A", "D1", 2, Decimal("10.00")),
        Allocation("A", "D2", 1, Decimal("13.00")),
        Allocation("B", "D1", 1, Decimal("17.00")),
    )
    quote = POLICY.quote(_scenario("GB", [CartLine("A", 3), CartLine("B", 2, Decimal("40.00"))]), plan)
    assert quote.basket_value == Decimal("113.00")  # 10+10+13 at cost, then 2 × 40.00 as priced
