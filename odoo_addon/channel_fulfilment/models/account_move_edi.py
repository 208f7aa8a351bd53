"""A distributor's UBL / Peppol BIS 3 or Factur-X invoice imported through Odoo's own e-invoice import
(account_edi_ubl_cii) goes through our matcher, not purchase's amount-driven one: the purchase order by
its reference (OrderReference/ID, BuyerOrderReferencedDocument), each line by OrderLineReference/LineID
(= the PO line's cXML line number), else by the distributor's part number. The bill keeps its own
quantities and prices; distributors' e-invoices are never posted by Odoo's auto-validation.
"""

from odoo import api, models


class AccountMove(models.Model):
    _inherit = "account.move"

    def _extend_with_attachments(self, files_data, new=False):
        # The line references live only in the XML: keep the decoded trees for the matcher below.
        trees = [fd["xml_tree"] for fd in files_data if fd.get("xml_tree") is not None]
        return super(AccountMove, self.with_context(channel_edi_trees=trees))._extend_with_attachments(
            files_data, new
        )

    def _find_and_set_purchase_orders(
        self, po_references, partner_id, amount_total, from_ocr=False, timeout=10
    ):
        self.ensure_one()
        distributor = self.env["res.partner"].browse(partner_id).commercial_partner_id
        if distributor.is_distributor and self.move_type in ("in_invoice", "in_refund") and po_references:
            purchases = self.env["purchase.order"].search(
                [
                    ("name", "in", po_references),
                    ("partner_id", "child_of", distributor.id),
                    ("company_id", "=", self.company_id.id),
                ]
            )
            if purchases:
                self._channel_link_edi_lines(purchases)
                return None
        return super()._find_and_set_purchase_orders(
            po_references, partner_id, amount_total, from_ocr=from_ocr, timeout=timeout
        )

    @api.private
    def _channel_link_edi_lines(self, purchases):
        self.ensure_one()
        references = _line_references(self.env.context.get("channel_edi_trees") or [])
        goods = purchases.order_line.filtered(
            lambda pol: pol.channel_line_number and not pol.channel_charge_type
        )
        by_number = {pol.channel_line_number: pol for pol in goods}
        by_part = {pol._channel_part_number(): pol for pol in goods}
        notes = []
        lines = self.invoice_line_ids.filtered(lambda line: line.display_type == "product").sorted("sequence")
        for index, line in enumerate(lines):
            line_id, part = references[index] if index < len(references) else ("", "")
            po_line = None
            if line_id.isdigit():
                po_line = by_number.get(int(line_id))
            if po_line is None and part:
                po_line = by_part.get(part)
            if po_line is None:
                po_line = goods.filtered(lambda pol, p=line.product_id: p and pol.product_id == p)[:1] or None
            if po_line is None:
                notes.append(
                    self.env._(
                        "invoice line %(n)s (%(name)s) matches no line of %(po)s",
                        n=index + 1,
                        name=line.name,
                        po=", ".join(purchases.mapped("name")),
                    )
                )
                continue
            note = po_line._channel_part_mismatch(index + 1, part)
            if note:
                notes.append(note)
            kept = {"quantity": line.quantity, "price_unit": line.price_unit, "tax_ids": line.tax_ids.ids}
            values = {"purchase_line_id": po_line.id}
            if line.product_id != po_line.product_id:
                values["product_id"] = po_line.product_id.id
            line.with_context(channel_matching=True).write(values)
            if "product_id" in values:  # a new product re-prices the line: the bill's own figures stay
                line.with_context(channel_matching=True).write({**kept, "tax_ids": [(6, 0, kept["tax_ids"])]})
        self.with_context(channel_matching=True).write(
            {
                "channel_origin": "edi",
                "channel_purpose": "standard" if self.move_type == "in_invoice" else "lineLevelCreditMemo",
                "channel_import_notes": "\n".join(notes) or False,
                "invoice_origin": ", ".join(purchases.mapped("name")),
            }
        )
        self._channel_match()


def _line_references(trees):
    """[(OrderLineReference/LineID, the seller's part number)] of the invoice lines, in document order."""
    found = []
    for tree in trees:
        for node in tree.iter():
            tag = node.tag if isinstance(node.tag, str) else ""
            local = tag.rsplit("}", 1)[-1]
            if local in ("InvoiceLine", "CreditNoteLine"):
                found.append(
                    (
                        (node.findtext("./{*}OrderLineReference/{*}LineID") or "").strip(),
                        (node.findtext("./{*}Item/{*}SellersItemIdentification/{*}ID") or "").strip(),
                    )
                )
            elif local == "IncludedSupplyChainTradeLineItem":  # Factur-X (CII)
                found.append(
                    (
                        (node.findtext(".//{*}BuyerOrderReferencedDocument/{*}LineID") or "").strip(),
                        (node.findtext(".//{*}SpecifiedTradeProduct/{*}SellerAssignedID") or "").strip(),
                    )
                )
        if found:
            break
    return found
