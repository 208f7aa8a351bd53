"""Purchase orders with distributors that take them over their own API (Ingram Micro's Reseller API v6):
placing them, reading back their status, tracking and invoices, and cancelling them.

Placing runs in the send cron after Ship committed, like cXML, with its retries and back-off. The engine
places an order at most once (it searches Ingram for our PO number before every create and after an
answer that was lost), so a retry, a crash between sending and committing, or a second worker never makes a
second order. A scheduled action then reads each open order's status: confirmed and backordered quantities
with their dates on the PO lines, each shipment's carrier and tracking onto the drop-ship delivery through
the same shipment path a cXML ship notice takes, lines Ingram rejects or cancels through the cXML rejection
path, invoices through the cXML bill matcher. Every HTTP exchange is kept in the PO's call log.
"""

import logging
from datetime import timedelta

import httpx
from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain

from fulfilment_engine.distributors.orders import DistributorOrder, OrderLine, ShipTo
from fulfilment_engine.documents.model import Credential
from fulfilment_engine.errors import (
    DistributorOrderError,
    OrderNotFound,
    OrderRejected,
    OrderUnavailable,
)

from .engine_bridge import distributor_orders
from .purchase_order_send import API_CHANNELS

_logger = logging.getLogger(__name__)

POLL_BATCH = 50


class PurchaseOrder(models.Model):
    _inherit = "purchase.order"

    channel_call_ids = fields.One2many("channel.distributor.call", "purchase_id", string="API calls")
    channel_polled_at = fields.Datetime(string="Status read", copy=False, readonly=True)
    channel_late_warned = fields.Boolean(string="Warned: late", copy=False, readonly=True)

    # ------------------------------------------------------------------------------ the client

    @api.private
    def _channel_api_client(self, http):
        """The distributor's order client (fulfil.toml `[distributors.orders]`, the company's engine
        config); a UserError naming what is missing when there is none."""
        self.ensure_one()
        partner = self.partner_id.commercial_partner_id
        path = self.company_id.sudo().channel_engine_config  # a manager's setting, read for any user
        client = distributor_orders(path, partner.engine_id, http) if path and partner.engine_id else None
        if client is None:
            raise UserError(
                self.env._(
                    "%(dist)s takes orders over its API, but fulfil.toml (%(path)s) has no "
                    "[distributors.orders] (or ingram_v6 [distributors.realtime]) for engine id %(id)s.",
                    dist=partner.name,
                    path=path or self.env._("not set in Settings"),
                    id=partner.engine_id or "?",
                )
            )
        return client

    @api.private
    def _channel_keep_calls(self, records):
        """The exchanges of one call into the PO's log."""
        self.ensure_one()
        self.env["channel.distributor.call"]._channel_keep(self, records)

    # ------------------------------------------------------------------------------ placing

    @api.private
    def _channel_distributor_order(self):
        """This PO as the engine places it: our number, the store's order number, the drop-ship address,
        a line per goods line with the distributor's part number."""
        self.ensure_one()
        partner = self.partner_id
        goods = self.order_line.filtered(
            lambda pol: not pol.display_type and pol.product_id.type == "consu" and pol.product_qty > 0
        )
        vendor_lines = self.env["product.supplierinfo"]._channel_lines_for(goods.product_id, partner)
        lines = []
        for line in goods.sorted("channel_line_number"):
            supplier = vendor_lines.get((line.product_id.id, partner.id))
            part = (supplier.product_code if supplier else "") or line.product_id.default_code or ""
            lines.append(OrderLine(line.channel_line_number, part, round(line.product_qty)))
        address = (
            self.dest_address_id or self.picking_type_id.warehouse_id.partner_id or self.company_id.partner_id
        )
        company = address.commercial_company_name or address.parent_id.name or ""
        return DistributorOrder(
            order_number=self.name,
            end_customer_order_number=self.channel_sale_id.client_order_ref or "",
            ship_to=ShipTo(
                company_name=company or address.name or "",
                contact=address.name if company and address.name != company else (address.name or ""),
                address_lines=tuple(s for s in (address.street, address.street2) if s),
                city=address.city or "",
                state=address.state_id.code or "",
                postal_code=address.zip or "",
                country_code=address.country_id.code or "",
                phone=address.phone or "",
                email=address.email or "",
            ),
            lines=tuple(lines),
        )

    @api.private
    def _channel_send_api(self):
        """Place this PO over the distributor's API (called by _channel_send)."""
        self.ensure_one()
        attempts = self.channel_send_attempts + 1
        try:
            with httpx.Client(follow_redirects=False) as http:
                reply = self._channel_api_client(http).place_order(self._channel_distributor_order())
        except OrderRejected as exc:  # Ingram's words naming the field: a person must fix it, no retry
            self._channel_keep_calls(exc.records)
            why = self.env._("%(dist)s refused the order: %(why)s", dist=self.partner_id.name, why=exc.reason)
            self._channel_fail_for_good(attempts, why)
            return
        except OrderUnavailable as exc:  # a lost answer included: the next attempt searches first
            self._channel_keep_calls(exc.records)
            self._channel_retry_later(attempts, str(exc), exc.retry_after_s)
            return
        except DistributorOrderError as exc:
            self._channel_keep_calls(exc.records)
            self._channel_fail_for_good(attempts, str(exc))
            return
        except UserError as exc:  # no account for it in fulfil.toml
            self._channel_fail_for_good(attempts, str(exc))
            return
        self._channel_keep_calls(reply.records)
        placed = reply.value
        self.write(
            {
                "partner_ref": ", ".join(placed.order_numbers) or self.partner_ref,
                "channel_send_state": "sent",
                "channel_send_attempts": attempts,
                "channel_last_error": False,
                "channel_next_attempt_at": False,
            }
        )
        how = (
            self.env._("found at %s (an earlier attempt had reached it)")
            if placed.adopted
            else self.env._("placed with %s")
        )
        self.message_post(
            body=self.env._(
                "Order %(numbers)s %(how)s.",
                numbers=", ".join(placed.order_numbers) or "—",
                how=how % self.partner_id.name,
            )
        )
        self._channel_apply_line_states(placed.lines)
        if placed.rejected:
            self._channel_api_rejections(
                {
                    line.line_number: (line.quantity, f"{line.code} {line.reason}".strip())
                    for line in placed.rejected
                }
            )

    # ------------------------------------------------------------------------------ status

    @api.model
    @api.private
    def _channel_open_api_domain(self):
        return (
            Domain("partner_id.po_channel", "in", list(API_CHANNELS))
            & Domain("state", "=", "purchase")
            & Domain("channel_send_state", "in", ["sent", "accepted"])
            & Domain("partner_ref", "!=", False)
        )

    @api.model
    def _cron_poll_distributor_orders(self):
        self.browse()._channel_poll_distributor_orders()

    @api.private
    def _channel_poll_distributor_orders(self):
        """Read the status, tracking and invoices of these API purchase orders (none: every open one) —
        only those not yet fully delivered and billed; each in its own savepoint; an account that is
        rate limited or down is left until the next run."""
        orders = self or self.search(self._channel_open_api_domain(), order="channel_polled_at asc, id")
        orders = orders.filtered_domain(self._channel_open_api_domain())
        resting = set()  # accounts that asked us to wait
        done = 0
        for order in orders:
            if order.partner_id.commercial_partner_id in resting:
                continue
            if order._channel_delivered_and_billed():
                continue
            try:
                with self.env.cr.savepoint():
                    order._channel_poll_api()
            except OrderUnavailable as exc:
                resting.add(order.partner_id.commercial_partner_id)
                order._channel_keep_calls(exc.records)
                order.write({"channel_polled_at": fields.Datetime.now(), "channel_last_error": str(exc)})
            except Exception as exc:  # one order's problem never stops the others
                _logger.exception("reading %s at its distributor failed", order.name)
                order.write({"channel_polled_at": fields.Datetime.now(), "channel_last_error": str(exc)})
            done += 1
            if self.env.context.get("ir_cron_progress_id") and done % POLL_BATCH == 0:
                self.env["ir.cron"]._commit_progress(POLL_BATCH, remaining=len(orders) - done)
        return True

    @api.private
    def _channel_delivered_and_billed(self):
        self.ensure_one()
        pickings = self.picking_ids.filtered(lambda p: p.state != "cancel")
        delivered = bool(pickings) and all(p.state == "done" for p in pickings)
        return delivered and self._channel_fully_billed()

    @api.private
    def _channel_poll_api(self):
        self.ensure_one()
        with httpx.Client(follow_redirects=False) as http:
            client = self._channel_api_client(http)
            statuses = []
            for number in [n.strip() for n in (self.partner_ref or "").split(",") if n.strip()]:
                try:
                    reply = client.order_status(number)
                except DistributorOrderError as exc:
                    self._channel_keep_calls(exc.records)
                    if isinstance(exc, OrderNotFound):
                        self.message_post(
                            body=self.env._("%s does not know order %s.", self.partner_id.name, number)
                        )
                        continue
                    raise
                self._channel_keep_calls(reply.records)
                statuses.append(reply.value)
            lines = [line for status in statuses for line in status.lines]
            self._channel_apply_line_states(lines)
            cancelled = {}
            for po_line, state in self._channel_lines_by_number(lines):
                gone = po_line.product_qty - (0 if state.cancelled else state.ordered)
                if po_line.product_uom_id.compare(gone, 0.0) > 0:
                    cancelled[po_line.channel_line_number] = (
                        gone,
                        self.env._("cancelled by %s", self.partner_id.name),
                    )
            if cancelled:
                self._channel_api_rejections(cancelled)
            for status in statuses:
                for shipment in status.shipments:
                    self._channel_api_shipment(shipment)
            if any(p.state == "done" for p in self.picking_ids):
                self._channel_api_invoices(client)
        self.channel_polled_at = fields.Datetime.now()
        self._channel_check_late()

    @api.private
    def _channel_lines_by_number(self, states):
        by_number = {line.channel_line_number: line for line in self.order_line if line.channel_line_number}
        return [(by_number[s.line_number], s) for s in states if s.line_number in by_number]

    @api.private
    def _channel_apply_line_states(self, states):
        """Confirmed and backordered quantities with the estimated ship date on the PO lines; what changed
        said once in the chatter."""
        self.ensure_one()
        changes = []
        for po_line, state in self._channel_lines_by_number(states):
            values = {
                "channel_qty_confirmed": state.confirmed,
                "channel_qty_backordered": state.backordered,
                "channel_ship_date": state.estimated_ship_date or False,
            }
            current = {key: po_line[key] for key in values}
            if current != values:
                po_line.write(values)
                when = (
                    f", {self.env._('ship date')} {state.estimated_ship_date}"
                    if state.estimated_ship_date
                    else ""
                )
                changes.append(
                    self.env._(
                        "line %(n)s %(product)s: %(confirmed)s confirmed, %(back)s backordered%(when)s "
                        "(%(status)s)",
                        n=po_line.channel_line_number,
                        product=po_line.product_id.display_name,
                        confirmed=state.confirmed,
                        back=state.backordered,
                        when=when,
                        status=state.status,
                    )
                )
        if changes:
            self.message_post(body=self.env._("%s: ", self.partner_id.name) + "; ".join(changes) + ".")
        answered = any(s.confirmed or s.backordered for _l, s in self._channel_lines_by_number(states))
        if answered and self.channel_send_state == "sent":
            self.channel_send_state = "accepted"

    @api.private
    def _channel_api_rejections(self, rejected):
        """{line number: (quantity, words)} the distributor will not deliver → the cXML rejection path:
        off the PO, re-planned elsewhere, the order to review (distributor_rejected)."""
        self.ensure_one()
        problems, types, words = {}, {}, []
        for po_line in self.order_line:
            if po_line.channel_line_number in rejected:
                quantity, why = rejected[po_line.channel_line_number]
                problems[po_line] = float(quantity)
                types[po_line] = "reject"
                words.append(f"{po_line.channel_line_number}: {why}")
        if problems:
            self.channel_sale_id._channel_handle_rejections(
                self.with_context(channel_distributor_cancelled=True),
                problems,
                "reject",
                "; ".join(words),
                line_types=types,
            )

    @api.private
    def _channel_api_shipment(self, shipment):
        """One shipment onto the drop-ship delivery, once (its key is kept as the delivery's shipment id)."""
        self.ensure_one()
        if self.picking_ids.filtered(lambda p: p.channel_shipment_id == shipment.key):
            return
        self._channel_apply_shipment(shipment.as_shipment(self.name))  # cXML's and e-mail's path too

    @api.private
    def _channel_api_invoices(self, client):
        """Ingram's invoices for this PO → bills through the cXML matcher, each once (key: distributor,
        invoice number, move type), serial numbers kept on the bill lines."""
        self.ensure_one()
        distributor = self.partner_id.commercial_partner_id
        reply = client.find_invoices(self.name)
        self._channel_keep_calls(reply.records)
        Move = self.env["account.move"].sudo()
        for summary in reply.value:
            if Move.search_count(self._channel_bill_key(distributor, summary.invoice_number), limit=1):
                continue
            try:
                detail = client.invoice(summary.invoice_number)
            except DistributorOrderError as exc:
                self._channel_keep_calls(exc.records)
                raise
            self._channel_keep_calls(detail.records)
            invoice = detail.value
            move_type = "in_refund" if invoice.is_credit else "in_invoice"
            if Move.search_count(
                self._channel_bill_key(distributor, invoice.invoice_number, move_type), limit=1
            ):
                continue
            document = invoice.as_invoice_document(Credential("NetworkID", distributor.engine_id or ""))
            bill = Move._channel_bill_from_cxml(document, distributor, self)
            by_number = {
                line.line_number: line.serial_numbers for line in invoice.lines if line.serial_numbers
            }
            for bill_line in bill.invoice_line_ids:
                serials = by_number.get(bill_line.purchase_line_id.channel_line_number)
                if serials:
                    bill_line.channel_serial_numbers = ", ".join(serials)
            bill.message_post(
                body=self.env._(
                    "Invoice %(n)s read from %(dist)s's API.", n=invoice.invoice_number, dist=distributor.name
                )
            )

    @api.model
    @api.private
    def _channel_bill_key(self, distributor, invoice_number, move_type=None):
        """The bills that already carry this distributor invoice (key: distributor, ref, move type)."""
        types = (move_type,) if move_type else ("in_invoice", "in_refund")
        return [
            ("move_type", "in", types),
            ("commercial_partner_id", "=", distributor.id),
            ("ref", "=", invoice_number),
            ("state", "!=", "cancel"),
        ]

    # ------------------------------------------------------------------------------ late

    @api.private
    def _channel_check_late(self):
        """One activity for the buyer when nothing shipped N working days after sending (the distributor's
        dispatch days, default 3), or a line is past the distributor's own ship date."""
        self.ensure_one()
        if self.channel_late_warned or any(p.state == "done" for p in self.picking_ids):
            return
        today = fields.Date.context_today(self)
        sent = (self.date_approve or self.date_order).date()
        days = self.partner_id.commercial_partner_id.channel_dispatch_days or 3
        due, left = sent, days
        while left:
            due += timedelta(days=1)
            if due.weekday() < 5:
                left -= 1
        late = []
        if today > due:
            late.append(
                self.env._(
                    "nothing shipped %(days)s working days after it was sent (%(sent)s)", days=days, sent=sent
                )
            )
        for line in self.order_line.filtered(
            lambda pol: pol.channel_ship_date and pol.channel_ship_date < today
        ):
            late.append(
                self.env._(
                    "line %(n)s %(product)s was due to ship on %(date)s",
                    n=line.channel_line_number,
                    product=line.product_id.display_name,
                    date=line.channel_ship_date,
                )
            )
        if not late:
            return
        note = self.env._(
            "%(po)s at %(dist)s is late: %(what)s.",
            po=self.name,
            dist=self.partner_id.name,
            what="; ".join(late),
        )
        self.activity_schedule(
            "mail.mail_activity_data_warning",
            summary=self.env._("Late: %s", self.name),
            note=note,
            user_id=self.user_id.id or self.channel_sale_id.user_id.id or self.env.uid,
        )
        self.message_post(body=note)
        self.channel_late_warned = True

    # ------------------------------------------------------------------------------ cancelling

    @api.private
    def _channel_api_placed(self):
        return self.filtered(
            lambda po: (
                po.partner_id.po_channel in API_CHANNELS
                and po.state != "cancel"
                and po.partner_ref
                and po.channel_send_state in ("sent", "accepted")
            )
        )

    @api.private
    def _channel_cancel_at_distributor(self):
        """Ask the distributor to cancel each of these placed API orders; {po: its words} for those it
        did not cancel (refused, or could not be asked), with the IM-CorrelationID of the call."""
        refused = {}
        for po in self._channel_api_placed():
            with httpx.Client(follow_redirects=False) as http:
                client = po._channel_api_client(http)
                for number in [n.strip() for n in po.partner_ref.split(",") if n.strip()]:
                    try:
                        reply = client.cancel_order(number)
                    except OrderNotFound as exc:  # nothing there to cancel
                        po._channel_keep_calls(exc.records)
                        continue
                    except DistributorOrderError as exc:
                        po._channel_keep_calls(exc.records)
                        last = exc.records[-1].correlation_id if exc.records else ""
                        refused[po] = f"{exc.reason} (IM-CorrelationID {last})" if last else exc.reason
                        break
                    po._channel_keep_calls(reply.records)
        return refused

    def button_cancel(self):
        if not self.env.context.get("channel_distributor_cancelled"):
            refused = self._channel_cancel_at_distributor()
            if refused:
                raise UserError(
                    "\n".join(
                        self.env._(
                            "%(dist)s did not cancel %(po)s: %(why)s",
                            dist=po.partner_id.name,
                            po=po.name,
                            why=why,
                        )
                        for po, why in refused.items()
                    )
                )
        return super().button_cancel()
