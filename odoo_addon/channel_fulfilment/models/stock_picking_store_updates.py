"""A drop-ship delivery as the store is told of it: its tracking numbers, its carrier's tracking link,
and the sale lines it shipped in the contract's terms (sale_order_store_updates.py lists the updates).
"""

from decimal import Decimal

from odoo import api, fields, models


def _qty(value):
    """A quantity as the contract writes it: "2", "1.5"."""
    text = format(Decimal(repr(float(value))).normalize(), "f")
    return text


class StockPicking(models.Model):
    _inherit = "stock.picking"

    channel_tracking_url = fields.Char(
        string="Tracking link",
        copy=False,
        help="The carrier's tracking page, when the distributor's ship notice gave one.",
    )

    @api.private
    def _channel_tracking_numbers(self):
        self.ensure_one()
        return [number.strip() for number in (self.carrier_tracking_ref or "").split(",") if number.strip()]

    @api.private
    def _channel_shipped_lines(self):
        """[{line_external_id, sku, qty}] of the sale lines this delivery shipped, in their unit."""
        self.ensure_one()
        shipped = {}
        for move in self.move_ids.filtered(lambda m: m.state == "done" and m.sale_line_id):
            line = move.sale_line_id
            qty = move.product_uom._compute_quantity(move.quantity, line.product_uom_id)
            shipped[line] = shipped.get(line, 0.0) + qty
        return [
            {
                "line_external_id": line.channel_line_external_id or "",
                "sku": line.product_id.default_code or "",
                "qty": _qty(qty),
            }
            for line, qty in sorted(shipped.items(), key=lambda item: item[0].id)
        ]
