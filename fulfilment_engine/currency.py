"""Money of one currency in another: a cart priced in EUR planned over distributor costs kept in GBP.

The offer store holds each figure as its distributor sent it; `[service] currency` says which currency
that is and `[service] exchange_rates` how many units of a cart's currency one unit of it buys. Every
amount that reaches the planner — offer costs, freight rules, small-order charges — is converted with the
same rate, so the choice of distributors is the one planned in the store's currency, priced in the cart's.
Converted amounts keep four decimal places; the plan rounds its money half-up to pence as always.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from .domain import (
    CarrierFreight,
    Distributor,
    FlatFreight,
    FreightRule,
    Offer,
    Scenario,
    SmallOrderCharge,
    WeightBand,
    WeightFreight,
)

STEP = Decimal("0.0001")


def convert(amount: Decimal, rate: Decimal) -> Decimal:
    return (amount * rate).quantize(STEP, rounding=ROUND_HALF_UP)


def convert_freight(rule: FreightRule | None, rate: Decimal) -> FreightRule | None:
    if rule is None:
        return None
    if isinstance(rule, FlatFreight):
        free_over = None if rule.free_over is None else convert(rule.free_over, rate)
        return dataclasses.replace(rule, charge=convert(rule.charge, rate), free_over=free_over)
    if isinstance(rule, WeightFreight):
        return dataclasses.replace(
            rule,
            bands=tuple(WeightBand(b.max_kg, convert(b.charge, rate)) for b in rule.bands),
            per_kg_over=None if rule.per_kg_over is None else convert(rule.per_kg_over, rate),
        )
    if isinstance(rule, CarrierFreight):
        return dataclasses.replace(rule, fallback=convert_freight(rule.fallback, rate))
    raise TypeError(f"unknown freight rule {rule!r}")


def convert_distributor(distributor: Distributor, rate: Decimal) -> Distributor:
    small = distributor.small_order
    return dataclasses.replace(
        distributor,
        freight=convert_freight(distributor.freight, rate),
        small_order=None
        if small is None
        else SmallOrderCharge(below=convert(small.below, rate), charge=convert(small.charge, rate)),
    )


def convert_offers(offers: Iterable[Offer], rate: Decimal) -> tuple[Offer, ...]:
    return tuple(dataclasses.replace(o, cost=convert(o.cost, rate)) for o in offers)


def in_currency(scenario: Scenario, currency: str, rate: Decimal) -> Scenario:
    """The same planning problem with every amount converted at `rate` and labelled `currency`."""
    return dataclasses.replace(
        scenario,
        currency=currency,
        offers=convert_offers(scenario.offers, rate),
        distributors={key: convert_distributor(d, rate) for key, d in scenario.distributors.items()},
    )
