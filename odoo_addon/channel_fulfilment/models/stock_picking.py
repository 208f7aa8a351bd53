"""A drop-ship delivery's distributor carrier and shipment; validating it moves its inbox order on
(sale_order_progress.py) and tells the order's chatter it was dispatched.
"""

from odoo import fields, models


class StockPicking(models.Model):
    _inherit = "stock.picking"

    channel_carrier = fields.Char(
        string="Distributor's carrier", copy=False, help="The carrier named in the distributor's ship notice."
    )
    channel_shipment_id = fields.Char(
        string="Distributor's shipment",
        copy=False,
        index="btree_not_null",
        help="The shipmentID of the distributor's ship notice that shipped this delivery "
        "(a later notice may cancel it).",
    )

    def _action_done(self):
        result = super()._action_done()
        # A drop-ship delivery done (by a ship notice or by hand) may complete an inbox order.
        orders = self.move_ids.sale_line_id.order_id.filtered("is_inbox")
        if orders:
            orders._channel_update_progress()
        for picking in self.filtered(lambda p: p.state == "done" and p.picking_type_code == "dropship"):
            for order in picking.move_ids.sale_line_id.order_id.filtered("is_inbox"):
                order._channel_post_dispatch(picking)
        return result
