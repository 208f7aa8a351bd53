"""The company's Orders Inbox settings in Settings (res_company.py holds them)."""

from odoo import fields, models


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
