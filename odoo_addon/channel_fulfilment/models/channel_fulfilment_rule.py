"""Touchless rules: which inbox orders ship without a person looking at them, and the review code and
words for each condition an order does not meet (sale_order.py's touchless verdict applies them).
"""

from odoo import api, fields, models
from odoo.tools import float_compare


class ChannelFulfilmentRule(models.Model):
    """A touchless rule: which orders ship without a person looking at them.

    Rules are tried in sequence; the first whose stores match the order decides. Its conditions all
    hold → its action (ship, or send to review); one fails → review, with every failed condition in words.
    """

    _name = "channel.fulfilment.rule"
    _description = "Touchless fulfilment rule"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id", string="Currency")
    channel_stores = fields.Char(
        string="Stores",
        help="Comma-separated store ids (as in sync.toml); also 'quotation' and 'import'. "
        "Empty: every order.",
    )
    require_paid = fields.Boolean(
        string="Paid or trusted customers only",
        default=True,
        help="Ship only orders the store reports paid, or from one of the trusted customers.",
    )
    trusted_partner_ids = fields.Many2many(
        "res.partner",
        string="Trusted customers",
        help="Customers on account: their orders need not be paid first.",
    )
    min_margin_percent = fields.Float(string="Minimum margin (%)", help="0: any margin.")
    max_order_value = fields.Monetary(
        string="Order value limit", help="Untaxed total above which a person reviews (0: no limit)."
    )
    action = fields.Selection(
        [("ship", "Ship automatically"), ("review", "Send to review")], required=True, default="ship"
    )

    @api.private
    def _store_list(self):
        return [store.strip() for store in (self.channel_stores or "").split(",") if store.strip()]

    @api.private
    def _applies_to(self, order):
        stores = self._store_list()
        return not stores or order._channel_store_key() in stores

    @api.private
    def _failed_conditions(self, order):
        """Each condition of this rule that `order` does not meet: (review code, words); empty: all met."""
        self.ensure_one()
        env = self.env
        failures = []
        if self.require_paid and order.channel_payment_state != "paid":
            trusted = order.partner_id.commercial_partner_id
            if trusted not in self.trusted_partner_ids and order.partner_id not in self.trusted_partner_ids:
                state = dict(order._fields["channel_payment_state"]._description_selection(env)).get(
                    order.channel_payment_state, env._("unknown")
                )
                code = "payment_pending" if order.channel_payment_state == "pending" else "rule_review"
                failures.append(
                    (
                        code,
                        env._(
                            "payment is %(state)s and %(customer)s is not a trusted customer",
                            state=(state or env._("unknown")).lower(),
                            customer=order.partner_id.display_name,
                        ),
                    )
                )
        if self.min_margin_percent and float_compare(order.margin_percent, self.min_margin_percent, 2) < 0:
            failures.append(
                (
                    "margin",
                    env._(
                        "margin %(margin).1f %% is below the %(minimum).1f %% minimum",
                        margin=order.margin_percent,
                        minimum=self.min_margin_percent,
                    ),
                )
            )
        if (
            self.max_order_value
            and order.currency_id.compare_amounts(order.amount_untaxed, self.max_order_value) > 0
        ):
            failures.append(
                (
                    "value_limit",
                    env._(
                        "order value %(value)s is above the %(limit)s limit",
                        value=order.currency_id.format(order.amount_untaxed),
                        limit=self.currency_id.format(self.max_order_value),
                    ),
                )
            )
        return failures
