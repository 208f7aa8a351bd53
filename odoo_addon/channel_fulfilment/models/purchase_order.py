"""Drop-ship purchase orders made by Ship: their charges, their sending state, and sending itself.

Sending runs after the transaction that created the PO has committed (a triggered cron), so a
distributor never receives an order Odoo then rolls back. A cXML OrderRequest is built once and its
bytes are kept: every retry sends the same document with the same payloadID, which the distributor
recognises as a duplicate, never as a second order. The kept copy has its SharedSecret masked (inbox
users read it); each attempt puts the distributor's current secret back into the bytes it POSTs.
"""

import logging
from datetime import UTC, timedelta
from decimal import Decimal

import httpx
from odoo import SUPERUSER_ID, api, fields, models, release
from odoo.exceptions import UserError
from odoo.fields import Command, Domain
from odoo.tools import html2plaintext

from fulfilment_engine.documents import cxml
from fulfilment_engine.domain import money

from .channel_cxml_document import redact_secrets, restore_secret
from .engine_bridge import to_decimal

_logger = logging.getLogger(__name__)

SEND_STATES = [
    ("to_send", "To send"),
    ("sent", "Sent"),
    ("accepted", "Accepted"),
    ("rejected", "Rejected"),
    ("failed", "Failed"),
    ("emailed", "E-mailed"),
]
CXML_TIMEOUT_S = 20.0  # default; ir.config_parameter channel_fulfilment.cxml_timeout_s overrides it
SEND_BATCH_SIZE = 20
USER_AGENT = f"Odoo {release.major_version} channel_fulfilment"


def _retry_delay(attempts, retry_after=None):
    """Back off 1, 2, 4 … minutes (at most an hour), or what the distributor asked for."""
    if retry_after:
        return timedelta(seconds=min(max(retry_after, 30), 3600))
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 60))


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

    # ------------------------------------------------------------------------------ sending

    def action_channel_send(self):
        """Send (or retry now) these purchase orders to their distributors."""
        todo = self.filtered(lambda po: po.channel_send_state in ("to_send", "failed"))
        if not todo:
            raise UserError(
                self.env._(
                    "Nothing to send: these purchase orders were sent already or are not channel orders."
                )
            )
        todo.write({"channel_next_attempt_at": False})
        todo._channel_send()
        return True

    @api.model
    def _cron_send_purchase_orders(self):
        """Send what Ship queued, after its transaction committed; retry failures with back-off."""
        cron = self.env["ir.cron"]
        now = fields.Datetime.now()
        domain = (
            Domain("channel_send_state", "=", "to_send")
            & Domain("state", "=", "purchase")
            & (Domain("channel_next_attempt_at", "=", False) | Domain("channel_next_attempt_at", "<=", now))
        )
        seen = []
        while True:
            orders = self.search(domain & Domain("id", "not in", seen), order="id", limit=SEND_BATCH_SIZE)
            if not orders:
                return
            seen += orders.ids
            for order in orders:
                try:
                    with self.env.cr.savepoint():
                        order._channel_send()
                except Exception as exc:
                    _logger.exception("sending %s failed", order.name)
                    order.invalidate_recordset()
                    error = str(exc) or exc.__class__.__name__
                    order.write({"channel_last_error": error, "channel_send_state": "failed"})
                    order._channel_warn_failed(error)  # failed for good: a person must look, as below
            remaining = self.search_count(domain & Domain("id", "not in", seen))
            if not cron._commit_progress(len(orders), remaining=remaining):
                return

    @api.private
    def _channel_send(self):
        for order in self:
            if order.state != "purchase" or order.channel_send_state not in ("to_send", "failed"):
                continue
            partner = order.partner_id
            if partner.po_channel == "cxml" and partner.cxml_url:
                order._channel_send_cxml()
            else:
                order._channel_send_email()
            if order.has_cost_edited and not order.channel_manager_notified:
                if partner.account_manager_id:
                    order._channel_notify_account_manager()
                elif not order.channel_manager_missing_warned:
                    order._channel_warn_no_account_manager()
            order.channel_sale_id._channel_resume_after_send()
            order.channel_sale_id._channel_update_progress()

    @api.private
    def _channel_send_email(self):
        """Odoo's own purchase order e-mail, with purchase's PDF attached."""
        self.ensure_one()
        if not self.partner_id.email:
            self.write(
                {
                    "channel_send_state": "failed",
                    "channel_last_error": self.env._("%s has no e-mail address.", self.partner_id.name),
                }
            )
            return
        template = self.env.ref("purchase.email_template_edi_purchase_done")
        self.message_post_with_source(template, subtype_xmlid="mail.mt_comment")
        self.write(
            {
                "channel_send_state": "emailed",
                "channel_last_error": False,
                "channel_send_attempts": self.channel_send_attempts + 1,
            }
        )

    @api.private
    def _channel_notify_account_manager(self):
        """A cost was edited: the account manager gets the PDF purchase order, or the distributor would
        invoice at its feed price."""
        self.ensure_one()
        template = self.env.ref("channel_fulfilment.mail_template_purchase_cost_edited")
        self.message_post_with_source(template, subtype_xmlid="mail.mt_comment")
        self.channel_manager_notified = True

    @api.private
    def _channel_warn_no_account_manager(self):
        """A cost was edited but nobody at the distributor will hear of it: say so on the PO and ask the
        responsible person to act, or the distributor invoices at its feed price unnoticed."""
        self.ensure_one()
        partner = self.partner_id
        note = self.env._(
            "A cost on this purchase order was edited, but %(dist)s has no account manager: no one there "
            "was sent the agreed costs, so %(dist)s will invoice at its feed price. Set an account manager "
            "on %(dist)s and send them this purchase order, or agree the cost with them directly.",
            dist=partner.name,
        )
        self.message_post(body=note)
        self.activity_schedule(
            "mail.mail_activity_data_warning",
            summary=self.env._("Edited cost not sent: %s has no account manager", partner.name),
            note=note,
            user_id=self.user_id.id or self.channel_sale_id.user_id.id or self.env.uid,
        )
        self.channel_manager_missing_warned = True

    @api.private
    def _channel_order_document(self):
        """The OrderRequest of this PO (as the system, sudo: users only read the log): built once, then
        the same bytes for every attempt. The stored body has its SharedSecret masked; what is sent is
        _channel_order_request_bytes()."""
        self.ensure_one()
        document = self.sudo().channel_document_ids.filtered(
            lambda d: d.direction == "out" and d.doc_type == "OrderRequest"
        )
        if document:
            return document[:1]
        body = self._channel_build_order_request(fields.Datetime.now().replace(tzinfo=UTC))
        return (
            self.env["channel.cxml.document"]
            .sudo()
            .create(
                {
                    "payload_id": self.channel_payload_id,
                    "direction": "out",
                    "doc_type": "OrderRequest",
                    "purchase_id": self.id,
                    "company_id": self.company_id.id,
                    "body": redact_secrets(body.decode("utf-8")),
                }
            )
        )

    @api.private
    def _channel_order_request_bytes(self, document):
        """The stored OrderRequest with the distributor's current shared secret back in its Sender: the
        same payloadID and timestamp at every attempt, only the secret comes from the distributor."""
        self.ensure_one()
        secret = self.partner_id.sudo().cxml_shared_secret or ""
        return restore_secret(document.body, secret).encode("utf-8")

    @api.private
    def _channel_send_cxml(self):
        self.ensure_one()
        partner = self.partner_id
        try:
            document = self._channel_order_document()
        except (
            cxml.CxmlBuildError
        ) as exc:  # our data is incomplete: retrying will not help, a person must fix it
            error = self.env._("The OrderRequest cannot be built: %s", exc)
            self.write({"channel_send_state": "failed", "channel_last_error": error})
            self._channel_warn_failed(error)
            return
        attempts = self.channel_send_attempts + 1
        now = fields.Datetime.now()
        timeout = float(
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("channel_fulfilment.cxml_timeout_s", CXML_TIMEOUT_S)
        )
        try:
            with httpx.Client(follow_redirects=False) as client:
                status = cxml.send_order_request(
                    partner.cxml_url,
                    self._channel_order_request_bytes(document),
                    client=client,
                    timeout=timeout,
                )
        except cxml.CxmlTransientError as exc:
            final = attempts >= max(self.company_id.channel_cxml_max_attempts, 1)
            self.write(
                {
                    "channel_send_state": "failed" if final else "to_send",
                    "channel_send_attempts": attempts,
                    "channel_last_error": str(exc),
                    "channel_next_attempt_at": False
                    if final
                    else now + _retry_delay(attempts, exc.retry_after),
                }
            )
            document.write({"state": "error", "error": str(exc), "attempts": attempts})
            if final:
                self._channel_warn_failed(str(exc))
            else:
                self.env.ref("channel_fulfilment.ir_cron_send_purchase_orders")._trigger(
                    self.channel_next_attempt_at
                )
        except cxml.CxmlSendError as exc:  # refused for good: a person must look
            self.write(
                {
                    "channel_send_state": "rejected",
                    "channel_send_attempts": attempts,
                    "channel_last_error": str(exc),
                }
            )
            document.write(
                {
                    "state": "error",
                    "error": str(exc),
                    "attempts": attempts,
                    "response_code": exc.status.code if exc.status else exc.http_status or 0,
                }
            )
            self._channel_warn_failed(str(exc))
        else:
            self.write(
                {
                    "channel_send_state": "sent",
                    "channel_send_attempts": attempts,
                    "channel_last_error": False,
                    "channel_next_attempt_at": False,
                }
            )
            document.write(
                {
                    "state": "processed",
                    "error": False,
                    "attempts": attempts,
                    "response_code": status.code,
                    "response_body": f"{status.code} {status.text} {status.message}".strip(),
                }
            )
            self.message_post(
                body=self.env._(
                    "cXML OrderRequest %(payload)s accepted by %(dist)s (%(code)s %(text)s).",
                    payload=self.channel_payload_id,
                    dist=partner.name,
                    code=status.code,
                    text=status.text,
                )
            )

    @api.private
    def _channel_warn_failed(self, error):
        """Sending failed for good: an activity on the purchase order, and its sale order to review
        (`ship_failed`) so the inbox shows that a person must send it again or choose another distributor."""
        self.ensure_one()
        self.activity_schedule(
            "mail.mail_activity_data_warning",
            note=self.env._("Sending to %(dist)s failed: %(error)s", dist=self.partner_id.name, error=error),
            user_id=self.user_id.id or self.channel_sale_id.user_id.id or self.env.uid,
        )
        self.channel_sale_id._channel_review_after_ship(
            self.env._(
                "Sending %(po)s to %(dist)s failed: %(error)s. Send it again, or cancel it and choose "
                "another distributor.",
                po=self.name,
                dist=self.partner_id.name,
                error=error,
            ),
            ["ship_failed"],
        )

    # ------------------------------------------------------------------------------ the cXML document

    @api.private
    def _channel_build_order_request(self, timestamp):
        self.ensure_one()
        partner = self.partner_id.sudo()
        company = self.company_id
        goods_lines = self.order_line.filtered(
            lambda pol: not pol.display_type and pol.product_id.type == "consu"
        )
        charge_lines = self.order_line.filtered("channel_charge_type")
        vendor_lines = self.env["product.supplierinfo"]._channel_lines_for(goods_lines.product_id, partner)
        lines = []
        for line in goods_lines.sorted("channel_line_number"):
            supplier = vendor_lines.get((line.product_id.id, partner.id))
            quantity = to_decimal(line.product_qty, 3)
            lines.append(
                cxml.OrderLine(
                    line_number=line.channel_line_number,
                    quantity=int(quantity) if quantity == int(quantity) else quantity,
                    supplier_part_id=(supplier.product_code if supplier else "")
                    or line.product_id.default_code
                    or "",
                    description=line.product_id.display_name or line.name,
                    unit_price=to_decimal(line.price_unit, 4),
                    uom="EA",
                    manufacturer_part_id=line.product_id.barcode or "",
                    requested_delivery_date=line.date_planned.date() if line.date_planned else None,
                )
            )
        total = sum((money(Decimal(item.quantity) * item.unit_price) for item in lines), Decimal(0))
        shipping = sum(charge_lines.mapped("price_subtotal"))
        blind_from = _address(company.partner_id) if company.channel_blind_dropship else None
        order = cxml.PurchaseOrderDoc(
            order_id=self.name,
            order_date=(self.date_approve or self.date_order).replace(tzinfo=UTC),
            currency=self.currency_id.name,
            total=total,
            ship_to=_address(
                self.dest_address_id or self.picking_type_id.warehouse_id.partner_id or company.partner_id
            ),
            bill_to=_address(company.partner_id),
            lines=tuple(lines),
            shipping=to_decimal(shipping, 2) if charge_lines else None,
            shipping_description=", ".join(charge_lines.mapped("name")) or "Carriage",
            comments=html2plaintext(self.note or "").strip() if self.note else "",
            blind_ship_from=blind_from,
        )
        return cxml.build_order_request(
            order,
            from_=cxml.Credential(
                partner.cxml_from_domain or "NetworkID", partner.cxml_from_identity or company.name
            ),
            to=cxml.Credential(
                partner.cxml_to_domain or "NetworkID", partner.cxml_to_identity or partner.name
            ),
            sender=cxml.Credential(
                partner.cxml_sender_domain or "NetworkID",
                partner.cxml_sender_identity or partner.cxml_from_identity or company.name,
                shared_secret=partner.cxml_shared_secret or "",
            ),
            user_agent=USER_AGENT,
            payload_id=self.channel_payload_id,
            timestamp=timestamp,
        )


def _address(partner):
    """A res.partner as a cXML address: the company (or person) name, and the contact to deliver to."""
    company_name = partner.commercial_company_name or partner.parent_id.name or ""
    name = company_name or partner.name or ""
    deliver_to = partner.name if company_name and partner.name and partner.name != company_name else ""
    street = tuple(s for s in (partner.street, partner.street2) if s)
    return cxml.Address(
        name=name,
        street=street,
        city=partner.city or "",
        state=partner.state_id.code or "",
        postcode=partner.zip or "",
        country_code=partner.country_id.code or "",
        email=partner.email or "",
        phone=partner.phone or "",
        address_id=str(partner.id),
        deliver_to=deliver_to,
        country_name=partner.country_id.name or "",
    )
