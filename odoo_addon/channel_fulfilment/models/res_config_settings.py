"""The company's Orders Inbox settings in Settings (res_company.py holds them)."""

from odoo import api, fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    channel_invoice_policy = fields.Selection(
        related="company_id.channel_invoice_policy", readonly=False, required=True
    )
    channel_auto_invoice_on_dispatch = fields.Boolean(
        related="company_id.channel_auto_invoice_on_dispatch", readonly=False
    )
    channel_hide_invoice_button = fields.Boolean(
        related="company_id.channel_hide_invoice_button", readonly=False
    )
    channel_realtime_check = fields.Boolean(related="company_id.channel_realtime_check", readonly=False)
    channel_price_tolerance = fields.Float(related="company_id.channel_price_tolerance", readonly=False)
    channel_bill_tolerance_amount = fields.Monetary(
        related="company_id.channel_bill_tolerance_amount", readonly=False, currency_field="currency_id"
    )
    channel_bill_tolerance_percent = fields.Float(
        related="company_id.channel_bill_tolerance_percent", readonly=False
    )
    channel_blind_dropship = fields.Boolean(related="company_id.channel_blind_dropship", readonly=False)
    channel_engine_config = fields.Char(
        related="company_id.channel_engine_config",
        readonly=False,
        groups="channel_fulfilment.group_inbox_manager",
    )
    channel_offer_store_url = fields.Char(
        related="company_id.channel_offer_store_url",
        readonly=False,
        groups="channel_fulfilment.group_inbox_manager",
    )
    channel_inbox_quotations = fields.Boolean(related="company_id.channel_inbox_quotations", readonly=False)
    channel_cxml_max_attempts = fields.Integer(related="company_id.channel_cxml_max_attempts", readonly=False)
    channel_cxml_domain = fields.Char(related="company_id.channel_cxml_domain", readonly=False)
    channel_inbox_owner_id = fields.Many2one(related="company_id.channel_inbox_owner_id", readonly=False)
    channel_dispatch_alias = fields.Char(related="company_id.channel_dispatch_alias", readonly=False)
    channel_dispatch_address = fields.Char(compute="_compute_channel_dispatch_address")
    channel_despatch_folder = fields.Char(
        related="company_id.channel_despatch_folder",
        readonly=False,
        groups="channel_fulfilment.group_inbox_manager",
    )

    @api.depends("company_id.channel_dispatch_alias_id.alias_full_name", "company_id.alias_domain_id")
    def _compute_channel_dispatch_address(self):
        for settings in self:
            company = settings.company_id
            alias = company.channel_dispatch_alias_id
            name = company.channel_dispatch_alias or "dispatch"
            if not company.alias_domain_id:
                settings.channel_dispatch_address = self.env._(
                    "No dispatch address yet: %(company)s has no e-mail domain. Set its Alias Domain "
                    "(General Settings → Emails) and the address becomes %(name)s@ that domain.",
                    company=company.name,
                    name=name,
                )
            elif alias and alias.alias_domain_id == company.alias_domain_id:
                settings.channel_dispatch_address = alias.alias_full_name
            elif not company.channel_dispatch_alias:
                settings.channel_dispatch_address = self.env._("No dispatch address: give it a name.")
            else:
                settings.channel_dispatch_address = self.env._(
                    "No dispatch address: %(address)s is used by another document already; choose another "
                    "name.",
                    address=f"{name}@{company.alias_domain_id.name}",
                )
