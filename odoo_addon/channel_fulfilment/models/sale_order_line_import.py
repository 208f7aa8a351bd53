"""A store order's lines: the store's own line id; the price, discount and taxes the customer paid,
which a line keeps when a person puts the right product on it (an unknown SKU) or changes its quantity;
and the lines a store change before Ship may replace on a confirmed order (nothing was procured, ordered
or invoiced from them yet).
"""

from odoo import api, fields, models

from .store_order_values import unknown_sku_of


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    channel_line_external_id = fields.Char(
        string="Store line id",
        copy=False,
        help="The store's id of this line (WooCommerce line_items[].id, Shopify legacyResourceId).",
    )

    @api.private
    def _channel_paid_in_store(self):
        """The lines whose price the store set (existing lines of store orders): Odoo's pricelist must
        not re-price what the customer paid. A line a person adds is priced as usual."""
        return self.filtered(lambda line: line._origin.id and line.order_id.channel_source == "store")

    def _compute_price_unit(self):
        super(SaleOrderLine, self - self._channel_paid_in_store())._compute_price_unit()

    def _onchange_product_id(self):
        # sale re-prices a line whose product a person changes (the form's onchange): not a store line.
        if self._channel_paid_in_store():
            return None
        return super()._onchange_product_id()

    def _compute_discount(self):
        super(SaleOrderLine, self - self._channel_paid_in_store())._compute_discount()

    def _compute_tax_ids(self):
        super(SaleOrderLine, self - self._channel_paid_in_store())._compute_tax_ids()

    def write(self, vals):
        if "product_id" not in vals:
            return super().write(vals)
        unknown = self.env.ref("channel_fulfilment.product_channel_store_unknown")
        skus = {line: unknown_sku_of(line.name) for line in self if line.product_id == unknown}
        result = super().write(vals)
        chosen = {line: sku for line, sku in skus.items() if line.product_id != unknown}
        if chosen:
            self.env["sale.order.line"].concat(*chosen).order_id._channel_products_chosen(chosen)
        return result

    def _check_line_unlink(self):
        # A store change before Ship replaces the lines of a confirmed order: nothing was procured,
        # ordered or invoiced from them yet, so they may go.
        undeletable = super()._check_line_unlink()
        if self.env.context.get("channel_store_replace"):
            undeletable = undeletable.filtered(
                lambda line: line.invoice_lines or line.sudo().purchase_line_ids or line.move_ids
            )
        return undeletable
