"""Sending a drop-ship purchase order to its distributor: cXML OrderRequest over HTTPS when the
distributor takes cXML, its own API when it takes orders that way (purchase_order_distributor_api.py),
else purchase's own e-mail with its PDF; retries with back-off, failures left
for a person with an activity, and the account manager told of an edited cost.

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
from odoo import api, fields, models, release
from odoo.exceptions import UserError
from odoo.fields import Domain
from odoo.tools import html2plaintext

from fulfilment_engine.documents import cxml
from fulfilment_engine.domain import money

from .channel_cxml_document import redact_secrets, restore_secret
from .engine_bridge import to_decimal

_logger = logging.getLogger(__name__)

CXML_TIMEOUT_S = 20.0  # default; ir.config_parameter channel_fulfilment.cxml_timeout_s overrides it
SEND_BATCH_SIZE = 20
API_CHANNELS = ("ingram_v6",)  # distributors whose own API takes the order
USER_AGENT = f"Odoo {release.major_version} channel_fulfilment"


def _retry_delay(attempts, retry_after=None):
    """Back off 1, 2, 4 … minutes (at most an hour), or what the distributor asked for."""
    if retry_after:
        return timedelta(seconds=min(max(retry_after, 30), 3600))
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 60))


class PurchaseOrder(models.Model):
    _inherit = "purchase.order"

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
            elif partner.po_channel in API_CHANNELS:
                order._channel_send_api()
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
            user_id=self._channel_responsible_user().id,
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
            document.write({"state": "error", "error": str(exc), "attempts": attempts})
            self._channel_retry_later(attempts, str(exc), exc.retry_after)
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
    def _channel_retry_later(self, attempts, error, retry_after=None):
        """A transient failure of attempt number `attempts`: sent again after the back-off (or the
        distributor's Retry-After), or failed for good after the company's last attempt."""
        self.ensure_one()
        final = attempts >= max(self.company_id.channel_cxml_max_attempts, 1)
        self.write(
            {
                "channel_send_state": "failed" if final else "to_send",
                "channel_send_attempts": attempts,
                "channel_last_error": error,
                "channel_next_attempt_at": False
                if final
                else fields.Datetime.now() + _retry_delay(attempts, retry_after),
            }
        )
        if final:
            self._channel_warn_failed(error)
        else:
            self.env.ref("channel_fulfilment.ir_cron_send_purchase_orders")._trigger(
                self.channel_next_attempt_at
            )

    @api.private
    def _channel_fail_for_good(self, attempts, error):
        """Refused, or nothing more to try: failed, and a person told (_channel_warn_failed)."""
        self.ensure_one()
        self.write(
            {"channel_send_state": "failed", "channel_send_attempts": attempts, "channel_last_error": error}
        )
        self._channel_warn_failed(error)

    @api.private
    def _channel_warn_failed(self, error):
        """Sending failed for good: an activity on the purchase order, and its sale order to review
        (`ship_failed`) so the inbox shows that a person must send it again or choose another distributor."""
        self.ensure_one()
        order = self.channel_sale_id
        self.activity_schedule(
            "mail.mail_activity_data_warning",
            summary=self.env._("%(po)s did not reach %(dist)s", po=self.name, dist=self.partner_id.name),
            note=self.env._(
                "%(dist)s did not take %(po)s: %(error)s. Once what it names is put right (the "
                "distributor's connection on its Distributor tab, or the order's data), open %(order)s and "
                "click Send again; or click Order elsewhere there to cancel %(po)s and order those goods "
                "from the next best distributor.",
                po=self.name,
                dist=self.partner_id.name,
                error=error,
                order=order.name or self.env._("the order"),
            ),
            user_id=self._channel_responsible_user().id,
        )
        order._channel_review_after_ship(
            self.env._(
                "Sending %(po)s to %(dist)s failed: %(error)s. Send it again, or order elsewhere (another "
                "distributor, planned at its cost).",
                po=self.name,
                dist=self.partner_id.name,
                error=error,
            ),
            ["ship_failed"],
        )

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
