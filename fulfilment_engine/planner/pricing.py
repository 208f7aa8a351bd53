"""Pricing a shipment in Decimal with freight.py: the figures a plan shows never come from the solver."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from .. import freight
from ..domain import CarrierFreight, FreightRule, Product, Shipment, SmallOrderCharge


@dataclass(frozen=True)
class PricedShipment:
    goods: Decimal
    weight_kg: Decimal
    billable_weight_kg: Decimal
    freight: Decimal | None  # None: the rule cannot carry this shipment
    small_order_charge: Decimal = Decimal(0)


def price(
    rule: FreightRule | None,
    lines: Iterable[tuple[Product, int, Decimal]],
    small_order: SmallOrderCharge | None = None,
) -> PricedShipment:
    """`lines` are (product, units, unit cost); `small_order` the distributor's small-order charge."""
    lines = [(product, qty, cost) for product, qty, cost in lines if qty > 0]
    goods = sum((cost * qty for _, qty, cost in lines), Decimal(0))
    weighed = [(product, qty) for product, qty, _ in lines]
    billable = freight.billable_weight(rule, weighed)
    return PricedShipment(
        goods=goods,
        weight_kg=freight.actual_weight(weighed),
        billable_weight_kg=billable,
        freight=freight.freight_charge(rule, goods, billable) if lines else Decimal(0),
        small_order_charge=freight.small_order_charge(small_order, goods) if lines else Decimal(0),
    )


def to_shipment(distributor_id: str, rule: FreightRule | None, priced: PricedShipment) -> Shipment:
    assert priced.freight is not None
    return Shipment(
        distributor=distributor_id,
        weight_kg=priced.weight_kg,
        goods=priced.goods,
        freight=priced.freight,
        # Carrier rules are planned on their fallback bands; live carrier re-pricing replaces these later.
        freight_source="fallback" if isinstance(rule, CarrierFreight) else "rule",
        billable_weight_kg=priced.billable_weight_kg,
        small_order_charge=priced.small_order_charge,
    )
