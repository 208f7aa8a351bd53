"""What a distributor's document may change (issue 11, classes 1-3): rejections never take back what
shipped, quantities must make sense for the line, and a document that ships nothing touches nothing."""

from odoo.tests import tagged

from fulfilment_engine.documents import cxml

from .common import ChannelCase, build_confirmation, build_ship_notice


@tagged("post_install", "-at_install")
class TestInboundRules(ChannelCase):
    def setUp(self):
        super().setUp()
        self._ship_to_two_distributors()  # Ingram: 10 laptops; TD SYNNEX: 2 laptops and a mouse
        self.laptop_ing = self.po_ing.order_line.filtered(lambda pol: pol.product_id == self.laptop)
        self.laptop_td = self.po_td.order_line.filtered(lambda pol: pol.product_id == self.laptop)
        self.mouse_td = self.po_td.order_line.filtered(lambda pol: pol.product_id == self.mouse)

    def receive(self, body):
        status, answer = self.env["channel.cxml.document"]._channel_receive(body)
        return status, cxml.parse_response(answer)

    def moves_state(self, po):
        return sorted(
            (m.product_id.default_code, m.state, m.quantity, m.picked) for m in po.picking_ids.move_ids
        )

    # ------------------------------------------------------------------ 1. rejections after shipping

    def test_a_rejection_after_everything_shipped_reorders_nothing(self):
        self.assertEqual(self.receive(build_ship_notice(self.po_ing))[0], 200)
        self.assertEqual(self.laptop_ing.qty_received, 10)

        status, answer = self.receive(build_confirmation(self.po_ing, "reject", comments="oops"))
        self.assertEqual(status, 200)
        self.assertIn("had shipped already", answer.message)
        self.assertEqual(self.po_ing.state, "purchase", "a shipped order is not cancelled")
        self.assertEqual(self.laptop_ing.product_qty, 10)
        laptop_line = self.line_for(self.order, self.laptop)
        self.assertFalse(laptop_line._channel_open_allocations(), "nothing proposed again")
        self.assertEqual(self.order.inbox_state, "review")
        self.assertIn("Ingram Micro UK rejected 10", self.order.review_reason)
        self.assertIn("had shipped already", self.order.review_reason)
        self.assertNotIn("Proposed", self.order.review_reason)

    def test_a_rejection_after_part_shipped_takes_off_only_the_rest(self):
        number = self.laptop_ing.channel_line_number
        self.receive(build_ship_notice(self.po_ing, lines=[(number, 4)]))
        self.assertEqual(self.laptop_ing.qty_received, 4)

        status, answer = self.receive(
            build_confirmation(self.po_ing, "detail", lines=[(number, 10, "reject")])
        )
        self.assertEqual(status, 200)
        self.assertEqual(self.laptop_ing.product_qty, 4, "the 6 not shipped left the PO, the 4 shipped stay")
        self.assertEqual(self.po_ing.state, "purchase")
        open_allocations = self.line_for(self.order, self.laptop)._channel_open_allocations()
        self.assertEqual(sum(open_allocations.mapped("product_qty")), 6, "only the 6 are proposed again")
        self.assertIn("4.0 not taken off", answer.message)
        self.assertIn("had shipped already", self.order.review_reason)

    def test_rejecting_more_than_ordered_takes_off_what_was_ordered_and_says_so(self):
        number = self.laptop_td.channel_line_number
        status, answer = self.receive(build_confirmation(self.po_td, "detail", lines=[(number, 5, "reject")]))
        self.assertEqual(status, 200)
        self.assertEqual(self.laptop_td.product_qty, 0)
        self.assertIn("3.0 not taken off", answer.message)
        self.assertIn("3.0 not taken off", self.order.review_reason)
        self.assertEqual(self.po_td.state, "purchase", "the mouse still comes")

    # ------------------------------------------------------------------ 2. quantities

    def test_a_fractional_quantity_of_a_unit_product_is_refused_and_nothing_applied(self):
        before = self.moves_state(self.po_td)
        notice = build_ship_notice(
            self.po_td,
            lines=[(self.mouse_td.channel_line_number, 1), (self.laptop_td.channel_line_number, "0.5")],
            tracking=("HALF-1",),
        )
        status, answer = self.receive(notice)
        self.assertEqual((status, answer.code), (400, 400))
        self.assertIn(
            f"ShipNoticeItem[lineNumber={self.laptop_td.channel_line_number}]@quantity: 0.5 is not a whole "
            "number of Units",
            answer.message,
        )
        self.assertEqual(self.moves_state(self.po_td), before, "not even the mouse shipped")
        self.assertFalse(self.po_td.picking_ids.carrier_tracking_ref)
        document = self.env["channel.cxml.document"].search([("direction", "=", "in")])
        self.assertRecordValues(document, [{"state": "error", "response_code": 400}])

        rejected = build_confirmation(
            self.po_td, "detail", lines=[(self.laptop_td.channel_line_number, "1.5", "reject")]
        )
        status, answer = self.receive(rejected)
        self.assertEqual(status, 400)
        self.assertIn("ConfirmationStatus@quantity: 1.5 is not a whole number", answer.message)
        self.assertEqual(self.laptop_td.product_qty, 2)
        self.assertEqual(self.order.inbox_state, "ordered")

    def test_quantities_that_are_not_above_zero_are_refused_and_nothing_applied(self):
        before = self.moves_state(self.po_td)
        number = self.laptop_td.channel_line_number
        for quantity in ("-1", "0"):
            with self.subTest(quantity=quantity):
                notice = build_ship_notice(self.po_td, lines=[(number, 1)], tracking=("NEG-1",)).replace(
                    b'quantity="1"', f'quantity="{quantity}"'.encode()
                )
                status, answer = self.receive(notice)
                self.assertEqual(status, 400)
                self.assertIn("ShipNoticeItem@quantity", answer.message)
                rejected = build_confirmation(self.po_td, "detail", lines=[(number, 1, "reject")]).replace(
                    b'quantity="1" type="reject"', f'quantity="{quantity}" type="reject"'.encode()
                )
                status, answer = self.receive(rejected)
                self.assertEqual(status, 400)
                self.assertIn("ConfirmationStatus@quantity", answer.message)
        self.assertEqual(self.moves_state(self.po_td), before)
        self.assertFalse(self.po_td.picking_ids.carrier_tracking_ref)
        self.assertEqual(self.order.inbox_state, "ordered")

    def test_shipping_more_than_is_left_ships_what_is_left_and_says_the_rest(self):
        number = self.laptop_ing.channel_line_number
        status, answer = self.receive(
            build_ship_notice(self.po_ing, lines=[(number, 15)], tracking=("OVER-1",))
        )
        self.assertEqual(status, 200)
        self.assertEqual(self.laptop_ing.qty_received, 10)
        self.assertIn("5.0 more than was left to ship", answer.message)
        self.assertEqual(self.order.inbox_state, "review")
        self.assertIn("5.0 more than was left to ship", self.order.review_reason)
        self.assertTrue(
            self.po_ing.message_ids.filtered(lambda m: "more than was left to ship" in str(m.body)),
            "the purchase order says it too",
        )
        # Everything shipped already: a further notice ships nothing and says the whole of it.
        status, answer = self.receive(
            build_ship_notice(self.po_ing, lines=[(number, 2)], tracking=("OVER-2",))
        )
        self.assertEqual(status, 200)
        self.assertIn("Nothing left to ship", answer.message)
        self.assertIn("2.0 more than was left to ship", answer.message)

    # ------------------------------------------------------------------ 3. nothing to do: nothing done

    def test_a_notice_of_lines_not_on_the_order_or_of_charges_touches_no_move(self):
        picking = self.po_td.picking_ids
        before = self.moves_state(self.po_td)
        self.assertEqual(picking.state, "assigned")
        freight = self.po_td.order_line.filtered("channel_charge_type")
        self.assertTrue(freight, "TD SYNNEX charges freight on this order")
        for lines in (
            [(99, 1)],
            [(freight.channel_line_number, 1)],
            [(99, 1), (freight.channel_line_number, 1)],
        ):
            with self.subTest(lines=lines):
                status, answer = self.receive(
                    build_ship_notice(self.po_td, lines=lines, tracking=("NONE-1",))
                )
                self.assertEqual((status, answer.code), (200, 200))
                self.assertIn("nothing changed", answer.message)
                self.assertEqual(picking.state, "assigned")
                self.assertEqual(self.moves_state(self.po_td), before)
                self.assertFalse(picking.carrier_tracking_ref)
        self.assertEqual(self.order.inbox_state, "ordered")
