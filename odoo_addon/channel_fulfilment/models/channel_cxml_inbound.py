"""Documents distributors send us: ConfirmationRequest (accepted / rejected / backordered lines) and
ShipNoticeRequest (tracking, shipped quantities). Each is authenticated by the distributor's shared
secret, recorded once by its payloadID (a repeat changes nothing), and answered with a cXML Response.
"""

import logging
import uuid
from collections import defaultdict
from datetime import UTC

import psycopg2.errors
from odoo import api, fields, models

from fulfilment_engine.documents import cxml, invoice

from .channel_cxml_document import redact_secrets

_logger = logging.getLogger(__name__)

ACCEPTED_LINE_TYPES = ("accept", "allDetail", "detail", "requestToPay")
PROBLEM_LINE_TYPES = ("reject", "backordered")


class ChannelCxmlDocument(models.Model):
    _inherit = "channel.cxml.document"

    # ------------------------------------------------------------------------------ entry point

    @api.model
    @api.private
    def _channel_receive(self, body):
        """Handle one inbound cXML request; returns (HTTP status, cXML Response bytes)."""
        try:
            doc = cxml.parse_inbound_request(body)
        except cxml.CxmlError as exc:
            return self._channel_answer(400, "Bad Request", str(exc))
        if isinstance(doc, invoice.Invoice):
            return self._channel_receive_invoice(doc, body)  # channel_cxml_invoice.py
        doc_type = "ConfirmationRequest" if isinstance(doc, cxml.Confirmation) else "ShipNoticeRequest"

        distributor = self._channel_authenticate(doc.sender)
        if not distributor:
            _logger.warning(
                "cXML %s %s refused: unknown sender or wrong shared secret", doc_type, doc.payload_id
            )
            return self._channel_answer(401, "Unauthorized", "Unknown sender or wrong shared secret.")

        order_ids = (
            (doc.order_id,) if isinstance(doc, cxml.Confirmation) else (doc.order_ids or (doc.order_id,))
        )
        purchases = (
            self.env["purchase.order"]
            .sudo()
            .search(
                [
                    ("name", "in", list(order_ids)),
                    ("partner_id", "in", distributor.ids),
                    ("channel_sale_id", "!=", False),
                ]
            )
        )
        if not purchases:
            return self._channel_answer(
                404, "Not Found", f"No purchase order {', '.join(order_ids)} for this sender."
            )

        # A repeat is the same payloadID from the same distributor; another distributor's is its own.
        existing = self.sudo().search(
            [
                ("payload_id", "=", doc.payload_id),
                ("direction", "=", "in"),
                ("partner_id", "=", distributor.id),
            ],
            limit=1,
        )
        if existing and existing.state == "processed":
            existing.attempts += 1
            return self._channel_answer(200, "OK", "Already processed (same payloadID): nothing changed.")
        try:
            with self.env.cr.savepoint():
                record = existing or self.sudo().create(
                    {
                        "payload_id": doc.payload_id,
                        "direction": "in",
                        "doc_type": doc_type,
                        "purchase_id": purchases[:1].id,
                        "partner_id": distributor.id,
                        "company_id": purchases[:1].company_id.id,
                        # The distributor's secret stays out of the log inbox users read.
                        "body": redact_secrets(body.decode("utf-8", errors="replace")),
                    }
                )
        except psycopg2.errors.UniqueViolation:
            # The same document is being processed by a concurrent request right now.
            return self._channel_answer(200, "OK", "Already received (same payloadID): nothing changed.")
        record.attempts += 1
        try:
            with self.env.cr.savepoint():
                if isinstance(doc, cxml.Confirmation):
                    message = record._channel_apply_confirmation(purchases, doc)
                else:
                    message = record._channel_apply_ship_notice(purchases, doc)
        except Exception as exc:
            _logger.exception("cXML %s %s could not be processed", doc_type, doc.payload_id)
            record.write({"state": "error", "error": str(exc)})
            code, status, text = 500, "Internal Server Error", f"Could not process the document: {exc}"
        else:
            record.write({"state": "processed", "error": False})
            code, status, text = 200, "OK", message
        record.write({"response_code": code, "response_body": f"{code} {status} {text}"})
        return self._channel_answer(code, status, text)

    @api.model
    @api.private
    def _channel_authenticate(self, sender):
        """The distributor whose identity and inbound shared secret the document's Sender carries."""
        candidates = (
            self.env["res.partner"]
            .sudo()
            .search([("is_distributor", "=", True), ("cxml_to_identity", "=", sender.identity.strip())])
        )
        for partner in candidates:
            expected = cxml.Credential(
                partner.cxml_to_domain or "NetworkID",
                partner.cxml_to_identity,
                partner.cxml_inbound_secret or None,
            )
            if cxml.verify_sender(sender, expected):
                return partner
        return candidates.browse()

    @api.model
    @api.private
    def _channel_answer(self, code, status, text):
        _logger.info("cXML inbound answered %s %s: %s", code, status, text)
        domain = self.env.company._channel_cxml_domain()
        body = cxml.build_response(
            code,
            status,
            text,
            payload_id=f"{uuid.uuid4()}@{domain}",
            timestamp=fields.Datetime.now().replace(tzinfo=UTC),
        )
        return code, body

    # ------------------------------------------------------------------------------ confirmation

    @api.private
    def _channel_apply_confirmation(self, purchases, confirmation):
        """Accepted lines stay; rejected or backordered quantities leave the PO and go back to review
        with the next-best distributor proposed."""
        self.ensure_one()
        po = purchases[:1]
        goods = po.order_line.filtered(lambda pol: pol.channel_line_number)
        by_number = {line.channel_line_number: line for line in goods}
        problems = defaultdict(float)
        problem_types = {}  # po line → "reject" or "backordered", as the distributor said per line
        notes = []
        if confirmation.lines:
            for line in confirmation.lines:
                po_line = by_number.get(line.line_number)
                if po_line is None:
                    notes.append(self.env._("line %s is not on %s", line.line_number, po.name))
                    continue
                if line.type in PROBLEM_LINE_TYPES:
                    problems[po_line] += float(line.quantity)
                    problem_types[po_line] = line.type
                if line.unit_price is not None and po_line.currency_id.compare_amounts(
                    float(line.unit_price), po_line.price_unit
                ):
                    notes.append(
                        self.env._(
                            "line %(n)s confirmed at %(price)s instead of %(ours)s",
                            n=line.line_number,
                            price=line.unit_price,
                            ours=po_line.price_unit,
                        )
                    )
        elif confirmation.type in PROBLEM_LINE_TYPES:
            for po_line in goods:
                problems[po_line] += po_line.product_qty
        summary = self.env._(
            "%(dist)s confirmed %(po)s (%(type)s).",
            dist=po.partner_id.name,
            po=po.name,
            type=confirmation.type,
        )
        if notes:
            summary += " " + "; ".join(notes) + "."
        if confirmation.comments:
            summary += " " + confirmation.comments
        if problems:
            po.channel_sale_id._channel_handle_rejections(
                po, problems, confirmation.type, confirmation.comments, line_types=problem_types
            )
        else:
            po.channel_send_state = "accepted"
        po.message_post(body=summary)
        return summary

    # ------------------------------------------------------------------------------ ship notice

    @api.private
    def _channel_apply_ship_notice(self, purchases, notice):
        """Tracking onto the drop-ship picking, which is validated for the shipped quantities; what is not
        shipped yet stays in a backorder that will get its own tracking from the next notice."""
        self.ensure_one()
        if notice.operation == "delete":
            return self._channel_cancel_ship_notice(purchases, notice)
        shipped = []
        for po in purchases:
            picking = po.picking_ids.filtered(
                lambda p: p.state not in ("done", "cancel") and p.picking_type_code == "dropship"
            ).sorted("id")[:1]
            if not picking:
                continue
            whole = po.name in notice.whole_order_ids or not notice.lines
            quantities = defaultdict(float)
            for line in notice.lines:
                if line.order_id in ("", po.name):
                    quantities[line.line_number] += float(line.quantity)
            any_quantity = False
            for move in picking.move_ids.filtered(lambda m: m.state not in ("done", "cancel")):
                number = move.purchase_line_id.channel_line_number
                wanted = (
                    move.product_uom_qty if whole else min(quantities.get(number, 0.0), move.product_uom_qty)
                )
                move.quantity = wanted
                move.picked = bool(wanted)
                any_quantity = any_quantity or bool(wanted)
            if not any_quantity:
                continue
            picking.write(
                {
                    "carrier_tracking_ref": ", ".join(notice.tracking_numbers),
                    "channel_carrier": " ".join(filter(None, (notice.carrier, notice.carrier_service))),
                    "channel_shipment_id": notice.shipment_id,
                }
            )
            picking.with_context(skip_backorder=True, picking_ids_not_to_backorder=[]).button_validate()
            shipped.append(picking.name)
            if po.channel_send_state in ("sent", "emailed", "to_send"):
                po.channel_send_state = "accepted"  # shipping is the strongest confirmation there is
            po.message_post(
                body=self.env._(
                    "Shipped by %(carrier)s, tracking %(tracking)s (%(picking)s).",
                    carrier=notice.carrier,
                    tracking=", ".join(notice.tracking_numbers),
                    picking=picking.name,
                )
            )
        orders = purchases.channel_sale_id
        orders._channel_update_progress()
        for order in orders.filtered(lambda o: o.company_id.channel_auto_invoice_on_dispatch):
            order._channel_invoice()
        if not shipped:
            return self.env._(
                "Nothing left to ship on %s: nothing changed.", ", ".join(purchases.mapped("name"))
            )
        return self.env._("Shipment recorded on %s.", ", ".join(shipped))

    @api.private
    def _channel_cancel_ship_notice(self, purchases, notice):
        """The distributor cancels an earlier ship notice (operation="delete", same shipmentID).

        What can be undone safely is: a delivery not validated yet loses that shipment's tracking. A
        validated one stays as it is (goods that did not leave come back through a return, a person's
        call). Either way the sale order goes to review with the reason, and the purchase orders and
        deliveries say what happened in their chatter.
        """
        self.ensure_one()
        env = self.env
        pickings = purchases.picking_ids.filtered(
            lambda p: p.channel_shipment_id and p.channel_shipment_id == notice.shipment_id
        )
        if not pickings and notice.tracking_numbers:
            # Deliveries shipped before shipments were recorded: the same tracking reference identifies it.
            reference = ", ".join(notice.tracking_numbers)
            pickings = purchases.picking_ids.filtered(lambda p: p.carrier_tracking_ref == reference)
        open_pickings = pickings.filtered(lambda p: p.state not in ("done", "cancel"))
        done_pickings = pickings.filtered(lambda p: p.state == "done")
        names = ", ".join(purchases.mapped("name"))
        reason = env._(
            "%(dist)s cancelled ship notice %(shipment)s (%(orders)s).",
            dist=purchases.partner_id[:1].name,
            shipment=notice.shipment_id,
            orders=names,
        )
        if open_pickings:
            reason += " " + env._(
                "Its tracking was removed from %s, which was not validated yet.",
                ", ".join(open_pickings.mapped("name")),
            )
        if done_pickings:
            reason += " " + env._(
                "%s had already been validated for it and was left as it is: check with the distributor "
                "whether the goods left, and return them if not.",
                ", ".join(done_pickings.mapped("name")),
            )
        if not pickings:
            reason += " " + env._("No delivery carries that shipment: nothing changed in Odoo.")
        open_pickings.write(
            {"carrier_tracking_ref": False, "channel_carrier": False, "channel_shipment_id": False}
        )
        for record in (*purchases, *pickings):
            record.message_post(body=reason)
        _logger.info(
            "cXML ShipNoticeRequest %s cancels shipment %s of %s",
            notice.payload_id,
            notice.shipment_id,
            names,
        )
        purchases.channel_sale_id._channel_review_after_ship(reason)
        return reason


class SaleOrder(models.Model):
    _inherit = "sale.order"

    @api.private
    def _channel_review_after_ship(self, reason):
        """A distributor's document needs a person on an order Ship has passed already: to review, with
        the reason. Ship anyway then resumes the order where its purchase orders and deliveries are."""
        for order in self.filtered(lambda o: o.is_inbox and o.inbox_state != "cancelled"):
            order.write({"inbox_state": "review", "review_reason": reason})
            order.message_post(body=reason)

    @api.private
    def _channel_handle_rejections(self, po, problems, confirmation_type, comments="", line_types=None):
        """Take the rejected quantities off `po` and re-plan them without that distributor.

        `line_types` {po line: "reject" | "backordered"}: what the distributor said of each line (a
        "detail" confirmation mixes them); lines not in it take the confirmation's own type."""
        line_types = line_types or {}
        self.ensure_one()
        env = self.env
        distributor = po.partner_id
        texts = []
        for po_line, qty in problems.items():
            qty = min(qty, po_line.product_qty)
            if qty <= 0:
                continue
            sale_line = po_line.sale_line_id
            po_line.product_qty = po_line.product_qty - qty
            allocation = po_line.channel_allocation_id
            if allocation:
                left = allocation.product_qty - po_line.product_uom_id._compute_quantity(
                    qty, sale_line.product_uom_id
                )
                if left > 0:
                    allocation.product_qty = left
                else:
                    allocation.unlink()
            if sale_line:
                sale_line.channel_excluded_distributor_ids = [fields.Command.link(distributor.id)]
            texts.append(
                env._(
                    "%(dist)s %(what)s %(qty)s × %(product)s on %(po)s",
                    dist=distributor.name,
                    what=env._("backordered")
                    if line_types.get(po_line, confirmation_type) == "backordered"
                    else env._("rejected"),
                    qty=qty,
                    product=po_line.product_id.display_name,
                    po=po.name,
                )
            )
        po_goods = po.order_line.filtered(lambda pol: pol.channel_line_number)
        if all(po_line.product_uom_id.is_zero(po_line.product_qty) for po_line in po_goods):
            po.write({"channel_send_state": "rejected", "locked": False})
            po.button_cancel()
        else:
            po.channel_send_state = "accepted"
        note = "; ".join(texts) + (f" ({comments})" if comments else "") + "."
        self.with_context(channel_replan=True).write({"inbox_state": "review"})
        self._channel_plan()
        proposals = []
        for line in self._channel_product_lines():
            for allocation in line._channel_open_allocations():
                proposals.append(
                    env._(
                        "next best for %(product)s: %(dist)s, %(qty)s at %(cost)s",
                        product=line.product_id.display_name,
                        dist=allocation.distributor_id.name,
                        qty=allocation.product_qty,
                        cost=self.currency_id.format(allocation.unit_cost),
                    )
                )
        reason = note
        if proposals:
            reason += "\n" + env._("Proposed: %s. Check and click Ship.", "; ".join(proposals))
        if self.inbox_state == "review" and self.review_reason:
            reason += "\n" + self.review_reason
        self.write({"inbox_state": "review", "review_reason": reason})
