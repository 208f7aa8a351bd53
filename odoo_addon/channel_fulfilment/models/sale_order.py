"""The Orders Inbox over sale.order: where an order came from, its inbox state, review and touchless rules.

Planning lives in sale_order_plan.py, Ship and Invoice in sale_order_ship.py, the order's progress after
Ship (sending → done) in sale_order_progress.py.
"""

import logging
from collections import defaultdict
from decimal import Decimal

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain

from fulfilment_engine.freight import small_order_charge

from .engine_bridge import to_decimal

_logger = logging.getLogger(__name__)

INBOX_STATES = [
    ("new", "New"),
    ("review", "Needs review"),
    ("ready", "Ready to ship"),
    ("sending", "Sending"),
    ("ordered", "Ordered"),
    ("shipped", "Shipped"),
    ("invoiced", "Invoiced"),
    ("done", "Done"),
    ("cancelled", "Cancelled"),
]
# Before Ship: procurement is held, the plan may change, Ship may run.
OPEN_STATES = ("new", "review", "ready")
# After Ship: the state follows the purchase orders (sending until every one reached its distributor),
# the deliveries and the invoices.
PROGRESS_STATES = ("sending", "ordered", "shipped", "invoiced")
# The end of the road: the inbox shows these columns only when the records shown are in them.
FINISHED_STATES = ("done", "cancelled")
INBOX_BATCH_SIZE = 50
# sale.order.review_codes: a fixed list (ARCHITECTURE "Review codes"); extend it, never reuse a code.
REVIEW_CODES = (
    "unknown_sku",
    "total_mismatch",
    "missing_tax",
    "no_address",
    "undeliverable",
    "no_stock",
    "price_moved",
    "margin",
    "payment_pending",
    "value_limit",
    "rule_review",
    "distributor_rejected",
    "store_changed_after_order",
    "store_cancelled_after_order",
    "ship_failed",
    "no_pricelist",  # a store order in a currency no active pricelist is in (added for the connectors)
    "plan_failed",  # the planner could not run on the order: a unit, a SKU or the engine's configuration
    "ship_notice_problem",  # a ship notice named more than was left, or cancelled a shipment
)
# Codes a plan decides: each new plan decides them again. Every other code stays through a plan until the
# person its action belongs to acts (sale_order_review.py: what resolves each code).
PLAN_CODES = ("no_address", "undeliverable", "no_stock", "plan_failed")
# Codes a touchless verdict gives (channel_fulfilment_rule.py, and a live price above the feed's).
VERDICT_CODES = ("price_moved", "margin", "value_limit", "rule_review")
# A rule's verdict on money: only a manager's Approve clears it (action_channel_approve); Plan keeps it,
# Ship refuses it, and the inbox cron never ships such an order.
APPROVAL_CODES = ("margin", "value_limit")
# The one action that resolves each review code, the only one the order form offers for it (the review
# desk, sale_order_review.py; docs/odoo.md says the same): plan, approve (a manager), product (choose it on
# the line), accept (a manager), ship (as planned), resend (the purchase order that was not sent).
RESOLVED_BY = {
    "no_address": "plan",
    "undeliverable": "plan",
    "no_stock": "plan",  # "ship" once a plan proposes another distributor for every unit
    "plan_failed": "plan",
    "margin": "approve",
    "value_limit": "approve",
    "unknown_sku": "product",
    "total_mismatch": "accept",
    "missing_tax": "accept",
    "no_pricelist": "accept",
    "payment_pending": "accept",
    "store_changed_after_order": "accept",
    "store_cancelled_after_order": "accept",
    "price_moved": "ship",
    "rule_review": "ship",
    "distributor_rejected": "ship",
    "ship_notice_problem": "ship",
    "ship_failed": "resend",  # "ship" once no purchase order is left unsent (ordered elsewhere)
}
# What a distributor caused after Ship; a person clicking Ship again (to resume or re-order) has seen it.
AFTER_SHIP_CODES = ("distributor_rejected", "ship_failed", "ship_notice_problem")
# A purchase order in one of these send states has not reached its distributor (yet, or for good).
UNSENT_PO_STATES = (False, "to_send", "failed", "rejected")


class SaleOrder(models.Model):
    _inherit = "sale.order"

    is_inbox = fields.Boolean(
        string="In the Orders Inbox",
        compute="_compute_is_inbox",
        store=True,
        readonly=False,
        index=True,
        copy=False,
        help="Handled by the Orders Inbox: store orders, ERP/CRM imports and confirmed quotations.",
    )
    inbox_state = fields.Selection(
        INBOX_STATES,
        string="Inbox state",
        compute="_compute_inbox_state",
        store=True,
        readonly=False,
        index=True,
        copy=False,
        tracking=True,
        group_expand="_group_expand_inbox_state",
    )
    review_reason = fields.Text(string="Review reason", copy=False, tracking=True)
    review_codes = fields.Char(
        string="Review codes",
        copy=False,
        index="btree_not_null",
        help="Why the order waits, for machines: space-separated codes from REVIEW_CODES.",
    )
    channel_source = fields.Selection(
        [("store", "Web store"), ("quotation", "Quotation"), ("import", "ERP/CRM import")],
        string="Order source",
        copy=False,
        index=True,
    )
    channel_store = fields.Char(string="Store", copy=False, index=True, help="The store id from sync.toml.")
    channel_external_id = fields.Char(string="Store order id", copy=False, index="btree_not_null")
    channel_payment_state = fields.Selection(
        [
            ("pending", "Pending"),
            ("paid", "Paid"),
            ("partially_refunded", "Partially refunded"),
            ("refunded", "Refunded"),
            ("unknown", "Unknown"),
        ],
        string="Store payment",
        default="unknown",
        copy=False,
    )
    allocation_ids = fields.One2many(
        "sale.order.line.allocation", "order_id", string="Allocations", readonly=True
    )
    channel_purchase_ids = fields.One2many(
        "purchase.order", "channel_sale_id", string="Channel purchase orders"
    )
    channel_purchase_count = fields.Integer(
        compute="_compute_channel_purchase_count", string="Purchase orders"
    )
    plan_freight = fields.Monetary(
        string="Planned freight",
        compute="_compute_plan_costs",
        store=True,
        help="What the chosen distributors charge to ship this order, by their freight rules "
        "(carriage only: small-order charges are in Planned charges).",
    )
    plan_charges = fields.Monetary(
        string="Planned charges",
        compute="_compute_plan_costs",
        store=True,
        help="The chosen distributors' small-order charges: a distributor whose goods in this order are "
        "below its small-order threshold adds its charge, as Ship puts it on the purchase order.",
    )
    plan_total_cost = fields.Monetary(
        string="Planned cost",
        compute="_compute_plan_costs",
        store=True,
        help="Goods at the planned (or edited) costs plus the distributors' freight and small-order "
        "charges: what the distributors will invoice. The margin is computed from it.",
    )
    margin_percent = fields.Float(
        string="Margin (%)", compute="_compute_margin_percent", store=True, digits=(16, 2), aggregator="avg"
    )
    planned_at = fields.Datetime(string="Planned at", copy=False, readonly=True)
    ship_requested_at = fields.Datetime(string="Ship requested at", copy=False, readonly=True)
    channel_hide_invoice_button = fields.Boolean(related="company_id.channel_hide_invoice_button")
    channel_to_order = fields.Boolean(
        string="Left to order",
        compute="_compute_channel_to_order",
        help="Some goods are not on a distributor's purchase order yet: Plan and Ship have work to do.",
    )

    _channel_external_id_unique = models.Constraint(
        "UNIQUE(channel_store, channel_external_id)",
        "This store order is already in Odoo (store and store order id must be unique together).",
    )

    # ------------------------------------------------------------------------------ computes

    @api.model
    def _group_expand_inbox_state(self, states, domain):
        """Kanban and list columns: every unfinished state, empty or not; Done and Cancelled only when
        the records shown are there (the inbox itself hides finished orders)."""
        return [state for state, _label in INBOX_STATES if state not in FINISHED_STATES or state in states]

    @api.depends("channel_source")
    def _compute_is_inbox(self):
        for order in self:
            order.is_inbox = order.is_inbox or bool(order.channel_source)

    @api.depends("is_inbox")
    def _compute_inbox_state(self):
        for order in self:
            if not order.is_inbox:
                order.inbox_state = False
            elif not order.inbox_state:
                order.inbox_state = "cancelled" if order.state == "cancel" else "new"

    @api.depends(
        "is_inbox",
        "order_line.product_uom_qty",
        "order_line.allocation_ids.product_qty",
        "order_line.allocation_ids.purchase_line_id.state",
    )
    def _compute_channel_to_order(self):
        for order in self:
            order.channel_to_order = bool(order.is_inbox) and any(
                line.product_uom_id.compare(line._channel_qty_to_plan(), 0) > 0
                for line in order._channel_product_lines()
            )

    @api.private
    def _channel_past_ship(self):
        """Ship has ordered (some of) this order from distributors already."""
        self.ensure_one()
        return self.inbox_state in PROGRESS_STATES or bool(
            self.sudo().channel_purchase_ids.filtered(lambda po: po.state != "cancel")
        )

    def _compute_channel_purchase_count(self):
        counts = dict(
            self.env["purchase.order"]._read_group(
                [("channel_sale_id", "in", self.ids)], ["channel_sale_id"], ["__count"]
            )
        )
        for order in self:
            order.channel_purchase_count = counts.get(order, 0)

    @api.depends(
        "allocation_ids.distributor_id",
        "allocation_ids.product_qty",
        "allocation_ids.unit_cost",
        "order_line.product_id",
    )
    def _compute_plan_costs(self):
        for order in self:
            goods = sum(order.allocation_ids.mapped("subtotal_cost"))
            groups = order._channel_allocation_groups()
            order.plan_freight = sum(order._channel_freight_by_distributor(groups).values())
            order.plan_charges = sum(order._channel_small_order_by_distributor(groups).values())
            order.plan_total_cost = goods + order.plan_freight + order.plan_charges

    @api.depends("amount_untaxed", "plan_total_cost")
    def _compute_margin_percent(self):
        for order in self:
            if order.amount_untaxed and order.plan_total_cost:
                order.margin_percent = (
                    (order.amount_untaxed - order.plan_total_cost) / order.amount_untaxed * 100
                )
            else:
                order.margin_percent = 0.0

    @api.private
    def _channel_allocation_groups(self):
        """{distributor: [(engine Product, qty, unit cost)]}: the allocations as they stand, one shipment
        per distributor."""
        self.ensure_one()
        allocations = self.allocation_ids
        if not allocations:
            return {}
        products = allocations.line_id.product_id._channel_engine_products()
        groups = defaultdict(list)
        for allocation in allocations:
            groups[allocation.distributor_id].append(
                (
                    products[allocation.line_id.product_id.id],
                    to_decimal(allocation.product_qty),
                    to_decimal(allocation.unit_cost),
                )
            )
        return groups

    @api.private
    def _channel_small_order_by_distributor(self, groups=None):
        """{distributor: small-order charge} for the allocations as they stand: the engine's rule (the
        planner's and Ship's), the charge when a distributor's goods are below its threshold — both in
        this order's currency, converted as the planner converts them."""
        self.ensure_one()
        groups = self._channel_allocation_groups() if groups is None else groups
        date = fields.Date.context_today(self)
        charges = {}
        for partner, items in groups.items():
            rule = partner._channel_engine_distributor(self.currency_id, self.company_id, date).small_order
            goods = sum((qty * cost for _product, qty, cost in items), Decimal(0))
            charges[partner] = float(small_order_charge(rule, goods))
        return charges

    @api.private
    def _channel_freight_by_distributor(self, groups=None):
        """{distributor: freight} for the allocations as they stand, by each distributor's own rule, in
        this order's currency."""
        self.ensure_one()
        groups = self._channel_allocation_groups() if groups is None else groups
        date = fields.Date.context_today(self)
        freight = {}
        for partner, items in groups.items():
            try:
                amount = partner._channel_freight_amount(items, self.currency_id, self.company_id, date)
                freight[partner] = float(amount or 0)
            except UserError:
                freight[partner] = 0.0  # a broken freight rule is reported by planning, not by a total
        return freight

    # ------------------------------------------------------------------------------ arrival

    @api.model_create_multi
    def create(self, vals_list):
        # An order loaded through Odoo's import (base_import sets `import_file`) is an ERP/CRM import.
        if self.env.context.get("import_file"):
            for vals in vals_list:
                vals.setdefault("channel_source", "import")
        return super().create(vals_list)

    @api.model
    def get_import_templates(self):
        return [
            {
                "label": self.env._("Import Template for the Orders Inbox"),
                "template": "/channel_fulfilment/static/xls/orders_inbox_import.xlsx",
            },
            *super().get_import_templates(),
        ]

    def _action_confirm(self):
        # Runs before sale_stock's override (this module depends on it): a quotation that becomes an
        # inbox order is marked before procurement would start, so procurement waits for Ship.
        company_quotes = self.filtered(
            lambda o: (
                not o.is_inbox
                and o.company_id.channel_inbox_quotations
                and o._channel_has_distributor_products()
            )
        )
        if company_quotes:
            company_quotes.write({"channel_source": "quotation", "is_inbox": True})
        return super()._action_confirm()

    def _action_cancel(self):
        res = super()._action_cancel()
        self.filtered("is_inbox").write({"inbox_state": "cancelled"})
        return res

    @api.private
    def _channel_has_distributor_products(self):
        self.ensure_one()
        products = self._channel_product_lines().product_id
        if not products:
            return False
        return bool(
            self.env["product.supplierinfo"].search_count(
                [("is_distributor_line", "=", True), ("product_tmpl_id", "in", products.product_tmpl_id.ids)],
                limit=1,
            )
        )

    @api.private
    def _channel_product_lines(self):
        """The lines a distributor ships: goods, not sections, notes, services or down payments."""
        return self.order_line.filtered(
            lambda line: not line.display_type and not line.is_downpayment and line.product_id.type == "consu"
        )

    @api.private
    def _channel_store_key(self):
        """What a touchless rule's store list matches: the store id, else 'quotation' or 'import'."""
        self.ensure_one()
        return self.channel_store or self.channel_source or ""

    # ------------------------------------------------------------------------------ review

    def action_send_to_review(self, reason=None):
        reason = reason or self.env._("Sent to review by %s.", self.env.user.name)
        for order in self:
            if order.inbox_state not in OPEN_STATES:
                raise UserError(self.env._("%s is past Ship: it cannot go back to review.", order.name))
            order.write({"is_inbox": True, "inbox_state": "review", "review_reason": reason})
        return True

    @api.private
    def _channel_review(self, reason, codes=()):
        """Send to review with the reason in words and the codes that name it (REVIEW_CODES)."""
        self._channel_add_review_codes(codes)
        self.write({"is_inbox": True, "inbox_state": "review", "review_reason": reason})

    @api.private
    def _channel_drop_review_codes(self, codes):
        for order in self:
            kept = [code for code in (order.review_codes or "").split() if code not in codes]
            if kept != (order.review_codes or "").split():
                order.review_codes = " ".join(kept) or False

    @api.private
    def _channel_add_review_codes(self, codes):
        """Add review codes (kept once each, in REVIEW_CODES order); an unknown code is a programming
        error, not something to store."""
        unknown = set(codes) - set(REVIEW_CODES)
        if unknown:
            raise ValueError(f"unknown review codes: {sorted(unknown)}")
        for order in self:
            present = set((order.review_codes or "").split()) | set(codes)
            order.review_codes = " ".join(code for code in REVIEW_CODES if code in present) or False

    def action_mark_ready(self):
        """Ready to ship as planned: what Ship would refuse (sale_order_review.py) is refused here too, and
        a rule's verdict on money stays for a manager's Approve."""
        for order in self:
            if order.inbox_state not in OPEN_STATES:
                raise UserError(self.env._("%s is past Ship already.", order.name))
            order._channel_refuse_unshippable()
            missing = order._channel_unallocated_lines()
            if missing:
                raise UserError(
                    self.env._(
                        "%(order)s: choose a distributor for %(lines)s first.",
                        order=order.name,
                        lines=", ".join(missing.mapped(lambda line: line.product_id.display_name)),
                    )
                )
            order._channel_drop_review_codes(PLAN_CODES + VERDICT_CODES)
            order.write({"inbox_state": "ready", "review_reason": False, "channel_plan_reason": False})
        return True

    @api.private
    def _channel_unallocated_lines(self):
        """Product lines whose quantity still to order is not fully covered by allocations."""
        self.ensure_one()
        return self._channel_product_lines().filtered(
            lambda line: (
                line.product_uom_id.compare(
                    sum(line.allocation_ids.mapped("product_qty")), line.product_uom_qty
                )
                < 0
            )
        )

    # ------------------------------------------------------------------------------ touchless

    @api.private
    def _channel_touchless_verdict(self):
        """(True, "", []) when a rule lets this order ship untouched, else (False, the reason in words,
        the review codes naming it)."""
        self.ensure_one()
        env = self.env
        rules = env["channel.fulfilment.rule"].search([("company_id", "=", self.company_id.id)])
        rule = next((rule for rule in rules if rule._applies_to(self)), None)
        if rule is None:
            store = self._channel_store_key() or env._("this source")
            return False, env._("No touchless rule covers orders from %s.", store), ["rule_review"]
        failures = rule._failed_conditions(self) + self._channel_price_moves_since_feed()
        if failures:
            reason = env._(
                "Rule “%(rule)s”: %(failures)s.",
                rule=rule.name,
                failures="; ".join(text for _code, text in failures),
            )
            return False, reason, [code for code, _text in failures]
        if rule.action == "review":
            return False, env._("Rule “%s” sends these orders to review.", rule.name), ["rule_review"]
        return True, "", []

    @api.private
    def _channel_price_moves_since_feed(self):
        """[("price_moved", words)] for each planned cost a distributor quoted live that is above its feed
        price by more than the company's price tolerance: nobody has seen that cost yet, so no order ships
        at it untouched. Costs a person edited, and live costs at or under the feed's, are not moves."""
        self.ensure_one()
        tolerance = self.company_id.channel_price_tolerance / 100
        moves = []
        for allocation in self._channel_product_lines()._channel_open_allocations():
            supplier = allocation.supplierinfo_id
            if allocation.source != "realtime" or not supplier or allocation.line_id.cost_edited:
                continue
            feed = supplier.currency_id._convert(
                supplier.price,
                self.currency_id,
                self.company_id,
                fields.Date.context_today(self),
                round=False,
            )
            if feed and allocation.unit_cost > feed * (1 + tolerance):
                moves.append(
                    (
                        "price_moved",
                        self.env._(
                            "%(dist)s's live price for %(product)s is %(live)s, the feed's %(feed)s "
                            "(+%(pct).1f %%, tolerance %(tol)s %%)",
                            dist=allocation.distributor_id.name,
                            product=allocation.product_id.display_name,
                            live=self.currency_id.format(allocation.unit_cost),
                            feed=self.currency_id.format(feed),
                            pct=(allocation.unit_cost / feed - 1) * 100,
                            tol=self.company_id.channel_price_tolerance,
                        ),
                    )
                )
        return moves

    @api.private
    def _channel_process_touchless(self):
        """Plan a new order, then ship it when a rule allows, else send it to review with the reason."""
        self.ensure_one()
        if self._channel_touchless_triage():
            self._channel_ship()

    @api.private
    def _channel_touchless_triage(self):
        """Plan a new order and apply the rules: True when it may ship untouched; otherwise it went to
        review with the reason (or was not new)."""
        self.ensure_one()
        if self.inbox_state != "new":
            return False
        self.action_plan()
        if self.inbox_state != "ready":
            return False  # planning sent it to review, with the reason
        allowed, reason, codes = self._channel_touchless_verdict()
        if not allowed:
            self._channel_review(reason, codes)
        return allowed

    @api.model
    def _cron_process_inbox(self, batch_size=INBOX_BATCH_SIZE):
        """Process new inbox orders in batches: each order planned and judged in its own savepoint (one bad
        order blocks nothing), then the batch's shippable orders shipped together (_channel_ship_batch,
        which falls back to one savepoint per order should the batch fail)."""
        cron = self.env["ir.cron"]
        domain = Domain("is_inbox", "=", True) & Domain("inbox_state", "=", "new")
        seen = []
        while True:
            orders = self.search(domain & Domain("id", "not in", seen), order="id", limit=batch_size)
            if not orders:
                break
            to_ship = self.browse()
            for order in orders:
                seen.append(order.id)
                try:
                    with self.env.cr.savepoint():
                        if order._channel_touchless_triage():
                            to_ship |= order
                except Exception as exc:
                    _logger.exception("inbox: processing %s failed", order.name)
                    order.invalidate_recordset()
                    with self.env.cr.savepoint():
                        order._channel_review(
                            self.env._("Automatic processing failed: %s", str(exc) or exc.__class__.__name__),
                            ["plan_failed"],
                        )
            if to_ship:
                to_ship._channel_ship_batch()
            remaining = self.search_count(domain & Domain("id", "not in", seen))
            if not cron._commit_progress(len(orders), remaining=remaining):
                return  # out of time: the next run continues
        self._channel_sweep_progress()
