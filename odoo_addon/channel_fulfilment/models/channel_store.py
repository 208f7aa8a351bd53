"""A web store that sends orders into the inbox (its `code` is the store id in channel-sync's sync.toml).

The connectors create one on a store's first import, without a payment journal; the accountant sets the
clearing journal on which the store's online payments are registered (e.g. "Shopify Payments").
"""

from odoo import api, fields, models


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
    active = fields.Boolean(default=True)

    _code_company_unique = models.Constraint(
        "UNIQUE(code, company_id)", "A store id is used once per company."
    )

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
