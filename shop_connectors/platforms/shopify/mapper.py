"""Shopify order (GraphQL Admin API `Order`, line items already paged in full) -> normalised order.

Shopify's prices are in the shop's tax mode (`taxesIncluded`); `discountAllocations` on each line carry
line and order discounts in that same mode, and `taxLines[].ratePercentage` name the rates. A webhook's
body is the REST shape of the same order: `from_webhook` turns it into the GraphQL shape so one mapper
serves both (the body is only used when the store's API is down).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...errors import BadOrder
from ..mapping import (
    dec,
    discounts_per_rate,
    full_name,
    money,
    new_discount_bucket,
    qty,
    rate,
    text,
    unit_price,
    with_hash,
)

if TYPE_CHECKING:
    from ...backend import StoreConfig
    from ...contract import NormalisedOrder

PAYMENT_STATES = {
    "PAID": "paid",
    "PENDING": "pending",
    "AUTHORIZED": "pending",
    "PARTIALLY_PAID": "pending",
    "PARTIALLY_REFUNDED": "partially_refunded",
    "REFUNDED": "refunded",
    "VOIDED": "refunded",
}
WANTED_PAYMENT = ("paid", "pending")


def legacy_id(gid: Any) -> str:
    """gid://shopify/LineItem/123 -> "123" (REST and webhook ids are these numbers)."""
    return str(gid).rsplit("/", 1)[-1]


def _amount(money_bag: dict | None, where: str):
    return dec(((money_bag or {}).get("shopMoney") or {}).get("amount"), where)


def _rates(tax_lines: list | None, where: str) -> tuple[str, ...]:
    return tuple(
        sorted(
            {
                rate(t.get("ratePercentage"), f"{where}.taxLines[{i}].ratePercentage")
                for i, t in enumerate(tax_lines or [])
            }
        )
    )


def _address(raw: dict | None, email: str) -> dict | None:
    if not raw:
        return None
    return {
        "name": text(raw.get("name")) or full_name(raw.get("firstName"), raw.get("lastName")),
        "company": text(raw.get("company")),
        "street": text(raw.get("address1")),
        "street2": text(raw.get("address2")),
        "city": text(raw.get("city")),
        "zip": text(raw.get("zip")),
        "state_code": text(raw.get("provinceCode")),
        "country_code": text(raw.get("countryCodeV2")).upper(),
        "phone": text(raw.get("phone")),
        "email": email,
    }


def order_id(order: dict) -> str:
    """The order's numeric id (`legacyResourceId`, the webhook's `id`), the binding's external id."""
    return str(order.get("legacyResourceId") or "")


def modified_of(order: dict) -> str:
    stamp = order.get("updatedAt")
    if not stamp:
        raise BadOrder("updatedAt", "missing")
    return str(stamp)


def map_order(order: dict) -> NormalisedOrder:
    external_id = text(order.get("legacyResourceId")) or legacy_id(order.get("id") or "")
    if not external_id:
        raise BadOrder("legacyResourceId", "missing")
    include = bool(order.get("taxesIncluded"))
    discounts = new_discount_bucket()
    lines = []
    for index, item in enumerate((order.get("lineItems") or {}).get("nodes") or []):
        where = f"lineItems[{index}]"
        quantity = dec(item.get("quantity"), f"{where}.quantity")
        if quantity <= 0:
            continue
        rates = _rates(item.get("taxLines"), where)
        discounts[rates] += sum(
            (
                _amount(a.get("allocatedAmountSet"), f"{where}.discountAllocations")
                for a in item.get("discountAllocations") or []
            ),
            dec(0, where),
        )
        lines.append(
            {
                "external_id": legacy_id(item.get("id")),
                "sku": text(item.get("sku")),
                "name": text(item.get("name")) or text(item.get("sku")),
                "qty": qty(quantity),
                "unit_price": unit_price(
                    _amount(item.get("originalUnitPriceSet"), f"{where}.originalUnitPrice")
                ),
                "tax_rates": list(rates),
            }
        )
    shipping_lines = []
    for index, ship in enumerate((order.get("shippingLines") or {}).get("nodes") or []):
        where = f"shippingLines[{index}]"
        rates = _rates(ship.get("taxLines"), where)
        original = _amount(ship.get("originalPriceSet"), f"{where}.originalPriceSet")
        discounted = (
            _amount(ship.get("discountedPriceSet"), f"{where}.discountedPriceSet")
            if ship.get("discountedPriceSet")
            else original
        )
        discounts[rates] += original - discounted
        shipping_lines.append(
            {
                "name": text(ship.get("title")) or "Shipping",
                "price": money(original),
                "tax_rates": list(rates),
            }
        )
    codes = [text(c) for c in order.get("discountCodes") or [] if c]
    discount_name = f"Discount {', '.join(codes)}" if codes else "Discount"

    customer = order.get("customer") or {}
    email = text(order.get("email")) or None
    billing = _address(order.get("billingAddress"), email or "")
    shipping = _address(order.get("shippingAddress"), "")
    if billing is None:
        billing = (shipping and {**shipping, "email": email or ""}) or {
            "name": full_name(customer.get("firstName"), customer.get("lastName")),
            "company": "",
            "street": "",
            "street2": "",
            "city": "",
            "zip": "",
            "state_code": "",
            "country_code": "",
            "phone": text(order.get("phone")),
            "email": email or "",
        }
    financial = text(order.get("displayFinancialStatus"))
    payment_state = PAYMENT_STATES.get(financial, "pending")
    if order.get("cancelledAt"):
        status = "cancelled"
    elif payment_state == "refunded":
        status = "refunded"
    else:
        status = "open"
    normalised: NormalisedOrder = {
        "external_id": external_id,
        "number": text(order.get("name")) or f"#{external_id}",
        "created": text(order.get("createdAt")),
        "modified": modified_of(order),
        "status": status,
        "payment_state": payment_state,
        "currency": text(order.get("currencyCode")).upper(),
        "prices_include_tax": include,
        "customer": {
            "email": email,
            "name": full_name(customer.get("firstName"), customer.get("lastName")) or billing["name"],
            "phone": text(order.get("phone")) or text(customer.get("phone")) or billing["phone"] or None,
            "store_customer_id": text(customer.get("legacyResourceId")) or None,
        },
        "billing": billing,
        "shipping": shipping,
        "lines": lines,
        "shipping_lines": shipping_lines,
        "discounts": discounts_per_rate(discounts, discount_name),
        "total": money(_amount(order.get("totalPriceSet"), "totalPriceSet")),
        "total_tax": money(_amount(order.get("totalTaxSet"), "totalTaxSet")),
        "note": text(order.get("note")),
    }
    return with_hash(normalised)


def order_is_wanted(order: dict, known: bool) -> bool:
    """Open orders that still need fulfilment, paid or pending, never test orders; any change to an order
    Odoo already has goes through (a cancellation, a refund)."""
    if order.get("test"):
        return False
    if known:
        return True
    if order.get("cancelledAt") or order.get("closed"):
        return False
    if PAYMENT_STATES.get(text(order.get("displayFinancialStatus")), "pending") not in WANTED_PAYMENT:
        return False
    return text(order.get("displayFulfillmentStatus")) not in ("FULFILLED", "RESTOCKED")


def _bag(amount: Any) -> dict:
    return {"shopMoney": {"amount": str(amount if amount not in (None, "") else "0")}}


def _tax_lines(raw: list | None) -> list[dict]:
    return [
        {"ratePercentage": float(dec(t.get("rate"), "tax_lines.rate") * 100), "title": t.get("title")}
        for t in raw or []
    ]


def _rest_address(raw: dict | None) -> dict | None:
    if not raw:
        return None
    return {
        "name": raw.get("name"),
        "firstName": raw.get("first_name"),
        "lastName": raw.get("last_name"),
        "company": raw.get("company"),
        "address1": raw.get("address1"),
        "address2": raw.get("address2"),
        "city": raw.get("city"),
        "zip": raw.get("zip"),
        "provinceCode": raw.get("province_code"),
        "countryCodeV2": raw.get("country_code"),
        "phone": raw.get("phone"),
    }


def from_webhook(body: dict) -> dict:
    """An `orders/*` webhook body (REST shape) in the GraphQL shape `map_order` reads."""
    customer = body.get("customer") or {}
    return {
        "id": body.get("admin_graphql_api_id") or f"gid://shopify/Order/{body.get('id')}",
        "legacyResourceId": str(body.get("id") or ""),
        "name": body.get("name"),
        "createdAt": body.get("created_at"),
        "updatedAt": body.get("updated_at"),
        "cancelledAt": body.get("cancelled_at"),
        "closed": bool(body.get("closed_at")),
        "test": bool(body.get("test")),
        "email": body.get("email") or body.get("contact_email"),
        "phone": body.get("phone"),
        "displayFinancialStatus": text(body.get("financial_status")).upper(),
        "displayFulfillmentStatus": text(body.get("fulfillment_status") or "unfulfilled").upper(),
        "currencyCode": body.get("currency"),
        "taxesIncluded": bool(body.get("taxes_included")),
        "note": body.get("note"),
        "discountCodes": [c.get("code") for c in body.get("discount_codes") or []],
        "totalPriceSet": _bag(body.get("total_price")),
        "totalTaxSet": _bag(body.get("total_tax")),
        "customer": {
            "legacyResourceId": str(customer["id"]) if customer.get("id") else None,
            "firstName": customer.get("first_name"),
            "lastName": customer.get("last_name"),
            "phone": customer.get("phone"),
        },
        "billingAddress": _rest_address(body.get("billing_address")),
        "shippingAddress": _rest_address(body.get("shipping_address")),
        "lineItems": {
            "nodes": [
                {
                    "id": f"gid://shopify/LineItem/{item.get('id')}",
                    "sku": item.get("sku"),
                    "name": item.get("name"),
                    "quantity": item.get("quantity"),
                    "originalUnitPriceSet": _bag(item.get("price")),
                    "discountAllocations": [
                        {"allocatedAmountSet": _bag(a.get("amount"))}
                        for a in item.get("discount_allocations") or []
                    ],
                    "taxLines": _tax_lines(item.get("tax_lines")),
                }
                for item in body.get("line_items") or []
            ]
        },
        "shippingLines": {
            "nodes": [
                {
                    "title": ship.get("title"),
                    "originalPriceSet": _bag(ship.get("price")),
                    "discountedPriceSet": _bag(ship.get("discounted_price", ship.get("price"))),
                    "taxLines": _tax_lines(ship.get("tax_lines")),
                }
                for ship in body.get("shipping_lines") or []
            ]
        },
    }


def is_wanted(order: dict, store: StoreConfig, known: bool) -> bool:
    return order_is_wanted(order, known)
