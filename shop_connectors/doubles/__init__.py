"""Local stand-ins for the store platforms, one module per double like the engine's distributor
simulators (fulfilment_engine/simulators/): `woocommerce` (REST wc/v3) and `shopify` (GraphQL Admin API),
on the HTTP server they share (`_common`). Used by the tests, the benchmarks and `make demo-odoo`
(tools/demo_odoo.py). Each is a real HTTP server on 127.0.0.1 that speaks the published wire format, so
the real client code (the `woocommerce` package, httpx) runs unchanged against it.
"""

from __future__ import annotations

from ._common import DoubleServer
from .shopify import PLANS, ShopifyDouble, shopify_order
from .woocommerce import WooCommerceDouble, woo_order

__all__ = ["PLANS", "DoubleServer", "ShopifyDouble", "WooCommerceDouble", "shopify_order", "woo_order"]
