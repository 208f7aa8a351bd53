"""The cXML door over real HTTP (issue 11, classes 5-7): one size limit whatever the framing, any
encoding, every answer a cXML Response, and no shared secret in what is stored."""

import base64
from unittest.mock import patch

import requests
from odoo.exceptions import AccessError, ConcurrencyError
from odoo.tests import HttpCase, new_test_user, tagged

from fulfilment_engine.documents import cxml

from .common import ChannelData, build_ship_notice

LIMIT = 5 * 1024 * 1024
INBOUND_LOGGER = "odoo.addons.channel_fulfilment.models.channel_cxml_document_inbound"


@tagged("post_install", "-at_install")
class TestInboundDoor(ChannelData, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_channel_data()
        cls.inbox_user = new_test_user(
            cls.env, login="door-inbox-user", groups="channel_fulfilment.group_inbox_user"
        )
        cls.inbox_manager = new_test_user(
            cls.env, login="door-inbox-manager", groups="channel_fulfilment.group_inbox_manager"
        )

    def setUp(self):
        super().setUp()
        self.url = f"{self.base_url()}/channel_fulfilment/cxml/inbound"
        self.order = self._inbox_order([(self.dock, 3)])
        self.order.action_ship()
        self.po = self.order.channel_purchase_ids
        self.secret = self.ingram.cxml_inbound_secret

    def post(self, data, content_type="text/xml; charset=UTF-8", **headers):
        """A distributor's POST with exactly these bytes (a generator is sent chunked)."""
        self.env.flush_all()
        with self.allow_requests(all_requests=True):
            response = requests.post(
                self.url, data=data, headers={"Content-Type": content_type, **headers}, timeout=60
            )
        self.env.invalidate_all()
        return response, cxml.parse_response(response.content)

    def received(self):
        return self.env["channel.cxml.document"].search([("direction", "=", "in")])

    # ------------------------------------------------------------------ 5. one size limit, any framing

    def test_the_size_limit_holds_whatever_the_framing(self):
        self.assertEqual(cxml.MAX_DOCUMENT_BYTES, LIMIT)
        notice = build_ship_notice(self.po, tracking=("SIZE-1",))
        padded = notice.replace(b"</cXML>", b"</cXML>" + b" " * (LIMIT + 1 - len(notice)))
        self.assertEqual(len(padded), LIMIT + 1)

        def chunked(body, size=256 * 1024):
            for start in range(0, len(body), size):
                yield body[start : start + size]

        for framing, data in (("Content-Length", padded), ("chunked", chunked(padded))):
            with self.subTest(framing=framing):
                response, answer = self.post(data)
                self.assertEqual((response.status_code, answer.code), (413, 413))
                self.assertIn(f"{LIMIT} bytes", answer.message)
        self.assertEqual(self.po.picking_ids.state, "assigned", "nothing of it was processed")
        self.assertFalse(self.received())

        # Exactly at the limit, chunked: read whole and processed.
        at_limit = padded[:-1]
        response, answer = self.post(chunked(at_limit))
        self.assertEqual((response.status_code, answer.code), (200, 200), answer.message)
        self.assertRecordValues(self.po.picking_ids, [{"state": "done", "carrier_tracking_ref": "SIZE-1"}])

    def test_every_refusal_is_a_cxml_response(self):
        notice = build_ship_notice(self.po)
        response, answer = self.post(
            {"cxml": notice.decode()}, content_type="application/x-www-form-urlencoded"
        )
        self.assertEqual((response.status_code, answer.code), (415, 415))
        self.assertIn("Content-Type application/x-www-form-urlencoded", answer.message)
        response, answer = self.post(b"<cXML><Header>", content_type="application/xml")
        self.assertEqual((response.status_code, answer.code), (400, 400))
        self.assertTrue(response.headers["Content-Type"].startswith("text/xml"))
        self.assertEqual(self.po.picking_ids.state, "assigned")

    # ------------------------------------------------------------------ 6. encodings

    def test_documents_in_any_encoding_are_processed_and_stored_faithfully(self):
        number = self.po.order_line.filtered(lambda pol: pol.product_id == self.dock).channel_line_number
        for n, encoding in enumerate(("UTF-16", "UTF-32", "ISO-8859-1"), 1):
            with self.subTest(encoding=encoding):
                text = (
                    build_ship_notice(
                        self.po, lines=[(number, 1)], tracking=(f"ENC-{n}",), shipment_id=f"S-{n}"
                    )
                    .decode()
                    .replace("encoding='UTF-8'", f"encoding='{encoding}'")
                    .replace(
                        "<ServiceLevel", "<Comments>Entrepôt Zürich — colis fragile</Comments><ServiceLevel"
                    )
                )
                if encoding == "ISO-8859-1":
                    text = text.replace(" — ", " - ")
                response, answer = self.post(text.encode(encoding), content_type="text/xml")
                self.assertEqual((response.status_code, answer.code), (200, 200), answer.message)
                document = self.received().filtered(lambda d, n=n: f"ENC-{n}" in (d.body or ""))
                self.assertEqual(len(document), 1)
                self.assertEqual(document.state, "processed")
                self.assertTrue(
                    document.body_encoding.upper().replace("-", "").startswith(encoding[:5].replace("-", ""))
                )
                self.assertIn("Entrepôt Zürich", document.body)
                self.assertNotIn("\0", document.body)
                self.assertNotIn(self.secret, document.body)
                self.assertIn(f"<SharedSecret>{cxml.SECRET_MASK}</SharedSecret>", document.body)
        self.assertEqual(self.po.order_line.filtered(lambda pol: pol.product_id == self.dock).qty_received, 3)

    # ------------------------------------------------------------------ 7. the stored log holds no secret

    def test_no_way_of_writing_the_shared_secret_reaches_the_stored_log(self):
        plain = f"<SharedSecret>{self.secret}</SharedSecret>".encode()
        shapes = (
            f"<SharedSecret>{self.secret}</SharedSecret >",
            f'<SharedSecret xml:lang="en">{self.secret}</SharedSecret>',
            f"<SharedSecret><![CDATA[{self.secret}]]></SharedSecret\n>",
        )
        for n, shape in enumerate(shapes, 1):
            with self.subTest(shape=shape):
                notice = build_ship_notice(
                    self.po, tracking=(f"SHAPE-{n}",), payload_id=f"shape-{n}@ing.example"
                )
                self.assertIn(plain, notice)
                response, answer = self.post(notice.replace(plain, shape.encode()))
                self.assertEqual(answer.code, 200, answer.message)
        for document in self.received().with_user(self.inbox_user):
            self.assertNotIn(self.secret, document.body)
            self.assertNotIn(self.secret, document.response_body or "")

        # Not XML at all: kept as bytes for managers only, its secret spans blanked all the same.
        broken = build_ship_notice(self.po, tracking=("BROKEN",)).replace(plain, shapes[0].encode())[:-40]
        response, answer = self.post(broken)
        self.assertEqual((response.status_code, answer.code), (400, 400))
        kept = self.received().filtered(lambda d: d.doc_type == "unreadable")
        self.assertEqual(len(kept), 1)
        self.assertRecordValues(kept, [{"state": "error", "body": False, "response_code": 400}])
        raw = base64.b64decode(kept.with_user(self.inbox_manager).raw_body)
        self.assertNotIn(self.secret.encode(), raw)
        self.assertEqual(raw, broken.replace(self.secret.encode(), cxml.SECRET_MASK.encode()))
        with self.assertRaises(AccessError):
            kept.with_user(self.inbox_user).read(["raw_body"])

    def test_the_secret_is_compared_exactly(self):
        plain = f"<SharedSecret>{self.secret}</SharedSecret>".encode()
        for padded in (f" {self.secret}", f"{self.secret}\n", f"\n  {self.secret}  \n"):
            with self.subTest(secret=padded), self.assertLogs(INBOUND_LOGGER, "WARNING"):
                notice = build_ship_notice(self.po).replace(
                    plain, f"<SharedSecret>{padded}</SharedSecret>".encode()
                )
                response, answer = self.post(notice)
                self.assertEqual((response.status_code, answer.code), (401, 401))
        self.assertEqual(self.po.picking_ids.state, "assigned")
        # Identity and domain are names: surrounding spaces do not matter.
        roomy = build_ship_notice(self.po).replace(
            b"<Identity>ING-UK</Identity>", b"<Identity> ING-UK\n</Identity>"
        )
        response, answer = self.post(roomy)
        self.assertEqual(answer.code, 200, answer.message)

    # ------------------------------------------------------------------ 4. after Odoo's last try

    def test_after_the_last_retry_the_sender_gets_503_and_no_database_text(self):
        Document = type(self.env["channel.cxml.document"])
        tries = []

        def always_conflicting(record, purchases, notice):
            tries.append(notice.payload_id)
            # What Odoo raises (and retries) when two transactions conflict, as a serialization failure is.
            raise ConcurrencyError("could not serialize access due to concurrent update")

        with (
            patch.object(Document, "_channel_apply_ship_notice", always_conflicting),
            patch("odoo.service.model.MAX_TRIES_ON_CONCURRENCY_FAILURE", 2),
            patch("odoo.service.model.random.uniform", return_value=0.0),
            self.assertLogs("odoo.http", "WARNING") as logged,
        ):
            response, answer = self.post(build_ship_notice(self.po, tracking=("BUSY-1",)))
        self.assertEqual(len(tries), 2, "Odoo retried the whole request")
        self.assertEqual((response.status_code, answer.code), (503, 503))
        self.assertEqual(response.headers["Retry-After"], "30")
        self.assertIn("send this one again later", answer.message)
        self.assertNotIn(b"serializ", response.content.lower())
        self.assertEqual([r.levelname for r in logged.records], ["WARNING"])
        self.assertEqual(self.po.picking_ids.state, "assigned")
        self.assertFalse(self.received(), "the failed tries left nothing behind")
