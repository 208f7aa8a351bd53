from odoo.tests import tagged

from fulfilment_engine.documents import cxml
from fulfilment_engine.documents.model import Shipment, ShipNoticeLine

from .common import ChannelCase, build_confirmation, build_ship_notice

INBOUND_LOGGER = "odoo.addons.channel_fulfilment.models.channel_cxml_document_inbound"


@tagged("post_install", "-at_install")
class TestInboundDocuments(ChannelCase):
    """ConfirmationRequest and ShipNoticeRequest as channel.cxml.document receives them (the controller
    only passes the body through; TestInboundHttp posts them over real HTTP)."""

    def setUp(self):
        super().setUp()
        self._ship_to_two_distributors()
        self.assertEqual(self.order.inbox_state, "ordered")

    def receive(self, body):
        status, answer = self.env["channel.cxml.document"]._channel_receive(body)
        return status, cxml.parse_response(answer)

    def line_number(self, po, product):
        return po.order_line.filtered(lambda line: line.product_id == product).channel_line_number

    def test_ship_notices_put_tracking_on_the_pickings_and_ship_the_order(self):
        status, answer = self.receive(build_ship_notice(self.po_ing, tracking=("1ZING0001",), carrier="UPS"))
        self.assertEqual((status, answer.code), (200, 200))
        picking = self.po_ing.picking_ids
        self.assertRecordValues(
            picking,
            [{"state": "done", "carrier_tracking_ref": "1ZING0001", "channel_carrier": "UPS Standard"}],
        )
        self.assertEqual(picking.move_ids.quantity, 10)
        self.assertEqual(self.order.inbox_state, "ordered", "TD SYNNEX has not shipped yet")
        self.assertEqual(self.po_ing.channel_send_state, "accepted")

        self.receive(build_ship_notice(self.po_td, tracking=("DPD123",), carrier="DPD"))
        self.assertEqual(self.po_td.picking_ids.carrier_tracking_ref, "DPD123")
        self.assertEqual(self.order.inbox_state, "shipped")
        laptop_line = self.line_for(self.order, self.laptop)
        self.assertEqual(laptop_line.qty_delivered, 12)

    def test_partial_shipment_leaves_a_backorder_with_its_own_tracking(self):
        laptop_no = self.line_number(self.po_td, self.laptop)
        self.receive(build_ship_notice(self.po_td, lines=[(laptop_no, 1)], tracking=("PART-1",)))
        done = self.po_td.picking_ids.filtered(lambda p: p.state == "done")
        backorder = self.po_td.picking_ids - done
        self.assertEqual(done.carrier_tracking_ref, "PART-1")
        self.assertEqual(done.move_ids.filtered(lambda m: m.product_id == self.laptop).quantity, 1)
        self.assertEqual(len(backorder), 1)
        self.assertFalse(backorder.carrier_tracking_ref)
        self.assertEqual(backorder.backorder_id, done)
        self.assertEqual(
            sorted((m.product_id.default_code, m.product_uom_qty) for m in backorder.move_ids),
            [("SKU-LAPTOP", 1.0), ("SKU-MOUSE", 1.0)],
        )
        self.receive(
            build_ship_notice(
                self.po_td,
                lines=[(laptop_no, 1), (self.line_number(self.po_td, self.mouse), 1)],
                tracking=("PART-2",),
                shipment_id="SHIP-2",
            )
        )
        self.assertEqual(backorder.state, "done")
        self.assertEqual(backorder.carrier_tracking_ref, "PART-2")
        self.assertEqual(self.po_td.channel_tracking_refs, "PART-1, PART-2")

    def test_a_shipment_from_another_channel_takes_the_ship_notice_path(self):
        """A distributor's API or a dispatch e-mail hands an engine Shipment to the same path: tracking on
        the delivery, what shipped validated, a backorder for the rest, more than was left in review."""
        laptop_no = self.line_number(self.po_td, self.laptop)
        mouse_no = self.line_number(self.po_td, self.mouse)
        answer = self.po_td._channel_apply_shipment(
            Shipment(
                shipment_id="MAIL-1",
                carrier="DPD",
                tracking_numbers=("15501234567890",),
                lines=(ShipNoticeLine(line_number=laptop_no, quantity=1, order_id=self.po_td.name),),
            )
        )
        done = self.po_td.picking_ids.filtered(lambda p: p.state == "done")
        self.assertIn(done.name, answer)
        self.assertRecordValues(
            done,
            [
                {
                    "carrier_tracking_ref": "15501234567890",
                    "channel_carrier": "DPD",
                    "channel_shipment_id": "MAIL-1",
                }
            ],
        )
        self.assertEqual(done.move_ids.filtered(lambda m: m.product_id == self.laptop).quantity, 1)
        backorder = self.po_td.picking_ids - done
        self.assertEqual(len(backorder), 1)

        self.po_td._channel_apply_shipment(
            Shipment(
                shipment_id="MAIL-2",
                carrier="DPD",
                tracking_numbers=("15501234567891",),
                lines=(ShipNoticeLine(line_number=mouse_no, quantity=5),),
            )
        )
        self.assertEqual(backorder.state, "done")
        self.assertEqual(backorder.move_ids.filtered(lambda m: m.state == "done").product_id, self.mouse)
        still_open = self.po_td.picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))
        self.assertEqual(still_open.move_ids.product_id, self.laptop, "the laptop not shipped yet waits")
        self.assertIn("ship_notice_problem", self.order.review_codes.split())
        self.assertIn("more than was left", self.order.review_reason)

    def test_a_cancelled_ship_notice_sends_the_order_to_review(self):
        self.receive(build_ship_notice(self.po_ing, tracking=("1ZING0001",), shipment_id="SHIP-ING-1"))
        picking = self.po_ing.picking_ids
        self.assertEqual((picking.state, picking.channel_shipment_id), ("done", "SHIP-ING-1"))

        cancel = build_ship_notice(
            self.po_ing, tracking=("1ZING0001",), shipment_id="SHIP-ING-1", operation="delete"
        )
        status, answer = self.receive(cancel)
        self.assertEqual((status, answer.code), (200, 200))
        self.assertIn("Ingram Micro UK cancelled ship notice SHIP-ING-1", answer.message)
        # A validated delivery is not undone behind a person's back: the order goes to review.
        self.assertRecordValues(picking, [{"state": "done", "carrier_tracking_ref": "1ZING0001"}])
        self.assertEqual((self.order.inbox_state, self.order.review_codes), ("review", "ship_notice_problem"))
        self.assertIn(
            f"Ingram Micro UK cancelled ship notice SHIP-ING-1 ({self.po_ing.name}).",
            self.order.review_reason,
        )
        self.assertIn(f"{picking.name} had already been validated", self.order.review_reason)
        for record in (self.po_ing, picking, self.order):
            logged = record.message_ids.filtered(lambda m: "cancelled ship notice SHIP-ING-1" in str(m.body))
            self.assertEqual(len(logged), 1, f"{record.display_name} says what happened, once")
        self.assertEqual(
            self.receive(cancel)[1].message, "Already processed (same payloadID): nothing changed."
        )

        # Checked with the distributor: Ship anyway orders nothing twice, and the order resumes.
        purchases = self.order.channel_purchase_ids
        self.order.action_ship()
        self.assertEqual(self.order.channel_purchase_ids, purchases)
        self.assertEqual(self.order.inbox_state, "ordered", "TD SYNNEX has not shipped yet")
        self.assertFalse(self.order.review_reason)
        self.assertFalse(self.order.review_codes)

    def test_a_cancelled_ship_notice_takes_its_tracking_off_a_delivery_not_validated(self):
        picking = self.po_td.picking_ids
        # The shipment's tracking went on the delivery before it was validated.
        picking.write(
            {"carrier_tracking_ref": "DPD-9", "channel_carrier": "DPD", "channel_shipment_id": "SHIP-TD-9"}
        )
        status, _answer = self.receive(
            build_ship_notice(self.po_td, tracking=("DPD-9",), shipment_id="SHIP-TD-9", operation="delete")
        )
        self.assertEqual(status, 200)
        self.assertRecordValues(
            picking,
            [
                {
                    "state": "assigned",
                    "carrier_tracking_ref": False,
                    "channel_carrier": False,
                    "channel_shipment_id": False,
                }
            ],
        )
        self.assertEqual(self.order.inbox_state, "review")
        self.assertIn(f"Its tracking was removed from {picking.name}", self.order.review_reason)
        # The next notice for that delivery ships it as usual.
        self.receive(build_ship_notice(self.po_td, tracking=("DPD-10",), shipment_id="SHIP-TD-10"))
        self.assertRecordValues(picking, [{"state": "done", "carrier_tracking_ref": "DPD-10"}])

    def test_the_same_document_twice_changes_nothing(self):
        body = build_ship_notice(
            self.po_td,
            lines=[(self.line_number(self.po_td, self.laptop), 1)],
            tracking=("ONCE",),
            payload_id="notice-1@td-uk.example",
        )
        self.receive(body)
        pickings = self.po_td.picking_ids
        status, answer = self.receive(body)
        self.assertEqual((status, answer.code), (200, 200))
        self.assertIn("Already processed", answer.message)
        self.assertEqual(self.po_td.picking_ids, pickings, "no second shipment")
        self.assertEqual(sum(pickings.filtered(lambda p: p.state == "done").move_ids.mapped("quantity")), 1)
        document = self.env["channel.cxml.document"].search([("payload_id", "=", "notice-1@td-uk.example")])
        self.assertRecordValues(
            document,
            [
                {
                    "direction": "in",
                    "doc_type": "ShipNoticeRequest",
                    "state": "processed",
                    "attempts": 2,
                    "purchase_id": self.po_td.id,
                }
            ],
        )

    def test_wrong_secret_unknown_order_and_garbage_are_refused(self):
        with self.assertLogs(INBOUND_LOGGER, "WARNING") as logs:
            status, answer = self.receive(build_ship_notice(self.po_td, secret="not-the-secret"))
            # TD SYNNEX's secret does not open Ingram's orders.
            wrong_owner = build_ship_notice(self.po_ing, secret=self.tdsynnex.cxml_inbound_secret)
            self.assertEqual(self.receive(wrong_owner)[0], 401)
        self.assertEqual(len(logs.records), 2, "every refused document is logged")
        self.assertEqual((status, answer.code), (401, 401))
        self.assertEqual(self.po_td.picking_ids.state, "assigned")
        self.assertFalse(self.env["channel.cxml.document"].search([("direction", "=", "in")]))
        status, _answer = self.receive(
            build_ship_notice(self.po_td).replace(self.po_td.name.encode(), b"P-NOPE")
        )
        self.assertEqual(status, 404)
        status, answer = self.receive(b"<cXML><Nonsense/></cXML>")
        self.assertEqual(status, 400)

    def test_accepted_confirmation(self):
        status, _answer = self.receive(build_confirmation(self.po_ing, "accept"))
        self.assertEqual(status, 200)
        self.assertEqual(self.po_ing.channel_send_state, "accepted")
        self.assertEqual(self.order.inbox_state, "ordered")

    def test_rejected_line_goes_back_to_review_with_the_next_best_distributor(self):
        laptop_no = self.line_number(self.po_td, self.laptop)
        status, _answer = self.receive(
            build_confirmation(self.po_td, "detail", lines=[(laptop_no, 2, "reject")], comments="EOL at TD")
        )
        self.assertEqual(status, 200)
        self.assertEqual(self.order.inbox_state, "review")
        self.assertIn("TD SYNNEX UK rejected 2", self.order.review_reason)
        self.assertIn("Westcoast", self.order.review_reason)
        self.assertEqual(self.order.review_codes, "distributor_rejected")
        td_laptop = self.po_td.order_line.filtered(lambda pol: pol.product_id == self.laptop)
        self.assertEqual(td_laptop.product_qty, 0)
        self.assertEqual(self.po_td.state, "purchase", "the mouse is still coming from TD SYNNEX")
        laptop_line = self.line_for(self.order, self.laptop)
        self.assertIn(self.tdsynnex, laptop_line.channel_excluded_distributor_ids)
        # Ingram's 10 are already ordered from Ingram's stock of 10: the next best for 2 is Westcoast.
        open_allocation = laptop_line._channel_open_allocations()
        self.assertEqual((open_allocation.distributor_id, open_allocation.product_qty), (self.westcoast, 2.0))

        self.order.action_ship()
        po_wc = self.order.channel_purchase_ids.filtered(lambda p: p.partner_id == self.westcoast)
        self.assertEqual(po_wc.order_line.filtered(lambda pol: pol.product_id == self.laptop).product_qty, 2)
        self.assertEqual(po_wc.dest_address_id, self.delivery)
        bought = laptop_line.purchase_line_ids.filtered(lambda pol: pol.state == "purchase")
        self.assertEqual(sum(bought.mapped("product_qty")), 12)
        self.assertFalse(self.order.review_codes, "shipped again by a person: the rejection is dealt with")

    def test_a_whole_order_rejected_is_cancelled_and_replanned(self):
        self.receive(build_confirmation(self.po_ing, "reject", comments="account on stop"))
        self.assertEqual(self.po_ing.state, "cancel")
        self.assertEqual(self.po_ing.channel_send_state, "rejected")
        self.assertEqual(self.order.inbox_state, "review")
        self.assertIn("Ingram Micro UK rejected 10", self.order.review_reason)
        laptop_line = self.line_for(self.order, self.laptop)
        self.assertEqual(laptop_line._channel_open_allocations().distributor_id, self.westcoast)
