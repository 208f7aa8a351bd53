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

    @api.model
    def _prepare_purchase_order_line_from_procurement(
        self, product_id, product_qty, product_uom, location_dest_id, name, origin, company_id, values, po
    ):
        res = super()._prepare_purchase_order_line_from_procurement(
            product_id, product_qty, product_uom, location_dest_id, name, origin, company_id, values, po
        )
        if values.get("channel_allocation_id"):
            res["channel_allocation_id"] = values["channel_allocation_id"]
        return res
