"""Seeded, realistic planning problems for the planner benchmark (not used by the engine itself).

A UK reseller's world in miniature: a few hundred IT products (cables to servers), 20 distributors with
overlapping ranges and their own price levels, UK flat-rate freight with free-delivery thresholds and
US-style weight bands (some with dimensional weight, some capacity-limited), stock from nothing to
plenty. Each distributor also gets the fixed vendor-line sequence a reseller would have entered in Odoo.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal

from fulfilment_engine.domain import (
    CartLine,
    Distributor,
    FlatFreight,
    Offer,
    Product,
    Scenario,
    ShipTo,
    WeightBand,
    WeightFreight,
)

KINDS = (  # (name, weight kg range, size cm range, base cost £ range, share of the catalogue)
    ("cable", (0.05, 0.4), (10, 25), (3, 25), 0.25),
    ("accessory", (0.2, 1.5), (15, 35), (10, 90), 0.25),
    ("storage", (0.1, 0.8), (10, 20), (40, 400), 0.15),
    ("laptop", (1.2, 2.8), (30, 45), (350, 1800), 0.12),
    ("monitor", (3.5, 9.0), (50, 75), (110, 700), 0.10),
    ("printer", (5.0, 22.0), (40, 60), (90, 900), 0.08),
    ("server", (12.0, 28.0), (60, 80), (1500, 6000), 0.05),
)


@dataclass(frozen=True)
class World:
    products: dict[str, Product]
    base_cost: dict[str, Decimal]
    distributors: dict[str, Distributor]
    offers: dict[str, list[Offer]]  # per SKU
    sequence: dict[str, int]  # Odoo vendor-line sequence per distributor


def _pounds(value: float) -> Decimal:
    return Decimal(f"{value:.2f}")


def _product(rng: random.Random, index: int) -> tuple[Product, Decimal]:
    name, weight, size, cost, _ = rng.choices(KINDS, weights=[kind[4] for kind in KINDS])[0]
    return (
        Product(
            sku=f"{name[:3].upper()}-{index:04d}",
            weight_kg=Decimal(f"{rng.uniform(*weight):.3f}"),
            length_cm=Decimal(rng.randint(*size)),
            width_cm=Decimal(rng.randint(size[0] // 2, size[1])),
            height_cm=Decimal(rng.randint(max(2, size[0] // 4), size[1] // 2)),
            brand=rng.choice(["HP", "Lenovo", "Dell", "Samsung", "Logitech", "Kingston", "Brother", "APC"]),
        ),
        _pounds(rng.uniform(*cost)),
    )


def _freight(rng: random.Random, index: int):
    if index < 12:  # UK flat rate, most with a free-delivery threshold
        return FlatFreight(
            charge=_pounds(rng.choice([4.95, 5.95, 7.50, 8.95, 9.95, 12.50, 14.95])),
            free_over=rng.choice(
                [None, Decimal(100), Decimal(150), Decimal(250), Decimal(300), Decimal(500)]
            ),
        )
    tops = [Decimal(t) for t in rng.choice([(1, 5, 10, 30), (2, 10, 25), (0.5, 2, 5, 15, 30), (5, 20, 40)])]
    charge, bands = rng.uniform(4, 8), []
    for top in tops:
        bands.append(WeightBand(top, _pounds(charge)))
        charge *= rng.uniform(1.2, 1.8)
    return WeightFreight(
        bands=tuple(bands),
        per_kg_over=None if rng.random() < 0.2 else _pounds(rng.uniform(0.6, 1.6)),
        dim_divisor=Decimal(5000) if rng.random() < 0.5 else None,
    )


def make_world(seed: int = 7, n_products: int = 400, n_distributors: int = 20) -> World:
    rng = random.Random(seed)
    products, base_cost = {}, {}
    for i in range(n_products):
        product, cost = _product(rng, i)
        products[product.sku] = product
        base_cost[product.sku] = cost
    distributors = {
        f"DIST{i:02d}": Distributor(f"DIST{i:02d}", freight=_freight(rng, i)) for i in range(n_distributors)
    }
    level = {d: rng.uniform(0.94, 1.10) for d in distributors}
    coverage = {d: rng.uniform(0.35, 0.9) for d in distributors}
    offers: dict[str, list[Offer]] = {}
    for sku, cost in base_cost.items():
        for dist in distributors:
            if rng.random() > coverage[dist]:
                continue
            roll = rng.random()
            stock = 0 if roll < 0.08 else rng.randint(1, 5) if roll < 0.25 else rng.randint(6, 250)
            price = float(cost) * level[dist] * rng.uniform(0.97, 1.04)
            offers.setdefault(sku, []).append(Offer(dist, sku, stock, _pounds(price), f"{dist}-{sku}"))
    order = list(distributors)
    rng.shuffle(order)
    return World(products, base_cost, distributors, offers, {d: 10 * (i + 1) for i, d in enumerate(order)})


def make_cart(world: World, rng: random.Random, lines: int) -> Scenario:
    offered = [sku for sku in world.products if sku in world.offers]
    chosen = rng.sample(offered, min(lines, len(offered)))
    cart = []
    for sku in chosen:
        heavy = world.products[sku].weight_kg > 5
        qty = rng.choice([1, 1, 1, 2]) if heavy else rng.choice([1, 1, 2, 2, 3, 5, 10])
        cart.append(CartLine(sku, qty))
    if len(cart) > 3 and rng.random() < 0.3:  # a SKU on two lines, as carts sometimes have
        cart.append(CartLine(cart[0].sku, 1))
    offers = tuple(o for sku in chosen for o in world.offers[sku])
    return Scenario(
        currency="GBP",
        ship_to=ShipTo("GB", "M1 1AE"),
        cart=tuple(cart),
        products={sku: world.products[sku] for sku in chosen},
        distributors=world.distributors,
        offers=offers,
    )
