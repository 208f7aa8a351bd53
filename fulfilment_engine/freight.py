"""Freight rules and small-order charges evaluated exactly (Decimal), the reference the planner's model
is checked against.

The planner encodes the same rules as linear constraints; after solving, every shipment is priced again
here, so the figures a user sees never depend on solver arithmetic.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_CEILING, Decimal

from .domain import CarrierFreight, FlatFreight, FreightRule, Product, SmallOrderCharge, WeightFreight


def actual_weight(lines: Iterable[tuple[Product, int]]) -> Decimal:
    return sum((product.weight_kg * qty for product, qty in lines), Decimal(0))


def unit_billable_weight(rule: FreightRule | None, product: Product) -> Decimal:
    """Per unit, the larger of actual and dimensional weight when the rule has a `dim_divisor`."""
    weight_rule = rule.fallback if isinstance(rule, CarrierFreight) else rule
    if isinstance(weight_rule, WeightFreight) and weight_rule.dim_divisor:
        return max(product.weight_kg, product.dimensional_weight_kg(weight_rule.dim_divisor))
    return product.weight_kg


def dimensional_divisor(rule: FreightRule | None) -> Decimal | None:
    """The rule's `dim_divisor` (carrier rules: their fallback's), or None when it has none."""
    weight_rule = rule.fallback if isinstance(rule, CarrierFreight) else rule
    if isinstance(weight_rule, WeightFreight) and weight_rule.dim_divisor:
        return weight_rule.dim_divisor
    return None


def unit_billable_volume(product: Product, divisor: Decimal) -> Decimal:
    """max(weight × divisor, L × W × H): a unit's billable weight times the divisor, an exact decimal."""
    volume = product.volume_cm3
    scaled_weight = product.weight_kg * divisor
    return scaled_weight if volume is None else max(scaled_weight, volume)


def billable_weight(rule: FreightRule | None, lines: Iterable[tuple[Product, int]]) -> Decimal:
    """Sum of the units' billable weights.

    With a `dim_divisor` the sum is taken over `max(weight × divisor, L × W × H)` and divided once at
    the end: every term is then an exact decimal, so a shipment that lands exactly on a band's `max_kg`
    (say six boxes of 25 × 20 × 10 cm at 6000 cm³/kg, 5 kg) compares as exactly that, not 4.99…98 or
    5.00…01 as a sum of rounded per-unit quotients would. The planner's integer model uses the same terms.
    """
    divisor = dimensional_divisor(rule)
    if divisor is None:
        return actual_weight(lines)
    return sum((unit_billable_volume(product, divisor) * qty for product, qty in lines), Decimal(0)) / divisor


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


def small_order_charge(rule: SmallOrderCharge | None, goods: Decimal) -> Decimal:
    """The distributor's small-order charge for one shipment of `goods` (its exact goods total, compared
    before rounding, as `free_over` is): `charge` when goods are strictly below `below`, else nothing."""
    if rule is None or goods >= rule.below:
        return Decimal(0)
    return rule.charge


def max_billable_weight(rule: FreightRule | None) -> Decimal | None:
    """The heaviest shipment a rule accepts, or None for no limit."""
    weight_rule = rule.fallback if isinstance(rule, CarrierFreight) else rule
    if isinstance(weight_rule, WeightFreight) and weight_rule.per_kg_over is None:
        return weight_rule.bands[-1].max_kg
    return None
