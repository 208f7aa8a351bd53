"""Reading one normalised store order (docs/connectors-contract.md) before anything is built from it:
required keys present, money as Decimal within the order's bounds, dates as UTC datetimes (their offsets
honoured), status and payment state among those the contract allows, tax rates to four places, no NUL
character anywhere. A wrong value raises StoreOrderError naming the field (`lines[2].qty`), which the
import answers for that order alone, before anything of it is written. The bounds (docs/odoo.md):
≤ 1,000 lines; 0 < quantity ≤ 1,000,000 in whole steps of the unit's rounding; 0 ≤ unit price ≤
1,000,000,000 with at most the currency's decimals + 2; external ids ≤ 64 characters.
"""

import re
from decimal import Decimal

from odoo import api, models

from .store_order_values import (
    CANCELLING_STATUSES,
    EXTRA_PRICE_PLACES,
    MAX_EXTERNAL_ID,
    MAX_LINES,
    MAX_QTY,
    MAX_TOTAL,
    MAX_UNIT_PRICE,
    PAYMENT_STATES,
    StoreOrderError,
    _bounded,
    _nul_path,
    _shown,
    _text,
    _utc,
)

CURRENCY_CODE = re.compile(r"[A-Za-z]{3}")


class SaleOrder(models.Model):
    _inherit = "sale.order"

    @api.model
    @api.private
    def _channel_import_parse(self, data):
        """The order with money as Decimal and dates as datetimes; StoreOrderError names what is wrong."""
        if not isinstance(data, dict):
            raise StoreOrderError("an order must be a JSON object")
        nul = _nul_path(data)
        if nul:
            raise StoreOrderError(f"{nul}: contains a NUL character")
        for key in ("external_id", "currency", "lines", "total", "modified"):
            if data.get(key) in (None, ""):
                raise StoreOrderError(f"{key} is missing")
        parsed = dict(data)
        parsed["external_id"] = self._channel_external_id(data["external_id"], "external_id")
        parsed["hash"] = _text(data.get("hash"))
        # `modified` is the version: without it an older state could win over a newer one.
        parsed["modified"] = _utc(data["modified"], "modified")
        parsed["created"] = _utc(data["created"], "created") if data.get("created") else False
        parsed["status"] = data.get("status") or "open"
        if parsed["status"] not in ("open", *CANCELLING_STATUSES):
            raise StoreOrderError(f"status: {_shown(parsed['status'])} is not open, cancelled or refunded")
        parsed["payment_state"] = data.get("payment_state") or "paid"
        if parsed["payment_state"] not in PAYMENT_STATES:
            raise StoreOrderError(
                f"payment_state: {_shown(parsed['payment_state'])} is not one of {', '.join(PAYMENT_STATES)}"
            )
        if not isinstance(data["currency"], str) or not CURRENCY_CODE.fullmatch(data["currency"]):
            raise StoreOrderError(f"currency: {_shown(data['currency'])} is not a currency code like GBP")
        places = self._channel_currency_places(data["currency"])
        parsed["prices_include_tax"] = bool(data.get("prices_include_tax"))
        parsed["total"] = _bounded(data["total"], "total", low=0, high=MAX_TOTAL, places=places)
        for key in ("lines", "shipping_lines", "discounts"):
            items = data.get(key) or []
            if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
                raise StoreOrderError(f"{key}: a list of objects is expected")
            if len(items) > MAX_LINES:
                raise StoreOrderError(f"{key}: at most {MAX_LINES} {key} an order, got {len(items)}.")
        qty_places = self.env["decimal.precision"].precision_get("Product Unit")

        def price(line, key, where):
            return _bounded(
                line.get(key), where, low=0, high=MAX_UNIT_PRICE, places=places + EXTRA_PRICE_PLACES
            )

        def charges(key, amount):
            """Shipping lines' prices and discounts' amounts (taken off: a negative one would be a charge)."""
            return [
                {
                    "name": _text(line.get("name")),
                    amount: price(line, amount, f"{key}[{i}].{amount}"),
                    "tax_rates": self._channel_parse_rates(line.get("tax_rates"), f"{key}[{i}].tax_rates"),
                }
                for i, line in enumerate(data.get(key) or [])
            ]

        parsed["lines"] = [
            {
                "external_id": self._channel_external_id(line.get("external_id"), f"lines[{i}].external_id"),
                "sku": _text(line.get("sku")),
                "name": _text(line.get("name")),
                # A whole number of the unit's rounding: 0.001 of a unit rounded to 0.01 is no quantity.
                "qty": _bounded(
                    line.get("qty"), f"lines[{i}].qty", low=0, low_open=True, high=MAX_QTY, places=qty_places
                ),
                "unit_price": price(line, "unit_price", f"lines[{i}].unit_price"),
                "tax_rates": self._channel_parse_rates(line.get("tax_rates"), f"lines[{i}].tax_rates"),
            }
            for i, line in enumerate(data["lines"])
        ]
        parsed["shipping_lines"] = charges("shipping_lines", "price")
        parsed["discounts"] = charges("discounts", "amount")
        for key in ("customer", "billing", "shipping", "tax_names"):
            if data.get(key) is not None and not isinstance(data[key], dict):
                raise StoreOrderError(f"{key}: an object is expected")
        parsed["customer"] = data.get("customer") or {}
        parsed["billing"] = data.get("billing") or {}
        parsed["shipping"] = data.get("shipping") or None
        parsed["tax_names"] = {
            str(self._channel_rate(rate, f"tax_names.{rate}")): name
            for rate, name in (data.get("tax_names") or {}).items()
        }
        return parsed

    @api.model
    @api.private
    def _channel_external_id(self, value, where):
        text = _text(value)
        if len(text) > MAX_EXTERNAL_ID:
            raise StoreOrderError(f"{where}: {_shown(text)} is longer than {MAX_EXTERNAL_ID} characters")
        return text

    @api.model
    @api.private
    def _channel_currency_places(self, code):
        """The decimals of the store's currency (2 for one Odoo does not have: the order then waits for a
        pricelist anyway)."""
        places = self.env.cr.cache.setdefault("channel_currency_places", {})  # for this transaction
        if code not in places:
            currency = (
                self.env["res.currency"]
                .with_context(active_test=False)
                .search([("name", "=", code)], limit=1)
            )
            places[code] = currency.decimal_places if currency else 2
        return places[code]

    @api.model
    @api.private
    def _channel_parse_rates(self, rates, where):
        if rates in (None, ""):
            return []
        if not isinstance(rates, list):
            raise StoreOrderError(f"{where}: a list of percentages is expected")
        if len(rates) > MAX_LINES:
            raise StoreOrderError(f"{where}: at most {MAX_LINES} rates, got {len(rates)}.")
        return [self._channel_rate(rate, f"{where}[{i}]") for i, rate in enumerate(rates)]

    @api.model
    @api.private
    def _channel_rate(self, rate, where):
        """A tax rate between 0 and 100 %, to 4 decimal places, as taxes are matched."""
        return _bounded(rate, where, low=0, high=100, places=4).quantize(Decimal("0.0001"))
