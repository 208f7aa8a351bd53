"""Credentials stay with managers: cXML bodies are stored with their SharedSecret masked, connection
settings are manager fields, and the cXML log is read-only for inbox users."""

from odoo.exceptions import AccessError
from odoo.tests import Form, TransactionCase, tagged

from fulfilment_engine.documents import cxml

from .common import OUR_IDENTITY, OUR_SECRET, build_confirmation, build_ship_notice
from .ui_common import InboxUiData

MASKED = "<SharedSecret>********</SharedSecret>"


@tagged("post_install", "-at_install")
class TestStoredSecrets(InboxUiData, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_inbox_data()
        cls._start_ingram_cxml_supplier(timeout_s=0.5)
        cls.secrets = (OUR_SECRET, "ing-inbound-secret", "td-inbound-secret", "wc-inbound-secret")

    def _shipped_ingram_po(self):
        """An inbox user plans and ships 3 docks (Ingram, reached by cXML)."""
        order = self._create_store_order("SECRET-1", lines=[(self.dock, 3, 150.0)]).with_user(self.inbox_user)
        order.action_plan()
        order.action_ship()
        po = order.channel_purchase_ids
        self.assertEqual(po.partner_id, self.ingram)
        return order, po

    def test_stored_documents_never_show_a_shared_secret(self):
        _order, po = self._shipped_ingram_po()
        # The inbox user clicks "Send now": the distributor answers 500, then the retry goes through.
        self.supplier.inject("http_500")
        po.action_channel_send()
        self.assertEqual(po.channel_send_state, "to_send")
        po.action_channel_send()
        self.assertRecordValues(po, [{"channel_send_state": "sent", "channel_send_attempts": 2}])
        # What reached the distributor authenticated with the real secret, under the stable payloadID.
        received = [o for o in self.supplier.orders if o.order.order_id == po.name]
        self.assertEqual(len(received), 1)
        self.assertEqual(received[0].payload_id, po.channel_payload_id)
        self.assertEqual(received[0].request.sender.shared_secret, OUR_SECRET)
        self.assertIn(f"<SharedSecret>{OUR_SECRET}</SharedSecret>".encode(), received[0].body)

        # Ingram's confirmation and ship notice come in, signed with Ingram's inbound secret.
        Document = self.env["channel.cxml.document"]
        self.assertEqual(Document._channel_receive(build_confirmation(po, "accept"))[0], 200)
        self.assertEqual(Document._channel_receive(build_ship_notice(po))[0], 200)

        documents = Document.with_user(self.inbox_user).search([])
        self.assertEqual(
            sorted(documents.mapped("doc_type")),
            ["ConfirmationRequest", "OrderRequest", "ShipNoticeRequest"],
        )
        for document in documents:
            body = document.read(["body"])[0]["body"]
            with self.subTest(document=document.doc_type):
                self.assertIn(MASKED, body)
                for secret in self.secrets:
                    self.assertNotIn(secret, body)
                    self.assertNotIn(secret, document.response_body or "")
        # The purchase order's document list shows the same masked copies.
        for body in po.with_user(self.inbox_user).channel_document_ids.mapped("body"):
            self.assertNotIn(OUR_SECRET, body)

    def test_a_retry_sends_the_current_secret_under_the_same_payload_id(self):
        _order, po = self._shipped_ingram_po()
        self.supplier.inject("http_500")
        po._channel_send()
        stored = po.channel_document_ids.body
        self.assertIn(MASKED, stored)
        # The manager rotates the secret before the retry: the retry carries the new one.
        self.ingram.with_user(self.inbox_manager).cxml_shared_secret = "rotated-secret"
        self.supplier.buyer = cxml.Credential("NetworkID", OUR_IDENTITY, "rotated-secret")
        self.addCleanup(
            setattr, self.supplier, "buyer", cxml.Credential("NetworkID", OUR_IDENTITY, OUR_SECRET)
        )
        po.action_channel_send()
        self.assertEqual(po.channel_send_state, "sent")
        received = self.supplier.order(po.name)
        self.assertEqual(received.payload_id, po.channel_payload_id)
        self.assertEqual(received.request.sender.shared_secret, "rotated-secret")
        self.assertEqual(po.channel_document_ids.body, stored, "the stored copy is the same masked body")

    def test_secrets_stored_before_the_fix_are_masked(self):
        document = self.env["channel.cxml.document"].create(
            {
                "payload_id": "legacy@reseller.example",
                "direction": "out",
                "doc_type": "OrderRequest",
                "body": f"<cXML><Header><Sender><Credential domain='NetworkID'><Identity>X</Identity>"
                f"<SharedSecret>{OUR_SECRET}</SharedSecret></Credential></Sender></Header></cXML>",
            }
        )
        self.env["channel.cxml.document"]._channel_redact_stored_secrets()
        document.invalidate_recordset()
        self.assertNotIn(OUR_SECRET, document.body)
        self.assertIn(MASKED, document.body)

    # ------------------------------------------------------------------ the cXML log is read-only

    def test_inbox_user_cannot_create_or_edit_documents(self):
        _order, po = self._shipped_ingram_po()
        po._channel_send()
        document = po.channel_document_ids.with_user(self.inbox_user)
        self.assertEqual(document.state, "processed")
        with self.assertRaises(AccessError):
            document.write({"state": "error", "body": "<cXML/>"})
        with self.assertRaises(AccessError):
            document.create(
                {"payload_id": "forged@reseller.example", "direction": "in", "doc_type": "ShipNoticeRequest"}
            )
        # A manager may still correct a document by hand.
        document.with_user(self.inbox_manager).error = "checked with Ingram by phone"

    def test_inbox_user_sends_a_new_order_request(self):
        """Sending writes the log as the system does (sudo): the inbox user's click still works."""
        _order, po = self._shipped_ingram_po()
        po.action_channel_send()
        self.assertEqual(po.channel_send_state, "sent")
        self.assertRecordValues(po.sudo().channel_document_ids, [{"state": "processed", "attempts": 1}])

    # ------------------------------------------------------------------ connection settings

    def test_connection_settings_are_for_managers(self):
        self.company.write(
            {
                "channel_offer_store_url": "postgresql+psycopg://offers:db-password@db/offers",
                "channel_engine_config": "/etc/fulfil/fulfil.toml",
            }
        )
        company = self.company.with_user(self.inbox_user)
        for name in ("channel_offer_store_url", "channel_engine_config"):
            with self.subTest(field=name), self.assertRaises(AccessError):
                company.read([name])
            self.assertFalse(name in company.fields_get(), name)
        for user in (self.inbox_user, self.sales_user):
            with self.assertRaises(AccessError):
                self.company.with_user(user).read(["channel_offer_store_url"])
        self.assertEqual(
            self.company.with_user(self.inbox_manager).channel_offer_store_url,
            "postgresql+psycopg://offers:db-password@db/offers",
        )
        settings = self.env["res.config.settings"]
        self.assertIn("channel_offer_store_url", settings.with_user(self.inbox_manager).fields_get())
        self.assertFalse("channel_offer_store_url" in settings.with_user(self.inbox_user).fields_get())
        with Form(settings.with_user(self.env.ref("base.user_admin"))) as form:
            self.assertEqual(
                form.channel_offer_store_url, "postgresql+psycopg://offers:db-password@db/offers"
            )

    def test_inbox_user_plans_with_real_time_checking_on(self):
        """Planning reads the engine configuration for the user (the setting itself stays hidden)."""
        self.company.write(
            {"channel_realtime_check": True, "channel_engine_config": "/nonexistent/fulfil.toml"}
        )
        order = self._create_store_order("SECRET-2").with_user(self.inbox_user)
        order.action_plan()
        self.assertEqual(order.inbox_state, "review")
        self.assertIn("engine configuration cannot be read", order.review_reason)
