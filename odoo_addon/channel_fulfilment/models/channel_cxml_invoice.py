"""InvoiceDetailRequest in: a distributor's invoice or credit memo becomes a vendor bill (or refund)
linked line by line to the purchase order, checked by the three-way match, and posted when it matches.

The key is (distributor, invoiceID, purpose) among bills not cancelled: the same invoice twice changes
nothing, operation="delete" withdraws a draft, and a `new` after a delete makes a new bill.
"""

import logging
from collections import defaultdict
from decimal import Decimal

import psycopg2.errors
from odoo import Command, api, fields, models

from fulfilment_engine.documents import cxml

from .odoo_retry import RETRIED_BY_ODOO

_logger = logging.getLogger(__name__)


class ChannelCxmlDocument(models.Model):
    _inherit = "channel.cxml.document"

    doc_type = fields.Selection(
        selection_add=[("InvoiceDetailRequest", "InvoiceDetailRequest")],
        ondelete={"InvoiceDetailRequest": "cascade"},
    )
    bill_id = fields.Many2one("account.move", string="Bill", index="btree_not_null", ondelete="set null")

    @api.model
    @api.private
    def _channel_receive_invoice(self, doc, body):
        """Handle an InvoiceDetailRequest; returns (HTTP status, cXML Response bytes)."""
        distributor = self._channel_authenticate(doc.sender)
        if not distributor:
            _logger.warning(
                "cXML InvoiceDetailRequest %s refused: unknown sender or wrong shared secret", doc.payload_id
            )
            return self._channel_answer(401, "Unauthorized", "Unknown sender or wrong shared secret.")
        Move = self.env["account.move"].sudo()
        existing = Move.search(
            [
                ("move_type", "in", ("in_invoice", "in_refund")),
                ("commercial_partner_id", "=", distributor.commercial_partner_id.id),
                ("ref", "=", doc.invoice_id),
                ("channel_purpose", "=", doc.purpose),
                ("state", "!=", "cancel"),
            ],
            limit=1,
        )
        if doc.operation == "delete":
            if not existing:
                return self._channel_answer(
                    200, "OK", f"No bill for invoice {doc.invoice_id} to withdraw: nothing changed."
                )
            if existing.state == "posted":
                return self._channel_answer(
                    409,
                    "Conflict",
                    f"Invoice {doc.invoice_id} is posted as {existing.name}: send a credit memo.",
                )
            existing.button_cancel()
            existing.message_post(body=self.env._("Withdrawn by %s (operation delete).", distributor.name))
            return self._channel_answer(200, "OK", f"Bill for invoice {doc.invoice_id} withdrawn.")
        if existing:
            return self._channel_answer(
                200,
                "OK",
                f"Invoice {doc.invoice_id} already received as bill {existing.id}: nothing changed.",
            )
        purchases = (
            self.env["purchase.order"]
            .sudo()
            .search([("name", "in", list(doc.order_ids)), ("partner_id", "child_of", distributor.ids)])
        )
        missing = set(doc.order_ids) - set(purchases.mapped("name"))
        if missing:
            return self._channel_answer(
                404,
                "Not Found",
                f"No purchase order {', '.join(sorted(missing))} for this sender: nothing created.",
            )
        cancelled = purchases.filtered(lambda po: po.state == "cancel")
        if cancelled:
            return self._channel_answer(
                409,
                "Conflict",
                f"Purchase order {', '.join(cancelled.mapped('name'))} is cancelled: nothing created.",
            )
        # Stored as every inbound document is: masked on its parsed tree, with its original encoding.
        stored = cxml.stored_copy(body)
        try:
            with self.env.cr.savepoint():
                record = self.sudo().create(
                    {
                        "payload_id": doc.payload_id,
                        "direction": "in",
                        "doc_type": "InvoiceDetailRequest",
                        "purchase_id": purchases[:1].id,
                        "partner_id": distributor.id,
                        "company_id": purchases[:1].company_id.id,
                        "body": stored.text,
                        "body_encoding": stored.encoding,
                    }
                )
        except psycopg2.errors.UniqueViolation:
            return self._channel_answer(200, "OK", "Already received (same payloadID): nothing changed.")
        record.attempts += 1
        try:
            with self.env.cr.savepoint():
                bill = Move._channel_bill_from_cxml(doc, distributor, purchases)
        except RETRIED_BY_ODOO:
            raise  # Odoo retries the whole request (the door keeps the body for that)
        except Exception as exc:
            _logger.exception("cXML InvoiceDetailRequest %s could not be processed", doc.payload_id)
            record.write({"state": "error", "error": str(exc)})
            # What went wrong is ours to look at, kept on the document; the sender learns only that.
            code, status, text = (
                500,
                "Internal Server Error",
                "The invoice was received but could not be processed; it is kept and will be looked at. "
                "Sending it again later is safe.",
            )
        else:
            record.write({"state": "processed", "error": False, "bill_id": bill.id})
            code, status = 200, "OK"
            if bill.state == "posted":
                text = f"Invoice {doc.invoice_id} posted as {bill.name}."
            else:
                text = f"Invoice {doc.invoice_id} received; it differs from the order and is being checked."
        record.write({"response_code": code, "response_body": f"{code} {status} {text}"})
        return self._channel_answer(code, status, text)


class AccountMove(models.Model):
    _inherit = "account.move"

    @api.model
    @api.private
    def _channel_bill_from_cxml(self, doc, distributor, purchases):
        """The bill (or refund) for `doc`, linked to `purchases`' lines, matched, posted when it matches."""
        env = self.env
        po = purchases[:1]
        notes = []
        po_lines = {
            (line.order_id.name, line.channel_line_number): line
            for line in purchases.order_line
            if line.channel_line_number
        }
        refund = doc.purpose != "standard"
        line_commands = []
        date = doc.invoice_date.date()
        for item in doc.lines:
            quantity = abs(float(item.quantity))
            price = abs(float(item.unit_price))
            po_line = po_lines.get((item.order_id, item.line_number))
            if po_line is None:
                notes.append(
                    env._(
                        "invoice line %(n)s bills line %(line)s of %(po)s, "
                        "which is not on it (part %(part)s)",
                        n=item.invoice_line_number,
                        line=item.line_number,
                        po=item.order_id,
                        part=item.supplier_part_id or "?",
                    )
                )
                product = self._channel_product_by_part(distributor, item.supplier_part_id)
                line_commands.append(
                    Command.create(
                        {
                            "product_id": product.id,
                            "name": f"[{item.supplier_part_id}] {item.description}".strip()
                            if item.supplier_part_id
                            else item.description or env._("Line %s", item.line_number),
                            "quantity": quantity,
                            "price_unit": price,
                        }
                    )
                )
                continue
            note = po_line._channel_part_mismatch(item.invoice_line_number, item.supplier_part_id)
            if note:
                notes.append(note)
            values = po_line._prepare_account_move_line()
            values.update(quantity=quantity, price_unit=price, discount=0.0)
            line_commands.append(Command.create(values))
        charge_lines = purchases.order_line.filtered("channel_charge_type")
        for charge_type, amount in _charges_billed(doc, charge_lines).items():
            if not amount:
                continue
            po_charge = charge_lines.filtered(lambda pol, t=charge_type: pol.channel_charge_type == t)[:1]
            if po_charge:
                values = po_charge._prepare_account_move_line()
            else:
                product = env.ref(
                    "channel_fulfilment.product_channel_freight"
                    if charge_type == "freight"
                    else "channel_fulfilment.product_channel_small_order"
                )
                values = {"product_id": product.id, "name": product.display_name}
            values.update(
                quantity=1.0, price_unit=abs(float(amount)), discount=0.0, channel_charge_type=charge_type
            )
            line_commands.append(Command.create(values))
        notes.extend(_summary_notes(doc, env))
        bill = (
            self.with_company(po.company_id)
            .with_context(channel_matching=True, default_move_type="in_refund" if refund else "in_invoice")
            .create(
                {
                    "move_type": "in_refund" if refund else "in_invoice",
                    "partner_id": distributor.id,
                    "ref": doc.invoice_id,
                    "invoice_date": date,
                    "date": date,
                    "invoice_origin": ", ".join(purchases.mapped("name")),
                    "currency_id": po.currency_id.id,
                    "fiscal_position_id": po.fiscal_position_id.id,
                    "invoice_payment_term_id": po.payment_term_id.id,
                    "channel_purpose": doc.purpose,
                    "channel_origin": "cxml",
                    "channel_import_notes": "\n".join(notes) or False,
                    "channel_document_tax": abs(float(doc.tax)) if doc.tax is not None else 0.0,
                    "channel_document_has_tax": doc.tax is not None,
                    "channel_credited_ref": doc.credited_invoice_id or False,
                    "invoice_line_ids": line_commands,
                }
            )
        )
        bill._channel_match()
        if bill.channel_review_state == "ok":
            bill.with_context(channel_matched=True).action_post()
        return bill

    @api.model
    @api.private
    def _channel_product_by_part(self, distributor, part):
        if not part:
            return self.env["product.product"]
        seller = self.env["product.supplierinfo"].search(
            [("partner_id", "=", distributor.id), ("product_code", "=", part)], limit=1
        )
        return seller.product_id or seller.product_tmpl_id.product_variant_id


def _charges_billed(doc, charge_lines):
    """{charge type: amount} of what the invoice charges besides goods. SpecialHandling is a small-order
    charge, and then Shipping is freight. Without it, Shipping may be what our OrderRequest sent: every
    charge of the purchase order summed as its Shipping (purchase_order._channel_build_order_request), so
    it pays the PO's charges in turn, freight first, each up to its PO amount, and what is left is freight."""
    left = abs(Decimal(doc.shipping or 0))
    billed = defaultdict(Decimal)
    if doc.special_handling:
        charge_lines = charge_lines.filtered(lambda pol: pol.channel_charge_type == "freight")
    for po_charge in charge_lines.sorted(lambda pol: (pol.channel_charge_type != "freight", pol.id)):
        take = min(left, Decimal(str(po_charge.price_subtotal)))
        if take > 0:
            billed[po_charge.channel_charge_type] += take
            left -= take
    billed["freight"] += left
    billed["small_order"] += abs(Decimal(doc.special_handling or 0))
    return billed


def _summary_notes(doc, env):
    """Where the document's own summary does not add up (each amount the distributor states)."""
    notes = []
    lines_total = sum((abs(line.quantity * line.unit_price) for line in doc.lines), start=Decimal(0))
    cent = Decimal("0.01")
    if doc.subtotal is not None and abs(abs(doc.subtotal) - lines_total) >= cent:
        notes.append(
            env._(
                "summary: SubtotalAmount %(stated)s, the lines add up to %(sum)s",
                stated=abs(doc.subtotal),
                sum=lines_total.quantize(cent),
            )
        )
    parts = defaultdict(Decimal)
    for name, amount in (
        ("subtotal", doc.subtotal if doc.subtotal is not None else lines_total),
        ("tax", doc.tax),
        ("shipping", doc.shipping),
        ("special", doc.special_handling),
    ):
        parts[name] = abs(amount) if amount is not None else Decimal(0)
    expected_net = sum(parts.values(), start=Decimal(0))
    if doc.net is not None and abs(abs(doc.net) - expected_net) >= cent:
        notes.append(
            env._(
                "summary: NetAmount %(stated)s, subtotal + tax + shipping + handling = %(sum)s",
                stated=abs(doc.net),
                sum=expected_net.quantize(cent),
            )
        )
    if doc.due is not None and doc.net is not None and abs(abs(doc.due) - abs(doc.net)) >= cent:
        notes.append(
            env._(
                "summary: DueAmount %(due)s differs from NetAmount %(net)s",
                due=abs(doc.due),
                net=abs(doc.net),
            )
        )
    return notes
