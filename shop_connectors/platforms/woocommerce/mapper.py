"""WooCommerce wc/v3 order (REST JSON, the same shape as an `order.*` webhook body) -> normalised order.

WooCommerce keeps every line's amounts without tax (`subtotal` before discounts, `total` after, with
`subtotal_tax` / `total_tax` beside them), rounds tax per line, and says in `prices_include_tax` how the
customer saw prices. So unit prices are `subtotal / qty` (tax excluded) or `(subtotal + subtotal_tax) /
qty` (tax included), and a line's discount is `subtotal - total` in the same mode: summed per tax-rate set
they give one discount line per rate, which is what Odoo needs to land on the store's total to the penny.
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


def gmt(value: Any, where: str) -> str:
    if not value:
        raise BadOrder(where, "missing")
    stamp = str(value)
    return stamp if stamp.endswith("Z") else f"{stamp[:19]}Z"


def order_id(order: dict) -> str:
    """The store's id of the order, the binding's external id."""
    return str(order.get("id"))


def modified_of(order: dict) -> str:
    """The store's modification time (UTC), the version half of the import key."""
    return gmt(order.get("date_modified_gmt"), "date_modified_gmt")


def _address(raw: dict | None, with_email: bool) -> dict:
    raw = raw or {}
    address = {
        "name": full_name(raw.get("first_name"), raw.get("last_name")),
        "company": text(raw.get("company")),
        "street": text(raw.get("address_1")),
        "street2": text(raw.get("address_2")),
        "city": text(raw.get("city")),
        "zip": text(raw.get("postcode")),
        "state_code": text(raw.get("state")),
        "country_code": text(raw.get("country")).upper(),
        "phone": text(raw.get("phone")),
        "email": text(raw.get("email")) if with_email else "",
    }
    return address


def _rates(taxes: list | None, rate_of: dict[int, str], where: str) -> tuple[str, ...]:
    rates = []
    for index, tax in enumerate(taxes or []):
        # A rate the line is "taxed" at for 0.00 in both columns (a zero-rated item) still names the rate;
        # an entry with both amounts empty is WooCommerce's placeholder for a rate that did not apply.
        if tax.get("total") in ("", None) and tax.get("subtotal") in ("", None):
            continue
        rate_id = tax.get("id")
        if rate_id not in rate_of:
            raise BadOrder(
                f"{where}.taxes[{index}]", f"tax rate id {rate_id} is not in the order's tax_lines"
            )
        rates.append(rate_of[rate_id])
    return tuple(sorted(set(rates)))


def map_order(order: dict) -> NormalisedOrder:
    order_id = order.get("id")
    if not order_id:
        raise BadOrder("id", "missing")
    include = bool(order.get("prices_include_tax"))
    rate_of = {
        tax.get("rate_id"): rate(tax.get("rate_percent"), f"tax_lines[{i}].rate_percent")
        for i, tax in enumerate(order.get("tax_lines") or [])
    }
    discounts = new_discount_bucket()
    lines = []
    for index, item in enumerate(order.get("line_items") or []):
        where = f"line_items[{index}]"
        quantity = dec(item.get("quantity"), f"{where}.quantity")
        if quantity <= 0:
            continue
        subtotal = dec(item.get("subtotal"), f"{where}.subtotal")
        subtotal_tax = dec(item.get("subtotal_tax"), f"{where}.subtotal_tax")
        total = dec(item.get("total"), f"{where}.total")
        total_tax = dec(item.get("total_tax"), f"{where}.total_tax")
        rates = _rates(item.get("taxes"), rate_of, where)
        before = subtotal + subtotal_tax if include else subtotal
        after = total + total_tax if include else total
        discounts[rates] += before - after
        lines.append(
            {
                "external_id": str(item.get("id")),
                "sku": text(item.get("sku")),
                "name": text(item.get("name")) or text(item.get("sku")) or f"line {item.get('id')}",
                "qty": qty(quantity),
                "unit_price": unit_price(before / quantity),
                "tax_rates": list(rates),
            }
        )
    for index, fee in enumerate(order.get("fee_lines") or []):
        # Fees (gift wrap, a payment surcharge) have no product: a negative fee is a discount, a positive
        # one a line without SKU, which Odoo puts in review as unknown rather than dropping it.
        where = f"fee_lines[{index}]"
        amount = dec(fee.get("total"), f"{where}.total")
        tax = dec(fee.get("total_tax"), f"{where}.total_tax")
        rates = _rates(fee.get("taxes"), rate_of, where)
        value = amount + tax if include else amount
        if value < 0:
            discounts[rates] += -value
        elif value > 0:
            lines.append(
                {
                    "external_id": f"fee-{fee.get('id')}",
                    "sku": "",
                    "name": text(fee.get("name")),
                    "qty": "1",
                    "unit_price": unit_price(value),
                    "tax_rates": list(rates),
                }
            )
    shipping_lines = []
    for index, ship in enumerate(order.get("shipping_lines") or []):
        where = f"shipping_lines[{index}]"
        amount = dec(ship.get("total"), f"{where}.total")
        tax = dec(ship.get("total_tax"), f"{where}.total_tax")
        shipping_lines.append(
            {
                "name": text(ship.get("method_title")) or "Shipping",
                "price": money(amount + tax if include else amount),
                "tax_rates": list(_rates(ship.get("taxes"), rate_of, where)),
            }
        )
    coupons = [text(c.get("code")) for c in order.get("coupon_lines") or [] if c.get("code")]
    discount_name = f"Coupon {', '.join(coupons)}" if coupons else "Discount"

    billing = _address(order.get("billing"), with_email=True)
    shipping_raw = order.get("shipping") or {}
    shipping = _address(shipping_raw, with_email=False) if text(shipping_raw.get("address_1")) else None
    if shipping is not None and not shipping["phone"]:
        shipping["phone"] = billing["phone"]
    email = billing["email"] or None
    customer_id = order.get("customer_id")

    status = text(order.get("status"))
    refunds = order.get("refunds") or []
    if status == "refunded":
        payment_state = "refunded"
    elif refunds:
        payment_state = "partially_refunded"
    elif order.get("date_paid_gmt") or order.get("date_paid"):
        payment_state = "paid"
    else:
        payment_state = "pending"

    normalised: NormalisedOrder = {
        "external_id": str(order_id),
        "number": f"#{text(order.get('number')) or order_id}",
        "created": gmt(order.get("date_created_gmt"), "date_created_gmt"),
        "modified": modified_of(order),
        "status": {"cancelled": "cancelled", "refunded": "refunded"}.get(status, "open"),
        "payment_state": payment_state,
        "currency": text(order.get("currency")).upper(),
        "prices_include_tax": include,
        "customer": {
            "email": email,
            "name": billing["name"] or billing["company"] or (email or ""),
            "phone": billing["phone"] or None,
            "store_customer_id": str(customer_id) if customer_id else None,
        },
        "billing": billing,
        "shipping": shipping,
        "lines": lines,
        "shipping_lines": shipping_lines,
        "discounts": discounts_per_rate(discounts, discount_name),
        "total": money(dec(order.get("total"), "total")),
        "total_tax": money(dec(order.get("total_tax"), "total_tax")),
        "note": text(order.get("customer_note")),
    }
    return with_hash(normalised)


def order_is_wanted(order: dict, statuses: tuple[str, ...], known: bool) -> bool:
    """The store's configured statuses come in; any change to an order Odoo already has (cancelled,
    refunded, completed by us) goes through so Odoo can act on it."""
    return known or text(order.get("status")) in statuses


def is_wanted(order: dict, store: StoreConfig, known: bool) -> bool:
    return order_is_wanted(order, store.statuses, known)


def from_webhook(body: dict) -> dict:
    """A webhook's body is the REST order itself."""
    return body
