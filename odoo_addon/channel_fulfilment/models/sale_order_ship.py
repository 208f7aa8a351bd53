"""Ship and Invoice: Odoo's own drop-ship procurement with the planned distributor forced per line.

Ship confirms the order on the drop-ship route and releases the procurement that confirmation held
back; purchase_stock then makes one purchase order per distributor (dest_address_id = the delivery
address, PO lines linked to the sale lines, drop-ship pickings). Ship writes the planned or edited
costs back on those lines (purchase re-prices through _select_seller), adds the distributors' freight
and small-order charges, confirms the POs and schedules their sending after this transaction commits.
"""

import psycopg2.errors
from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Command
from odoo.tools import SQL, mute_logger

from fulfilment_engine.domain import Offer
from fulfilment_engine.errors import FulfilError

from .engine_bridge import live_offers, to_decimal
from .sale_order import OPEN_STATES


class SaleOrder(models.Model):
    _inherit = "sale.order"

    def action_ship(self):
        """The Ship button: one confirmed drop-ship purchase order per distributor, sent after commit."""
        self._channel_ship()
        return True

    @api.private
    def _channel_lock(self):
        """Lock this order's row, or fail at once when another transaction is shipping it.

        Odoo runs transactions in REPEATABLE READ: if the other one commits first, our lock raises a
        serialization failure instead, and Odoo retries the request from the start, which then sees
        the purchase orders and creates nothing. Either way, one Ship wins and the other changes nothing.
        """
        self.ensure_one()
        try:
            # A refused lock is an expected outcome, not a broken query: keep it out of the error log.
            with mute_logger("odoo.sql_db"), self.env.cr.savepoint(flush=False):
                self.env.cr.execute(SQL("SELECT id FROM sale_order WHERE id = %s FOR UPDATE NOWAIT", self.id))
        except psycopg2.errors.LockNotAvailable:
            raise UserError(
                self.env._(
                    "%s is being shipped in another session right now: nothing was done twice.", self.name
                )
            ) from None
        self.invalidate_recordset()

    @api.private
    def _channel_ready_to_ship(self):
        """Lock the order and check it can ship now (planning it first when new); False when there is
        nothing to do (shipped already) or it went to review, with the reason."""
        self.ensure_one()
        env = self.env
        self._channel_lock()
        if not self.is_inbox:
            raise UserError(env._("%s is not an Orders Inbox order.", self.name))
        if self.inbox_state not in OPEN_STATES:
            return False  # shipped already (a second click, or a retry)
        lines = self._channel_product_lines()
        if not lines:
            raise UserError(env._("%s has no goods to ship.", self.name))
        if not any(line._channel_qty_to_plan() for line in lines):
            return False
        if not any(line._channel_open_allocations() for line in lines) and not self._channel_plan():
            return False  # planning sent it to review
        missing = self._channel_unallocated_lines()
        if missing:
            self.action_send_to_review(
                env._("No distributor chosen for %s.", ", ".join(missing.mapped("product_id.display_name")))
            )
            return False
        moved = self._channel_recheck_live()
        if moved:
            self.action_send_to_review(moved)
            return False
        return True

    @api.private
    def _channel_ship(self):
        """Ship these orders together; returns the purchase orders created (none when nothing was to do).

        The orders are checked one by one (locked in id order, so two batches never deadlock), then
        procured in one run of the stock rules and their purchase orders confirmed together: the
        batch costs what Odoo's own confirmation of as many orders costs, plus confirming the POs.
        """
        env = self.env
        ready = self.browse([order.id for order in self.sorted("id") if order._channel_ready_to_ship()])
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
        purchases.button_confirm()
        purchases._channel_mark_to_send()
        purchases.channel_sale_id.write({"inbox_state": "ready", "review_reason": False})
        return purchases

    @api.private
    def _channel_recheck_live(self):
        """With real-time checking on, ask again just before ordering; the reason in words when an order
        must go to review (a price moved beyond the tolerance, stock vanished), else ""."""
        company = self.company_id
        if not (company.channel_realtime_check and company.channel_engine_config):
            return ""
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
            refreshed = live_offers(offers, company.channel_engine_config, self.currency_id.name)
        except (OSError, ValueError, FulfilError) as exc:
            return self.env._("The real-time check could not run: %s", exc)
        tolerance = company.channel_price_tolerance / 100
        reasons = []
        for allocation, live in zip(allocations, refreshed, strict=True):
            if live.source != "realtime":
                continue  # no live answer: the plan's figure stands
            name = allocation.distributor_id.name
            product = allocation.line_id.product_id.display_name
            if live.stock < allocation.product_qty:
                reasons.append(
                    self.env._(
                        "%(dist)s now has %(stock)s of %(product)s in stock (%(qty)s planned).",
                        dist=name,
                        stock=live.stock,
                        product=product,
                        qty=allocation.product_qty,
                    )
                )
            planned = allocation.unit_cost
            if (
                not allocation.line_id.cost_edited
                and planned
                and float(live.cost) > planned * (1 + tolerance)
            ):
                reasons.append(
                    self.env._(
                        "%(dist)s's price for %(product)s moved from %(old)s to %(new)s "
                        "(+%(pct).1f %%, tolerance %(tol)s %%).",
                        dist=name,
                        product=product,
                        old=self.currency_id.format(planned),
                        new=self.currency_id.format(float(live.cost)),
                        pct=(float(live.cost) / planned - 1) * 100,
                        tol=company.channel_price_tolerance,
                    )
                )
        return "\n".join(reasons)

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
        orders._channel_update_progress()
        return invoices
