"""Drop-ship purchase orders made by Ship: their inbox order, the distributor's freight and small-order
charges as PO lines, their confirmation together (with the drop-ship pickings made for the whole batch),
line numbers and a stable payloadID, and the sending state the send cron works from. Sending itself is
purchase_order_send.py.
"""

from odoo import SUPERUSER_ID, api, fields, models
from odoo.fields import Command

from fulfilment_engine.documents import cxml

from .engine_bridge import to_decimal

SEND_STATES = [
    ("to_send", "To send"),
    ("sent", "Sent"),
    ("accepted", "Accepted"),
    ("rejected", "Rejected"),
    ("failed", "Failed"),
    ("emailed", "E-mailed"),
]


class PurchaseOrder(models.Model):
    _inherit = "purchase.order"

    channel_sale_id = fields.Many2one(
        "sale.order",
        string="Inbox order",
        index="btree_not_null",
        copy=False,
        readonly=True,
        help="The Orders Inbox order whose Ship created this purchase order.",
    )
    channel_send_state = fields.Selection(
        SEND_STATES, string="Sending", copy=False, index=True, tracking=True
    )
    channel_payload_id = fields.Char(
        string="cXML payloadID", copy=False, readonly=True, index="btree_not_null"
    )
    channel_send_attempts = fields.Integer(string="Send attempts", copy=False, readonly=True)
    channel_last_error = fields.Text(string="Last sending error", copy=False, readonly=True)
    channel_next_attempt_at = fields.Datetime(string="Next attempt", copy=False, readonly=True)
    has_cost_edited = fields.Boolean(
        string="Cost edited",
        compute="_compute_has_cost_edited",
        store=True,
        help="A line's cost was edited by a person: the distributor's account manager gets the PDF too.",
    )
    channel_manager_notified = fields.Boolean(string="Account manager notified", copy=False, readonly=True)
    channel_manager_missing_warned = fields.Boolean(
        string="Warned: no account manager",
        copy=False,
        readonly=True,
        help="A cost was edited but the distributor has no account manager to send the PDF to: the "
        "responsible person was warned (once).",
    )
    channel_tracking_refs = fields.Char(string="Tracking", compute="_compute_channel_tracking_refs")
    channel_document_ids = fields.One2many("channel.cxml.document", "purchase_id", string="cXML documents")

    @api.depends("order_line.sale_line_id.cost_edited")
    def _compute_has_cost_edited(self):
        for order in self:
            order.has_cost_edited = any(order.order_line.sale_line_id.mapped("cost_edited"))

    @api.depends("picking_ids.carrier_tracking_ref")
    def _compute_channel_tracking_refs(self):
        for order in self:
            refs = [ref for ref in order.picking_ids.mapped("carrier_tracking_ref") if ref]
            order.channel_tracking_refs = ", ".join(dict.fromkeys(refs))

    # ------------------------------------------------------------------------------ made by Ship

    @api.private
    def _channel_add_charges(self):
        """The distributor's freight and small-order charge as PO lines, so its invoice matches the PO
        (one create for all the purchase orders' charge lines)."""
        freight_product = self.env.ref("channel_fulfilment.product_channel_freight")
        small_order_product = self.env.ref("channel_fulfilment.product_channel_small_order")
        goods_by_order = self.order_line.filtered(
            lambda pol: not pol.display_type and pol.product_id.type == "consu"
        ).grouped("order_id")
        products = self.order_line.product_id._channel_engine_products()
        self.order_line.mapped("price_subtotal")  # computed once for the batch, not once per order
        charge_values = []
        today = fields.Date.context_today(self)
        for order in self:
            partner = order.partner_id
            goods_lines = goods_by_order.get(order, self.env["purchase.order.line"])
            charged = set(order.order_line.mapped("channel_charge_type"))
            items = [
                (products[pol.product_id.id], to_decimal(pol.product_qty), to_decimal(pol.price_unit, 4))
                for pol in goods_lines
            ]
            # The PO is normally in the distributor's currency (then the amounts are as entered); a PO
            # in another (its vendor line's) gets them converted.
            currency, company = order.currency_id, order.company_id
            if "freight" not in charged and partner.freight_type != "none":
                freight = partner._channel_freight_amount(items, currency, company, today)
                if freight is None:
                    order.message_post(
                        body=self.env._(
                            "%s's freight rule cannot carry this shipment: add the freight by hand.",
                            partner.name,
                        )
                    )
                elif freight:
                    charge_values.append(
                        order._channel_charge_values(freight_product, "freight", float(freight))
                    )
            goods = sum(goods_lines.mapped("price_subtotal"))
            small = partner._channel_engine_distributor(currency, company, today).small_order
            if (
                "small_order" not in charged
                and small is not None
                and currency.compare_amounts(goods, float(small.below)) < 0
            ):
                charge_values.append(
                    order._channel_charge_values(small_order_product, "small_order", float(small.charge))
                )
        if charge_values:
            self.env["purchase.order.line"].create(charge_values)

    @api.private
    def _channel_charge_values(self, product, charge_type, amount):
        self.ensure_one()
        taxes = self.fiscal_position_id.map_tax(
            product.supplier_taxes_id.filtered_domain(
                self.env["account.tax"]._check_company_domain(self.company_id)
            )
        )
        return {
            "order_id": self.id,
            "product_id": product.id,
            "name": product.display_name,
            "product_qty": 1.0,
            "product_uom_id": product.uom_id.id,
            "price_unit": amount,
            "tax_ids": [Command.set(taxes.ids)],
            "date_planned": self.date_planned or fields.Datetime.now(),
            "channel_charge_type": charge_type,
        }

    @api.private
    def _channel_mark_to_send(self):
        """Confirmed POs get their line numbers and stable payloadID, and wait for the send cron."""
        confirmed = self.filtered(lambda po: po.state == "purchase")
        for order in confirmed:
            number = max(order.order_line.mapped("channel_line_number") or [0])
            for line in order.order_line.filtered(
                lambda pol: not pol.display_type and not pol.channel_line_number
            ):
                number += 1
                line.channel_line_number = number
            order.write(
                {
                    "channel_send_state": "to_send",
                    "channel_payload_id": order.channel_payload_id
                    or cxml.payload_id_for(order.name, order.company_id._channel_cxml_domain()),
                }
            )
        for order in self - confirmed:
            order.message_post(
                body=self.env._("Waiting for approval: it is sent to the distributor once approved.")
            )
        if confirmed:
            self.env.ref("channel_fulfilment.ir_cron_send_purchase_orders")._trigger()

    @api.private
    def _channel_confirm(self):
        """Confirm the purchase orders a Ship just made, together.

        purchase's own button_confirm runs (its checks, double validation, supplier lines); the
        drop-ship pickings that purchase_stock would make one PO at a time are made afterwards for the
        whole batch (_channel_create_pickings), and the confirmed POs join the sending queue at once.
        """
        self.with_context(channel_batch_confirm=True).button_confirm()
        confirmed = self.filtered(lambda po: po.state == "purchase")
        confirmed._channel_create_pickings()
        self._channel_mark_to_send()

    def button_approve(self, force=False):
        result = super().button_approve(force=force)
        if self.env.context.get("channel_batch_confirm"):
            return result  # _channel_confirm queues the whole batch once
        # A channel PO approved later (double validation) joins the sending queue then.
        waiting = self.filtered(
            lambda po: po.channel_sale_id and po.state == "purchase" and not po.channel_send_state
        )
        if waiting:
            waiting._channel_mark_to_send()
        return result

    def _create_picking(self):
        if self.env.context.get("channel_batch_confirm"):
            return True  # _channel_confirm makes the pickings of the whole batch right after
        return super()._create_picking()

    @api.private
    def _channel_create_pickings(self):
        """purchase_stock's _create_picking for many new purchase orders at once.

        The same steps with the same hooks (_prepare_picking, _prepare_stock_moves, _action_confirm,
        _action_assign, the origin note on the picking), each run once over the batch instead of once
        per purchase order: one create of the pickings, one of the moves, one confirmation. Purchase
        orders that have an open picking already take purchase_stock's own path.
        """
        StockPicking = self.env["stock.picking"]
        new = self.filtered(
            lambda po: (
                po.state == "purchase"
                and any(product.type == "consu" for product in po.order_line.product_id)
                and not po.picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))
            )
        )
        super(PurchaseOrder, self.filtered(lambda po: po.state == "purchase") - new)._create_picking()
        origin_view = self.env.ref("mail.message_origin_link")
        for company, orders in new.grouped("company_id").items():
            orders = orders.with_company(company)
            pickings = StockPicking.with_user(SUPERUSER_ID).create([po._prepare_picking() for po in orders])
            move_values = [
                values
                for po, picking in zip(orders, pickings, strict=True)
                for line in po.order_line
                if not line.display_type
                for values in line._prepare_stock_moves(picking)
            ]
            moves = orders.env["stock.move"].create(move_values)
            moves = moves.filtered(lambda m: m.state not in ("done", "cancel"))._action_confirm()
            for picking_moves in moves.grouped("picking_id").values():
                for sequence, move in enumerate(sorted(picking_moves, key=lambda m: m.date), start=1):
                    move.sequence = sequence * 5
            moves._action_assign()
            forward_pickings = orders.env["stock.picking"]._get_impacted_pickings(moves)
            (pickings | forward_pickings).action_confirm()
            # The note purchase_stock posts on each picking ("created from P000x"), logged in one batch.
            bodies = {
                picking.id: self.env["mail.render.mixin"]._render_template_qweb_view(
                    origin_view, picking._name, picking.ids, add_context={"self": picking, "origin": po}
                )[picking.id]
                for po, picking in zip(orders, pickings, strict=True)
            }
            pickings._message_log_batch(bodies=bodies)
        return True

    @api.private
    def _channel_responsible_user(self):
        """The person an activity on this purchase order is for: its buyer when that is a person (Ship
        run by the inbox cron leaves the scheduler's user there), else its inbox order's
        (sale_order_review.py: the salesperson, else the company's Inbox owner)."""
        self.ensure_one()
        if self.user_id._channel_is_person():
            return self.user_id
        if self.channel_sale_id:
            return self.channel_sale_id._channel_responsible_user()
        return self.company_id.channel_inbox_owner_id
