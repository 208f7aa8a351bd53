from odoo.tests import Form, tagged

from .common import ChannelCase


@tagged("post_install", "-at_install")
class TestPlanning(ChannelCase):
    def test_cheapest_including_freight_not_cheapest_cost(self):
        # TD SYNNEX has the lowest unit cost (9.50) but charges 7.50 freight; Westcoast ships free at 11.00.
        order = self._inbox_order([(self.mouse, 1)])
        order.action_plan()
        line = order.order_line
        self.assertEqual(order.inbox_state, "ready")
        self.assertEqual(line.distributor_id, self.westcoast)
        self.assertEqual(line.planned_cost, 11.0)
        self.assertEqual(self.allocations_of(line), {self.westcoast: (1.0, 11.0)})
        self.assertFalse(line.cost_edited)
        self.assertTrue(order.planned_at)
        # 11.00 of goods and Westcoast's 5.00 small order charge (still less than TD SYNNEX's 17.00).
        self.assertAlmostEqual(order.plan_total_cost, 16.0)
        self.assertAlmostEqual(order.margin_percent, (25.0 - 16.0) / 25.0 * 100, places=2)

    def test_split_line_over_two_distributors(self):
        # 12 laptops: Ingram has 10 (free freight over 250), the other 2 are cheapest at TD SYNNEX
        # (2 × 690 + 25.00 for 4 kg = 1405.00) rather than Westcoast (2 × 720 = 1440.00).
        order = self._inbox_order([(self.laptop, 12)])
        order.action_plan()
        line = order.order_line
        self.assertEqual(order.inbox_state, "ready")
        self.assertEqual(self.allocations_of(line), {self.ingram: (10.0, 700.0), self.tdsynnex: (2.0, 690.0)})
        self.assertEqual(
            line.distributor_id, self.ingram, "the main distributor is the one with the larger share"
        )
        self.assertAlmostEqual(line.planned_cost, (10 * 700 + 2 * 690) / 12, places=2)
        self.assertAlmostEqual(order.plan_freight, 25.0)
        self.assertAlmostEqual(order.plan_total_cost, 7000 + 1380 + 25.0)
        self.assertTrue(all(a.reason for a in line.allocation_ids), "the planner says why, in words")

    def test_unplannable_lines_go_to_review_with_the_reason(self):
        nameless = self.env["product.product"].create(
            {"name": "Mystery item", "type": "consu", "list_price": 5}
        )
        order = self._inbox_order([(self.cable, 600), (nameless, 1), (self.mouse, 2)])
        order.action_plan()
        self.assertEqual(order.inbox_state, "review")
        self.assertIn("HDMI cable", order.review_reason)
        self.assertIn("100 of 600", order.review_reason)
        self.assertIn("Mystery item has no internal reference", order.review_reason)
        # What can be planned is planned all the same.
        self.assertEqual(self.allocations_of(self.line_for(order, self.cable)), {self.exertis: (500.0, 2.0)})
        # Two mice: 19.00 + 7.50 at TD SYNNEX, not 22.00 + Westcoast's 5.00 small order charge.
        self.assertEqual(self.line_for(order, self.mouse).distributor_id, self.tdsynnex)

    def test_replanning_keeps_nothing_stale(self):
        order = self._inbox_order([(self.mouse, 1)])
        order.action_plan()
        # Westcoast runs out: planning again moves the line.
        self.westcoast.env["product.supplierinfo"].search(
            [("partner_id", "=", self.westcoast.id), ("product_tmpl_id", "=", self.mouse.product_tmpl_id.id)]
        ).distributor_stock = 0
        order.action_plan()
        self.assertEqual(len(order.order_line.allocation_ids), 1)
        self.assertEqual(order.order_line.distributor_id, self.tdsynnex)  # 9.50 + 7.50 < 10.00 + 9.95

    def test_changing_the_distributor_shows_its_figures(self):
        order = self._inbox_order([(self.mouse, 3)])
        order.action_plan()
        with Form(order) as form, form.order_line.edit(0) as line:
            line.distributor_id = self.ingram
            self.assertEqual(line.planned_cost, 10.0, "the new distributor's cost is shown at once")
            self.assertEqual(line.distributor_stock, 100)
            self.assertTrue(line.distributor_stock_age)
        sale_line = order.order_line
        self.assertEqual(sale_line.distributor_id, self.ingram)
        self.assertFalse(sale_line.cost_edited)
        self.assertEqual(self.allocations_of(sale_line), {self.ingram: (3.0, 10.0)})
        self.assertEqual(sale_line.allocation_ids.source, "manual")

    def test_editing_the_cost_marks_the_line(self):
        # Three mice: TD SYNNEX (28.50 + 7.50) rather than Westcoast (33.00 + 5.00 small order charge).
        order = self._inbox_order([(self.mouse, 3)])
        order.action_plan()
        with Form(order) as form, form.order_line.edit(0) as line:
            line.planned_cost = 9.0
        sale_line = order.order_line
        self.assertTrue(sale_line.cost_edited)
        self.assertEqual(self.allocations_of(sale_line), {self.tdsynnex: (3.0, 9.0)})
        self.assertAlmostEqual(order.plan_total_cost, 27.0 + 7.5)
