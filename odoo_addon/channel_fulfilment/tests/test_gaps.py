"""Inbound documents are told apart per distributor: the same payloadID from two distributors is two
documents, repeated by the same one it changes nothing."""

from odoo.tests import tagged

from fulfilment_engine.documents import cxml

from .common import ChannelCase, build_ship_notice


@tagged("post_install", "-at_install")
class TestInboundPerDistributor(ChannelCase):
    def setUp(self):
        super().setUp()
        self.order = self._inbox_order([(self.laptop, 12), (self.mouse, 1)])
        self.order.action_ship()
        self.order.channel_purchase_ids._channel_send()
        self.po_ing = self.order.channel_purchase_ids.filtered(lambda p: p.partner_id == self.ingram)
        self.po_td = self.order.channel_purchase_ids.filtered(lambda p: p.partner_id == self.tdsynnex)

    def receive(self, body):
        status, answer = self.env["channel.cxml.document"]._channel_receive(body)
        return status, cxml.parse_response(answer)

    def test_the_same_payload_id_from_two_distributors_is_processed_for_each(self):
        payload = "20260101.1@shipping.example"
        status, answer = self.receive(build_ship_notice(self.po_ing, payload_id=payload, tracking=("ING-1",)))
        self.assertEqual((status, answer.code), (200, 200))
        self.assertIn("Shipment recorded", answer.message)
        td_notice = build_ship_notice(self.po_td, payload_id=payload, tracking=("TD-1",))
        status, answer = self.receive(td_notice)
        self.assertEqual((status, answer.code), (200, 200))
        self.assertIn("Shipment recorded", answer.message, "not taken for Ingram's document")
        self.assertEqual(self.po_ing.picking_ids.carrier_tracking_ref, "ING-1")
        self.assertEqual(self.po_td.picking_ids.carrier_tracking_ref, "TD-1")
        self.assertEqual(self.order.inbox_state, "shipped")

        # The same document again from TD SYNNEX: nothing changes.
        pickings = self.order.channel_purchase_ids.picking_ids
        status, answer = self.receive(td_notice)
        self.assertEqual(status, 200)
        self.assertIn("Already processed", answer.message)
        self.assertEqual(self.order.channel_purchase_ids.picking_ids, pickings)
        documents = self.env["channel.cxml.document"].search([("payload_id", "=", payload)])
        self.assertEqual(
            sorted((d.partner_id.name, d.attempts, d.state) for d in documents),
            [("Ingram Micro UK", 1, "processed"), ("TD SYNNEX UK", 2, "processed")],
        )
