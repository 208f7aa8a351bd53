"""A newer state of a store order Odoo has: before Ship, the store's lines and addresses replace Odoo's
(the order starts again as new, or in review with its new import codes); after Ship the order goes to
review naming what changed, since the purchase orders keep what was sent; a payment that arrived drops
payment_pending. Cancelled or refunded in the store: cancelled here too, with the purchase orders not
sent yet, unless one has reached its distributor — then review, naming it.
"""

from odoo import api, models
from odoo.fields import Command

from .store_order_values import CANCELLING_STATUSES, IMPORT_REVIEW_CODES, SENT_PO_STATES, _same


class SaleOrder(models.Model):
    _inherit = "sale.order"

    @api.private
    def _channel_import_update(self, store, data, cache):
        """A newer state of an imported order: cancel, replace the lines, or review after Ship."""
        self.ensure_one()
        stamp = {"channel_import_hash": data["hash"] or False, "channel_store_modified": data["modified"]}
        payment_before = self.channel_payment_state
        self.write({**stamp, "channel_payment_state": data["payment_state"]})
        if self.state == "cancel":
            return "unchanged"  # cancelled in Odoo: nothing comes back to life
        if data["status"] in CANCELLING_STATUSES:
            self._channel_store_cancelled(data)
            return "updated"
        if self._channel_past_ship():
            difference = self._channel_store_difference(data)
            if difference:
                self._channel_add_review_codes(["store_changed_after_order"])
                self._channel_review_after_ship(
                    self.env._(
                        "The store changed order %(ref)s after Ship: %(difference)s. "
                        "The purchase orders keep "
                        "what was sent: agree any change with the distributor.",
                        ref=self.client_order_ref,
                        difference=difference,
                    )
                )
            elif payment_before != data["payment_state"]:
                self._channel_payment_changed()
            return "updated"
        if self._channel_same_as_store(data):
            self._channel_payment_changed()  # only the payment (or nothing we keep) changed
            return "updated"
        self._channel_replace_from_store(store, data, cache)
        return "updated"

    @api.private
    def _channel_payment_changed(self):
        """Paid in the store at last: payment_pending goes; alone, the order returns to `new`."""
        if (
            "payment_pending" not in (self.review_codes or "").split()
            or self.channel_payment_state == "pending"
        ):
            return
        self._channel_drop_review_codes(["payment_pending"])
        if not self.review_codes and self.inbox_state == "review":
            self.write({"inbox_state": "new", "review_reason": False})

    @api.private
    def _channel_same_as_store(self, data):
        """The lines, shipping, discounts and addresses Odoo has are those of the store's new state."""
        return not self._channel_store_difference(data, lines_only=False)

    @api.private
    def _channel_store_difference(self, data, lines_only=True):
        """What the store's order has that Odoo's does not, in words ("" when nothing that matters)."""
        self.ensure_one()
        env = self.env
        differences = []
        ours = {}
        for line in self.order_line.filtered(lambda line: line.channel_line_external_id):
            ours[line.channel_line_external_id] = line
        theirs = {line["external_id"]: line for line in data["lines"]}
        for external_id, line in theirs.items():
            mine = ours.get(external_id)
            label = line["name"] or line["sku"]
            if not mine:
                differences.append(
                    env._("%(name)s × %(qty)s added", name=label, qty=f"{line['qty'].normalize():f}")
                )
            elif mine.product_uom_id.compare(mine.product_uom_qty, float(line["qty"])):
                differences.append(
                    env._(
                        "%(name)s from %(old)s to %(new)s",
                        name=label,
                        old=f"{mine.product_uom_qty:g}",
                        new=f"{line['qty'].normalize():f}",
                    )
                )
            elif mine.currency_id.compare_amounts(mine.price_unit, float(line["unit_price"])):
                differences.append(
                    env._(
                        "%(name)s priced %(new)s instead of %(old)s",
                        name=label,
                        new=f"{line['unit_price']:.2f}",
                        old=f"{mine.price_unit:.2f}",
                    )
                )
        for external_id, mine in ours.items():
            if external_id not in theirs:
                differences.append(env._("%s removed", mine.product_id.display_name))
        if self.currency_id.compare_amounts(self.amount_total, float(data["total"])):
            differences.append(
                env._("total %(old)s → %(new)s", old=f"{self.amount_total:.2f}", new=f"{data['total']:.2f}")
            )
        if not lines_only:
            shipping = sorted(
                (line.name, round(line.price_unit, 2)) for line in self.order_line.filtered("is_delivery")
            )
            if shipping != sorted(
                (
                    line["name"] or self.env.ref("channel_fulfilment.product_channel_store_shipping").name,
                    round(float(line["price"]), 2),
                )
                for line in data["shipping_lines"]
            ):
                differences.append(env._("shipping changed"))
            address = data["shipping"] or data["billing"] or {}
            if address and not (
                _same(self.partner_shipping_id.street, address.get("street"))
                and _same(self.partner_shipping_id.zip, address.get("zip"))
                and _same(self.partner_shipping_id.city, address.get("city"))
                and _same(self.partner_shipping_id.name, address.get("name") or self.partner_shipping_id.name)
            ):
                differences.append(env._("delivery address changed"))
        return "; ".join(differences)

    @api.private
    def _channel_replace_from_store(self, store, data, cache):
        """Before Ship: the store's new state replaces lines and addresses; the order starts again as `new`
        (or in review with the new import codes)."""
        self.ensure_one()
        codes, reasons = [], []
        values = self._channel_import_order_values(store, data, cache, codes, reasons)
        for key in ("company_id", "channel_source", "channel_store", "channel_external_id"):
            values.pop(key, None)
        if self.state == "sale":
            # A confirmed order keeps its customer and pricelist; its addresses may move.
            values.pop("partner_id", None)
            values.pop("pricelist_id", None)
        lines = self._channel_import_line_values(data, self.company_id, cache, codes, reasons)
        old = self.order_line
        old.allocation_ids.filtered(lambda a: not a.purchase_line_id).unlink()
        self.write(values)
        self.order_line = [Command.create(line) for line in lines]
        old.with_context(channel_store_replace=True).unlink()
        self._channel_drop_review_codes(IMPORT_REVIEW_CODES)
        self.write({"inbox_state": "new", "review_reason": False})
        self._channel_import_finish_all([(data, codes, reasons)])
        self.message_post(body=self.env._("The store changed this order: its lines were replaced."))

    @api.private
    def _channel_store_cancelled(self, data):
        """Cancelled or fully refunded in the store: cancel here (and the POs not sent yet) unless a
        distributor has a purchase order already; then review, naming those purchase orders."""
        self.ensure_one()
        purchases = self.sudo().channel_purchase_ids.filtered(lambda po: po.state != "cancel")
        sent = purchases.filtered(lambda po: po.channel_send_state in SENT_PO_STATES)
        what = self.env._("refunded") if data["status"] == "refunded" else self.env._("cancelled")
        # Placed over a distributor's API and nothing shipped: ask the distributor to cancel first.
        unshipped = sent._channel_api_placed().filtered(
            lambda po: not po.picking_ids.filtered(lambda p: p.state == "done")
        )
        refused = unshipped._channel_cancel_at_distributor()
        cancelled_there = unshipped.filtered(lambda po: po not in refused)
        sent -= cancelled_there
        if sent:
            cancelled_there.with_context(channel_distributor_cancelled=True).button_cancel()
            self._channel_add_review_codes(["store_cancelled_after_order"])
            reason = self.env._(
                "The store %(what)s order %(ref)s, but %(pos)s already reached the distributor: "
                "cancel with them, "
                "then cancel this order.",
                what=what,
                ref=self.client_order_ref,
                pos=", ".join(sent.mapped("name")),
            )
            for po, words in refused.items():
                reason += " " + self.env._(
                    "%(dist)s refused to cancel %(po)s: %(why)s",
                    dist=po.partner_id.name,
                    po=po.name,
                    why=words,
                )
            if self.inbox_state in ("new", "review", "ready"):
                self.write({"inbox_state": "review", "review_reason": reason})
                self.message_post(body=reason)
            else:
                self._channel_review_after_ship(reason)
            return
        if purchases:
            purchases.with_context(channel_distributor_cancelled=True).button_cancel()
        self._action_cancel()
        self.message_post(
            body=self.env._(
                "The store %(what)s order %(ref)s: cancelled here too.", what=what, ref=self.client_order_ref
            )
        )
