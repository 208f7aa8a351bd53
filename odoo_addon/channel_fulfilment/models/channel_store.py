"""A web store that sends orders into the inbox (its `code` is the store id in channel-sync's sync.toml).

The connectors create one on a store's first import, without a payment journal; the accountant sets the
clearing journal on which the store's online payments are registered (e.g. "Shopify Payments").
*Connector users* names the channel-sync users that may exchange its orders: once any store names one,
a connector user reaches only the stores naming it (and can no longer make a new store by importing).
The form warns when the store's company rounds tax globally, with the one-click fix (res_company.py).
"""

import re

from odoo import api, fields, models

from .res_groups import CONNECTOR_GROUP

# A store id as sync.toml allows it: it is in channel-sync's webhook URLs.
STORE_CODE = re.compile(r"[A-Za-z0-9_.-]{1,64}")


class ChannelStore(models.Model):
    _name = "channel.store"
    _description = "Web store"
    _order = "name, id"

    name = fields.Char(required=True)
    code = fields.Char(
        string="Store id",
        required=True,
        index=True,
        help="The store's id in channel-sync's sync.toml ([[stores]] id); inbox orders carry it.",
    )
    platform = fields.Selection(
        [("woocommerce", "WooCommerce"), ("shopify", "Shopify"), ("other", "Other")], default="other"
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    payment_journal_id = fields.Many2one(
        "account.journal",
        string="Payment clearing journal",
        domain="[('type', 'in', ('bank', 'cash', 'credit')), ('company_id', '=', company_id)]",
        check_company=True,
        help="Where the store's online payments are registered on the customer invoices (e.g. Shopify "
        "Payments); reconcile it against the store's payouts on the bank statement.",
    )
    notify_customer = fields.Boolean(
        default=True, help="Shopify: the store e-mails the customer when tracking is sent."
    )
    connector_user_ids = fields.Many2many(
        "res.users",
        "channel_store_connector_user_rel",
        "store_id",
        "user_id",
        string="Connector users",
        groups="base.group_system",  # who may exchange a store's orders is an administrator's setting
        domain=lambda self: [("all_group_ids", "in", self.env.ref(CONNECTOR_GROUP).ids)],
        help="The channel-sync users (Orders Inbox: store connector) that may exchange this store's orders. "
        "While no store names one, every connector user may use every store id.",
    )
    active = fields.Boolean(default=True)
    rounding_warning = fields.Char(
        compute="_compute_rounding_warning",
        help="Set when the store's company rounds tax globally while the store rounds it per line.",
    )

    _code_company_unique = models.Constraint(
        "UNIQUE(code, company_id)", "A store id is used once per company."
    )

    @api.depends("company_id.tax_calculation_rounding_method")
    def _compute_rounding_warning(self):
        for store in self:
            store.rounding_warning = store.company_id and store.company_id._channel_rounding_warning()

    def action_channel_round_per_line(self):
        """The form's “Round tax per line”: the store's company rounds tax as the store does."""
        return self.company_id._channel_round_tax_per_line()

    @api.model
    @api.private
    def _channel_for_code(self, code, company=None):
        """The store with this id in the company, created (without a journal) the first time it is seen."""
        company = company or self.env.company
        store = (
            self.sudo()
            .with_context(active_test=False)
            .search([("code", "=", code), ("company_id", "=", company.id)], limit=1)
        )
        return store or self.sudo().create({"name": code, "code": code, "company_id": company.id})

    @api.model
    @api.private
    def _channel_connector_may_use(self, code, company, user):
        """Whether the connector `user` may exchange the orders of store `code` in `company`: any store
        while no store names a connector user, else only the stores naming it."""
        stores = self.sudo().with_context(active_test=False)
        if not stores.search_count([("connector_user_ids", "!=", False)], limit=1):
            return True
        return bool(
            stores.search_count(
                [
                    ("code", "=", code),
                    ("company_id", "=", company.id),
                    ("connector_user_ids", "in", user.ids),
                ],
                limit=1,
            )
        )
