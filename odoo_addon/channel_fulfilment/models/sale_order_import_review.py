"""The import's review codes and what a person does with them: a manager's *Accept import differences*
clears them. Before Ship the order then starts again as `new` (planned and judged by the rules again)
once no other code is left; after Ship it resumes where its purchase orders stand. Ship refuses an order
that still has them (sale_order_review.py), for everyone. A store order whose company rounds tax globally
says so on the inbox (the stores round per line, res_company.py), with the one-click fix.
"""

from odoo import api, fields, models

from .sale_order import PLAN_CODES, RESOLVED_BY


class SaleOrder(models.Model):
    _inherit = "sale.order"

    channel_rounding_warning = fields.Char(
        string="Tax rounding",
        compute="_compute_channel_rounding_warning",
        help="Set on a store order when its company rounds tax globally: the stores round it per line, so "
        "orders of several lines with fractional tax come in a penny out.",
    )

    @api.depends("channel_store_id", "company_id.tax_calculation_rounding_method")
    def _compute_channel_rounding_warning(self):
        for order in self:
            order.channel_rounding_warning = bool(order.channel_store_id) and (
                order.company_id._channel_rounding_warning()
            )

    def action_channel_round_per_line(self):
        """The inbox's “Round tax per line”: the order's company rounds tax as the web stores do."""
        return self.company_id._channel_round_tax_per_line()

    @api.private
    def _channel_acceptable_codes(self):
        """The import codes a manager accepts (RESOLVED_BY): not an unknown SKU, whose
        line would never be ordered — the right product on the line resolves it."""
        return [code for code in (self.review_codes or "").split() if RESOLVED_BY.get(code) == "accept"]

    def action_channel_accept_import_differences(self):
        """A manager has looked at what the import found (taxes, total, payment, a change in the store)
        and accepts it: the import codes go (and a plan's, since the order is planned again). Refused
        for anyone else, and for an order without import differences: nothing is accepted silently."""
        self._channel_check_manager(self.env._("accept import differences"))
        for order in self:
            accepted = order._channel_acceptable_codes()
            if not accepted:
                order._channel_not_offered(self.env._("no import differences to accept"))
            order._channel_drop_review_codes([*accepted, *PLAN_CODES])
            if "total_mismatch" in accepted:
                order.channel_accepted_total = order.amount_total
            order.message_post(
                body=self.env._(
                    "Import differences accepted by %(user)s: %(codes)s.",
                    user=self.env.user.name,
                    codes=", ".join(accepted),
                )
            )
            if order.review_codes or order.inbox_state != "review":
                continue
            if order._channel_past_ship():
                order._channel_resume()  # back where its purchase orders stand
            else:
                order.write({"inbox_state": "new", "review_reason": False, "channel_plan_reason": False})
        return True
