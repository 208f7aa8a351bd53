"""Reading one normalised store order (docs/connectors-contract.md) before anything is built from it:
required keys present, money as Decimal, dates as UTC datetimes, status and payment state among those
the contract allows, tax rates to four places. A wrong value raises StoreOrderError naming the field
(`lines[2].qty`), which the import answers for that order alone.
"""

from decimal import Decimal

from odoo import api, fields, models

from .store_order_values import CANCELLING_STATUSES, PAYMENT_STATES, StoreOrderError, _money, _text


class SaleOrder(models.Model):
    _inherit = "sale.order"

    @api.model
    @api.private
    def _channel_import_parse(self, data):
        """The order with money as Decimal and dates as datetimes; StoreOrderError names what is wrong."""
        if not isinstance(data, dict):
            raise StoreOrderError("an order must be a JSON object")
        for key in ("external_id", "currency", "lines", "total"):
            if data.get(key) in (None, ""):
                raise StoreOrderError(f"{key} is missing")
        parsed = dict(data)
        parsed["external_id"] = _text(data["external_id"])
        parsed["hash"] = _text(data.get("hash"))
        for key in ("created", "modified"):
            value = data.get(key)
            try:
                parsed[key] = (
                    fields.Datetime.to_datetime(value.replace("T", " ").removesuffix("Z")[:19])
                    if value
                    else False
                )
            except (AttributeError, ValueError):
                raise StoreOrderError(f"{key}: {value!r} is not an ISO 8601 UTC date") from None
        parsed["status"] = data.get("status") or "open"
        if parsed["status"] not in ("open", *CANCELLING_STATUSES):
            raise StoreOrderError(f"status: {parsed['status']!r} is not open, cancelled or refunded")
        parsed["payment_state"] = data.get("payment_state") or "paid"
        if parsed["payment_state"] not in PAYMENT_STATES:
            raise StoreOrderError(
                f"payment_state: {parsed['payment_state']!r} is not one of {', '.join(PAYMENT_STATES)}"
            )
        parsed["prices_include_tax"] = bool(data.get("prices_include_tax"))
        parsed["total"] = _money(data["total"], "total")
        if not isinstance(data["lines"], list):
            raise StoreOrderError("lines: a list is expected")
        lines = []
        for i, line in enumerate(data["lines"]):
            where = f"lines[{i}]"
            if not isinstance(line, dict):
                raise StoreOrderError(f"{where}: an object is expected")
            qty = _money(line.get("qty"), f"{where}.qty")
            if qty <= 0:
                raise StoreOrderError(f"{where}.qty: {line.get('qty')!r} must be more than 0")
            lines.append(
                {
                    "external_id": _text(line.get("external_id")),
                    "sku": _text(line.get("sku")),
                    "name": _text(line.get("name")),
                    "qty": qty,
                    "unit_price": _money(line.get("unit_price"), f"{where}.unit_price"),
                    "tax_rates": self._channel_parse_rates(line.get("tax_rates"), f"{where}.tax_rates"),
                }
            )
        parsed["lines"] = lines
        for key in ("shipping_lines", "discounts"):
            charges = data.get(key) or []
            if not isinstance(charges, list) or not all(isinstance(charge, dict) for charge in charges):
                raise StoreOrderError(f"{key}: a list of objects is expected")
        parsed["shipping_lines"] = [
            {
                "name": _text(line.get("name")),
                "price": _money(line.get("price"), f"shipping_lines[{i}].price"),
                "tax_rates": self._channel_parse_rates(
                    line.get("tax_rates"), f"shipping_lines[{i}].tax_rates"
                ),
            }
            for i, line in enumerate(data.get("shipping_lines") or [])
        ]
        parsed["discounts"] = [
            {
                "name": _text(line.get("name")),
                "amount": _money(line.get("amount"), f"discounts[{i}].amount"),
                "tax_rates": self._channel_parse_rates(line.get("tax_rates"), f"discounts[{i}].tax_rates"),
            }
            for i, line in enumerate(data.get("discounts") or [])
        ]
        for key in ("customer", "billing", "shipping", "tax_names"):
            if data.get(key) is not None and not isinstance(data[key], dict):
                raise StoreOrderError(f"{key}: an object is expected")
        parsed["customer"] = data.get("customer") or {}
        parsed["billing"] = data.get("billing") or {}
        parsed["shipping"] = data.get("shipping") or None
        parsed["tax_names"] = {
            str(self._channel_rate(rate, "tax_names")): name
            for rate, name in (data.get("tax_names") or {}).items()
        }
        return parsed

    @api.model
    @api.private
    def _channel_parse_rates(self, rates, where):
        if rates in (None, ""):
            return []
        if not isinstance(rates, list):
            raise StoreOrderError(f"{where}: a list of percentages is expected")
        return [self._channel_rate(rate, f"{where}[{i}]") for i, rate in enumerate(rates)]

    @api.model
    @api.private
    def _channel_rate(self, rate, where):
        """A tax rate to 4 decimal places, as taxes are matched."""
        return _money(rate, where).quantize(Decimal("0.0001"))
