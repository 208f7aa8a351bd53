"""A line a person picks on a dispatch record to check: one open drop-ship move of a purchase order the
message concerns, with the quantity to record as shipped (what was read, else 0)."""

from odoo import api, fields, models


class ChannelDispatchMessageLine(models.Model):
    _name = "channel.dispatch.message.line"
    _description = "Dispatch record: a line to ship"
    _order = "purchase_id, id"

    dispatch_id = fields.Many2one("channel.dispatch.message", required=True, ondelete="cascade", index=True)
    purchase_id = fields.Many2one("purchase.order", required=True, readonly=True)
    move_id = fields.Many2one("stock.move", string="Delivery line", required=True, readonly=True)
    product_id = fields.Many2one(related="move_id.product_id")
    product_uom = fields.Many2one(related="move_id.product_uom", string="Unit")
    remaining = fields.Float(string="Left to ship", compute="_compute_remaining", digits="Product Unit")
    quantity = fields.Float(string="Shipped now", digits="Product Unit")

    @api.depends("move_id.product_uom_qty", "move_id.state")
    def _compute_remaining(self):
        for line in self:
            open_move = line.move_id.state not in ("done", "cancel")
            line.remaining = line.move_id.product_uom_qty if open_move else 0.0
