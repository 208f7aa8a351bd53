"""Planner test support: a seeded generator of small scenarios and an independent exhaustive solver.

The exhaustive solver shares nothing with the planner but the domain values and freight.py (the
reference for freight and small-order charges): it enumerates every split of every SKU over its offers
and keeps the best (most units, then least total, then fewest shipments).
"""

from __future__ import annotations

import itertools
import random
from decimal import Decimal
from pathlib import Path

import pytest

from fulfilment_engine import freight
from fulfilment_engine.domain import (
    CarrierFreight,
    CartLine,
    Distributor,
    FlatFreight,
    Offer,
    Product,
    Scenario,
    ShipTo,
    SmallOrderCharge,
    WeightBand,
    WeightFreight,
    money,
)

FIXTURES = Path(__file__).parent / "fixtures"


def brute_force(scenario: Scenario) -> tuple[int, Decimal, int]:
    """(units placed, total, shipments) of the best plan, by enumerating every allocation."""
    demand: dict[str, int] = {}
    for line in scenario.cart:
        demand[line.sku] = demand.get(line.sku, 0) + line.qty
    offers = [o for o in scenario.offers if o.stock > 0 and o.sku in demand]
    per_sku = []
    for sku, wanted in demand.items():
        mine = [i for i, o in enumerate(offers) if o.sku == sku]
        splits = [
            split
            for split in itertools.product(*(range(min(offers[i].stock, wanted) + 1) for i in mine))
            if sum(split) <= wanted
        ]
        per_sku.append((mine, splits))

    by_distributor: dict[str, list[int]] = {}
    for i, offer in enumerate(offers):
        by_distributor.setdefault(offer.distributor, []).append(i)
    cache: dict[tuple, tuple[Decimal, Decimal] | None] = {}

    def shipment(dist: str, quantities: tuple[int, ...]):
        key = (dist, quantities)
        if key not in cache:
            taken = list(zip(by_distributor[dist], quantities, strict=True))
            lines = [(scenario.products[offers[i].sku], q) for i, q in taken if q]
            goods = sum((offers[i].cost * q for i, q in taken), Decimal(0))
            distributor = scenario.distributors[dist]
            rule = distributor.freight
            charge = freight.freight_charge(rule, goods, freight.billable_weight(rule, lines))
            small_order = freight.small_order_charge(distributor.small_order, goods)
            cache[key] = None if charge is None else (money(goods), money(charge) + money(small_order))
        return cache[key]

    combos: dict[int, list[list[int]]] = {}
    for choice in itertools.product(*(splits for _, splits in per_sku)):
        vector = [0] * len(offers)
        for (mine, _), split in zip(per_sku, choice, strict=True):
            for i, q in zip(mine, split, strict=True):
                vector[i] = q
        combos.setdefault(sum(vector), []).append(vector)

    for units in sorted(combos, reverse=True):
        best = None
        for vector in combos[units]:
            total, count = Decimal(0), 0
            for dist, indices in by_distributor.items():
                quantities = tuple(vector[i] for i in indices)
                if not any(quantities):
                    continue
                priced = shipment(dist, quantities)
                if priced is None:
                    break
                total += priced[0] + priced[1]
                count += 1
            else:
                if best is None or (total, count) < best:
                    best = (total, count)
        if best is not None:
            return units, best[0], best[1]
    return 0, Decimal(0), 0


def _money(rng: random.Random, low: int, high: int, places: int = 2) -> Decimal:
    return Decimal(rng.randint(low * 10**places, high * 10**places)).scaleb(-places)


def _weight_rule(rng: random.Random) -> WeightFreight:
    bands, top = [], Decimal(0)
    for _ in range(rng.randint(1, 3)):
        top += Decimal(rng.choice(["0.5", "1", "2", "2.5", "4", "5", "10"]))
        bands.append(WeightBand(top, _money(rng, 2, 20)))  # charges deliberately not sorted
    return WeightFreight(
        bands=tuple(bands),
        per_kg_over=rng.choice([None, _money(rng, 0, 3), _money(rng, 0, 3)]),
        dim_divisor=rng.choice([None, None, Decimal(5000), Decimal(6000), Decimal(4000)]),
    )


def random_scenario(seed: int, *, small_order: bool = False) -> Scenario:
    """A small scenario (≤3 SKUs, ≤3 distributors, ≤4 units a SKU, stock 0–5) mixing every freight rule.

    `small_order`: the same scenario, with small-order charges at most distributors (drawn from a
    separate random stream, so everything else stays as it was)."""
    rng = random.Random(seed)
    skus = [f"S{i}" for i in range(rng.randint(1, 3))]
    extra = "S9"  # offered, never wanted: must drop out
    products = {}
    for sku in [*skus, extra]:
        dims = rng.random() < 0.4
        products[sku] = Product(
            sku=sku,
            weight_kg=Decimal(rng.choice(["0", "0.25", "0.5", "1", "1.2", "2", "3.75"])),
            length_cm=Decimal(rng.choice([20, 25, 30, 40])) if dims else None,
            width_cm=Decimal(rng.choice([10, 20, 30])) if dims else None,
            height_cm=Decimal(rng.choice([10, 15, 20])) if dims else None,
        )
    cart = []
    for sku in skus:
        qty = rng.randint(1, 4)
        if qty > 1 and rng.random() < 0.25:  # the same SKU on two lines
            first = rng.randint(1, qty - 1)
            cart += [CartLine(sku, first), CartLine(sku, qty - first)]
        else:
            cart.append(CartLine(sku, qty))
    rng.shuffle(cart)

    sub_penny = rng.random() < 0.1
    distributors = {}
    for i in range(rng.randint(1, 3)):
        kind = rng.choice(["none", "flat", "flat", "weight", "weight", "carrier"])
        if kind == "none":
            rule = None
        elif kind == "flat":
            rule = FlatFreight(
                _money(rng, 3, 15, 3 if sub_penny else 2),
                rng.choice([None, _money(rng, 20, 150)]),
            )
        elif kind == "weight":
            rule = _weight_rule(rng)
        else:
            rule = CarrierFreight("ups", "ground", _weight_rule(rng))
        distributors[f"D{i}"] = Distributor(f"D{i}", freight=rule)

    offers = []
    for dist in distributors:
        for sku in [*skus, extra]:
            if rng.random() < 0.75:
                offers.append(
                    Offer(
                        distributor=dist,
                        sku=sku,
                        stock=rng.randint(0, 5),
                        cost=_money(rng, 5, 60, 3 if sub_penny and rng.random() < 0.5 else 2),
                        distributor_sku=f"{dist}-{sku}",
                        source=rng.choice(["feed", "realtime"]),
                    )
                )
    if small_order:
        distributors = _with_small_order_charges(random.Random(-1 - seed), distributors, offers, sub_penny)
    return Scenario("GBP", ShipTo("GB"), tuple(cart), products, distributors, tuple(offers))


def _with_small_order_charges(
    rng: random.Random, distributors: dict[str, Distributor], offers: list[Offer], sub_penny: bool
) -> dict[str, Distributor]:
    """A small-order charge at most distributors: thresholds around what one shipment's goods come to,
    often exactly what some quantity of one of its offers costs (so "strictly below" is put to the
    test), now and then a threshold or a charge of nothing, and sub-penny charges with sub-penny costs."""
    charged = {}
    for dist_id, distributor in distributors.items():
        if rng.random() < 0.2:
            charged[dist_id] = distributor
            continue
        mine = [o for o in offers if o.distributor == dist_id and o.stock > 0]
        roll = rng.random()
        if mine and roll < 0.45:
            offer = rng.choice(mine)
            below = offer.cost * rng.randint(1, min(offer.stock, 4))
        elif roll < 0.92:
            below = _money(rng, 10, 150)
        else:
            below = Decimal(0)
        charge = Decimal(0) if rng.random() < 0.05 else _money(rng, 1, 25, 3 if sub_penny else 2)
        charged[dist_id] = Distributor(
            dist_id, freight=distributor.freight, small_order=SmallOrderCharge(below, charge)
        )
    return charged


@pytest.fixture
def fixtures_dir() -> Path:
    return FIXTURES


@pytest.fixture
def exhaustive():
    return brute_force


@pytest.fixture
def small_scenario():
    return random_scenario
