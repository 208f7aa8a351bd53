"""After Ship: an inbox order moves on from sending to ordered, shipped, invoiced and done as its
purchase orders, deliveries, invoices and bills allow (done once invoices are paid and every purchase
order is billed); the sweep cron moves orders waiting on payment or bills. Its purchase orders open
from the order in the channel view.
"""

from odoo import api, models

from .sale_order import PROGRESS_STATES, UNSENT_PO_STATES


class SaleOrder(models.Model):
    _inherit = "sale.order"

    @api.private
    def _channel_update_progress(self):
        """Move an order on from sending to ordered, shipped, invoiced and done as the facts allow."""
        for order in self.filtered(lambda o: o.is_inbox and o.inbox_state in ("ready", *PROGRESS_STATES)):
            purchases = order.channel_purchase_ids.filtered(lambda po: po.state != "cancel")
            if not purchases:
                continue
            if order.inbox_state == "ready" and order.channel_to_order:
                continue  # goods still to order: Ship has work to do first
            if any(po.channel_send_state in UNSENT_PO_STATES for po in purchases):
                if order.inbox_state == "ready":
                    order.inbox_state = "sending"
                continue  # not every purchase order has reached its distributor yet
            lines = order._channel_product_lines()
            shipped = bool(lines) and all(
                line.product_uom_id.compare(line.qty_delivered, line.product_uom_qty) >= 0 for line in lines
            )
            invoiced = order.invoice_status == "invoiced" and any(
                move.state == "posted" for move in order.invoice_ids
            )
            if shipped and invoiced:
                # ARCHITECTURE "Distributor invoices": paid = paid or in payment (a credit note that
                # reversed an invoice settles it); billed = every PO fully billed by posted bills.
                paid = all(
                    move.payment_state in ("paid", "in_payment", "reversed")
                    for move in order.invoice_ids.filtered(lambda m: m.state == "posted")
                )
                billed = purchases._channel_fully_billed()
                state = "done" if paid and billed else "invoiced"
            elif shipped:
                state = "shipped"
            else:
                state = "ordered"
            if state != order.inbox_state:
                order.inbox_state = state

    @api.model
    @api.private
    def _channel_sweep_progress(self):
        """Orders waiting on payment or bills: move them to done once invoices are paid and POs billed."""
        orders = self.search([("is_inbox", "=", True), ("inbox_state", "=", "invoiced")], limit=1000)
        for order in orders:
            with self.env.cr.savepoint():
                order._channel_update_progress()

    def action_view_channel_purchases(self):
        """This order's distributor purchase orders, in the channel view (sending state, attempts,
        tracking); a single one opens in its form."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "channel_fulfilment.purchase_order_action_channel"
        )
        purchases = self.channel_purchase_ids
        action["domain"] = [("id", "in", purchases.ids)]
        action["context"] = {"create": False}
        if len(purchases) == 1:
            form_views = [view for view in action.get("views", []) if view[1] == "form"]
            action.update(view_mode="form", views=form_views or [(False, "form")], res_id=purchases.id)
        return action
