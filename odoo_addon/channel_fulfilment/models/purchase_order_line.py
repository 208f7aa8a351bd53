"""Purchase order lines made by Ship keep the planned or edited cost (purchase would re-price them) and
the allocation they buy; their cXML line number and distributor charge type.
"""

from odoo import api, fields, models


class PurchaseOrderLine(models.Model):
    _inherit = "purchase.order.line"

    channel_allocation_id = fields.Many2one(
        "sale.order.line.allocation",
        string="Allocation",
        copy=False,
        index="btree_not_null",
        ondelete="set null",
        help="The part of the sale line this PO line buys "
        "(a split sale line has one PO line per distributor).",
    )
    channel_charge_type = fields.Selection(
        [("freight", "Freight"), ("small_order", "Small order charge")], string="Channel charge", copy=False
    )
    channel_line_number = fields.Integer(
        string="cXML line",
        copy=False,
        help="ItemOut/@lineNumber in the OrderRequest; confirmations and ship notices refer to it.",
    )
    channel_qty_confirmed = fields.Float(
        string="Confirmed", copy=False, readonly=True, help="What the distributor confirmed (its API)."
    )
    channel_qty_backordered = fields.Float(
        string="Backordered", copy=False, readonly=True, help="What the distributor has on backorder."
    )
    channel_ship_date = fields.Date(
        string="Ship date", copy=False, readonly=True, help="The distributor's estimated ship date."
    )

    def _compute_price_unit_and_date_planned_and_name(self):
        """purchase re-prices a line through _select_seller whenever its quantity changes (a partial
        rejection, a person editing the PO): a channel line keeps its planned or edited cost instead."""
        kept = {
            line: (line.price_unit, line.discount)
            for line in self
            if line._channel_keeps_price() and line.product_id == line._origin.product_id
        }
        super()._compute_price_unit_and_date_planned_and_name()
        for line, (price_unit, discount) in kept.items():
            line.price_unit = price_unit
            line.discount = discount

    @api.private
    def _channel_keeps_price(self):
        """A line Ship priced (from an allocation, an inbox sale line, or a distributor's charge)."""
        self.ensure_one()
        return bool(
            self.price_unit
            and not self.display_type
            and (
                self.channel_allocation_id
                or self.channel_charge_type
                or self.order_id.channel_sale_id
                or self.sudo().sale_line_id.order_id.is_inbox
            )
        )

    @api.model
    def _prepare_purchase_order_line_from_procurement(
        self, product_id, product_qty, product_uom, location_dest_id, name, origin, company_id, values, po
    ):
        res = super()._prepare_purchase_order_line_from_procurement(
            product_id, product_qty, product_uom, location_dest_id, name, origin, company_id, values, po
        )
        allocation_id = values.get("channel_allocation_id")
        if allocation_id:
            res["channel_allocation_id"] = allocation_id
            # The planned (or edited) cost from the start: no re-pricing through _select_seller, no
            # second write of the line (_channel_apply_costs then only checks it).
            allocation = self.env["sale.order.line.allocation"].browse(allocation_id)
            if allocation.unit_cost:
                order = allocation.line_id.order_id
                res["price_unit"] = order.currency_id._convert(
                    allocation.unit_cost,
                    po.currency_id,
                    order.company_id,
                    fields.Date.context_today(self),
                    round=False,
                )
                res["discount"] = 0.0
        return res

    @api.private
    def _channel_apply_costs(self):
        """Each allocation learns its new PO line, and every line is checked to carry the planned or
        edited cost: a line procurement made without an allocation, or merged (and so re-priced through
        _select_seller), is written here; the others were created at that cost already."""
        today = fields.Date.context_today(self)
        for po_line in self:
            allocation = po_line.channel_allocation_id
            sale_line = po_line.sale_line_id
            if allocation:
                allocation.purchase_line_id = po_line
                cost = allocation.unit_cost
            else:
                cost = sale_line.planned_cost
            if not cost:
                continue
            order = sale_line.order_id
            price = order.currency_id._convert(
                cost, po_line.currency_id, order.company_id, today, round=False
            )
            if po_line.currency_id.compare_amounts(price, po_line.price_unit) or po_line.discount:
                po_line.write({"price_unit": price, "discount": 0.0})
