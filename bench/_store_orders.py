"""The store orders the connector benchmarks send: 1-5 lines of the addon tests' five SKUs at their list
prices, 1-3 of each, from a pool of repeat customers — into the store doubles (bench connectors) or
straight into Odoo (bench odoo_import)."""

from __future__ import annotations

import random
from collections.abc import Callable

from shop_connectors.doubles.woocommerce import woo_order

PRICES = {
    "SKU-LAPTOP": "900.00",
    "SKU-MOUSE": "25.00",
    "SKU-DOCK": "150.00",
    "SKU-CABLE": "10.00",
    "SKU-BAG": "30.00",
}


def random_lines(rng: random.Random, price_of: Callable[[str], str] = PRICES.__getitem__) -> tuple:
    """(SKU, quantity, unit price) of 1-5 different SKUs."""
    skus = rng.sample(list(PRICES), rng.randint(1, 5))
    return tuple((sku, rng.randint(1, 3), price_of(sku)) for sku in skus)


def woo_orders(
    first: int,
    count: int,
    customers: int,
    rng: random.Random,
    modified: Callable[[int], str],
    domain: str = "example.com",
) -> list[dict]:
    """WooCommerce orders `first`.. as wc/v3 returns them, each by one of `customers` customers."""
    orders = []
    for order_id in range(first, first + count):
        lines = random_lines(rng)
        customer = rng.randrange(customers)
        orders.append(
            woo_order(
                order_id,
                modified=modified(order_id),
                email=f"customer{customer}@{domain}",
                lines=lines,
                customer_id=customer + 1,
            )
        )
    return orders
