"""The company's Orders Inbox settings (invoicing, real-time re-checks and their price tolerance, the bill
tolerance, blind drop-ship, which quotations enter the inbox, cXML send attempts and domain, the engine's
configuration and offer store) and our name in cXML payloadIDs.
"""

import re
from urllib.parse import urlparse

from odoo import api, fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    channel_invoice_policy = fields.Selection(
        [("order", "Ordered quantities"), ("delivery", "Delivered quantities")],
        string="Invoice inbox orders on",
        default="order",
        required=True,
        help="What the Invoice button bills on an inbox order: everything ordered, or what the "
        "distributors have dispatched so far.",
    )
    channel_auto_invoice_on_dispatch = fields.Boolean(
        string="Invoice automatically on dispatch",
        help="Create and post the customer invoice when a distributor's ship notice arrives.",
    )
    channel_hide_invoice_button = fields.Boolean(string="Hide the Invoice button")
    channel_realtime_check = fields.Boolean(
        string="Re-check prices and stock in real time",
        help="Ask the distributors that answer real-time queries (fulfil.toml) when planning and "
        "again before Ship.",
    )
    channel_price_tolerance = fields.Float(
        string="Price tolerance (%)",
        default=2.0,
        help="A live cost more than this above the planned cost sends the order to review at Ship.",
    )
    channel_bill_tolerance_amount = fields.Monetary(
        string="Bill tolerance (amount)",
        currency_field="currency_id",
        default=1.0,
        help="A distributor bill differing from its purchase order by at most this amount (and at most "
        "the per cent below) per line, per charge and on the total posts by itself.",
    )
    channel_bill_tolerance_percent = fields.Float(
        string="Bill tolerance (%)",
        default=0.5,
        help="A difference must also be within this per cent of the expected value to pass.",
    )
    channel_blind_dropship = fields.Boolean(
        string="Blind drop-ship",
        help="Our company, not the distributor, appears as the sender on drop-shipped parcels.",
    )
    # Connection settings are managers' (the URL may carry a database password): the code reads them
    # with sudo() where a user's action needs them (planning, the offer refresh).
    channel_engine_config = fields.Char(
        string="Engine configuration (fulfil.toml)",
        groups="channel_fulfilment.group_inbox_manager",
        help="Path of the fulfil.toml the planner reads for real-time distributors.",
    )
    channel_offer_store_url = fields.Char(
        string="Offer store URL",
        groups="channel_fulfilment.group_inbox_manager",
        help="SQLAlchemy URL of the engine's offer store (feeds), e.g. postgresql+psycopg://…/offers "
        "or sqlite:////var/lib/fulfil/offers.db.",
    )
    channel_inbox_quotations = fields.Boolean(
        string="Confirmed quotations enter the inbox",
        default=True,
        help="A quotation a salesperson confirms is handled by the Orders Inbox when one of its "
        "products is sold from distributor stock.",
    )
    channel_cxml_max_attempts = fields.Integer(
        string="cXML send attempts",
        default=5,
        help="How many times a purchase order is sent before it is marked failed for a person to look at.",
    )
    channel_cxml_domain = fields.Char(
        string="Our cXML domain",
        help="Domain part of the payloadIDs of our cXML documents (default: the company's website host).",
    )

    @api.private
    def _channel_cxml_domain(self):
        """Our name in payloadIDs: the configured domain, else the website's host, else the database uuid."""
        self.ensure_one()
        if self.channel_cxml_domain:
            return self.channel_cxml_domain.strip()
        host = urlparse(self.website or "").hostname if self.website else ""
        if not host and self.website:
            host = urlparse(f"//{self.website}").hostname
        if host:
            return host
        uuid = self.env["ir.config_parameter"].sudo().get_param("database.uuid") or "odoo"
        return re.sub(r"[^A-Za-z0-9.-]", "", uuid) + ".odoo"
