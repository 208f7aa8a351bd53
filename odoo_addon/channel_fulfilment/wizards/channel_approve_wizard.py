"""Approve: the dialog in which a manager lifts a rule's verdict on money (margin, value limit) and says
why; sale.order.action_channel_approve does the rest and the chatter keeps who and why."""

from odoo import api, fields, models


class ChannelApproveWizard(models.TransientModel):
    _name = "channel.approve.wizard"
    _description = "Approve an order a touchless rule stopped"

    order_ids = fields.Many2many("sale.order", string="Orders", required=True)
    verdict = fields.Text(string="The rule's verdict", compute="_compute_verdict")
    reason = fields.Text(string="Why you approve", required=True)

    @api.depends("order_ids")
    def _compute_verdict(self):
        for wizard in self:
            wizard.verdict = "\n".join(
                f"{order.name}: {order.review_reason or order.review_codes or ''}"
                for order in wizard.order_ids
            )

    def action_approve(self):
        self.ensure_one()
        self.order_ids.action_channel_approve(reason=self.reason)
        return {"type": "ir.actions.act_window_close"}
