"""Mappers on recorded-looking payloads: the normalised order must add up to the store's total."""

from __future__ import annotations

import copy
from decimal import ROUND_HALF_UP, Decimal

import pytest
from doubles import shopify_order, woo_order

from shop_connectors.errors import BadOrder
from shop_connectors.platforms.shopify import mapper as shopify
from shop_connectors.platforms.woocommerce import mapper as woocommerce

CENT = Decimal("0.01")


def odoo_like_total(order: dict) -> Decimal:
    """What Odoo computes from the normalised order with per-line tax rounding (round_per_line)."""
    total = Decimal(0)
    amounts = [
        (Decimal(line["unit_price"]) * Decimal(line["qty"]), line["tax_rates"]) for line in order["lines"]
    ]
    amounts += [(Decimal(s["price"]), s["tax_rates"]) for s in order["shipping_lines"]]
    amounts += [(-Decimal(d["amount"]), d["tax_rates"]) for d in order["discounts"]]
    for amount, rates in amounts:
        percent = sum((Decimal(r) for r in rates), Decimal(0)) / 100
        amount = amount.quantize(CENT, ROUND_HALF_UP)
        if order["prices_include_tax"]:
            total += amount
        else:
            total += amount + (amount * percent).quantize(CENT, ROUND_HALF_UP)
    return total


def woo_inclusive_with_coupon() -> dict:
    """A UK store with prices including VAT: a 20 % dock and a 5 % child car seat, coupon SAVE10
    (10 % off both), shipping £4.17 + £0.83 VAT, as WooCommerce 9 returns it."""
    order = woo_order(4321, modified="2026-12-06T10:16:00Z", include_tax=True)
    order["line_items"] = [
        {
            "id": 55,
            "name": "USB-C dock",
            "product_id": 10,
            "variation_id": 0,
            "quantity": 2,
            "tax_class": "",
            "subtotal": "49.98",
            "subtotal_tax": "10.00",
            "total": "44.98",
            "total_tax": "9.00",
            "taxes": [{"id": 1, "total": "9.0", "subtotal": "10.0"}],
            "meta_data": [],
            "sku": "CF100006",
            "price": 22.49,
        },
        {
            "id": 56,
            "name": "Child seat",
            "product_id": 11,
            "variation_id": 0,
            "quantity": 1,
            "tax_class": "reduced-rate",
            "subtotal": "38.10",
            "subtotal_tax": "1.90",
            "total": "34.29",
            "total_tax": "1.71",
            "taxes": [{"id": 2, "total": "1.71", "subtotal": "1.9"}],
            "meta_data": [],
            "sku": "CF200001",
            "price": 34.29,
        },
    ]
    order["tax_lines"] = [
        {
            "id": 90,
            "rate_code": "GB-VAT-1",
            "rate_id": 1,
            "label": "VAT",
            "compound": False,
            "tax_total": "9.00",
            "shipping_tax_total": "0.83",
            "rate_percent": 20,
            "meta_data": [],
        },
        {
            "id": 91,
            "rate_code": "GB-REDUCED-2",
            "rate_id": 2,
            "label": "Reduced",
            "compound": False,
            "tax_total": "1.71",
            "shipping_tax_total": "0.00",
            "rate_percent": 5,
            "meta_data": [],
        },
    ]
    order["shipping_lines"] = [
        {
            "id": 95,
            "method_title": "Flat rate",
            "method_id": "flat_rate",
            "total": "4.17",
            "total_tax": "0.83",
            "taxes": [{"id": 1, "total": "0.83", "subtotal": ""}],
            "meta_data": [],
        }
    ]
    order["coupon_lines"] = [
        {"id": 97, "code": "save10", "discount": "8.81", "discount_tax": "1.19", "meta_data": []}
    ]
    order["discount_total"], order["discount_tax"] = "8.81", "1.19"
    order["total"], order["total_tax"] = "94.98", "11.54"
    return order


def test_woocommerce_tax_inclusive_coupon_two_rates_and_shipping_tax():
    order = woocommerce.map_order(woo_inclusive_with_coupon())
    assert order["prices_include_tax"] is True
    assert [(line["sku"], line["qty"], line["unit_price"], line["tax_rates"]) for line in order["lines"]] == [
        ("CF100006", "2", "29.99", ["20.0"]),
        ("CF200001", "1", "40.00", ["5.0"]),
    ]
    assert order["shipping_lines"] == [{"name": "Flat rate", "price": "5.00", "tax_rates": ["20.0"]}]
    assert order["discounts"] == [
        {"name": "Coupon save10", "amount": "6.00", "tax_rates": ["20.0"]},
        {"name": "Coupon save10", "amount": "4.00", "tax_rates": ["5.0"]},
    ]
    assert (order["total"], order["total_tax"]) == ("94.98", "11.54")
    assert odoo_like_total(order) == Decimal(order["total"])


def test_woocommerce_tax_exclusive_adds_up_and_maps_the_customer():
    raw = woo_order(12, modified="2026-12-06T10:16:00Z", lines=(("CF1", 3, "3.33"), ("CF2", 1, "10.01")))
    order = woocommerce.map_order(raw)
    assert order["prices_include_tax"] is False
    assert odoo_like_total(order) == Decimal(order["total"])
    assert order["customer"] == {
        "email": "ann@example.com",
        "name": "Ann Smith",
        "phone": "0113 496 0000",
        "store_customer_id": "77",
    }
    assert order["billing"]["zip"] == "LS1 1AA" and order["shipping"]["email"] == ""
    assert (order["created"], order["payment_state"], order["number"]) == (
        "2026-12-06T10:16:00Z",
        "paid",
        "#12",
    )


def test_woocommerce_unknown_sku_no_email_guest_unpaid_and_status():
    raw = woo_order(13, modified="2026-12-06T10:16:00Z", email=None, lines=(("", 1, "5.00"),), customer_id=0)
    raw["date_paid"] = raw["date_paid_gmt"] = None
    raw["shipping"] = {k: "" for k in raw["shipping"]}
    order = woocommerce.map_order(raw)
    assert order["lines"][0]["sku"] == "" and order["lines"][0]["name"] == "Product"
    assert order["customer"]["email"] is None and order["customer"]["store_customer_id"] is None
    assert order["shipping"] is None and order["payment_state"] == "pending"
    raw["status"] = "cancelled"
    assert woocommerce.map_order(raw)["status"] == "cancelled"
    raw["status"], raw["refunds"] = "processing", [{"id": 5, "reason": "", "total": "-1.00"}]
    assert woocommerce.map_order(raw)["payment_state"] == "partially_refunded"


def test_hash_ignores_modified_but_not_content():
    raw = woo_order(14, modified="2026-12-06T10:16:00Z")
    first = woocommerce.map_order(raw)
    later = copy.deepcopy(raw)
    later["date_modified_gmt"] = "2026-12-06T11:00:00"
    assert woocommerce.map_order(later)["hash"] == first["hash"]
    later["line_items"][0]["quantity"] = 3
    assert woocommerce.map_order(later)["hash"] != first["hash"]


def test_woocommerce_bad_money_names_the_field():
    raw = woo_order(15, modified="2026-12-06T10:16:00Z")
    raw["line_items"][0]["subtotal"] = "twelve"
    with pytest.raises(BadOrder, match=r"line_items\[0\]\.subtotal"):
        woocommerce.map_order(raw)


def test_shopify_tax_included_discount_and_webhook_body_map_the_same():
    node = shopify_order(
        7,
        updated="2026-12-06T10:16:00Z",
        lines=(("CF100006", 2, "29.99"), ("ZZ", 1, "5.00")),
        discount="5.00",
    )
    order = shopify.map_order(node)
    assert order["external_id"] == "7" and order["number"] == "#1007"
    assert [(line["external_id"], line["unit_price"]) for line in order["lines"]] == [
        ("700", "29.99"),
        ("701", "5.00"),
    ]
    assert order["discounts"] == [{"name": "Discount SAVE5", "amount": "5.00", "tax_rates": ["20.0"]}]
    assert odoo_like_total(order) == Decimal(order["total"])
    rest = {
        "id": 7,
        "admin_graphql_api_id": "gid://shopify/Order/7",
        "name": "#1007",
        "created_at": "2026-12-06T10:16:00Z",
        "updated_at": "2026-12-06T10:16:00Z",
        "cancelled_at": None,
        "test": False,
        "email": "bo@example.com",
        "financial_status": "paid",
        "currency": "GBP",
        "taxes_included": True,
        "total_price": node["totalPriceSet"]["shopMoney"]["amount"],
        "total_tax": node["totalTaxSet"]["shopMoney"]["amount"],
        "discount_codes": [{"code": "SAVE5"}],
        "customer": {"id": 9007, "first_name": "Bo", "last_name": "Jones"},
        "billing_address": {
            "name": "Bo Jones",
            "first_name": "Bo",
            "last_name": "Jones",
            "address1": "2 Low Rd",
            "city": "York",
            "zip": "YO1 7HH",
            "country_code": "GB",
        },
        "shipping_address": {
            "name": "Bo Jones",
            "first_name": "Bo",
            "last_name": "Jones",
            "address1": "2 Low Rd",
            "city": "York",
            "zip": "YO1 7HH",
            "country_code": "GB",
        },
        "line_items": [
            {
                "id": 700,
                "sku": "CF100006",
                "name": "Item CF100006",
                "quantity": 2,
                "price": "29.99",
                "discount_allocations": [{"amount": "5.00"}],
                "tax_lines": [{"rate": 0.2, "price": "9.17", "title": "GB VAT"}],
            },
            {
                "id": 701,
                "sku": "ZZ",
                "name": "Item ZZ",
                "quantity": 1,
                "price": "5.00",
                "discount_allocations": [],
                "tax_lines": [{"rate": 0.2, "title": "GB VAT"}],
            },
        ],
        "shipping_lines": [
            {"title": "Standard", "price": "4.99", "discounted_price": "4.99", "tax_lines": [{"rate": 0.2}]}
        ],
    }
    from_body = shopify.map_order(shopify.from_webhook(rest))
    assert from_body["hash"] == order["hash"]


def test_shopify_payment_states_and_which_orders_come_in():
    node = shopify_order(8, updated="2026-12-06T10:16:00Z", financial="PARTIALLY_REFUNDED")
    assert shopify.map_order(node)["payment_state"] == "partially_refunded"
    assert shopify.order_is_wanted({**node, "displayFinancialStatus": "AUTHORIZED"}, known=False)
    assert not shopify.order_is_wanted({**node, "test": True}, known=True)
    assert not shopify.order_is_wanted({**node, "cancelledAt": "2026-12-06T11:00:00Z"}, known=False)
    cancelled = {**node, "cancelledAt": "2026-12-06T11:00:00Z"}
    assert shopify.order_is_wanted(cancelled, known=True)
    assert shopify.map_order(cancelled)["status"] == "cancelled"
