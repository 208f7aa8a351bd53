"""The store's online payment on the customer invoice: registered on the store's clearing journal when an
invoice (or credit note) of a paid store order posts, as Odoo's own e-commerce does; without a journal
the accountant gets an activity. A posted distributor bill moves its inbox order on (paid and billed:
done). The sale order's side is sale_order_accounting.py.
"""

from odoo import api, fields, models


class AccountMove(models.Model):
    _inherit = "account.move"

    def _post(self, soft=True):
        posted = super()._post(soft)
        for move in posted.filtered(lambda m: m.move_type == "out_invoice"):
            orders = move.invoice_line_ids.sale_line_ids.order_id.filtered(
                lambda o: o.channel_store and o.channel_payment_state == "paid"
            )
            for order in orders[:1]:
                move._channel_register_store_payment(order)
        bills = posted.filtered(lambda m: m.move_type in ("in_invoice", "in_refund"))
        if bills:
            bills.invoice_line_ids.purchase_line_id.order_id.channel_sale_id.sudo()._channel_update_progress()
        return posted

    @api.private
    def _channel_register_store_payment(self, order):
        """Register what the store took (or gave back) on this invoice (or credit note), on the store's
        clearing journal; without a journal the accountant gets an activity, and nothing fails."""
        self.ensure_one()
        store = order._channel_order_store()
        if self.payment_state in ("paid", "in_payment") or self.currency_id.is_zero(self.amount_residual):
            return
        journal = store.sudo().payment_journal_id
        if not journal:
            self.activity_schedule(
                "mail.mail_activity_data_todo",
                summary=self.env._("Register the store payment: %s has no clearing journal", store.name),
                note=self.env._(
                    "%(order)s was paid on %(store)s. Set the store's payment clearing journal (Orders Inbox "
                    "› Configuration › Web stores) and register the payment on this invoice.",
                    order=order.name,
                    store=store.name,
                ),
                user_id=order._channel_responsible_user().id,
            )
            return
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=self.ids
        ).create(
            {"journal_id": journal.id, "payment_date": self.invoice_date or fields.Date.context_today(self)}
        )._create_payments()
        order._channel_update_progress()
