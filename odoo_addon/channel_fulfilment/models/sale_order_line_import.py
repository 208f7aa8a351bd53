"""A sale line's store id (the store's own line id), and the lines a store change before Ship may
replace on a confirmed order: nothing was procured, ordered or invoiced from them yet.
"""

from odoo import fields, models


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    channel_line_external_id = fields.Char(
        string="Store line id",
        copy=False,
        help="The store's id of this line (WooCommerce line_items[].id, Shopify legacyResourceId).",
    )

    def _check_line_unlink(self):
        # A store change before Ship replaces the lines of a confirmed order: nothing was procured,
        # ordered or invoiced from them yet, so they may go.
        undeletable = super()._check_line_unlink()
        if self.env.context.get("channel_store_replace"):
            undeletable = undeletable.filtered(
                lambda line: line.invoice_lines or line.sudo().purchase_line_ids or line.move_ids
            )
        return undeletable
