from odoo.exceptions import UserError
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
        self.assertEqual(order.inbox_state, "sending", "ordered only once the POs are sent")
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

    def test_ship_many_orders_together(self):
        """The list's Ship on several orders: one run of the stock rules, one confirmation of all the
        purchase orders; each order still gets its own, with its own drop-ship delivery."""
        orders = [
            self._inbox_order([(self.laptop, 12), (self.mouse, 1)]),
            self._inbox_order([(self.dock, 2), (self.cable, 3)]),
            self._inbox_order([(self.bag, 1)]),
        ]
        batch = self.env["sale.order"].concat(*orders)
        batch.action_ship()
        # Freight counts: two docks are cheaper at Westcoast (198.00, ships free) than at Ingram (190.00
        # + 9.95). Only Westcoast has the bag.
        expected = [
            {
                self.ingram: [(self.laptop, 10.0, 700.0)],
                self.tdsynnex: [(self.laptop, 2.0, 690.0), (self.mouse, 1.0, 9.5)],
            },
            {self.westcoast: [(self.dock, 2.0, 99.0)], self.exertis: [(self.cable, 3.0, 2.0)]},
            {self.westcoast: [(self.bag, 1.0, 12.0)]},
        ]
        for order, wanted in zip(orders, expected, strict=True):
            self.assertEqual(order.inbox_state, "sending")
            purchases = order.channel_purchase_ids
            self.assertEqual(purchases.order_line.sale_line_id.order_id, order, "no PO mixes two orders")
            got = {
                po.partner_id: sorted(
                    (
                        (pol.product_id, pol.product_qty, pol.price_unit)
                        for pol in po.order_line
                        if not pol.channel_charge_type
                    ),
                    key=lambda g: g[0].id,
                )
                for po in purchases
            }
            self.assertEqual(got, {p: sorted(v, key=lambda g: g[0].id) for p, v in wanted.items()})
            for po in purchases:
                self.assertEqual(po.state, "purchase")
                self.assertEqual(po.channel_send_state, "to_send")
                self.assertEqual(po.dest_address_id, self.delivery)
                picking = po.picking_ids
                self.assertEqual(len(picking), 1)
                self.assertEqual((picking.picking_type_id.code, picking.state), ("dropship", "assigned"))
                self.assertEqual(picking.partner_id, po.partner_id, "as purchase_stock makes it")
                goods = po.order_line.filtered(lambda pol: pol.product_id.type == "consu")
                self.assertEqual(
                    sorted(
                        (m.product_id.id, m.product_uom_qty, m.purchase_line_id.id) for m in picking.move_ids
                    ),
                    sorted((pol.product_id.id, pol.product_qty, pol.id) for pol in goods),
                )
                self.assertEqual(picking.move_ids.sale_line_id.order_id, order)
                self.assertTrue(
                    picking.message_ids.filtered(lambda m, name=po.name: name in str(m.body)),
                    "the delivery says which purchase order it came from, as purchase_stock's note does",
                )
        charges = {
            (po.channel_sale_id, po.partner_id): [
                (pol.channel_charge_type, pol.price_unit) for pol in po.order_line if pol.channel_charge_type
            ]
            for po in batch.channel_purchase_ids
        }
        self.assertEqual(charges[orders[1], self.exertis], [("freight", 4.95)])
        self.assertEqual(charges[orders[1], self.westcoast], [], "198.00 of goods: no small order charge")
        self.assertEqual(charges[orders[2], self.westcoast], [("small_order", 5.0)])
        # Shipping the batch again creates nothing.
        purchases = batch.channel_purchase_ids
        batch.action_ship()
        self.assertEqual(batch.channel_purchase_ids, purchases)

    def test_a_batch_plans_each_order_as_plan_does_alone(self):
        """Ship on a batch reads the vendor lines once, creates the plans' allocations together and
        writes equal line values together: each order gets the allocations, main distributor, planned
        costs, plan and Ship notes and review reason that Plan then Ship give it alone."""
        orders = [
            self._inbox_order([(self.laptop, 12), (self.mouse, 1)]),  # split: Ingram 10, TD SYNNEX 2
            self._inbox_order([(self.laptop, 12), (self.mouse, 1)]),  # the same lines, the same values
            self._inbox_order([(self.dock, 2), (self.cable, 3)]),
            self._inbox_order([(self.cable, 600)]),  # 100 in stock: review
            self._inbox_order([(self.bag, 1), (self.laptop, 1)]),
        ]
        batch = self.env["sale.order"].concat(*orders)

        def story(order):
            bodies = [str(m.body) for m in order.message_ids.sorted("id") if m.body]
            for po in order.channel_purchase_ids:
                bodies = [body.replace(po.name, f"PO of {po.partner_id.name}") for body in bodies]
            return {
                "state": (order.inbox_state, order.review_reason, order.review_codes),
                "lines": [
                    (line.product_id, line.distributor_id, line.planned_cost) for line in order.order_line
                ],
                "allocations": sorted(
                    (
                        a.line_id.product_id.id,
                        a.distributor_id.id,
                        a.product_qty,
                        a.unit_cost,
                        a.reason,
                        a.stale,
                    )
                    for a in order.allocation_ids
                ),
                "sources": sorted((a.source, a.supplierinfo_id.id) for a in order.allocation_ids),
                "notes": bodies,
                "purchases": sorted(
                    (po.partner_id.id, po.amount_untaxed, po.state) for po in order.channel_purchase_ids
                ),
            }

        class Undo(Exception):
            pass

        with self.assertRaises(Undo), self.env.cr.savepoint():
            batch.action_ship()
            together = [story(order) for order in orders]
            raise Undo
        self.env.invalidate_all()
        self.assertEqual(batch.allocation_ids, self.env["sale.order.line.allocation"], "undone")
        for order in orders:
            order.action_plan()
            if order.inbox_state == "ready":
                order.action_ship()
        alone = [story(order) for order in orders]
        self.assertEqual([s["state"][0] for s in together], ["sending"] * 3 + ["review", "sending"])
        self.assertIn("100 of 600", together[3]["state"][1])
        self.assertTrue(all(len(s["allocations"]) >= 2 for s in together[:3]))
        self.assertTrue(any("Runner-up" in body for body in together[0]["notes"]), together[0]["notes"])
        for got, wanted in zip(together, alone, strict=True):
            self.assertEqual(got, wanted)

    def test_one_bad_order_does_not_stop_the_batch(self):
        good = self._inbox_order([(self.dock, 1)])
        no_goods = self._inbox_order([(self.service, 1)])
        other = self._inbox_order([(self.mouse, 1)])
        not_inbox = self.env["sale.order"].create(
            {"partner_id": self.customer.id, "order_line": [(0, 0, {"product_id": self.dock.id})]}
        )
        (good | no_goods | other | not_inbox).action_ship()
        self.assertTrue(good.channel_purchase_ids)
        self.assertTrue(other.channel_purchase_ids)
        self.assertEqual(no_goods.inbox_state, "review")
        self.assertEqual(no_goods.review_reason, f"Ship failed: {no_goods.name} has no goods to ship.")
        self.assertFalse(no_goods.channel_purchase_ids)
        self.assertEqual(
            (not_inbox.state, not_inbox.is_inbox), ("draft", False), "not the inbox's: untouched"
        )
        # One order alone: the person who clicked sees why.
        with self.assertRaisesRegex(UserError, "has no goods to ship"):
            no_goods.action_ship()
