"""A shipment's freight and the model's auxiliary column values, in the problem's integers.

Used to build and rank starting plans before the solver runs; the solver's answer is checked by the
Decimal re-pricing in solve.py (freight.py), not by this.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from .problem import Depot


def half_up(amount: int, penny: int) -> int:
    """round-half-up(amount / penny) for amount ≥ 0."""
    return (2 * amount + penny) // (2 * penny)


@dataclass(frozen=True)
class ShipmentState:
    """What the model's auxiliary columns hold for one distributor's shipment."""

    ships: bool
    goods: int
    weight: int  # billable, in the rule's integer units (0 without a weight rule)
    free: bool = False
    band: int | None = None  # index into the rule's reachable bands
    over: bool = False
    started_kg: int = 0
    freight: int = 0
    waived: bool = False  # goods reach the small-order threshold
    charge: int = 0  # the small-order charge paid (money units, a whole number of pence)


def shipment_state(depot: Depot, quantities: dict[int, int]) -> ShipmentState | None:
    """None when the distributor's rule cannot carry that shipment."""
    goods = sum(c.cost * quantities.get(c.index, 0) for c in depot.candidates)
    ships = any(quantities.get(c.index, 0) for c in depot.candidates)
    rule = depot.weight
    weight = (
        0
        if rule is None
        else sum(rule.unit_weight[c.index] * quantities.get(c.index, 0) for c in depot.candidates)
    )
    if not ships:
        return ShipmentState(False, 0, 0)
    state = _freight_state(depot, goods, weight)
    if state is None or depot.small_order is None:
        return state
    below = depot.small_order.below
    waived = below is not None and goods >= below
    return replace(state, waived=waived, charge=0 if waived else depot.small_order.charge)


def _freight_state(depot: Depot, goods: int, weight: int) -> ShipmentState | None:
    rule = depot.weight
    if depot.flat is not None:
        free = depot.flat.free_over is not None and goods >= depot.flat.free_over
        return ShipmentState(True, goods, weight, free=free, freight=0 if free else depot.flat.charge)
    if rule is None:
        return ShipmentState(True, goods, weight)
    for position, band in enumerate(rule.bands):
        if weight <= band.upper:
            return ShipmentState(True, goods, weight, band=position, freight=band.charge)
    if not rule.overflow_possible:
        return None
    started = -(-(weight - rule.last_max) // rule.kilogram)
    return ShipmentState(
        True,
        goods,
        weight,
        over=True,
        started_kg=started,
        freight=rule.last_charge + rule.per_kg_over * started,
    )
