"""A purchase order line as the accountant sees it: the distributor's part number a bill line should
carry, and whether the line is fully billed (by posted bills, or closed by an accepted difference).
"""

from odoo import api, fields, models


class PurchaseOrderLine(models.Model):
    _inherit = "purchase.order.line"

    channel_bill_closed = fields.Boolean(
        string="Closed by an accepted difference",
        copy=False,
        readonly=True,
        help="A person accepted a bill that differs on this line: it counts as fully billed.",
    )

    @api.private
    def _channel_part_number(self):
        """How the distributor names this line: its part number (vendor line product_code), else our SKU."""
        self.ensure_one()
        seller = self.product_id.seller_ids.filtered(
            lambda s: s.partner_id == self.partner_id and s.product_code
        )[:1]
        return seller.product_code or self.product_id.default_code or self.product_id.display_name

    @api.private
    def _channel_part_mismatch(self, invoice_line_number, billed_part):
        """The words for an invoice line billing another part number than this line orders, or ""."""
        self.ensure_one()
        part = self._channel_part_number()
        if not billed_part or billed_part in (part, self.product_id.default_code):
            return ""
        return self.env._(
            "invoice line %(n)s: part %(billed)s billed on PO line %(line)s, which orders %(part)s",
            n=invoice_line_number,
            billed=billed_part,
            line=self.channel_line_number,
            part=part,
        )

    @api.private
    def _channel_fully_billed(self):
        """Posted bills − posted refunds ≥ the quantity, or closed by accepting a difference."""
        self.ensure_one()
        if self.channel_bill_closed or self.display_type or not self.product_qty:
            return True
        billed = 0.0
        for line in self.invoice_lines.filtered(lambda aml: aml.move_id.state == "posted"):
            sign = 1 if line.move_id.move_type == "in_invoice" else -1
            billed += sign * line.product_uom_id._compute_quantity(line.quantity, self.product_uom_id)
        return self.product_uom_id.compare(billed, self.product_qty) >= 0
