from odoo.tests import HttpCase, tagged

from .common import ChannelData

INBOUND_LOGGER = "odoo.addons.channel_fulfilment.models.channel_cxml_document_inbound"


@tagged("post_install", "-at_install")
class TestInboundHttp(ChannelData, HttpCase):
    """The distributor's side over real HTTP: our OrderRequest reaches the simulator, which then posts its
    ConfirmationRequest and ShipNoticeRequest to /channel_fulfilment/cxml/inbound."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_channel_data()
        cls._start_ingram_cxml_supplier()

    def setUp(self):
        super().setUp()
        self.inbound_url = f"{self.base_url()}/channel_fulfilment/cxml/inbound"
        # Three docks: only Ingram (285.00, free over 250.00).
        self.order = self._inbox_order([(self.dock, 3)])
        self.order.action_ship()
        self.po = self.order.channel_purchase_ids
        self.assertEqual(self.po.partner_id, self.ingram)
        self.po._channel_send()
        self.assertEqual(self.po.channel_send_state, "sent")

    def post(self, what, *args, **kwargs):
        """A document from the distributor: a real request from another client, not through url_open."""
        self.env.flush_all()  # the server reads the database, not this test's pending writes
        with self.allow_requests(all_requests=True):
            result = getattr(self.supplier, what)(self.inbound_url, *args, **kwargs)
        self.env.invalidate_all()  # the server wrote through its own environment
        return result

    def test_confirmation_and_ship_notice_ship_the_order(self):
        confirmed = self.post("post_confirmation", self.po.name, "accept")
        self.assertEqual((confirmed.http_status, confirmed.status.code), (200, 200))
        self.assertEqual(self.po.channel_send_state, "accepted")

        notice = self.post(
            "post_ship_notice", self.po.name, carrier="UPS", tracking_numbers=("1Z999AA10123456784",)
        )
        self.assertEqual((notice.http_status, notice.status.code), (200, 200))
        self.assertRecordValues(
            self.po.picking_ids, [{"state": "done", "carrier_tracking_ref": "1Z999AA10123456784"}]
        )
        self.assertEqual(self.order.inbox_state, "shipped")
        self.assertEqual(self.order.order_line.qty_delivered, 3)

        # The distributor sends the very same notice again: 200, and nothing changes.
        pickings = self.po.picking_ids
        again = self.post("resend", notice)
        self.assertEqual((again.http_status, again.status.code), (200, 200))
        self.assertEqual(self.po.picking_ids, pickings)
        self.assertEqual(self.order.order_line.qty_delivered, 3)
        documents = self.env["channel.cxml.document"].search([("direction", "=", "in")])
        self.assertEqual(sorted(documents.mapped("doc_type")), ["ConfirmationRequest", "ShipNoticeRequest"])
        self.assertEqual(documents.filtered(lambda d: d.doc_type == "ShipNoticeRequest").attempts, 2)

    def test_partial_shipments_each_keep_their_tracking(self):
        first = self.post("post_ship_notice", self.po.name, lines=[(1, 1)], tracking_numbers=("TRACK-A",))
        self.assertEqual(first.status.code, 200)
        self.assertEqual(self.order.inbox_state, "ordered")
        rest = self.post("post_ship_notice", self.po.name, tracking_numbers=("TRACK-B",))
        self.assertEqual(rest.status.code, 200)
        self.assertEqual(
            sorted(
                self.po.picking_ids.mapped(
                    lambda p: (p.carrier_tracking_ref or "", p.state, sum(p.move_ids.mapped("quantity")))
                )
            ),
            [("TRACK-A", "done", 1.0), ("TRACK-B", "done", 2.0)],
        )
        self.assertEqual(self.order.inbox_state, "shipped")

    def test_a_wrong_shared_secret_is_refused(self):
        with self.assertLogs(INBOUND_LOGGER, "WARNING"):
            refused = self.post("post_ship_notice", self.po.name, shared_secret="guess")
        self.assertEqual(refused.status.code, 401)
        self.assertEqual(self.po.picking_ids.state, "assigned")
        self.assertEqual(self.order.inbox_state, "ordered")
