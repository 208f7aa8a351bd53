"""Distributors: their engine id, cXML identities and secrets, freight rule, small-order charge and
where they ship, as the engine plans with them; their offers refreshed and their orders listed. And which
partners are ours (users, companies, distributors, suppliers), never a store order's customer by e-mail.
"""

from decimal import Decimal

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import email_normalize

from fulfilment_engine.currency import convert_distributor
from fulfilment_engine.dispatch.report import parse_report_mapping_text
from fulfilment_engine.domain import CarrierFreight, Distributor, FlatFreight, WeightBand, WeightFreight
from fulfilment_engine.errors import ConfigError
from fulfilment_engine.freight import billable_weight, freight_charge

from .engine_bridge import to_decimal as _decimal
from .engine_bridge import with_small_order


class ResPartner(models.Model):
    _inherit = "res.partner"

    is_distributor = fields.Boolean(
        string="Distributor",
        index=True,
        help="A vendor whose stock we sell: lines are planned on it and drop-shipped "
        "purchase orders go to it.",
    )
    engine_id = fields.Char(
        string="Engine id",
        help="This distributor's id in fulfil.toml, in its feeds and in the offer store.",
    )
    distributor_currency_id = fields.Many2one(
        "res.currency", compute="_compute_distributor_currency_id", string="Distributor currency"
    )
    po_channel = fields.Selection(
        [("cxml", "cXML OrderRequest"), ("ingram_v6", "Ingram Micro API"), ("email", "E-mail (PDF)")],
        string="Purchase orders by",
        default="email",
        required=True,
    )
    channel_dispatch_days = fields.Integer(
        string="Dispatch days",
        default=3,
        help="Working days after a purchase order was sent by which this distributor should have shipped "
        "something; later, the buyer gets an activity (distributors read over their API).",
    )
    cxml_url = fields.Char(string="cXML endpoint", help="URL the distributor receives OrderRequests at.")
    cxml_from_domain = fields.Char(string="From domain", default="NetworkID")
    cxml_from_identity = fields.Char(
        string="From identity", help="Our identity (account number) at the distributor."
    )
    cxml_to_domain = fields.Char(string="To domain", default="NetworkID")
    cxml_to_identity = fields.Char(string="To identity", help="The distributor's identity.")
    cxml_sender_domain = fields.Char(string="Sender domain", default="NetworkID")
    cxml_sender_identity = fields.Char(string="Sender identity")
    cxml_shared_secret = fields.Char(
        string="Shared secret (outbound)",
        groups="channel_fulfilment.group_inbox_manager",
        copy=False,
        help="Sent in Header/Sender/Credential/SharedSecret of our OrderRequests.",
    )
    cxml_inbound_secret = fields.Char(
        string="Shared secret (inbound)",
        groups="channel_fulfilment.group_inbox_manager",
        copy=False,
        help="What the distributor must send in its ConfirmationRequests and ShipNoticeRequests.",
    )
    account_manager_id = fields.Many2one(
        "res.partner",
        string="Account manager",
        help="Contact at the distributor who receives the PDF purchase order when a cost was edited, "
        "so the distributor invoices at the agreed cost rather than its feed price.",
    )
    freight_type = fields.Selection(
        [("none", "Free"), ("flat", "Flat rate"), ("weight", "Weight bands"), ("carrier", "Carrier rated")],
        string="Freight",
        default="none",
        required=True,
    )
    freight_charge = fields.Monetary(string="Flat charge", currency_field="distributor_currency_id")
    freight_free_over = fields.Monetary(
        string="Free over",
        currency_field="distributor_currency_id",
        help="Goods total from which shipping is free (0: never).",
    )
    freight_per_kg_over = fields.Monetary(
        string="Per kg above the last band",
        currency_field="distributor_currency_id",
        help="Charge per started kg above the last band; "
        "0 means heavier shipments cannot go to this distributor.",
    )
    freight_dim_divisor = fields.Float(
        string="Dimensional divisor",
        help="L × W × H (cm) / divisor = dimensional kg, e.g. 5000 (0: actual weight only).",
    )
    freight_band_ids = fields.One2many("channel.freight.band", "partner_id", string="Weight bands")
    freight_carrier = fields.Selection([("ups", "UPS"), ("fedex", "FedEx")], string="Carrier")
    freight_service = fields.Char(string="Carrier service", help="e.g. 11 (UPS Standard) or FEDEX_GROUND.")
    small_order_threshold = fields.Monetary(
        string="Small order below",
        currency_field="distributor_currency_id",
        help="A purchase order whose goods total is below this pays the small order charge.",
    )
    small_order_charge = fields.Monetary(
        string="Small order charge", currency_field="distributor_currency_id"
    )
    channel_ship_country_ids = fields.Many2many(
        "res.country",
        "res_partner_channel_ship_country_rel",
        "partner_id",
        "country_id",
        string="Delivers to",
        help="Countries this distributor delivers to; empty: the company's country. Planning leaves it "
        "out of orders going elsewhere.",
    )
    distributor_order_count = fields.Integer(compute="_compute_distributor_order_count", string="Channel POs")
    channel_dispatch_senders = fields.Char(
        string="Dispatch e-mails from",
        help="Who may tell us about despatch for this distributor: addresses and @domains, comma-separated "
        "(despatch@westcoast.co.uk, @westcoast-reports.co.uk). Empty: anyone at the domain of its e-mail.",
    )
    channel_despatch_mapping = fields.Text(
        string="Despatch report mapping",
        help="How to read this distributor's despatch reports (CSV or XLSX, by e-mail or in the despatch "
        "folder): a TOML mapping like the feeds' one, with columns po, sku or part_number, quantity, "
        "carrier, tracking and date. See docs/distributors.md.",
    )

    _engine_id_unique = models.UniqueIndex(
        "(engine_id, COALESCE(company_id, 0)) WHERE is_distributor AND engine_id IS NOT NULL",
        "Another distributor of this company already has this engine id.",
    )

    @api.depends("property_purchase_currency_id", "company_id")
    def _compute_distributor_currency_id(self):
        for partner in self:
            partner.distributor_currency_id = (
                partner.property_purchase_currency_id
                or partner.company_id.currency_id
                or self.env.company.currency_id
            )

    def _compute_distributor_order_count(self):
        counts = dict(
            self.env["purchase.order"]._read_group(
                [("partner_id", "in", self.ids), ("channel_sale_id", "!=", False)],
                ["partner_id"],
                ["__count"],
            )
        )
        for partner in self:
            partner.distributor_order_count = counts.get(partner, 0)

    @api.constrains("channel_despatch_mapping")
    def _check_despatch_mapping(self):
        for partner in self.filtered("channel_despatch_mapping"):
            try:
                parse_report_mapping_text(partner.channel_despatch_mapping, partner.display_name)
            except ConfigError as exc:
                raise ValidationError(self.env._("Despatch report mapping of %s", str(exc))) from None

    def _channel_dispatch_senders(self):
        """The addresses and @domains this distributor writes from (lower case)."""
        self.ensure_one()
        listed = [s.strip().lower() for s in (self.channel_dispatch_senders or "").split(",") if s.strip()]
        if listed:
            return listed
        email = email_normalize(self.email or "") or ""
        return [f"@{email.rpartition('@')[2]}"] if "@" in email else []

    def _channel_dispatch_sent_by(self, email):
        address = email_normalize(email or "") or ""
        if not address:
            return False
        domain = "@" + address.rpartition("@")[2]
        return any(sender in (address, domain) for sender in self._channel_dispatch_senders())

    @api.model
    def _channel_dispatch_distributor(self, email, company):
        """The distributor `email` writes for (its dispatch senders), or an empty recordset."""
        distributors = self.sudo().search(
            [("is_distributor", "=", True), ("company_id", "in", (False, company.id))], order="id"
        )
        return distributors.filtered(lambda d: d._channel_dispatch_sent_by(email))[:1]

    @api.constrains("is_distributor", "engine_id", "freight_type", "freight_band_ids", "freight_carrier")
    def _check_distributor_setup(self):
        for partner in self.filtered("is_distributor"):
            if partner.freight_type in ("weight", "carrier") and not partner.freight_band_ids:
                raise ValidationError(
                    self.env._(
                        "%(name)s: a %(type)s freight rule needs at least one weight band.",
                        name=partner.display_name,
                        type=partner.freight_type,
                    )
                )
            if partner.freight_type == "carrier" and not partner.freight_carrier:
                raise ValidationError(
                    self.env._("%s: choose the carrier that rates its shipments.", partner.display_name)
                )

    # ------------------------------------------------------------------------------ engine values

    @api.private
    def _channel_engine_key(self):
        """The distributor's id in the engine: its engine_id, or a stable id made from the record."""
        self.ensure_one()
        return self.engine_id or f"partner-{self.id}"

    @api.private
    def _channel_freight_rule(self):
        """This distributor's freight rule as the engine models it, in its own currency; None ships free."""
        self.ensure_one()
        if self.freight_type == "flat":
            return FlatFreight(
                charge=_decimal(self.freight_charge),
                free_over=_decimal(self.freight_free_over) if self.freight_free_over else None,
            )
        if self.freight_type in ("weight", "carrier"):
            if not self.freight_band_ids:
                raise UserError(
                    self.env._(
                        "%s: a weight or carrier freight rule needs at least one weight band.",
                        self.display_name,
                    )
                )
            bands = tuple(
                WeightBand(max_kg=_decimal(band.max_kg), charge=_decimal(band.charge))
                for band in self.freight_band_ids.sorted("max_kg")
            )
            weight = WeightFreight(
                bands=bands,
                per_kg_over=_decimal(self.freight_per_kg_over) if self.freight_per_kg_over else None,
                dim_divisor=_decimal(self.freight_dim_divisor) if self.freight_dim_divisor else None,
            )
            if self.freight_type == "weight":
                return weight
            return CarrierFreight(
                carrier=self.freight_carrier, service=self.freight_service or "", fallback=weight
            )
        return None

    @api.private
    def _channel_ships_to(self, company=None):
        """The country codes this distributor delivers to: its own list, else the company's country
        (none known: anywhere, the empty tuple)."""
        self.ensure_one()
        if self.channel_ship_country_ids:
            return tuple(sorted(self.channel_ship_country_ids.mapped("code")))
        home = (self.company_id or company or self.env.company).country_id
        return (home.code,) if home else ()

    @api.private
    def _channel_engine_distributor(self, currency=None, company=None, date=None):
        """This distributor as the engine plans it: its freight rule and small-order charge, their
        amounts converted from the distributor's currency into `currency` (a sale order's, a purchase
        order's) at the rate of `date`, by the engine's own conversion (the cart service's). Without
        `currency`, or in its own, the amounts are as entered."""
        self.ensure_one()
        distributor = with_small_order(
            Distributor(
                id=self._channel_engine_key(),
                name=self.name or "",
                freight=self._channel_freight_rule(),
                ships_to=self._channel_ships_to(company),
            ),
            self.small_order_threshold,
            self.small_order_charge,
        )
        own = self.distributor_currency_id
        if not currency or currency == own:
            return distributor
        rate = self.env["res.currency"]._get_conversion_rate(
            own,
            currency,
            company or self.company_id or self.env.company,
            date or fields.Date.context_today(self),
        )
        return convert_distributor(distributor, Decimal(repr(rate)))

    @api.private
    def _channel_freight_amount(self, items, currency=None, company=None, date=None):
        """This distributor's freight for one shipment of `items` [(engine Product, qty, unit cost in
        `currency`)], in `currency` (default: the distributor's own): a Decimal, or None when its rule
        cannot carry that shipment (too heavy and no per-kg rate)."""
        self.ensure_one()
        rule = self._channel_engine_distributor(currency, company, date).freight
        goods = sum((Decimal(qty) * cost for _product, qty, cost in items), Decimal(0))
        weight = billable_weight(rule, [(product, qty) for product, qty, _cost in items])
        return freight_charge(rule, goods, weight)

    # ------------------------------------------------------------------------------ buttons

    def action_refresh_distributor_offers(self):
        """Refresh these distributors' vendor lines (cost, stock) from the engine's offer store."""
        distributors = self.filtered("is_distributor")
        if not distributors:
            raise UserError(self.env._("Only distributors have offers to refresh."))
        result = self.env["product.supplierinfo"]._channel_refresh_offers(distributors=distributors)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Offers refreshed"),
                "message": self.env._(
                    "%(updated)s vendor lines updated and %(created)s created from %(offers)s offers.",
                    **result,
                ),
                "type": "success",
                "sticky": False,
            },
        }

    def action_view_distributor_orders(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "channel_fulfilment.purchase_order_action_channel"
        )
        action["domain"] = [("partner_id", "=", self.id), ("channel_sale_id", "!=", False)]
        action["context"] = {"create": False}
        return action

    @api.private
    def _channel_not_a_store_customer(self):
        """{partner: what it is} for those of these partners that are ours rather than a customer: the
        partner of an internal user (archived ones too), of a company, a distributor, or a supplier
        (a vendor of any product, or a partner we have bought from)."""
        partners = self.sudo().with_context(active_test=False)
        if not partners:
            return {}
        users = self.env["res.users"].sudo().with_context(active_test=False)
        staff = users.search([("partner_id", "in", partners.ids), ("share", "=", False)]).partner_id
        companies = self.env["res.company"].sudo().search([("partner_id", "in", partners.ids)]).partner_id
        vendors = (
            self.env["product.supplierinfo"].sudo().search([("partner_id", "in", partners.ids)]).partner_id
        )
        ours = {}
        for partner in partners:
            if partner in staff:
                ours[partner] = self.env._("a user of the company")
            elif partner in companies:
                ours[partner] = self.env._("a company of ours")
            elif partner.is_distributor:
                ours[partner] = self.env._("a distributor")
            elif partner in vendors or partner.supplier_rank > 0:
                ours[partner] = self.env._("a supplier")
        return ours
