from decimal import Decimal

from odoo.tests import Form, tagged

from ..models.engine_bridge import run_plan
from .common import ChannelCase


@tagged("post_install", "-at_install")
class TestSmallOrderCharge(ChannelCase):
    """Westcoast ships free but charges 5.00 on purchase orders under 50.00 of goods: the planner must
    weigh that charge, and the charge line Ship puts on the PO must be the one the plan priced."""

    def _engine_plan(self, order):
        """The engine's plan for `order` as action_plan asks for it (scenario built from Odoo)."""
        todo = {line: int(line.product_uom_qty) for line in order._channel_product_lines()}
        scenario, _vendor_lines, partners = order._channel_scenario(todo, set())
        return scenario, run_plan(scenario), partners

    def _charges(self, po, charge_type):
        return sum(
            po.order_line.filtered(lambda pol: pol.channel_charge_type == charge_type).mapped("price_unit")
        )

    def test_the_partners_small_order_charge_reaches_the_planner(self):
        order = self._inbox_order([(self.mouse, 1)])
        scenario, _plan, partners = self._engine_plan(order)
        rules = {partners[key]: d.small_order for key, d in scenario.distributors.items()}
        self.assertEqual(
            (rules[self.westcoast].below, rules[self.westcoast].charge), (Decimal("50"), Decimal("5"))
        )
        self.assertEqual(
            {partner for partner, rule in rules.items() if rule is not None},
            {self.westcoast},
            "distributors without a small order charge get none",
        )

    def test_two_mice_are_planned_to_td_synnex(self):
        # Westcoast: 2 × 11.00 + 5.00 = 27.00; TD SYNNEX: 2 × 9.50 + 7.50 freight = 26.50.
        order = self._inbox_order([(self.mouse, 2)])
        order.action_plan()
        line = order.order_line
        self.assertEqual(order.inbox_state, "ready")
        self.assertEqual(line.distributor_id, self.tdsynnex)
        self.assertEqual(self.allocations_of(line), {self.tdsynnex: (2.0, 9.5)})
        order.action_ship()
        po = order.channel_purchase_ids
        self.assertEqual(po.partner_id, self.tdsynnex)
        self.assertEqual((self._charges(po, "freight"), self._charges(po, "small_order")), (7.5, 0.0))
        self.assertAlmostEqual(po.amount_untaxed, 26.5)

    def test_ship_adds_the_small_order_charge_the_plan_priced(self):
        """For each order: the plan's shipments and Ship's POs agree distributor by distributor on the
        small order charge (and on the freight), whether it is charged or not."""
        orders = {
            "one mouse (11.00 at Westcoast: charged)": [(self.mouse, 1)],
            "two mice (TD SYNNEX)": [(self.mouse, 2)],
            "four bags (48.00: charged)": [(self.bag, 4)],
            "five bags (60.00: not charged)": [(self.bag, 5)],
            "mouse and bag together at Westcoast": [(self.mouse, 1), (self.bag, 1)],
            "three distributors": [(self.laptop, 12), (self.mouse, 1), (self.bag, 1)],
        }
        charged = set()
        for name, lines in orders.items():
            with self.subTest(name):
                order = self._inbox_order(lines)
                _scenario, plan, partners = self._engine_plan(order)
                planned = {partners[s.distributor]: s for s in plan.shipments}
                order.action_ship()
                self.assertEqual(order.inbox_state, "sending", order.review_reason)
                purchases = {po.partner_id: po for po in order.channel_purchase_ids}
                self.assertEqual(set(purchases), set(planned), "one PO per planned shipment")
                for partner, shipment in planned.items():
                    po = purchases[partner]
                    self.assertEqual(self._charges(po, "small_order"), float(shipment.small_order_charge))
                    self.assertEqual(self._charges(po, "freight"), float(shipment.freight))
                    if shipment.small_order_charge:
                        charged.add(partner)
        self.assertEqual(charged, {self.westcoast}, "some of these orders pay the charge")

    # ------------------------------------------------------------------------------ plan totals

    def test_the_plan_totals_count_the_small_order_charge(self):
        # One mouse at Westcoast: 11.00 of goods, free carriage, 5.00 under its 50.00 threshold.
        order = self._inbox_order([(self.mouse, 1)])
        order.action_plan()
        self.assertEqual(order.order_line.distributor_id, self.westcoast)
        self.assertRecordValues(order, [{"plan_freight": 0.0, "plan_charges": 5.0, "plan_total_cost": 16.0}])
        self.assertAlmostEqual(order.margin_percent, (25.0 - 16.0) / 25.0 * 100, places=2)

    def test_the_plan_totals_are_the_engines(self):
        """For each order: freight, charges and total cost equal the engine plan's freight_total,
        charges_total and total (what the distributors invoice), charged or not."""
        orders = {
            "one mouse (charged)": [(self.mouse, 1)],
            "two mice (TD SYNNEX: freight, no charge)": [(self.mouse, 2)],
            "four bags (48.00: charged)": [(self.bag, 4)],
            "five bags (60.00: not charged)": [(self.bag, 5)],
            "three distributors": [(self.laptop, 12), (self.mouse, 1), (self.bag, 1)],
        }
        charged = set()
        for name, lines in orders.items():
            with self.subTest(name):
                order = self._inbox_order(lines)
                _scenario, plan, _partners = self._engine_plan(order)
                order.action_plan()
                self.assertEqual(order.inbox_state, "ready", order.review_reason)
                self.assertAlmostEqual(order.plan_freight, float(plan.freight_total))
                self.assertAlmostEqual(order.plan_charges, float(plan.charges_total))
                self.assertAlmostEqual(order.plan_total_cost, float(plan.total))
                if plan.charges_total:
                    charged.add(name)
        self.assertLessEqual({"one mouse (charged)", "four bags (48.00: charged)"}, charged)
        self.assertNotIn("five bags (60.00: not charged)", charged)

    def test_moving_a_line_to_a_charging_distributor_counts_its_charge(self):
        # Three mice go to TD SYNNEX (28.50 + 7.50 freight); moved to Westcoast by hand they cost 33.00
        # of goods, under its 50.00 threshold: 5.00 more, no freight.
        order = self._inbox_order([(self.mouse, 3)])
        order.action_plan()
        self.assertRecordValues(order, [{"plan_freight": 7.5, "plan_charges": 0.0, "plan_total_cost": 36.0}])
        with Form(order) as form, form.order_line.edit(0) as line:
            line.distributor_id = self.westcoast
        self.assertRecordValues(order, [{"plan_freight": 0.0, "plan_charges": 5.0, "plan_total_cost": 38.0}])
        self.assertAlmostEqual(order.margin_percent, (75.0 - 38.0) / 75.0 * 100, places=2)
        # Five mice at Westcoast are 55.00 of goods: over the threshold, no charge.
        order = self._inbox_order([(self.mouse, 5)])
        order.action_plan()
        with Form(order) as form, form.order_line.edit(0) as line:
            line.distributor_id = self.westcoast
        self.assertRecordValues(order, [{"plan_freight": 0.0, "plan_charges": 0.0, "plan_total_cost": 55.0}])
