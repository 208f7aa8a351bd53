"""Documents distributors send us: ConfirmationRequest (accepted / rejected / backordered lines) and
ShipNoticeRequest (tracking, shipped quantities). Each is authenticated by the distributor's shared
secret, recorded once by its payloadID (a repeat changes nothing), and answered with a cXML Response.

_channel_receive is the one entry for every inbound document (an InvoiceDetailRequest goes on to
channel_cxml_document_invoice.py after its sender is authenticated), and _channel_store_and_apply the
one way any of them is stored, applied in a savepoint and its error recorded.
"""

import base64
import logging
import uuid
from collections import defaultdict

import psycopg2.errors
from odoo import api, models

from fulfilment_engine.documents import cxml, invoice

from .cxml_answer import response_body
from .odoo_retry import RETRIED_BY_ODOO

_logger = logging.getLogger(__name__)

ACCEPTED_LINE_TYPES = ("accept", "allDetail", "detail", "requestToPay")
PROBLEM_LINE_TYPES = ("reject", "backordered")

# Each inbound document type about purchase orders: its name in the log and the method that applies it
# (with the purchase orders it names). A new such type is one line here and one method. InvoiceDetailRequest
# takes its own path (channel_cxml_invoice.py): a bill is keyed by the distributor's invoiceID rather than
# the payloadID, may be withdrawn (operation="delete"), and must name only purchase orders not cancelled.
INBOUND_TYPES = {
    cxml.Confirmation: ("ConfirmationRequest", "_channel_apply_confirmation"),
    cxml.ShipNotice: ("ShipNoticeRequest", "_channel_apply_ship_notice"),
}


class InboundRefused(Exception):
    """A document we read but will not apply (a quantity the line's unit does not allow): nothing of it
    is applied, and the sender is told what and where."""

    def __init__(self, problems):
        self.problems = problems
        super().__init__("; ".join(problems))


class ChannelCxmlDocument(models.Model):
    _inherit = "channel.cxml.document"

    # ------------------------------------------------------------------------------ entry point

    @api.model
    @api.private
    def _channel_receive(self, body, doc=None):
        """Handle one inbound cXML request; returns (HTTP status, cXML Response bytes).

        `doc` is the document as the door parsed it (cxml.parse_inbound_request(body)); a direct caller
        may leave it out, and the body is parsed here. Serialization failures and lock timeouts
        propagate: Odoo retries the whole request (the controller keeps the body for that), so they are
        never answered from here."""
        if doc is None:
            try:
                doc = cxml.parse_inbound_request(body)
            except cxml.CxmlError as exc:
                return self._channel_refuse_unread(body, exc)
        is_invoice = isinstance(doc, invoice.Invoice)
        doc_type, apply = ("InvoiceDetailRequest", None) if is_invoice else INBOUND_TYPES[type(doc)]

        distributor = self._channel_authenticate(doc.sender)
        if not distributor:
            _logger.warning(
                "cXML %s %s refused: unknown sender or wrong shared secret", doc_type, doc.payload_id
            )
            return self._channel_answer(401, "Unauthorized", "Unknown sender or wrong shared secret.")
        if is_invoice:
            return self._channel_receive_invoice(body, doc, distributor)  # channel_cxml_document_invoice.py

        order_ids = self._channel_order_ids(doc)
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

        def apply_to_purchases(record):
            record._channel_check_quantities(purchases, doc)
            return getattr(record, apply)(purchases, doc), {}

        return self._channel_store_and_apply(
            body,
            doc,
            {
                "doc_type": doc_type,
                "purchase_id": purchases[:1].id,
                "partner_id": distributor.id,
                "company_id": purchases[:1].company_id.id,
            },
            apply_to_purchases,
            existing=existing,
        )

    @api.model
    @api.private
    def _channel_store_and_apply(self, body, doc, values, apply, existing=None, what="document"):
        """Store an inbound document once and apply it; returns (HTTP status, cXML Response bytes).

        The one skeleton of every inbound type. `values` are the record's doc_type, purchase_id,
        partner_id and company_id; `existing` is the record an earlier attempt of this document left in
        error, which is applied again rather than stored twice. `apply(record)` runs in a savepoint and
        returns (answer text, values to write on the record). What it raises is kept on the record and
        answered 400 (InboundRefused: the sender's to fix) or 500 (ours to look at), except what Odoo
        retries the whole request for (the door keeps the body for that)."""
        record = existing
        if not record:
            stored = cxml.stored_copy(body)
            try:
                with self.env.cr.savepoint():
                    record = self.sudo().create(
                        {
                            "payload_id": doc.payload_id,
                            "direction": "in",
                            **values,
                            # The distributor's secret stays out of the log inbox users read.
                            "body": stored.text,
                            "body_encoding": stored.encoding,
                        }
                    )
            except psycopg2.errors.UniqueViolation:
                # The same document is being processed by a concurrent request right now (the HTTP door
                # serializes documents per order, so only a direct caller gets here).
                return self._channel_answer(200, "OK", "Already received (same payloadID): nothing changed.")
        record.attempts += 1
        try:
            with self.env.cr.savepoint():
                text, done = apply(record)
        except RETRIED_BY_ODOO:
            raise
        except InboundRefused as exc:
            record.write({"state": "error", "error": str(exc)})
            code, status, text = 400, "Bad Request", f"Nothing applied: {exc}"
        except Exception as exc:
            _logger.exception("cXML %s %s could not be processed", values["doc_type"], doc.payload_id)
            record.write({"state": "error", "error": str(exc)})
            # What went wrong is ours to look at, kept on the document; the sender learns only that.
            code, status, text = (
                500,
                "Internal Server Error",
                f"The {what} was received but could not be processed; it is kept and will be looked "
                "at. Sending it again later is safe.",
            )
        else:
            record.write({"state": "processed", "error": False, **done})
            code, status = 200, "OK"
        record.write({"response_code": code, "response_body": f"{code} {status} {text}"})
        return self._channel_answer(code, status, text)

    @api.model
    @api.private
    def _channel_refuse_unread(self, body, error):
        """A body that is no cXML document we read: kept for a person, answered 400 with the reason."""
        self._channel_keep_unread(body, str(error))
        return self._channel_answer(400, "Bad Request", str(error))

    @api.model
    @api.private
    def _channel_order_ids(self, doc):
        if isinstance(doc, cxml.ShipNotice | invoice.Invoice):
            return doc.order_ids or (doc.order_id,)
        return (doc.order_id,)

    @api.model
    @api.private
    def _channel_keep_unread(self, body, error):
        """A document we could not read is kept for a person, its secret masked (or, when it is not XML
        at all, its bytes for managers only)."""
        stored = cxml.stored_copy(body)
        self.sudo().create(
            {
                "payload_id": f"unread-{uuid.uuid4()}",
                "direction": "in",
                "doc_type": "unreadable",
                "state": "error",
                "error": error,
                "body": stored.text,
                "body_encoding": stored.encoding,
                "raw_body": base64.b64encode(stored.raw) if stored.raw else False,
                "response_code": 400,
            }
        )

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
        return code, response_body(code, status, text, self.env.company._channel_cxml_domain())

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
            refused = po.channel_sale_id._channel_handle_rejections(
                po, problems, confirmation.type, confirmation.comments, line_types=problem_types
            )
            if refused:
                summary += " " + refused
        else:
            po.channel_send_state = "accepted"
        po.message_post(body=summary)
        return summary

    # ------------------------------------------------------------------------------ quantities

    @api.private
    def _channel_check_quantities(self, purchases, doc):
        """Refuse the whole document (nothing applied) when a quantity is one the line's unit cannot
        hold: half a laptop. Signs and numbers are the parser's (cxml: a quantity is above zero)."""
        problems = []
        if isinstance(doc, cxml.ShipNotice):
            for line in doc.lines:
                order_id = line.order_id or doc.order_id
                po_line = self._channel_goods_line(purchases, order_id, line.line_number)
                where = (
                    f"ShipNoticePortion[orderID={order_id}]/ShipNoticeItem[lineNumber={line.line_number}]"
                    "@quantity"
                )
                problems += self._channel_unit_problems(po_line, line.quantity, where)
        elif isinstance(doc, cxml.Confirmation):
            for line in doc.lines:
                po_line = self._channel_goods_line(purchases, doc.order_id, line.line_number)
                where = f"ConfirmationItem[lineNumber={line.line_number}]/ConfirmationStatus@quantity"
                problems += self._channel_unit_problems(po_line, line.quantity, where)
        if problems:
            raise InboundRefused(problems)

    @api.model
    @api.private
    def _channel_goods_line(self, purchases, order_id, line_number):
        po = purchases.filtered(lambda p: p.name == order_id)[:1]
        return po.order_line.filtered(lambda pol: pol.channel_line_number == line_number)[:1]

    @api.model
    @api.private
    def _channel_unit_problems(self, po_line, quantity, where):
        if not po_line or quantity == quantity.to_integral_value():
            return []
        unit = self.env.ref("uom.product_uom_unit", raise_if_not_found=False)
        uom = po_line.product_uom_id
        while uom and uom != unit:
            uom = uom.relative_uom_id
        if not uom:
            return []  # kilograms, metres: fractions are fine
        return [
            self.env._(
                "%(where)s: %(qty)s is not a whole number of %(uom)s (%(product)s)",
                where=where,
                qty=quantity,
                uom=po_line.product_uom_id.name,
                product=po_line.product_id.display_name,
            )
        ]

    # ------------------------------------------------------------------------------ ship notice

    @api.private
    def _channel_apply_ship_notice(self, purchases, notice):
        """A ShipNoticeRequest: cancelled (operation="delete"), or applied as every channel's shipment is
        (purchase_order_shipment.py)."""
        self.ensure_one()
        if notice.operation == "delete":
            return self._channel_cancel_ship_notice(purchases, notice)
        return purchases._channel_apply_shipment(notice)

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
            {
                "carrier_tracking_ref": False,
                "channel_carrier": False,
                "channel_shipment_id": False,
                "channel_tracking_url": False,
            }
        )
        for record in (*purchases, *pickings):
            record.message_post(body=reason)
        _logger.info(
            "cXML ShipNoticeRequest %s cancels shipment %s of %s",
            notice.payload_id,
            notice.shipment_id,
            names,
        )
        purchases.channel_sale_id._channel_review_after_ship(reason, ["ship_notice_problem"])
        return reason
