"""The contract in shop_connectors/contract.py is the one both sides keep: the mappers send exactly its
keys, the Odoo module requires, bounds and sends back what it says, and docs/connectors-contract.md
describes every field. Read from the Odoo module's source, so a change on one side alone fails here."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import get_args, get_type_hints

import pytest
from doubles import shopify_order
from test_mappers import woo_inclusive_with_coupon

from shop_connectors import contract
from shop_connectors.platforms import PLATFORMS

ROOT = Path(__file__).resolve().parents[2]
MODELS = ROOT / "odoo_addon" / "channel_fulfilment" / "models"
DOC = ROOT / "docs" / "connectors-contract.md"
NESTED = {
    "customer": contract.Customer,
    "billing": contract.Address,
    "shipping": contract.Address,
    "lines": contract.OrderLine,
    "shipping_lines": contract.ShippingLine,
    "discounts": contract.Discount,
}


def mapped() -> dict[str, dict]:
    """A full order of each platform, normalised by its own mapper."""
    woo = woo_inclusive_with_coupon()
    woo["shipping"] = {**woo["billing"], "email": None}
    shop = shopify_order(12, updated="2026-12-06T10:15:00Z", discount="1.00")
    return {
        "woocommerce": PLATFORMS["woocommerce"].mapper.map_order(woo),
        "shopify": PLATFORMS["shopify"].mapper.map_order(shop),
    }


@pytest.mark.parametrize("platform", ["woocommerce", "shopify"])
def test_each_mapper_sends_exactly_the_contracts_keys(platform):
    order = mapped()[platform]
    assert set(order) == set(contract.NormalisedOrder.__annotations__) - {"tax_names"}
    for key, shape in NESTED.items():
        items = order[key] if isinstance(order[key], list) else [order[key]]
        assert items, f"{platform}: the sample order has no {key}"
        for item in items:
            assert set(item) == set(shape.__annotations__), f"{platform}: {key}"


def test_the_keys_the_import_requires_are_the_contracts_required_keys():
    parse = (MODELS / "sale_order_import_parse.py").read_text()
    required = re.search(r"for key in \(([^)]*)\):\n\s+if data\.get\(key\) in \(None, \"\"\)", parse)
    assert required, "the import's required-keys loop moved: read it again"
    assert set(re.findall(r'"(\w+)"', required.group(1))) == contract.NormalisedOrder.__required_keys__


def test_the_statuses_and_payment_states_are_the_imports():
    values = (MODELS / "store_order_values.py").read_text()
    payment = re.search(r"^PAYMENT_STATES = \(([^)]*)\)", values, re.M).group(1)
    cancelling = re.search(r"^CANCELLING_STATUSES = \(([^)]*)\)", values, re.M).group(1)
    assert tuple(re.findall(r'"(\w+)"', payment)) == get_args(contract.PaymentState)
    assert ("open", *re.findall(r'"(\w+)"', cancelling)) == get_args(contract.OrderStatus)


def test_the_bounds_are_the_imports():
    values = (MODELS / "store_order_values.py").read_text()
    assert f"MAX_LINES = {contract.MAX_LINES} " in values
    assert f"MAX_EXTERNAL_ID = {contract.MAX_EXTERNAL_ID}\n" in values
    call = (MODELS / "sale_order_import.py").read_text()
    assert f"MAX_ORDERS_PER_CALL = {contract.MAX_ORDERS_PER_CALL}\n" in call
    updates = (MODELS / "sale_order_store_updates.py").read_text()
    assert f"MAX_PENDING_UPDATES = {contract.MAX_PENDING_UPDATES}\n" in updates


def test_a_store_update_has_the_keys_odoo_sends():
    updates = (MODELS / "sale_order_store_updates.py").read_text()
    shape = re.search(r"def _channel_update_shape\(self, update\):\n\s+keys = \(([^)]*)\)", updates)
    assert shape, "_channel_update_shape moved: read it again"
    assert re.findall(r'"(\w+)"', shape.group(1)) == list(contract.StoreUpdate.__annotations__)
    picking = (MODELS / "stock_picking_store_updates.py").read_text()
    shipped = re.search(r"def _channel_shipped_lines\(self\):.*?return \[\s*\{(.*?)\}", picking, re.S)
    assert set(re.findall(r'"(\w+)":', shipped.group(1))) == set(contract.ShippedLine.__annotations__)


def test_the_update_kinds_are_the_platforms_and_odoos():
    updates = (MODELS / "sale_order_store_updates.py").read_text()
    kinds = ast.literal_eval(re.search(r"^PLATFORM_KINDS = (\{.*?^\})", updates, re.M | re.S).group(1))
    assert {name: platform.push.KINDS for name, platform in PLATFORMS.items()} == kinds
    assert {kind for platform in kinds.values() for kind in platform} == set(get_args(contract.UpdateKind))


def test_the_docs_page_describes_every_field():
    doc = DOC.read_text()
    shapes = [
        contract.NormalisedOrder,
        contract.ImportAnswer,
        contract.StoreUpdate,
        *set(NESTED.values()),
        contract.ShippedLine,
    ]
    for shape in shapes:
        for key in get_type_hints(shape):
            assert f"`{key}`" in doc, f"{shape.__name__}.{key} is not in {DOC.name}"
    for path in ("sale_order_import.py", "sale_order_import_parse.py"):
        assert "docs/connectors-contract.md" in (MODELS / path).read_text(), path
