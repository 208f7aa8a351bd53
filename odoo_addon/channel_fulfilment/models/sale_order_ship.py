"""Ship and Invoice: Odoo's own drop-ship procurement with the planned distributor forced per line.

Ship confirms the order on the drop-ship route and releases the procurement that confirmation held
back; purchase_stock then makes one purchase order per distributor (dest_address_id = the delivery
address, PO lines linked to the sale lines, drop-ship pickings), its lines at the planned or edited
costs (purchase would re-price them through _select_seller). Ship adds the distributors' freight and
small-order charges, confirms the POs and schedules their sending after this transaction commits.
Several orders ship as one batch: one run of the stock rules, one confirmation of all the POs.
"""

import logging

import psycopg2.errors
from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Command
from odoo.tools import SQL

from fulfilment_engine.domain import Offer
from fulfilment_engine.errors import FulfilError

from .engine_bridge import live_offers, to_decimal
from .odoo_retry import RETRIED_BY_ODOO, quiet_sql_errors
from .sale_order import AFTER_SHIP_CODES, OPEN_STATES, PLAN_CODES, UNSENT_PO_STATES, VERDICT_CODES
from .sale_order_plan import PlanBatch

_logger = logging.getLogger(__name__)


class ShipInProgress(UserError):
    """Another transaction holds the order's row: it is being shipped there."""


class ShipRefused(UserError):
    """The order may not ship as it stands: `codes` name why, `reason` says it in words, and the message
    adds what resolves it."""

    def __init__(self, message, codes, reason):
        super().__init__(message)
        self.codes = list(codes)
        self.reason = reason


class SaleOrder(models.Model):
    _inherit = "sale.order"

    def action_ship(self):
        """The Ship button: one confirmed drop-ship purchase order per distributor, sent after commit.

        On several orders (the list's Ship), they ship together, and one order that cannot ship does
        not stop the others: it goes to review with the reason.
        """
        self._channel_ship()
        return True

    @api.private
    def _channel_lock(self):
        """Lock these orders' rows, or fail at once when another transaction is shipping one of them.

        Odoo runs transactions in REPEATABLE READ: if the other one commits first, our lock raises a
        serialization failure instead, and Odoo retries the request from the start, which then sees
        the purchase orders and creates nothing. Either way, one Ship wins and the other changes nothing.
        A batch is locked in one statement; when a row is taken, order by order (in id order) finds it.
        """
        if not (len(self) > 1 and self._channel_try_lock()):
            for order in self.sorted("id"):
                if not order._channel_try_lock():
                    raise ShipInProgress(
                        self.env._(
                            "%s is being shipped in another session right now: nothing was done twice.",
                            order.name,
                        )
                    )
        self.invalidate_recordset()

    @api.private
    def _channel_try_lock(self):
        """Lock these rows in id order, without waiting: False when another transaction holds one."""
        try:
            # A refused lock is an expected outcome, not a broken query: keep it out of the error log.
            with quiet_sql_errors(), self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    SQL(
                        "SELECT id FROM sale_order WHERE id IN %s ORDER BY id FOR UPDATE NOWAIT",
                        tuple(self.ids),
                    )
                )
        except psycopg2.errors.LockNotAvailable:
            return False
        return True

    @api.private
    def _channel_plan_to_ship(self, later=None, batch=None):
        """Check this order (locked: _channel_lock) can ship now, planning it first when new; False when
        there is nothing to do (shipped already) or it went to review, with the reason; True: on to
        _channel_check_planned once the plan's allocations are written (with `batch`, a PlanBatch, they
        wait for its apply()). Notes wait in `later` when given (_channel_note)."""
        self.ensure_one()
        env = self.env
        if not self.is_inbox:
            raise UserError(env._("%s is not an Orders Inbox order.", self.name))
        if self.inbox_state not in OPEN_STATES:
            return False  # shipped already (a second click, or a retry)
        # What cannot be delivered, is not what the customer paid, or waits for a manager never ships,
        # whoever clicks: refused with the reason and what resolves it (sale_order_review.py).
        self._channel_refuse_unshippable()
        lines = self._channel_product_lines()
        if not lines:
            raise UserError(env._("%s has no goods to ship.", self.name))
        if not any(line._channel_qty_to_plan() for line in lines):
            # Everything is ordered already: a second click, or a person done with a review that a
            # distributor's document asked for after Ship. The order resumes where its POs stand.
            if self.inbox_state == "review":
                self._channel_resume()
            return False
        # An order planned already goes on; a new one once planned, unless planning sent it to review.
        return any(line._channel_open_allocations() for line in lines) or self._channel_plan(
            later=later, batch=batch
        )

    @api.private
    def _channel_check_planned(self, later=None):
        """After _channel_plan_to_ship, once the plan's allocations are written: False (the order went to
        review, with the reason) unless every line has its distributors and the live check (when on)
        finds prices and stock as planned."""
        self.ensure_one()
        env = self.env
        missing = self._channel_unallocated_lines()
        if missing:
            self._channel_review(
                env._("No distributor chosen for %s.", ", ".join(missing.mapped("product_id.display_name"))),
                ["no_stock"],
            )
            return False
        moved = self._channel_recheck_live()
        if moved:
            self._channel_propose_after_recheck(moved, later=later)
            return False
        return True

    @api.private
    def _channel_propose_after_recheck(self, moved, later=None):
        """The live check just before ordering found prices moved or stock gone ([(code, words)]): plan
        again on the live figures and put the order in review with what moved and what is proposed
        instead, its cost stated — one click (Ship as planned) orders it."""
        self.ensure_one()
        codes = [code for code, _text in moved]
        lines = [text for _code, text in moved]
        if "plan_failed" not in codes:
            self._channel_plan(later=later)
            if self.inbox_state == "review" and self.review_reason:
                lines.append(self.review_reason)
            proposal = self._channel_proposal_text()
            if proposal and not self._channel_unallocated_lines():
                lines.append(proposal)
        self._channel_review("\n".join(lines), codes)

    @api.private
    def _channel_ship(self):
        """Ship these orders; returns the purchase orders created (none when nothing was to do).

        One order ships as one unit of work: whatever goes wrong is raised to the person who clicked.
        Several orders ship together (_channel_ship_together: every one planned and checked, then one
        run of the stock rules, one confirmation of all their purchase orders), inside one savepoint.
        Should anything fail there, that savepoint is rolled back and the orders ship one by one, each
        in its own savepoint: an order that fails on its own goes to review with the reason, and the
        rest of the batch ships.
        """
        if len(self) <= 1:
            return self._channel_ship_together()
        return self._channel_ship_batch()

    @api.private
    def _channel_ship_batch(self):
        """Ship these orders together; an order that cannot ship goes to review and the others ship
        (see _channel_ship). Never raises for one order's sake: the inbox cron ships this way."""
        orders = self.filtered("is_inbox")  # anything else selected with them is not the inbox's to ship
        if not orders:
            return self.env["purchase.order"]
        if len(orders) > 1:
            try:
                with self.env.cr.savepoint():
                    return orders._channel_ship_together()
            except RETRIED_BY_ODOO:
                raise  # a concurrent transaction won: Odoo retries the whole request
            except Exception:
                _logger.info("Ship: %s orders failed together; shipping them one by one", len(orders))
        purchases = self.env["purchase.order"]
        for order in orders:
            try:
                with self.env.cr.savepoint():
                    purchases |= order._channel_ship_together()
            except RETRIED_BY_ODOO:
                raise
            except ShipInProgress:
                _logger.info("Ship: %s is being shipped in another session; skipped", order.name)
            except ShipRefused as refused:
                # Its reason stays as it is (or says why, for a ready order found wanting): never
                # replaced by a technical sentence.
                _logger.info("Ship: %s refused: %s", order.name, refused)
                order.invalidate_recordset()
                missing = set(refused.codes) - set((order.review_codes or "").split())
                if missing or order.inbox_state != "review":
                    with self.env.cr.savepoint():
                        order._channel_review(refused.reason, refused.codes)
            except Exception as exc:
                if isinstance(exc, UserError):
                    _logger.info("Ship: %s cannot ship: %s", order.name, exc)
                else:
                    _logger.exception("Ship: shipping %s failed", order.name)
                order.invalidate_recordset()
                with self.env.cr.savepoint():
                    order._channel_review(
                        self.env._("Ship failed: %s", str(exc) or exc.__class__.__name__), ["ship_failed"]
                    )
        return purchases

    @api.private
    def _channel_ship_together(self):
        """Plan and check every order (all locked first, in id order), then procure
        them in one run of the stock rules and confirm all their purchase orders together: the batch
        costs what Odoo's own confirmation of as many orders costs, plus confirming the POs."""
        env = self.env
        orders = self.sorted("id")
        orders._channel_lock()
        # What each order's checks and plan read line by line, read once for the batch.
        orders.order_line.allocation_ids.purchase_line_id.mapped("state")
        orders.order_line.mapped("channel_excluded_distributor_ids")
        orders.order_line.product_id.mapped("display_name")  # the notes' product names
        notes = []  # the plans' notes, posted together
        # Every order checked and planned, the plans' allocations and line values written together,
        # then each planned order checked against its allocations.
        batch = PlanBatch(orders)
        planned = [order for order in orders if order._channel_plan_to_ship(later=notes, batch=batch)]
        batch.apply()
        ready = self.browse([order.id for order in planned if order._channel_check_planned(later=notes)])
        self._channel_post_notes(notes)
        if not ready:
            return env["purchase.order"]
        # Writing the rows makes a concurrent Ship that read them before us fail on its lock.
        ready.write({"ship_requested_at": fields.Datetime.now()})
        quotations = ready.filtered(lambda order: order.state in ("draft", "sent"))
        if quotations:
            quotations.action_confirm()  # procurement stays held: the orders are still open in the inbox
        lines = ready._channel_product_lines()
        dropship = env.ref("stock_dropshipping.route_drop_shipping")
        lines.filtered(lambda line: line.route_ids != dropship).write(
            {"route_ids": [Command.set(dropship.ids)]}
        )
        before = lines.purchase_line_ids
        locked = ready.filtered("locked")
        locked.locked = False  # sale_stock does not procure for locked orders
        # One run of the stock rules for the whole batch; the planned cost goes onto each new PO line
        # as purchase creates it (purchase_order_line.py), the planned distributor is forced per line.
        lines.with_context(channel_release_procurement=True)._action_launch_stock_rule()
        locked.locked = True
        new_lines = lines.purchase_line_ids - before
        for order in ready - new_lines.sale_line_id.order_id:
            order.action_send_to_review(
                env._(
                    "Odoo created no purchase order: check the drop-ship route and the distributors' "
                    "vendor lines."
                )
            )
        purchases = new_lines.order_id
        if not purchases:
            return purchases
        new_lines._channel_apply_costs()
        for order, order_purchases in purchases.grouped(
            lambda po: po.order_line.sale_line_id.order_id[:1]
        ).items():
            order_purchases.channel_sale_id = order
        purchases._channel_add_charges()
        purchases._channel_confirm()
        notes = []
        for order, order_purchases in purchases.grouped("channel_sale_id").items():
            order._channel_post_ship(order_purchases, later=notes)
        self._channel_post_notes(notes)
        # Sending until every purchase order has reached its distributor (the send cron, after commit).
        purchases.channel_sale_id._channel_drop_review_codes(PLAN_CODES + VERDICT_CODES + AFTER_SHIP_CODES)
        purchases.channel_sale_id.write(
            {"inbox_state": "sending", "review_reason": False, "channel_plan_reason": False}
        )
        return purchases

    @api.private
    def _channel_resume_after_send(self):
        """An order in review only because a purchase order could not be sent (`ship_failed`) resumes once
        every purchase order has reached its distributor: a person sent it again, nothing else to see."""
        for order in self.filtered(lambda o: o.inbox_state == "review" and o.review_codes == "ship_failed"):
            purchases = order.channel_purchase_ids.filtered(lambda po: po.state != "cancel")
            if not any(po.channel_send_state in UNSENT_PO_STATES for po in purchases):
                order._channel_drop_review_codes(["ship_failed"])
                order.write({"inbox_state": "ready", "review_reason": False})

    @api.private
    def _channel_recheck_live(self):
        """With real-time checking on, ask again just before ordering: [(review code, words)] for what
        sends the order to review (a price moved beyond the tolerance, stock vanished); empty: ship."""
        company = self.company_id
        config = company.sudo().channel_engine_config  # a manager's setting, read for the user shipping
        if not (company.channel_realtime_check and config):
            return []
        allocations = self._channel_product_lines()._channel_open_allocations()
        products = allocations.line_id.product_id._channel_engine_products()
        offers = []
        for allocation in allocations:
            sku = products[allocation.line_id.product_id.id].sku
            supplier = allocation.supplierinfo_id
            offers.append(
                Offer(
                    distributor=allocation.distributor_id._channel_engine_key(),
                    sku=sku,
                    stock=supplier.distributor_stock if supplier else 0,
                    cost=to_decimal(allocation.unit_cost, 4),
                    distributor_sku=supplier.product_code or sku if supplier else sku,
                )
            )
        try:
            refreshed = live_offers(offers, config, self.currency_id.name)
        except (OSError, ValueError, FulfilError) as exc:
            return [("plan_failed", self.env._("The real-time check could not run: %s", exc))]
        tolerance = company.channel_price_tolerance / 100
        reasons = []
        for allocation, live in zip(allocations, refreshed, strict=True):
            if live.source != "realtime":
                continue  # no live answer: the plan's figure stands
            name = allocation.distributor_id.name
            product = allocation.line_id.product_id.display_name
            if live.stock < allocation.product_qty:
                reasons.append(
                    (
                        "no_stock",
                        self.env._(
                            "%(dist)s now has %(stock)s of %(product)s in stock (%(qty)s planned).",
                            dist=name,
                            stock=live.stock,
                            product=product,
                            qty=allocation.product_qty,
                        ),
                    )
                )
            planned = allocation.unit_cost
            if (
                not allocation.line_id.cost_edited
                and planned
                and float(live.cost) > planned * (1 + tolerance)
            ):
                reasons.append(
                    (
                        "price_moved",
                        self.env._(
                            "%(dist)s's price for %(product)s moved from %(old)s to %(new)s "
                            "(+%(pct).1f %%, tolerance %(tol)s %%).",
                            dist=name,
                            product=product,
                            old=self.currency_id.format(planned),
                            new=self.currency_id.format(float(live.cost)),
                            pct=(float(live.cost) / planned - 1) * 100,
                            tol=company.channel_price_tolerance,
                        ),
                    )
                )
        return reasons

    # ------------------------------------------------------------------------------ invoice

    def action_invoice(self):
        """The Invoice button: the customer invoice for what was ordered or dispatched (company setting)."""
        invoices = self._channel_invoice()
        if not invoices:
            raise UserError(
                self.env._("There is nothing to invoice on %s yet.", ", ".join(self.mapped("name")))
            )
        return self.action_view_invoice(invoices)

    @api.private
    def _channel_invoice(self):
        """Create and post the customer invoices through sale's own _create_invoices()."""
        orders = self.filtered(lambda o: o.state == "sale" and o.invoice_status == "to invoice")
        if not orders:
            return self.env["account.move"]
        invoices = orders._create_invoices()
        invoices.action_post()
        for order in orders:
            order._channel_post_invoices(invoices)
        orders._channel_update_progress()
        return invoices
