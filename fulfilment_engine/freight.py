"""Freight rules evaluated exactly (Decimal), the reference the planner's model is checked against.

The planner encodes the same rules as linear constraints; after solving, every shipment is priced again
here, so the figures a user sees never depend on solver arithmetic.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_CEILING, Decimal

from .domain import CarrierFreight, FlatFreight, FreightRule, Product, WeightFreight


def actual_weight(lines: Iterable[tuple[Product, int]]) -> Decimal:
    return sum((product.weight_kg * qty for product, qty in lines), Decimal(0))


def unit_billable_weight(rule: FreightRule | None, product: Product) -> Decimal:
    """Per unit, the larger of actual and dimensional weight when the rule has a `dim_divisor`."""
    weight_rule = rule.fallback if isinstance(rule, CarrierFreight) else rule
    if isinstance(weight_rule, WeightFreight) and weight_rule.dim_divisor:
        return max(product.weight_kg, product.dimensional_weight_kg(weight_rule.dim_divisor))
    return product.weight_kg


def billable_weight(rule: FreightRule | None, lines: Iterable[tuple[Product, int]]) -> Decimal:
    return sum((unit_billable_weight(rule, product) * qty for product, qty in lines), Decimal(0))


def band_charge(rule: WeightFreight, weight: Decimal) -> Decimal | None:
    """The charge for `weight` kg under weight bands, or None when the rule cannot take that weight."""
    for band in rule.bands:
        if weight <= band.max_kg:
            return band.charge
    last = rule.bands[-1]
    if rule.per_kg_over is None:
        return None
    extra_kg = (weight - last.max_kg).to_integral_value(rounding=ROUND_CEILING)
    return last.charge + rule.per_kg_over * extra_kg


def freight_charge(rule: FreightRule | None, goods: Decimal, weight: Decimal) -> Decimal | None:
    """Freight for one shipment (`weight` is its billable weight); None means this rule cannot ship it.

    Carrier rules are priced here by their fallback bands; the live carrier price replaces it later.
    """
    if rule is None:
        return Decimal(0)
    if isinstance(rule, FlatFreight):
        if rule.free_over is not None and goods >= rule.free_over:
            return Decimal(0)
        return rule.charge
    if isinstance(rule, WeightFreight):
        return band_charge(rule, weight)
    if isinstance(rule, CarrierFreight):
        return band_charge(rule.fallback, weight)
    raise TypeError(f"unknown freight rule {rule!r}")


def max_billable_weight(rule: FreightRule | None) -> Decimal | None:
    """The heaviest shipment a rule accepts, or None for no limit."""
    weight_rule = rule.fallback if isinstance(rule, CarrierFreight) else rule
    if isinstance(weight_rule, WeightFreight) and weight_rule.per_kg_over is None:
        return weight_rule.bands[-1].max_kg
    return None
