"""What a person (or a distributor) may still change once an order is shipped, and what stays fixed:
the planned cost on the purchase order, the distributor and cost of shipped lines, quantities raised
after Ship, and cost-edited orders to a distributor without an account manager."""

from lxml import etree
from odoo.exceptions import UserError
from odoo.tests import Form, TransactionCase, tagged
from odoo.tools.safe_eval import safe_eval

from .common import build_confirmation
from .ui_common import InboxUiData


@tagged("post_install", "-at_install")
class TestAfterShip(InboxUiData, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_inbox_data()

    def _order(self, external_id, lines):
        return self._create_store_order(external_id, lines=lines).with_user(self.inbox_user)

    def _edit_line(self, order, product, **values):
        index = order.order_line.ids.index(self.line_for(order, product).id)
        with Form(order) as form, form.order_line.edit(index) as line:
            for name, value in values.items():
                setattr(line, name, value)

    def _bag_line(self, po):
        return po.order_line.filtered(lambda pol: pol.product_id == self.bag)

    # ------------------------------------------------------------------ the planned cost on the PO

    def test_a_partial_rejection_keeps_the_edited_cost(self):
        order = self._order("AS-1", [(self.bag, 5, 45.0)])
        order.action_plan()
        self.assertEqual(self.line_for(order, self.bag).planned_cost, 12.0, "Westcoast's feed price")
        self._edit_line(order, self.bag, planned_cost=10.0)
        order.action_ship()
        po = order.channel_purchase_ids
        self.assertRecordValues(self._bag_line(po), [{"product_qty": 5, "price_unit": 10.0}])
        po._channel_send()
        status, _answer = self.env["channel.cxml.document"]._channel_receive(
            build_confirmation(po, "detail", lines=[(self._bag_line(po).channel_line_number, 2, "reject")])
        )
        self.assertEqual(status, 200)
        self.assertEqual(order.inbox_state, "review")
        self.assertRecordValues(self._bag_line(po), [{"product_qty": 3, "price_unit": 10.0}])

    def test_a_quantity_changed_on_the_purchase_order_keeps_the_planned_cost(self):
        order = self._order("AS-2", [(self.bag, 4, 45.0)])
        order.action_plan()
        self._edit_line(order, self.bag, planned_cost=10.0)
        order.action_ship()
        po = order.channel_purchase_ids  # the inbox user edits it (a plain buyer may not read sale lines)
        with Form(po) as form, form.order_line.edit(po.order_line.ids.index(self._bag_line(po).id)) as line:
            line.product_qty = 2
        self.assertRecordValues(self._bag_line(po), [{"product_qty": 2, "price_unit": 10.0}])
        self._bag_line(po).product_qty = 6
        self.assertEqual(self._bag_line(po).price_unit, 10.0)

    # ------------------------------------------------------------------ locked once shipped

    def test_distributor_and_cost_are_locked_once_a_line_is_shipped(self):
        order = self._order("AS-3", [(self.bag, 2, 45.0), (self.cable, 2, 5.0)])
        order.action_plan()
        order.action_ship()
        self.assertEqual(order.inbox_state, "sending", "ordered only once the POs are sent")
        bag_line = self.line_for(order, self.bag)
        po_line = self._bag_line(order.channel_purchase_ids)
        self.assertTrue(bag_line.channel_locked)
        index = order.order_line.ids.index(bag_line.id)
        with Form(order) as form, form.order_line.edit(index) as line:
            with self.assertRaises(AssertionError):
                line.planned_cost = 5.0
            with self.assertRaises(AssertionError):
                line.distributor_id = self.ingram
        with self.assertRaisesRegex(UserError, f"{order.name}.*Laptop bag.*{po_line.order_id.name}"):
            bag_line.write({"planned_cost": 5.0})
        with self.assertRaisesRegex(UserError, "Laptop bag"):
            bag_line.write({"distributor_id": self.ingram.id})
        bag_line.write({"distributor_id": self.westcoast.id, "planned_cost": 12.0})  # unchanged: allowed
        self.assertRecordValues(
            bag_line, [{"distributor_id": self.westcoast.id, "planned_cost": 12.0, "cost_edited": False}]
        )
        self.assertEqual(po_line.price_unit, 12.0)

        # Plan and Ship are hidden; clicked anyway (an old browser tab), they change nothing.
        self.assertFalse(order.channel_to_order)
        arch = etree.fromstring(order.get_views([(False, "form")])["views"]["form"]["arch"])
        values = {"is_inbox": True, "inbox_state": "ready", "channel_to_order": False}
        values.update(channel_offer_plan=False, channel_offer_ship=False)  # nothing to review either
        for button in ("Plan", "Ship"):
            nodes = arch.xpath(f"//header/button[@string='{button}']")
            for node in nodes:
                self.assertTrue(safe_eval(node.get("invisible"), values), f"{button} is hidden after Ship")
            to_order = dict(values, channel_to_order=True)
            self.assertTrue(any(not safe_eval(node.get("invisible"), to_order) for node in nodes), button)
        allocations = order.allocation_ids
        purchases = order.channel_purchase_ids
        order.action_plan()
        order.action_ship()
        self.assertEqual(order.allocation_ids, allocations)
        self.assertEqual(order.channel_purchase_ids, purchases)
        self.assertEqual(order.inbox_state, "sending")

    # ------------------------------------------------------------------ quantities raised after Ship

    def test_a_quantity_raised_after_ship_goes_to_review_and_ships_the_difference(self):
        order = self._order("AS-4", [(self.bag, 3, 45.0)])
        order.action_plan()
        order.action_ship()
        po = order.channel_purchase_ids
        po._channel_send()
        self.assertEqual(order.inbox_state, "ordered")
        PurchaseOrder = self.env["purchase.order"]
        before = PurchaseOrder.search([])

        self._edit_line(order, self.bag, product_uom_qty=6)
        self.assertEqual(PurchaseOrder.search([]), before, "Odoo made no purchase order of its own")
        self.assertEqual(order.inbox_state, "review")
        self.assertIn("quantity of [SKU-BAG] Laptop bag raised from 3 to 6 after Ship", order.review_reason)
        self.assertIn("plan and ship the extra units", order.review_reason)
        bag_line = self.line_for(order, self.bag)
        self.assertFalse(bag_line.channel_locked, "the extra units are still to plan")
        self.assertTrue(order.channel_to_order)

        order.action_ship()  # plans the 3 extra units and ships them
        new_po = order.channel_purchase_ids - po
        self.assertEqual(len(new_po), 1)
        self.assertRecordValues(
            new_po, [{"partner_id": self.westcoast.id, "state": "purchase", "channel_send_state": "to_send"}]
        )
        self.assertRecordValues(self._bag_line(new_po), [{"product_qty": 3, "price_unit": 12.0}])
        self.assertEqual(sum(bag_line.purchase_line_ids.mapped("product_qty")), 6)
        self.assertFalse(PurchaseOrder.search([("state", "=", "draft"), ("id", "not in", before.ids)]))
        new_po._channel_send()
        self.assertEqual(order.inbox_state, "ordered")

    def test_a_quantity_lowered_after_ship_goes_to_review(self):
        order = self._order("AS-7", [(self.bag, 3, 45.0)])
        order.action_plan()
        order.action_ship()
        po = order.channel_purchase_ids
        po._channel_send()
        before = self.env["purchase.order"].search([])
        self._edit_line(order, self.bag, product_uom_qty=2)
        self.assertEqual(self.env["purchase.order"].search([]), before)
        self.assertEqual(self._bag_line(po).product_qty, 3, "what was sent stays on the PO")
        self.assertEqual(order.inbox_state, "review")
        self.assertIn("quantity of [SKU-BAG] Laptop bag lowered from 3 to 2 after Ship", order.review_reason)
        # Agreed with the distributor: Ship anyway orders nothing and the order resumes.
        order.action_ship()
        self.assertEqual(order.channel_purchase_ids, po)
        self.assertEqual(order.inbox_state, "ordered")

    def test_a_line_added_after_ship_goes_to_review(self):
        order = self._order("AS-5", [(self.bag, 1, 45.0)])
        order.action_plan()
        order.action_ship()
        order.channel_purchase_ids._channel_send()
        before = self.env["purchase.order"].search([])
        with Form(order) as form, form.order_line.new() as line:
            line.product_id = self.cable
            line.product_uom_qty = 2
        self.assertEqual(self.env["purchase.order"].search([]), before)
        self.assertEqual(order.inbox_state, "review")
        self.assertIn("HDMI cable added after Ship", order.review_reason)
        order.action_ship()
        self.assertIn(self.exertis, order.channel_purchase_ids.partner_id)

    # ------------------------------------------------------------------ no account manager

    def test_cost_edited_without_an_account_manager_warns_the_responsible(self):
        self.westcoast.account_manager_id = False
        order = self._order("AS-6", [(self.bag, 2, 45.0)])
        order.action_plan()
        self._edit_line(order, self.bag, planned_cost=10.0)
        order.action_ship()
        po = order.channel_purchase_ids
        self.assertTrue(po.has_cost_edited)
        po._channel_send()
        self.assertEqual(po.channel_send_state, "emailed")
        self.assertFalse(po.channel_manager_notified)
        warned = po.message_ids.filtered(lambda m: "no account manager" in str(m.body))
        self.assertEqual(len(warned), 1)
        self.assertIn("Westcoast will invoice at its feed price", str(warned.body))
        activity = po.activity_ids.filtered(lambda a: "no account manager" in str(a.note))
        self.assertEqual(len(activity), 1)
        self.assertTrue(activity.user_id)
        # A retry does not warn twice.
        po.channel_send_state = "to_send"
        po._channel_send()
        self.assertEqual(len(po.message_ids.filtered(lambda m: "no account manager" in str(m.body))), 1)
        self.assertEqual(len(po.activity_ids.filtered(lambda a: "no account manager" in str(a.note))), 1)
