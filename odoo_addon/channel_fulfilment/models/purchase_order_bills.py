"""Purchase orders as the accountant sees them: fully billed, disputes with the account manager, and
draft bills matched again when a delivery changes what may be billed."""

import base64

from odoo import api, fields, models


class PurchaseOrderLine(models.Model):
    _inherit = "purchase.order.line"

    channel_bill_closed = fields.Boolean(
        string="Closed by an accepted difference",
        copy=False,
        readonly=True,
        help="A person accepted a bill that differs on this line: it counts as fully billed.",
    )

    @api.private
    def _channel_part_number(self):
        """How the distributor names this line: its part number (vendor line product_code), else our SKU."""
        self.ensure_one()
        seller = self.product_id.seller_ids.filtered(
            lambda s: s.partner_id == self.partner_id and s.product_code
        )[:1]
        return seller.product_code or self.product_id.default_code or self.product_id.display_name

    @api.private
    def _channel_part_mismatch(self, invoice_line_number, billed_part):
        """The words for an invoice line billing another part number than this line orders, or ""."""
        self.ensure_one()
        part = self._channel_part_number()
        if not billed_part or billed_part in (part, self.product_id.default_code):
            return ""
        return self.env._(
            "invoice line %(n)s: part %(billed)s billed on PO line %(line)s, which orders %(part)s",
            n=invoice_line_number,
            billed=billed_part,
            line=self.channel_line_number,
            part=part,
        )

    @api.private
    def _channel_fully_billed(self):
        """Posted bills − posted refunds ≥ the quantity, or closed by accepting a difference."""
        self.ensure_one()
        if self.channel_bill_closed or self.display_type or not self.product_qty:
            return True
        billed = 0.0
        for line in self.invoice_lines.filtered(lambda aml: aml.move_id.state == "posted"):
            sign = 1 if line.move_id.move_type == "in_invoice" else -1
            billed += sign * line.product_uom_id._compute_quantity(line.quantity, self.product_uom_id)
        return self.product_uom_id.compare(billed, self.product_qty) >= 0


class PurchaseOrder(models.Model):
    _inherit = "purchase.order"

    @api.private
    def _channel_fully_billed(self):
        return all(
            line._channel_fully_billed()
            for order in self
            if order.state != "cancel"
            for line in order.order_line
        )

    @api.private
    def _channel_dispute_bill(self, bill):
        """The account manager (else the distributor) gets the differences and this PO as a PDF, the way
        an edited cost reaches them (`_channel_notify_account_manager`)."""
        self.ensure_one()
        partner = self.partner_id
        recipient = partner.account_manager_id or partner
        content, _kind = self.env["ir.actions.report"]._render_qweb_pdf(
            "purchase.action_report_purchase_order", self.ids
        )
        attachment = self.env["ir.attachment"].create(
            {
                "name": f"{self.name}.pdf",
                "datas": base64.b64encode(content),
                "res_model": self._name,
                "res_id": self.id,
                "mimetype": "application/pdf",
            }
        )
        body = self.env._(
            "Dear %(name)s,\n\nyour invoice %(ref)s for our purchase order %(po)s differs from the order:\n"
            "%(reason)s\n\nOur purchase order is attached. Please send a credit memo or a corrected invoice.",
            name=recipient.name,
            ref=bill.ref or bill.display_name,
            po=self.name,
            reason=bill.channel_review_reason or "",
        )
        self.message_post(
            body=body,
            subject=self.env._("Invoice %s disputed: %s", bill.ref or bill.display_name, self.name),
            partner_ids=recipient.ids,
            attachment_ids=attachment.ids,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
        return recipient


class StockPicking(models.Model):
    _inherit = "stock.picking"

    def _action_done(self):
        res = super()._action_done()
        po_lines = self.move_ids.purchase_line_id
        if po_lines:
            bills = po_lines.invoice_lines.move_id
            bills._channel_rematch_after_delivery()
        return res
