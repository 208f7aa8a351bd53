"""A shipment onto the drop-ship deliveries: the one path every way a distributor tells us it shipped
takes (a cXML ShipNoticeRequest, a distributor's own API, a dispatch e-mail or despatch report).

The tracking goes onto the purchase order's open drop-ship delivery, which is validated for what shipped;
what did not ship yet stays in a backorder that gets its own tracking from the next shipment. Then the
sale order's progress, the invoice on dispatch and, for quantities beyond what was left, a review follow
as they do for every channel — so a new channel only reads its distributor and calls
`_channel_apply_shipment`.
"""

from collections import defaultdict
from decimal import Decimal

from odoo import api, models


class PurchaseOrder(models.Model):
    _inherit = "purchase.order"

    @api.private
    def _channel_apply_shipment(self, shipment):
        """Apply one shipment to these purchase orders (those it names); returns the outcome in words.

        `shipment` is read by attribute, so the engine's `ShipNotice` (cXML) and `Shipment` (any other
        channel: `fulfilment_engine.documents.model.Shipment`) both serve: `shipment_id`, `carrier`,
        `carrier_service`, `tracking_numbers`, `tracking_url`, `lines` (each `order_id`, `line_number` =
        the PO line's `channel_line_number`, `quantity` in the PO line's unit) and `whole_order_ids` (the
        POs shipped complete; no lines at all means complete too).

        A shipment that ships nothing we can ship (lines not on the order, the freight line, lines shipped
        already) touches no delivery. More than is left of a line ships what is left; the rest is
        stated in the answer, on the purchase order, and the sale order goes to review with it."""
        env = self.env
        shipped = []
        excess = []
        for po in self:
            picking = po.picking_ids.filtered(
                lambda p: p.state not in ("done", "cancel") and p.picking_type_code == "dropship"
            ).sorted("id")[:1]
            moves = picking.move_ids.filtered(lambda m: m.state not in ("done", "cancel"))
            whole = po.name in shipment.whole_order_ids or not shipment.lines
            wanted = po._channel_shipped_quantities(shipment, moves, whole, excess)
            if not any(wanted.values()):
                continue
            for move in moves:
                move.quantity = wanted.get(move, 0.0)
                move.picked = bool(wanted.get(move))
            picking.write(
                {
                    "carrier_tracking_ref": ", ".join(shipment.tracking_numbers),
                    "channel_carrier": " ".join(filter(None, (shipment.carrier, shipment.carrier_service))),
                    "channel_shipment_id": shipment.shipment_id,
                    "channel_tracking_url": shipment.tracking_url or False,
                }
            )
            picking.with_context(skip_backorder=True, picking_ids_not_to_backorder=[]).button_validate()
            shipped.append(picking.name)
            if po.channel_send_state in ("sent", "emailed", "to_send"):
                po.channel_send_state = "accepted"  # shipping is the strongest confirmation there is
            po.message_post(
                body=env._(
                    "Shipped by %(carrier)s, tracking %(tracking)s (%(picking)s).",
                    carrier=shipment.carrier,
                    tracking=", ".join(shipment.tracking_numbers),
                    picking=picking.name,
                )
            )
        orders = self.channel_sale_id
        orders._channel_update_progress()
        for order in orders.filtered(lambda o: o.company_id.channel_auto_invoice_on_dispatch):
            order._channel_invoice()
        if shipped:
            answer = env._("Shipment recorded on %s.", ", ".join(shipped))
        else:
            answer = env._("Nothing left to ship on %s: nothing changed.", ", ".join(self.mapped("name")))
        if excess:
            over = env._(
                "%(dist)s shipment %(shipment)s: %(lines)s.",
                dist=self.partner_id[:1].name,
                shipment=shipment.shipment_id,
                lines="; ".join(excess),
            )
            for po in self:
                po.message_post(body=over)
            orders._channel_review_after_ship(over, ["ship_notice_problem"])
            answer += " " + over
        return answer

    @api.private
    def _channel_shipped_quantities(self, shipment, moves, whole, excess):
        """{move: quantity shipped now} for this purchase order's open delivery; what a line names beyond
        what is left of it goes to `excess` in words."""
        self.ensure_one()
        po = self
        if whole:
            return {move: move.product_uom_qty for move in moves}
        asked = defaultdict(Decimal)
        for line in shipment.lines:
            if line.order_id in ("", po.name):
                asked[line.line_number] += line.quantity
        wanted = {}
        for number, quantity in asked.items():
            po_line = po.order_line.filtered(lambda pol, n=number: pol.channel_line_number == n)[:1]
            if not po_line or po_line.channel_charge_type:
                continue  # not on this order, or a charge (freight): nothing that ships
            left = float(quantity)
            for move in moves.filtered(lambda m, pol=po_line: m.purchase_line_id == pol):
                in_move_unit = po_line.product_uom_id._compute_quantity(left, move.product_uom)
                take = min(in_move_unit, move.product_uom_qty)
                wanted[move] = take
                left -= move.product_uom._compute_quantity(take, po_line.product_uom_id)
            if po_line.product_uom_id.compare(left, 0.0) > 0:
                excess.append(
                    self.env._(
                        "line %(n)s (%(product)s) on %(po)s: %(asked)s shipped, %(left)s more than was left "
                        "to ship, not recorded",
                        n=number,
                        product=po_line.product_id.display_name,
                        po=po.name,
                        asked=quantity,
                        left=po_line.product_uom_id.round(left),
                    )
                )
        return wanted
