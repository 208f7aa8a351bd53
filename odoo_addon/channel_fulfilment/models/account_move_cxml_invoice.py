"""A distributor's InvoiceDetailRequest as a vendor bill (or refund): its lines linked to the purchase
order lines they bill (a line not on the order is kept, with a note), its charges mapped to the PO's
freight and small-order lines, the notes where the document's own summary does not add up; then the
three-way match, and posted when it matches. channel_cxml_document_invoice.py receives the document.
"""

from collections import defaultdict
from decimal import Decimal

from odoo import Command, api, models


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
