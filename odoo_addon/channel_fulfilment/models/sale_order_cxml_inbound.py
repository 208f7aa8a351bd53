"""After Ship, what a distributor's document asks of the sale order: back to review with the reason and
its codes (`_channel_review_after_ship`, which a store's late change uses too), and the quantities a
distributor rejected or backordered taken off its purchase order and planned again without it
(`_channel_handle_rejections`). The documents are read in channel_cxml_document_inbound.py.
"""

from odoo import api, fields, models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    @api.private
    def _channel_review_after_ship(self, reason, codes=()):
        """A distributor's document needs a person on an order Ship has passed already: to review, with
        the reason (and the review codes naming it). Ship anyway then resumes the order where its purchase
        orders and deliveries are."""
        for order in self.filtered(lambda o: o.is_inbox and o.inbox_state != "cancelled"):
            order._channel_add_review_codes(codes)
            order.write({"inbox_state": "review", "review_reason": reason})
            order.message_post(body=reason)

    @api.private
    def _channel_handle_rejections(self, po, problems, confirmation_type, comments="", line_types=None):
        """Take the rejected quantities off `po` and re-plan them without that distributor.

        Only what is neither received nor on a done delivery can leave the PO: units that shipped are
        the customer's already, and proposing them again would order them twice. What the distributor
        asked beyond that (after shipping, or more than was ordered) is not applied; the order goes to
        review saying so, and the returned text (for the answer) says it too.

        `line_types` {po line: "reject" | "backordered"}: what the distributor said of each line (a
        "detail" confirmation mixes them); lines not in it take the confirmation's own type."""
        line_types = line_types or {}
        self.ensure_one()
        env = self.env
        distributor = po.partner_id
        texts = []
        refused = []
        for po_line, asked in problems.items():
            what = (
                env._("backordered")
                if line_types.get(po_line, confirmation_type) == "backordered"
                else env._("rejected")
            )
            shipped = po_line.qty_received
            open_qty = max(po_line.product_qty - shipped, 0.0)
            qty = min(asked, open_qty)
            if po_line.product_uom_id.compare(asked, qty) > 0:
                refused.append(
                    env._(
                        "%(dist)s %(what)s %(asked)s × %(product)s on %(po)s, but %(shipped)s of %(ordered)s "
                        "had shipped already: %(kept)s not taken off",
                        dist=distributor.name,
                        what=what,
                        asked=asked,
                        product=po_line.product_id.display_name,
                        po=po.name,
                        shipped=shipped,
                        ordered=po_line.product_qty,
                        kept=po_line.product_uom_id.round(asked - qty),
                    )
                )
            if po_line.product_uom_id.compare(qty, 0.0) <= 0:
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
                    what=what,
                    qty=qty,
                    product=po_line.product_id.display_name,
                    po=po.name,
                )
            )
        refused_text = "; ".join(refused) + "." if refused else ""
        if not texts:
            # Nothing could leave the PO: nothing to re-plan, but a person must know what was asked.
            po.message_post(body=refused_text)
            self._channel_review_after_ship(refused_text, ["distributor_rejected"])
            return refused_text
        po_goods = po.order_line.filtered(lambda pol: pol.channel_line_number)
        if all(po_line.product_uom_id.is_zero(po_line.product_qty) for po_line in po_goods):
            po.write({"channel_send_state": "rejected", "locked": False})
            po.button_cancel()
        else:
            po.channel_send_state = "accepted"
        note = "; ".join(texts) + (f" ({comments})" if comments else "") + "."
        if refused_text:
            note += "\n" + refused_text
        self.with_context(channel_replan=True).write({"inbox_state": "review"})
        self._channel_plan()
        reason = note
        proposal = self._channel_proposal_text()
        if proposal:
            reason += "\n" + proposal
        if self.inbox_state == "review" and self.review_reason:
            reason += "\n" + self.review_reason
        self._channel_add_review_codes(["distributor_rejected"])
        self.write({"inbox_state": "review", "review_reason": reason})
        return refused_text
