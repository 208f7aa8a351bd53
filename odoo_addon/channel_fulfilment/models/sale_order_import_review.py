"""The import's review codes and what a person does with them: *Accept import differences* clears them
(and a plan's or a rule's codes, since the order is planned and judged again), and *Mark ready* refuses
an order that still has them.
"""

from odoo import api, models
from odoo.exceptions import UserError

from .sale_order import PLAN_CODES, VERDICT_CODES
from .store_order_values import IMPORT_REVIEW_CODES


class SaleOrder(models.Model):
    _inherit = "sale.order"

    @api.private
    def _channel_import_codes(self):
        return [code for code in (self.review_codes or "").split() if code in IMPORT_REVIEW_CODES]

    def action_channel_accept_import_differences(self):
        """A person has looked at what the import found (unknown SKU, taxes, total, payment) and accepts
        it: the import codes go and, with no other code left, the order starts again as `new`. A plan's
        or a rule's codes go too: starting again, the order is planned and judged again."""
        for order in self:
            accepted = order._channel_import_codes()
            if not accepted:
                continue
            order._channel_drop_review_codes([*accepted, *PLAN_CODES, *VERDICT_CODES])
            if not order.review_codes and order.inbox_state == "review":
                order.write({"inbox_state": "new", "review_reason": False})
            order.message_post(
                body=self.env._(
                    "Import differences accepted by %(user)s: %(codes)s.",
                    user=self.env.user.name,
                    codes=", ".join(accepted),
                )
            )
        return True

    def _channel_plan(self, exclude=frozenset(), proposal_note=""):
        # Plan cannot make an order with import differences ready: a person accepts them first.
        reason = self.review_reason
        planned = super()._channel_plan(exclude=exclude, proposal_note=proposal_note)
        codes = self._channel_import_codes()
        if codes and self.inbox_state == "ready":
            self.write(
                {"inbox_state": "review", "review_reason": reason or self._channel_codes_reason(codes)}
            )
            return False
        return planned

    def action_mark_ready(self):
        for order in self:
            codes = order._channel_import_codes()
            if codes:
                raise UserError(order._channel_codes_reason(codes))
        return super().action_mark_ready()

    @api.private
    def _channel_codes_reason(self, codes):
        return self.env._(
            "%(order)s has import differences (%(codes)s): accept them first (Accept import differences).",
            order=self.name,
            codes=", ".join(codes),
        )
