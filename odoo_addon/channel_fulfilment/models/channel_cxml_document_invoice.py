"""InvoiceDetailRequest in: a distributor's invoice or credit memo becomes a vendor bill (or refund)
linked line by line to the purchase order, checked by the three-way match, and posted when it matches
(the bill is built in account_move_cxml_invoice.py).

The key is (distributor, invoiceID, purpose) among bills not cancelled: the same invoice twice changes
nothing, operation="delete" withdraws a draft, and a `new` after a delete makes a new bill. The sender is
authenticated, and the document stored once and applied, as every inbound document is
(channel_cxml_document_inbound.py: _channel_receive, _channel_store_and_apply).
"""

from odoo import api, fields, models


class ChannelCxmlDocument(models.Model):
    _inherit = "channel.cxml.document"

    doc_type = fields.Selection(
        selection_add=[("InvoiceDetailRequest", "InvoiceDetailRequest")],
        ondelete={"InvoiceDetailRequest": "cascade"},
    )
    bill_id = fields.Many2one("account.move", string="Bill", index="btree_not_null", ondelete="set null")

    @api.model
    @api.private
    def _channel_receive_invoice(self, body, doc, distributor):
        """Handle an InvoiceDetailRequest from `distributor` (authenticated by _channel_receive); returns
        (HTTP status, cXML Response bytes)."""
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

        def make_bill(_record):
            bill = Move._channel_bill_from_cxml(doc, distributor, purchases)
            if bill.state == "posted":
                text = f"Invoice {doc.invoice_id} posted as {bill.name}."
            else:
                text = f"Invoice {doc.invoice_id} received; it differs from the order and is being checked."
            return text, {"bill_id": bill.id}

        return self._channel_store_and_apply(
            body,
            doc,
            {
                "doc_type": "InvoiceDetailRequest",
                "purchase_id": purchases[:1].id,
                "partner_id": distributor.id,
                "company_id": purchases[:1].company_id.id,
            },
            make_bill,
            what="invoice",
        )
