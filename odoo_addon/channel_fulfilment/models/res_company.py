"""The company's Orders Inbox settings (invoicing, real-time re-checks and their price tolerance, the bill
tolerance, blind drop-ship, which quotations enter the inbox, cXML send attempts and domain, the engine's
configuration and offer store), our name in cXML payloadIDs, and whether its tax rounding suits the web
stores (they round tax per line; Odoo's default rounds globally, a penny out on many store orders).
"""

import re
from urllib.parse import urlparse

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from fulfilment_engine.dispatch.message import po_pattern


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

    channel_inbox_owner_id = fields.Many2one(
        "res.users",
        string="Inbox owner",
        domain=[("share", "=", False)],
        help="Who hears of what goes wrong on an order that has no salesperson (a purchase order that "
        "could not be sent, a store payment to register): the activity goes to them, never to the "
        "store connector's or the scheduler's user.",
    )

    channel_dispatch_alias = fields.Char(
        string="Dispatch address",
        default="dispatch",
        help="Name of the address (on the company's e-mail domain) distributors send despatch e-mails and "
        "reports to.",
    )
    channel_dispatch_alias_id = fields.Many2one(
        "mail.alias", string="Dispatch alias", readonly=True, copy=False
    )
    channel_despatch_folder = fields.Char(
        string="Despatch report folder",
        groups="channel_fulfilment.group_inbox_manager",
        help="Folder on the Odoo server where despatch reports are dropped, one sub-folder per distributor "
        "named by its engine id (reports/WC/…). Read every 30 minutes with each distributor's mapping, then "
        "moved to done/ (or failed/).",
    )

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        companies._channel_ensure_dispatch_alias()
        return companies

    def write(self, vals):
        result = super().write(vals)
        if {"channel_dispatch_alias", "alias_domain_id"} & set(vals):
            self._channel_ensure_dispatch_alias()
        return result

    @api.model
    def _channel_ensure_dispatch_aliases(self):
        """On install (data/dispatch_alias.xml): every company's dispatch alias."""
        self.sudo().with_context(active_test=False).search([])._channel_ensure_dispatch_alias()

    @api.private
    def _channel_ensure_dispatch_alias(self):
        """Each company's dispatch alias (model channel.dispatch.message) on its alias domain. A company
        without an alias domain gets an alias without one: Odoo gives it the first alias domain made (its
        own rule for aliases), and this method the company's domain whenever that changes. A name already
        taken on the domain (two companies sharing one) leaves the company without an address, which
        Settings explains, until its name is changed."""
        model = self.env["ir.model"]._get_id("channel.dispatch.message")
        for company in self.sudo():
            name = (company.channel_dispatch_alias or "").strip()
            alias = company.channel_dispatch_alias_id
            values = {
                "alias_name": name,
                "alias_model_id": model,
                "alias_domain_id": company.alias_domain_id.id,
                "alias_defaults": repr({"company_id": company.id}),
                "alias_contact": "everyone",
            }
            try:
                with self.env.cr.savepoint():
                    if not name:
                        alias.unlink()
                    elif alias:
                        alias.write(values)
                    else:
                        company.channel_dispatch_alias_id = self.env["mail.alias"].create(values)
            except UserError:
                continue  # taken on this domain: Settings names the clash

    @api.private
    def _channel_po_pattern(self):
        """Our purchase order references as the purchase sequence writes them ("P" and 5 digits: P00012)."""
        self.ensure_one()
        sequence = (
            self.env["ir.sequence"]
            .sudo()
            .search(
                [("code", "=", "purchase.order"), ("company_id", "in", (False, self.id))],
                order="company_id",
                limit=1,
            )
        )
        prefix = sequence.prefix or "P"
        if "%(" in prefix:  # a dated prefix (PO/%(year)s/): as it reads this year
            prefix, _suffix = sequence._get_prefix_suffix()
        return po_pattern(prefix, sequence.padding or 5)

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

    # ------------------------------------------------------------------ tax rounding for the web stores

    @api.private
    def _channel_rounding_warning(self):
        """Why this company's store orders would be a penny out, or False: WooCommerce and Shopify round
        tax per line, Odoo 19 rounds it globally unless told otherwise (a fresh database does)."""
        self.ensure_one()
        if self.tax_calculation_rounding_method != "round_globally":
            return False
        return self.env._(
            "%(company)s rounds tax globally (Odoo's default) but web stores round it per line: a store "
            "order of several lines with fractional tax then differs from the store's total by a penny and "
            "waits in review. Switch to per line: %(where)s, or click “Round tax per line”.",
            company=self.name,
            where=self._channel_rounding_setting(),
        )

    @api.model
    @api.private
    def _channel_rounding_setting(self):
        return self.env._("Accounting > Configuration > Settings > Taxes > Rounding Method: Round per Line")

    @api.private
    def _channel_round_tax_per_line(self):
        """The one-click fix of _channel_rounding_warning, for an Orders Inbox manager or an administrator:
        the companies round tax per line from now on (orders already made keep their amounts)."""
        user = self.env.user
        if not (
            self.env.su
            or user.has_group("channel_fulfilment.group_inbox_manager")
            or user.has_group("base.group_system")
        ):
            raise AccessError(
                self.env._(
                    "Only an Orders Inbox manager or an administrator may change how %(company)s rounds tax; "
                    "%(user)s is neither.",
                    company=", ".join(self.mapped("name")),
                    user=user.name,
                )
            )
        self.sudo().tax_calculation_rounding_method = "round_per_line"
        return True
