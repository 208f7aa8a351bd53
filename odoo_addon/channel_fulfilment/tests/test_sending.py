from unittest.mock import patch

from odoo.tests import Form, tagged

from fulfilment_engine.documents import cxml

from .common import OUR_IDENTITY, OUR_SECRET, ChannelCase


@tagged("post_install", "-at_install")
class TestSending(ChannelCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._start_ingram_cxml_supplier(timeout_s=0.5)

    def _ship(self, lines):
        order = self._inbox_order(lines)
        order.action_plan()
        order.action_ship()
        return order

    def _received(self, po):
        return [o for o in self.supplier.orders if o.order.order_id == po.name]

    def test_order_request_is_valid_and_carries_what_the_distributor_needs(self):
        order = self._ship([(self.laptop, 12)])
        po = order.channel_purchase_ids.filtered(lambda p: p.partner_id == self.ingram)
        document = po._channel_order_document()
        self.assertIn("<SharedSecret>********</SharedSecret>", document.body, "the stored copy is masked")
        self.assertEqual(cxml.schema_errors(document.body.encode()), [])
        body = po._channel_order_request_bytes(document)  # what is POSTed
        self.assertEqual(cxml.schema_errors(body), [])
        self.assertIn(b'<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.050/cXML.dtd">', body)
        received = cxml.parse_order_request(body)
        self.assertEqual(received.payload_id, po.channel_payload_id)
        self.assertEqual(received.from_.identity, OUR_IDENTITY)
        self.assertEqual(received.to.identity, "ING-UK")
        self.assertEqual(
            (received.sender.identity, received.sender.shared_secret), (OUR_IDENTITY, OUR_SECRET)
        )
        doc = received.order
        self.assertEqual(doc.order_id, po.name)
        self.assertEqual(doc.currency, po.currency_id.name)
        self.assertEqual(doc.total, 7000)
        self.assertIsNone(doc.shipping, "Ingram ships free over 250.00: no carriage")
        self.assertEqual(
            [(line.line_number, line.quantity, line.supplier_part_id, line.unit_price) for line in doc.lines],
            [(1, 10, "ING-SKU-LAPTOP", 700)],
        )
        ship_to = doc.ship_to
        self.assertEqual(
            (
                ship_to.name,
                ship_to.deliver_to,
                ship_to.street,
                ship_to.city,
                ship_to.postcode,
                ship_to.country_code,
            ),
            ("Jane Buyer Ltd", "Jane Buyer (warehouse)", ("7 Dock Road",), "Salford", "M50 2EQ", "GB"),
        )
        self.assertEqual(doc.bill_to.name, self.company.name)
        self.assertIsNone(doc.blind_ship_from)

    def test_freight_travels_as_shipping_and_blind_drop_ship_names_us(self):
        self.company.channel_blind_dropship = True
        order = self._ship([(self.laptop, 12)])
        po = order.channel_purchase_ids.filtered(lambda p: p.partner_id == self.tdsynnex)
        body = po._channel_order_document().body.encode()
        doc = cxml.parse_order_request(body).order
        self.assertEqual(doc.shipping, 25)
        self.assertEqual(doc.total, 1380)
        self.assertEqual(doc.blind_ship_from.name, self.company.name)
        self.assertEqual(doc.blind_ship_from.street, ("10 Reseller Road",))
        self.assertIn(cxml.blind_ship_comment(self.company.name).encode(), body)

    def test_retries_never_make_a_second_order(self):
        order = self._ship([(self.laptop, 12)])
        po = order.channel_purchase_ids.filtered(lambda p: p.partner_id == self.ingram)
        self.supplier.inject("http_500")
        po._channel_send()
        self.assertRecordValues(po, [{"channel_send_state": "to_send", "channel_send_attempts": 1}])
        self.assertIn("HTTP 500", po.channel_last_error)
        self.assertTrue(po.channel_next_attempt_at)
        # The order arrives but the answer comes too late: it looks like a failure to us.
        self.supplier.inject("timeout", delay_s=2.0, record=True)
        po.action_channel_send()
        self.assertEqual(po.channel_send_state, "to_send")
        self.assertEqual(len(self._received(po)), 1)
        po.action_channel_send()
        self.assertRecordValues(
            po, [{"channel_send_state": "sent", "channel_send_attempts": 3, "channel_last_error": False}]
        )
        self.assertEqual(len(self._received(po)), 1, "the same payloadID: one order at the distributor")
        self.assertGreaterEqual(self.supplier.duplicates, 1)
        documents = po.channel_document_ids
        self.assertRecordValues(
            documents,
            [
                {
                    "direction": "out",
                    "doc_type": "OrderRequest",
                    "state": "processed",
                    "attempts": 3,
                    "payload_id": po.channel_payload_id,
                }
            ],
        )
        # The TD SYNNEX PO goes by e-mail; once both are out the order is "ordered".
        order.channel_purchase_ids.filtered(lambda p: p.partner_id != self.ingram)._channel_send()
        self.assertEqual(order.inbox_state, "ordered")

    def test_a_refusal_is_final_and_visible(self):
        order = self._ship([(self.dock, 3)])
        po = order.channel_purchase_ids
        self.assertEqual(po.partner_id, self.ingram)
        self.supplier.inject("reject")
        po._channel_send()
        self.assertEqual(po.channel_send_state, "rejected")
        self.assertIn("406", po.channel_last_error)
        self.assertTrue(po.activity_ids, "a person is asked to look")
        self.assertEqual(po.channel_document_ids.state, "error")
        # Not ordered while a PO was refused: the order waits for a person, saying which PO and why.
        self.assertEqual((order.inbox_state, order.review_codes), ("review", "ship_failed"))
        self.assertIn(f"Sending {po.name} to Ingram Micro UK failed", order.review_reason)

    def test_gives_up_after_the_configured_attempts(self):
        self.company.channel_cxml_max_attempts = 2
        order = self._ship([(self.dock, 3)])
        po = order.channel_purchase_ids
        self.supplier.inject("http_500", times=2)
        po._channel_send()
        po.action_channel_send()
        self.assertEqual(po.channel_send_state, "failed")
        self.assertEqual(po.channel_send_attempts, 2)
        self.assertFalse(self._received(po))
        self.assertEqual((order.inbox_state, order.review_codes), ("review", "ship_failed"))
        # The distributor is back and a person sends it again: the order resumes on its own.
        po.action_channel_send()
        self.assertEqual(po.channel_send_state, "sent")
        self.assertEqual((order.inbox_state, order.review_codes), ("ordered", False))

    def test_email_distributors_get_odoos_purchase_order_mail(self):
        order = self._ship([(self.mouse, 1)])
        po = order.channel_purchase_ids
        self.assertEqual(po.partner_id, self.westcoast)
        po._channel_send()
        self.assertEqual(po.channel_send_state, "emailed")
        message = po.message_ids.filtered(lambda m: self.westcoast in m.partner_ids)
        self.assertEqual(len(message), 1)
        self.assertTrue(message.attachment_ids, "purchase's PO report is attached")
        self.assertIn(po.name, message.subject)

    def test_cost_edited_sends_the_pdf_to_the_account_manager(self):
        order = self._inbox_order([(self.bag, 2)])
        order.action_plan()
        with Form(order) as form, form.order_line.edit(0) as line:
            line.planned_cost = 10.0
        order.action_ship()
        po = order.channel_purchase_ids
        self.assertTrue(po.has_cost_edited)
        with self.allow_pdf_render():  # wkhtmltopdf fetches the report's assets from this test's server
            po.with_context(force_report_rendering=True)._channel_send()
        to_manager = po.message_ids.filtered(lambda m: self.westcoast_manager in m.partner_ids)
        self.assertEqual(len(to_manager), 1)
        self.assertIn("agreed costs", to_manager.subject)
        pdf = to_manager.attachment_ids
        self.assertEqual(len(pdf), 1)
        self.assertEqual(pdf.mimetype, "application/pdf")
        self.assertTrue(pdf.raw.startswith(b"%PDF"), "a real PDF rendered by wkhtmltopdf")
        self.assertTrue(po.channel_manager_notified)
        mail = self.env["mail.mail"].search([("mail_message_id", "=", to_manager.id)])
        self.assertTrue(mail, "an e-mail is queued for the account manager")
        # Sending again (a retry) does not mail the account manager twice.
        po.channel_send_state = "to_send"
        po._channel_send()
        self.assertEqual(len(po.message_ids.filtered(lambda m: self.westcoast_manager in m.partner_ids)), 1)

    def test_ship_queues_sending_for_after_commit(self):
        cron = self.env.ref("channel_fulfilment.ir_cron_send_purchase_orders")
        triggers_before = self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)])
        order = self._ship([(self.dock, 3), (self.bag, 1)])
        self.assertGreater(
            self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)]), triggers_before
        )
        self.assertEqual(set(order.channel_purchase_ids.mapped("channel_send_state")), {"to_send"})
        self.assertFalse(
            self._received(order.channel_purchase_ids.filtered(lambda p: p.partner_id == self.ingram)),
            "nothing reaches a distributor inside the transaction that created the PO",
        )
        with self.enter_registry_test_mode():
            cron.method_direct_trigger()
        order.invalidate_recordset()
        order.channel_purchase_ids.invalidate_recordset()
        self.assertEqual(sorted(order.channel_purchase_ids.mapped("channel_send_state")), ["emailed", "sent"])
        self.assertEqual(order.inbox_state, "ordered")

    def test_an_unexpected_failure_in_the_send_cron_sends_the_order_to_review(self):
        order = self._ship([(self.dock, 3)])
        po = order.channel_purchase_ids
        self.assertEqual(po.partner_id, self.ingram)
        cron = self.env.ref("channel_fulfilment.ir_cron_send_purchase_orders")
        PurchaseOrder = type(self.env["purchase.order"])

        def broken(self):
            raise RuntimeError("the OrderRequest builder crashed")

        with (
            patch.object(PurchaseOrder, "_channel_send_cxml", broken),
            self.assertLogs("odoo.addons.channel_fulfilment.models.purchase_order_send", "ERROR"),
            self.enter_registry_test_mode(),
        ):
            cron.method_direct_trigger()
        order.invalidate_recordset()
        po.invalidate_recordset()
        self.assertEqual(
            (po.channel_send_state, po.channel_last_error), ("failed", "the OrderRequest builder crashed")
        )
        self.assertTrue(po.activity_ids, "a person is asked to look")
        self.assertEqual((order.inbox_state, order.review_codes), ("review", "ship_failed"))
        self.assertIn(f"Sending {po.name} to Ingram Micro UK failed", order.review_reason)
        self.assertFalse(self._received(po))
