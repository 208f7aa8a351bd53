"""The part of one sale line sourced from one distributor (a split line has several)."""

from odoo import api, fields, models


class SaleOrderLineAllocation(models.Model):
    """The part of one sale line sourced from one distributor: a split line has several."""

    _name = "sale.order.line.allocation"
    _description = "Sale line allocation to a distributor"
    _order = "line_id, sequence, id"

    line_id = fields.Many2one("sale.order.line", required=True, ondelete="cascade", index=True)
    # cascade, not the default set null: deleting an order must not update rows its lines delete
    order_id = fields.Many2one(
        related="line_id.order_id", store=True, index=True, string="Order", ondelete="cascade"
    )
    company_id = fields.Many2one(related="line_id.company_id", store=True, index=True)
    product_id = fields.Many2one(related="line_id.product_id", string="Product")
    currency_id = fields.Many2one(related="line_id.currency_id")
    sequence = fields.Integer(default=10)
    distributor_id = fields.Many2one(
        "res.partner", required=True, domain=[("is_distributor", "=", True)], index=True, ondelete="restrict"
    )
    product_qty = fields.Float(string="Quantity", digits="Product Unit", required=True)
    unit_cost = fields.Monetary(string="Unit cost")
    subtotal_cost = fields.Monetary(compute="_compute_subtotal_cost", string="Cost")
    source = fields.Selection(
        [("feed", "Feed"), ("realtime", "Real-time"), ("manual", "Manual")], default="feed", required=True
    )
    stale = fields.Boolean(
        help="A real-time figure was asked for and did not arrive in time: the feed figure was used."
    )
    reason = fields.Char(
        help="Why this distributor, in words (from the planner), or why the line needs a person."
    )
    supplierinfo_id = fields.Many2one("product.supplierinfo", string="Vendor line", ondelete="set null")
    purchase_line_id = fields.Many2one(
        "purchase.order.line", string="PO line", ondelete="set null", index="btree_not_null"
    )
    purchase_id = fields.Many2one(related="purchase_line_id.order_id", string="Purchase order")

    @api.depends("product_qty", "unit_cost")
    def _compute_subtotal_cost(self):
        for allocation in self:
            allocation.subtotal_cost = allocation.product_qty * allocation.unit_cost

    @api.private
    def _channel_supplierinfo(self):
        """The distributor's vendor line for this product, created when the distributor had none
        (a person chose a distributor that does not publish this product): the buy rule needs one."""
        self.ensure_one()
        if self.supplierinfo_id and self.supplierinfo_id.partner_id == self.distributor_id:
            return self.supplierinfo_id
        product = self.line_id.product_id
        supplier = (
            self.env["product.supplierinfo"]
            ._channel_lines_for(product, self.distributor_id)
            .get((product.id, self.distributor_id.id))
        )
        if not supplier:
            supplier = (
                self.env["product.supplierinfo"]
                .sudo()
                .create(
                    {
                        "partner_id": self.distributor_id.id,
                        "product_tmpl_id": product.product_tmpl_id.id,
                        "product_id": product.id,
                        "min_qty": 0.0,
                        "price": self.unit_cost,
                        "currency_id": self.currency_id.id,
                        "product_code": product.default_code,
                        "stock_source": "manual",
                        "company_id": self.company_id.id,
                    }
                )
            )
        self.supplierinfo_id = supplier
        return supplier
