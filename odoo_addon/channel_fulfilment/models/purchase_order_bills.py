"""Purchase orders as the accountant sees them: fully billed, and disputes with the account manager.
Their lines' side is purchase_order_line_bills.py; draft bills matched again when a delivery changes
what may be billed, stock_picking_bills.py."""

import base64

from odoo import api, models


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
