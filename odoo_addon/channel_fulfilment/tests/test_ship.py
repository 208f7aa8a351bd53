from odoo.tests import Form, tagged

from .common import ChannelCase


@tagged("post_install", "-at_install")
class TestShip(ChannelCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.dropship_route = cls.env.ref("stock_dropshipping.route_drop_shipping")

    def _shipped_order(self):
        """12 laptops split Ingram 10 / TD SYNNEX 2; the mouse rides with TD SYNNEX's shipment (its
        freight is paid already); the bag only Westcoast has, at an edited cost."""
        order = self._inbox_order([(self.laptop, 12), (self.mouse, 1), (self.bag, 1)])
        order.action_plan()
        with Form(order) as form, form.order_line.edit(2) as line:
            line.planned_cost = 10.0
        order.action_ship()
        return order

    def test_confirming_an_inbox_order_creates_no_purchase_order(self):
        order = self._inbox_order([(self.laptop, 1), (self.mouse, 2)])
        order.action_confirm()
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.inbox_state, "new")
        self.assertFalse(order._get_purchase_orders())
        self.assertFalse(order.order_line.purchase_line_ids)
        self.assertFalse(order.picking_ids)

    def test_confirming_a_quotation_puts_it_in_the_inbox_without_procurement(self):
        quotation = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "order_line": [(0, 0, {"product_id": self.dock.id, "product_uom_qty": 1})],
            }
        )
        self.assertFalse(quotation.is_inbox)
        quotation.action_confirm()
        self.assertTrue(quotation.is_inbox)
        self.assertEqual(quotation.channel_source, "quotation")
        self.assertEqual(quotation.inbox_state, "new")
        self.assertFalse(quotation._get_purchase_orders())

    def test_ship_makes_one_drop_ship_po_per_distributor(self):
        order = self._shipped_order()
        purchases = order.channel_purchase_ids
        self.assertEqual(purchases.partner_id, self.ingram | self.tdsynnex | self.westcoast)
        self.assertEqual(len(purchases), 3, "one purchase order per distributor")
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.inbox_state, "ready", "ordered only once the POs are sent")
        for po in purchases:
            self.assertEqual(
                po.dest_address_id, self.delivery, "drop-shipped to the order's delivery address"
            )
            self.assertEqual(po.state, "purchase")
            self.assertEqual(po.channel_send_state, "to_send")
            self.assertEqual(po.channel_payload_id, f"{po.name}.r0@reseller.example")
            self.assertEqual(po.picking_type_id.code, "dropship")
            self.assertEqual(po.picking_ids.picking_type_id.code, "dropship")
            self.assertEqual(po.picking_ids.location_dest_id.usage, "customer")
            self.assertEqual(po.channel_sale_id, order)

        by_partner = {po.partner_id: po for po in purchases}
        laptop_line = self.line_for(order, self.laptop)
        mouse_line = self.line_for(order, self.mouse)
        bag_line = self.line_for(order, self.bag)
        goods = {
            partner: [
                (pol.product_id, pol.product_qty, pol.price_unit, pol.sale_line_id)
                for pol in po.order_line
                if not pol.channel_charge_type
            ]
            for partner, po in by_partner.items()
        }
        # The split line is bought at both distributors, each for its share, at the planned costs.
        self.assertEqual(goods[self.ingram], [(self.laptop, 10.0, 700.0, laptop_line)])
        self.assertEqual(
            sorted(goods[self.tdsynnex], key=lambda g: g[0].id),
            sorted(
                [(self.laptop, 2.0, 690.0, laptop_line), (self.mouse, 1.0, 9.5, mouse_line)],
                key=lambda g: g[0].id,
            ),
        )
        # The edited cost, not Westcoast's feed price (12.00), is on the PO.
        self.assertEqual(goods[self.westcoast], [(self.bag, 1.0, 10.0, bag_line)])
        self.assertTrue(by_partner[self.westcoast].has_cost_edited)
        self.assertFalse(by_partner[self.ingram].has_cost_edited)

        charges = {
            partner: sorted(
                (pol.channel_charge_type, pol.price_unit) for pol in po.order_line if pol.channel_charge_type
            )
            for partner, po in by_partner.items()
        }
        self.assertEqual(charges[self.ingram], [], "Ingram ships free over 250.00")
        self.assertEqual(
            charges[self.tdsynnex], [("freight", 25.0)], "4.2 kg falls in TD SYNNEX's 30 kg band"
        )
        self.assertEqual(charges[self.westcoast], [("small_order", 5.0)], "10.00 of goods is under 50.00")

        self.assertEqual(laptop_line.route_ids, self.dropship_route)
        self.assertEqual(
            {a.distributor_id: a.purchase_line_id.order_id for a in laptop_line.allocation_ids},
            {self.ingram: by_partner[self.ingram], self.tdsynnex: by_partner[self.tdsynnex]},
        )

    def test_ship_twice_creates_nothing(self):
        order = self._shipped_order()
        purchases = order.channel_purchase_ids
        po_lines = purchases.order_line
        pickings = order.picking_ids
        order.action_ship()
        order.invalidate_recordset()
        self.assertEqual(order.channel_purchase_ids, purchases)
        self.assertEqual(order.channel_purchase_ids.order_line, po_lines)
        self.assertEqual(order.picking_ids, pickings)
        self.assertEqual(self.env["purchase.order"].search_count([("origin", "ilike", order.name)]), 3)

    def test_ship_plans_a_new_order_first(self):
        order = self._inbox_order([(self.mouse, 1)])
        order.action_ship()
        self.assertEqual(order.channel_purchase_ids.partner_id, self.westcoast)

    def test_ship_sends_unplannable_orders_to_review(self):
        order = self._inbox_order([(self.cable, 600)])
        order.action_ship()
        self.assertEqual(order.inbox_state, "review")
        self.assertIn("100 of 600", order.review_reason)
        self.assertFalse(order.channel_purchase_ids)
        self.assertEqual(order.state, "draft", "not confirmed: nothing was ordered")
