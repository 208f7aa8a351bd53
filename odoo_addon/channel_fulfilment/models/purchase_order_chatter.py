"""Every change of a channel purchase order's sending state is told on its inbox order's chatter."""

from odoo import models


class PurchaseOrder(models.Model):
    _inherit = "purchase.order"

    def write(self, vals):
        # Every change of a channel PO's sending state (sent, e-mailed, confirmed, failed, refused),
        # whoever makes it — the send cron, a person, a distributor's document — is told on its order.
        if "channel_send_state" not in vals:
            return super().write(vals)
        before = {po.id: po.channel_send_state for po in self}
        result = super().write(vals)
        for po in self.filtered(lambda po: po.channel_sale_id and po.channel_send_state != before[po.id]):
            po.channel_sale_id._channel_post_purchase_step(po)
        return result
