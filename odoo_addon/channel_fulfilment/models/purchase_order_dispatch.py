"""A purchase order and the dispatch e-mails about it: which POs a message names, whether what it says is
enough to record the shipment without a person (`_channel_dispatch_decide`), and the replies to our PO
e-mails that Odoo routes into the PO's thread.

The rules, per purchase order (the Decisions' "Dispatch e-mails and despatch reports"):
- a message from anyone but the PO's distributor (its `channel_dispatch_senders`, else its e-mail's
  domain) never changes a delivery: ignored, with the reason;
- nothing said about despatch (an invoice, an out-of-office), or only tracking already on a delivery of
  the PO: ignored, nothing changed;
- applied when every tracking number validates (none doubtful) and either the lines and quantities named
  match open drop-ship moves, or the whole order is said to have gone and one drop-ship delivery is open;
- proposed otherwise: one activity on the PO and the lines to pick on the dispatch record.
"""

import re
from collections import defaultdict
from decimal import Decimal

from markupsafe import Markup
from odoo import Command, api, models
from odoo.tools import email_normalize

from fulfilment_engine.documents.model import Shipment, ShipNoticeLine


class PurchaseOrder(models.Model):
    _inherit = "purchase.order"

    # ----------------------------------------------------------------------------------- replies

    def message_update(self, msg_dict, update_vals=None):
        """A message Odoo routes into a drop-ship PO's thread (a reply to our PO e-mail) from outside the
        company is a dispatch message too: read and acted on like one sent to the dispatch address."""
        for po in self:
            if po._channel_is_dropship() and not po._channel_from_inside(msg_dict):
                # the received bytes ride along in the context (mail_thread.py)
                self.env["channel.dispatch.message"].sudo()._channel_receive_new(
                    msg_dict, "reply", po.company_id, purchase=po
                )
        return super().message_update(msg_dict, update_vals=update_vals)

    def _channel_is_dropship(self):
        self.ensure_one()
        return self.picking_type_id.code == "dropship" or bool(
            self.picking_ids.filtered(lambda p: p.picking_type_code == "dropship")
        )

    def _channel_from_inside(self, msg_dict):
        """Written by one of us: an internal user, or an address at the company's own domains."""
        self.ensure_one()
        author = self.env["res.partner"].browse(msg_dict.get("author_id") or [])
        if author.user_ids.filtered(lambda user: not user._is_public() and not user.share):
            return True
        email = email_normalize(msg_dict.get("email_from") or "") or ""
        domain = email.rpartition("@")[2]
        company = self.company_id
        own = {company.alias_domain_id.name, (email_normalize(company.email or "") or "").rpartition("@")[2]}
        return bool(domain) and domain in own

    # ----------------------------------------------------------------------------------- finding

    @api.model
    def _channel_dispatch_purchases(self, claims, reading, distributor, company):
        """The purchase orders a message concerns: those it names by reference, and those of its
        distributor whose order number (`partner_ref`, as the distributor confirmed it) it gives."""
        refs = {claim.po for claim in claims if claim.po}
        found = self.search([("name", "in", list(refs)), ("company_id", "=", company.id)]) if refs else self
        if reading is not None and reading.order_numbers and distributor:
            candidates = self.search(
                [
                    ("partner_id.commercial_partner_id", "=", distributor.commercial_partner_id.id),
                    ("company_id", "=", company.id),
                    ("partner_ref", "!=", False),
                    ("state", "=", "purchase"),
                ]
            )
            numbers = {number.upper() for number in reading.order_numbers}
            found |= candidates.filtered(
                lambda po: numbers & {ref.strip().upper() for ref in po.partner_ref.split(",")}
            )
        return found.filtered(lambda po: po._channel_is_dropship())

    def _channel_dispatch_codes(self):
        """Every code a distributor may write for the products of these POs: our SKU, its own code for
        them, the barcode (what our cXML orders send as the manufacturer's part number)."""
        codes = set()
        for line in self.order_line.filtered("product_id"):
            product = line.product_id
            codes.update(filter(None, (product.default_code, product.barcode)))
            codes.update(
                filter(
                    None,
                    product.seller_ids.filtered(
                        lambda s, po=line.order_id: s.partner_id == po.partner_id
                    ).mapped("product_code"),
                )
            )
        return codes

    def _channel_open_dropship_moves(self):
        return self.picking_ids.filtered(
            lambda p: p.picking_type_code == "dropship" and p.state not in ("done", "cancel")
        ).move_ids.filtered(lambda m: m.state not in ("done", "cancel"))

    # ----------------------------------------------------------------------------------- deciding

    @api.private
    def _channel_dispatch_decide(self, dispatch, claim, distributor):
        """(state, reason) for this PO of what `claim` says, having acted on it: applied through the
        shipment method, or proposed with an activity and the lines to pick on `dispatch`."""
        self.ensure_one()
        env = self.env
        if not distributor or distributor.commercial_partner_id != self.partner_id.commercial_partner_id:
            return "ignored", env._(
                "Not from %(dist)s: %(sender)s is not one of its dispatch senders. Nothing changed.",
                dist=self.partner_id.name,
                sender=dispatch.email_from or env._("an unknown sender"),
            )
        if not claim.says_despatch:
            return "ignored", env._(
                "No tracking number, and nothing says anything was despatched. Nothing changed."
            )
        recorded = {
            number.strip()
            for ref in self.picking_ids.mapped("carrier_tracking_ref")
            if ref
            for number in ref.split(",")
        }
        fresh = [t for t in claim.tracking if t.number not in recorded]
        if claim.tracking and not fresh:
            return "ignored", env._(
                "Tracking %s is on a delivery of this purchase order already. Nothing changed.",
                ", ".join(t.number for t in claim.tracking),
            )
        moves = self._channel_open_dropship_moves()
        if not moves:
            return "ignored", env._("Nothing is left to ship on %s. Nothing changed.", self.name)
        lines = [
            line for line in claim.lines if not line.tracking or line.tracking in {t.number for t in fresh}
        ]
        quantities, problem = self._channel_dispatch_quantities(lines, moves, claim.scope)
        if claim.doubtful:
            problem = env._(
                "Not taken as tracking: %s.", "; ".join(f"{d.number} ({d.reason})" for d in claim.doubtful)
            )
        elif not fresh:
            problem = env._("No tracking number was given.")
        if problem:
            return "proposed", self._channel_dispatch_propose(dispatch, quantities, problem)
        numbers = [t.number for t in fresh]
        carrier = ", ".join(dict.fromkeys(t.carrier for t in fresh if t.carrier))
        shipment, problem = self._channel_dispatch_shipment(dispatch, quantities, numbers, carrier)
        if problem:
            return "proposed", self._channel_dispatch_propose(dispatch, quantities, problem)
        answer = self._channel_dispatch_apply(dispatch, shipment)
        return "applied", env._(
            "%(carrier)s %(tracking)s: %(answer)s",
            carrier=carrier,
            tracking=", ".join(numbers),
            answer=answer,
        )

    @api.private
    def _channel_dispatch_shipment(self, dispatch, quantities, numbers, carrier):
        """(the engine `Shipment` of {move: quantity} for the shared shipment path, a problem or ""): the
        whole open delivery as "whole order", else its lines by the line numbers our PO gave them."""
        self.ensure_one()
        moves = self._channel_open_dropship_moves()
        whole = len(moves.picking_id) == 1 and all(
            move.product_uom.compare(quantities.get(move, 0.0), move.product_uom_qty) >= 0 for move in moves
        )
        by_line = defaultdict(float)
        for move, quantity in quantities.items():
            po_line = move.purchase_line_id
            by_line[po_line] += move.product_uom._compute_quantity(quantity, po_line.product_uom_id)
        if not whole and not all(po_line.channel_line_number for po_line in by_line):
            return None, self.env._(
                "Only part of %s shipped, and its lines have no line numbers (it was not sent by the Orders "
                "Inbox): record it on the delivery by hand.",
                self.name,
            )
        lines = tuple(
            ShipNoticeLine(po_line.channel_line_number, Decimal(str(quantity)), order_id=self.name)
            for po_line, quantity in by_line.items()
            if quantity
        )
        shipment = Shipment(
            shipment_id=dispatch.message_id,
            carrier=carrier,
            tracking_numbers=tuple(numbers),
            lines=() if whole else lines,
            whole_order_ids=(self.name,) if whole else (),
        )
        return shipment, ""

    @api.private
    def _channel_dispatch_apply(self, dispatch, shipment):
        """Through the one shipment path every channel takes; the deliveries it validated are noted on
        the dispatch record."""
        answer = self._channel_apply_shipment(shipment)
        done = self.picking_ids.filtered(lambda p: p.channel_shipment_id == shipment.shipment_id)
        dispatch.picking_ids = [Command.link(picking.id) for picking in done]
        return answer

    @api.private
    def _channel_dispatch_quantities(self, lines, moves, scope):
        """({move: quantity shipped}, the problem in words or ""): the lines named, matched to open moves
        by any of their codes; without lines, the whole of the one open delivery when the whole order is
        said to have gone."""
        env = self.env
        if not lines:
            pickings = moves.picking_id
            if scope == "full" and len(pickings) == 1:
                return {move: move.product_uom_qty for move in moves}, ""
            if scope == "full":
                return {}, env._(
                    "The whole order is said to have gone, but %s deliveries are open.", len(pickings)
                )
            if scope == "partial":
                return {}, env._("Part of the order is said to have gone; which lines is not said.")
            return {}, env._('Neither the lines despatched nor "the whole order" is said.')
        by_code = self._channel_dispatch_line_codes()
        asked = defaultdict(float)
        problems = []
        for line in lines:
            po_line = next((by_code[key] for key in map(_key, line.codes) if key in by_code), None)
            if po_line is None:
                problems.append(env._("%(code)s matches no line of %(po)s", code=line.code, po=self.name))
                continue
            asked[po_line] += float(line.quantity)
        quantities = {}
        for po_line, quantity in asked.items():
            left = quantity
            for move in moves.filtered(lambda m, pol=po_line: m.purchase_line_id == pol):
                take = min(
                    po_line.product_uom_id._compute_quantity(left, move.product_uom), move.product_uom_qty
                )
                quantities[move] = take
                left -= move.product_uom._compute_quantity(take, po_line.product_uom_id)
            if po_line.product_uom_id.compare(left, 0.0) > 0:
                problems.append(
                    env._(
                        "%(product)s: %(asked)s despatched, more than the %(open)s left to ship",
                        product=po_line.product_id.display_name,
                        asked=quantity,
                        open=quantity - left,
                    )
                )
        return quantities, "; ".join(problems) + ("." if problems else "")

    def _channel_dispatch_line_codes(self):
        """{code as compared: PO line} for the codes a distributor may write for this PO's lines."""
        self.ensure_one()
        found = {}
        for line in self.order_line.filtered(lambda pol: pol.product_id and not pol.display_type):
            product = line.product_id
            sellers = product.seller_ids.filtered(lambda s: s.partner_id == self.partner_id)
            for code in (product.default_code, product.barcode, *sellers.mapped("product_code")):
                if code:
                    found.setdefault(_key(code), line)
        return found

    @api.private
    def _channel_dispatch_propose(self, dispatch, quantities, problem):
        """The lines to pick on the dispatch record, and one activity on this PO for a person."""
        dispatch._channel_propose_lines(self, quantities)
        reason = self.env._("To check: %s", problem)
        self._channel_dispatch_activity(dispatch, reason)
        return reason

    @api.private
    def _channel_dispatch_activity(self, dispatch, reason):
        """One open "Dispatch e-mail to check" activity per PO: a second message adds to its note."""
        self.ensure_one()
        note = Markup("<p>%s</p><p>%s</p><p>%s</p>") % (
            reason,
            self.env._("From %(sender)s: %(subject)s", sender=dispatch.email_from, subject=dispatch.subject),
            self.env._("Read: %s", dispatch.reading),
        )
        existing = self.activity_ids.filtered(lambda a: (a.summary or "").startswith("Dispatch e-mail"))
        if existing:
            existing[:1].note = (existing[:1].note or Markup()) + note
            return
        self.activity_schedule(
            "mail.mail_activity_data_todo",
            summary=self.env._("Dispatch e-mail to check"),
            note=note,
            user_id=self.user_id.id or self.channel_sale_id.user_id.id or self.env.uid,
        )

    def _channel_dispatch_activity_done(self, dispatch):
        self.activity_ids.filtered(lambda a: (a.summary or "").startswith("Dispatch e-mail")).action_feedback(
            feedback=self.env._("Applied from %s.", dispatch.display_name)
        )


def _key(code):
    return re.sub(r"\s+", "", code or "").upper()
