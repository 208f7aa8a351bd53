"""What the customer pays for delivery, decided per region from the plan the engine found.

A reseller rarely passes its distributors' freight straight on: UK and EU shops usually charge a flat rate
and waive it over a basket value, while US shops pass the carrier-rated (weight-based) freight through.
Each region names its countries and one rule; countries no region names take the default rule.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from ..countries import EU_COUNTRIES
from ..domain import Plan, Scenario, money, money_text, parse_money
from ..errors import ConfigError

PolicyType = Literal["pass_through", "flat"]


@dataclass(frozen=True)
class DeliveryRule:
    """One region's rule. `flat`: `charge`, nothing once the basket reaches `free_over`.
    `pass_through`: what the distributors bill beyond the goods, as it is: the plan's freight total
    (rule-, carrier- or fallback-rated) plus its small-order charges."""

    type: PolicyType
    region: str = ""
    charge: Decimal | None = None
    free_over: Decimal | None = None


@dataclass(frozen=True)
class DeliveryQuote:
    charge: Decimal
    rule: DeliveryRule
    basket_value: Decimal
    reason: str

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": self.rule.type, "region": self.rule.region or None}
        if self.rule.charge is not None:
            out["charge"] = money_text(self.rule.charge)
        if self.rule.free_over is not None:
            out["free_over"] = money_text(self.rule.free_over)
        out["basket_value"] = money_text(self.basket_value)
        out["reason"] = self.reason
        return out


@dataclass(frozen=True)
class DeliveryPolicy:
    regions: tuple[tuple[frozenset[str], DeliveryRule], ...] = ()
    default: DeliveryRule = DeliveryRule(type="pass_through")

    def rule_for(self, country: str) -> DeliveryRule:
        country = country.upper()
        for countries, rule in self.regions:
            if country in countries:
                return rule
        return self.default

    def quote(self, scenario: Scenario, plan: Plan) -> DeliveryQuote:
        rule = self.rule_for(scenario.ship_to.country)
        basket = basket_value(scenario, plan)
        where = f" ({rule.region})" if rule.region else ""
        if not plan.shipments:
            return DeliveryQuote(Decimal("0.00"), rule, basket, "nothing ships, so nothing to deliver")
        if rule.type == "pass_through":
            # Everything the distributors bill beyond the goods: carriage and small-order charges.
            charges = money(plan.charges_total)
            billed = "freight" if not charges else "freight and small-order charges"
            return DeliveryQuote(
                money(plan.freight_total) + charges,
                rule,
                basket,
                f"pass-through{where}: the {billed} of the planned shipments",
            )
        assert rule.charge is not None
        if rule.free_over is not None and basket >= rule.free_over:
            return DeliveryQuote(
                Decimal("0.00"),
                rule,
                basket,
                f"flat rate{where} waived: basket {money_text(basket)} "
                f"is at least {money_text(rule.free_over)}",
            )
        return DeliveryQuote(money(rule.charge), rule, basket, f"flat rate{where}")


def basket_value(scenario: Scenario, plan: Plan) -> Decimal:
    """What the customer's basket is worth: Σ unit_price × qty; a line without a `unit_price` counts at
    the planned unit cost of what was allocated to it (a shop that sends prices gets exact thresholds)."""
    planned_cost: dict[str, Decimal] = {}
    planned_qty: dict[str, int] = {}
    for allocation in plan.allocations:
        planned_cost[allocation.sku] = planned_cost.get(allocation.sku, Decimal(0)) + (
            allocation.unit_cost * allocation.qty
        )
        planned_qty[allocation.sku] = planned_qty.get(allocation.sku, 0) + allocation.qty
    total = Decimal(0)
    for line in scenario.cart:
        if line.unit_price is not None:
            total += line.unit_price * line.qty
        elif planned_qty.get(line.sku):
            # Average planned cost per unit of the SKU, for the units that could be placed.
            unit = planned_cost[line.sku] / planned_qty[line.sku]
            total += unit * min(line.qty, planned_qty[line.sku])
    return money(total)


# ---------------------------------------------------------------------------------------------- config


def parse_policy(table: Mapping[str, Any] | None, where: str = "[service.delivery]") -> DeliveryPolicy:
    """The `[service.delivery]` table: `default` rule plus `[[service.delivery.regions]]`."""
    if table is None:
        return DeliveryPolicy()
    if not isinstance(table, Mapping):
        raise ConfigError(where, "must be a table")
    default_spec = table.get("default", "pass_through")
    if isinstance(default_spec, str):
        default_spec = {"policy": default_spec}
    default = parse_rule(default_spec, f"{where}.default", region="")
    regions_spec = table.get("regions", [])
    if not isinstance(regions_spec, Sequence) or isinstance(regions_spec, str):
        raise ConfigError(f"{where}.regions", "must be an array of tables ([[service.delivery.regions]])")
    regions = []
    seen: dict[str, str] = {}
    for index, spec in enumerate(regions_spec):
        path = f"{where}.regions[{index}]"
        if not isinstance(spec, Mapping):
            raise ConfigError(path, "must be a table")
        countries = parse_countries(spec.get("countries"), f"{path}.countries")
        name = spec.get("name", ",".join(sorted(countries)) if len(countries) < 4 else f"region {index}")
        if not isinstance(name, str) or not name.strip():
            raise ConfigError(f"{path}.name", "must be non-empty text")
        for country in countries:
            if country in seen:
                raise ConfigError(f"{path}.countries", f"{country} is already in region {seen[country]!r}")
            seen[country] = name
        regions.append((countries, parse_rule(spec, path, region=name.strip())))
    return DeliveryPolicy(regions=tuple(regions), default=default)


def parse_countries(value: Any, path: str) -> frozenset[str]:
    if not isinstance(value, list) or not value:
        raise ConfigError(path, 'must be a non-empty list of country codes, e.g. ["GB"] or ["EU"]')
    countries: set[str] = set()
    for index, code in enumerate(value):
        if not isinstance(code, str):
            raise ConfigError(f"{path}[{index}]", f"must be a country code, got {code!r}")
        code = code.strip().upper()
        if code == "EU":
            countries |= EU_COUNTRIES
        elif len(code) == 2 and code.isalpha():
            countries.add(code)
        else:
            raise ConfigError(
                f"{path}[{index}]", f"must be a two-letter ISO country code or EU, got {code!r}"
            )
    return frozenset(countries)


def parse_rule(spec: Mapping[str, Any], path: str, *, region: str) -> DeliveryRule:
    kind = spec.get("policy", spec.get("type"))
    if kind == "pass_through":
        return DeliveryRule(type="pass_through", region=region)
    if kind == "flat":
        return DeliveryRule(
            type="flat",
            region=region,
            charge=_amount(spec.get("charge"), f"{path}.charge", required=True),
            free_over=_amount(spec.get("free_over"), f"{path}.free_over", required=False),
        )
    raise ConfigError(f"{path}.policy", f"must be 'flat' or 'pass_through', got {kind!r}")


def _amount(value: Any, path: str, *, required: bool) -> Decimal | None:
    if value is None:
        if required:
            raise ConfigError(path, 'is required (a decimal string such as "4.95")')
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ConfigError(path, f'must be a decimal string such as "4.95", got {value!r}')
    try:  # the money rule (domain.MONEY_TEXT); a TOML number by its own digits
        amount = parse_money(value if isinstance(value, str) else repr(value))
    except ValueError as exc:
        raise ConfigError(path, str(exc)) from None
    if amount < 0:
        raise ConfigError(path, f"must be an amount of at least 0, got {value!r}")
    return amount
