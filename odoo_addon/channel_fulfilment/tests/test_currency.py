import itertools
from datetime import date

from odoo import Command
from odoo.tests import tagged

from ..models.engine_bridge import run_plan
from .common import ChannelCase

# 1 GBP = 1.15 EUR, from a date before any order of these tests.
GBP_TO_EUR = 1.15


@tagged("post_install", "-at_install")
class TestOrderCurrency(ChannelCase):
    """A UK reseller's EUR order for an Irish customer, at a distributor that works in GBP: its flat
    freight of 10.00 GBP (free from 100.00 GBP of goods) and its 5.00 GBP charge under 40.00 GBP are
    planned in EUR (11.50, 115.00, 5.75 under 46.00), and Ship still bills them in GBP on its PO."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.gbp = env.ref("base.GBP")
        cls.eur = env.ref("base.EUR")
        (cls.gbp | cls.eur).active = True
        # Rates are per unit of the company's currency: GBP 1.0 and EUR 1.15 unless one of them is it.
        company_currency = cls.company.currency_id
        per_unit = {cls.gbp: 1.0, cls.eur: GBP_TO_EUR}
        base = per_unit.get(company_currency, 1.0)
        env["res.currency.rate"].search(
            [("currency_id", "in", (cls.gbp | cls.eur).ids), ("company_id", "in", (cls.company.id, False))]
        ).unlink()
        env["res.currency.rate"].create(
            [
                {
                    "currency_id": currency.id,
                    "name": date(2020, 1, 1),
                    "rate": rate / base,
                    "company_id": cls.company.id,
                }
                for currency, rate in per_unit.items()
                if currency != company_currency
            ]
        )
        cls.eur_pricelist = env["product.pricelist"].create(
            {"name": "Ireland (EUR)", "currency_id": cls.eur.id}
        )
        cls.gbp_pricelist = env["product.pricelist"].create({"name": "UK (GBP)", "currency_id": cls.gbp.id})
        cls.irish_customer = env["res.partner"].create(
            {
                "name": "Dublin Buyer Ltd",
                "is_company": True,
                "email": "buyer@dublin.example",
                "street": "1 Grafton Street",
                "city": "Dublin",
                "zip": "D02 XY45",
                "country_id": env.ref("base.ie").id,
            }
        )
        cls.celtic = env["res.partner"].create(
            {
                "name": "Celtic Distribution",
                "is_company": True,
                "is_distributor": True,
                "engine_id": "CD",
                "email": "orders@cd.example",
                "supplier_rank": 1,
                "property_purchase_currency_id": cls.gbp.id,
                "freight_type": "flat",
                "freight_charge": 10.0,
                "freight_free_over": 100.0,
                "small_order_threshold": 40.0,
                "small_order_charge": 5.0,
                # Delivers to its Irish customers as well as at home.
                "channel_ship_country_ids": [Command.set((env.ref("base.uk") | env.ref("base.ie")).ids)],
            }
        )

        def product(sku, name, price, cost):
            prod = env["product.product"].create(
                {"name": name, "default_code": sku, "type": "consu", "list_price": price, "weight": 0.5}
            )
            env["product.supplierinfo"].create(
                {
                    "partner_id": cls.celtic.id,
                    "product_tmpl_id": prod.product_tmpl_id.id,
                    "price": cost,
                    "currency_id": cls.gbp.id,
                    "min_qty": 0,
                    "distributor_stock": 100,
                    "product_code": f"CD-{sku}",
                    "stock_source": "feed",
                }
            )
            return prod

        cls.hub = product("SKU-HUB", "USB hub", 40.0, 20.0)  # 20.00 GBP = 23.00 EUR
        cls.adapter = product("SKU-ADAPTER", "Plug adapter", 3.0, 1.0)  # 1.00 GBP = 1.15 EUR

    _numbers = itertools.count(1)

    def _order(self, lines, pricelist=None):
        """An inbox order of the Irish customer in EUR (or in `pricelist`'s currency): [(product, qty)]."""
        order = self.env["sale.order"].create(
            {
                "partner_id": self.irish_customer.id,
                "pricelist_id": (pricelist or self.eur_pricelist).id,
                "channel_source": "store",
                "channel_store": "woo-ie",
                "channel_external_id": f"IE-{next(self._numbers)}",
                "channel_payment_state": "paid",
                "order_line": [
                    Command.create({"product_id": product.id, "product_uom_qty": qty})
                    for product, qty in lines
                ],
            }
        )
        self.assertEqual(order.currency_id, (pricelist or self.eur_pricelist).currency_id)
        return order

    def _charges(self, po, charge_type):
        return sum(
            po.order_line.filtered(lambda pol: pol.channel_charge_type == charge_type).mapped("price_unit")
        )

    def test_a_eur_order_plans_the_gbp_freight_and_charge_in_eur(self):
        # One hub: 23.00 EUR of goods, under both 115.00 EUR (free over) and 46.00 EUR (small order).
        order = self._order([(self.hub, 1)])
        order.action_plan()
        self.assertEqual(order.inbox_state, "ready", order.review_reason)
        self.assertEqual(self.allocations_of(order.order_line), {self.celtic: (1.0, 23.0)})
        self.assertRecordValues(
            order, [{"plan_freight": 11.5, "plan_charges": 5.75, "plan_total_cost": 40.25}]
        )
        self.assertAlmostEqual(
            order.margin_percent, (order.amount_untaxed - 40.25) / order.amount_untaxed * 100
        )
        # The engine was asked in EUR too: its plan is the order's.
        todo = {line: int(line.product_uom_qty) for line in order._channel_product_lines()}
        scenario, _vendor_lines, _partners = order._channel_scenario(todo, set())
        plan = run_plan(scenario)
        self.assertEqual(scenario.currency, "EUR")
        self.assertEqual(
            (float(plan.freight_total), float(plan.charges_total), float(plan.total)), (11.5, 5.75, 40.25)
        )

    def test_the_free_over_threshold_applies_at_its_eur_value(self):
        """100.00 GBP is 115.00 EUR: 101.00 GBP of goods (116.15 EUR) ship free, 99.00 GBP (113.85 EUR)
        pay the freight, though both are over 100 in euros."""
        above = self._order([(self.hub, 5), (self.adapter, 1)])
        below = self._order([(self.hub, 4), (self.adapter, 19)])
        (above | below).action_plan()
        self.assertEqual((above | below).mapped("inbox_state"), ["ready", "ready"])
        self.assertAlmostEqual(sum(above.allocation_ids.mapped("subtotal_cost")), 116.15)
        self.assertAlmostEqual(sum(below.allocation_ids.mapped("subtotal_cost")), 113.85)
        self.assertRecordValues(
            above | below,
            [
                {"plan_freight": 0.0, "plan_charges": 0.0, "plan_total_cost": 116.15},
                {"plan_freight": 11.5, "plan_charges": 0.0, "plan_total_cost": 125.35},
            ],
        )

    def test_only_the_orders_currency_changes_the_figures(self):
        # The same hub ordered in GBP, the distributor's currency: the rule's amounts as entered.
        gbp_order = self._order([(self.hub, 1)], pricelist=self.gbp_pricelist)
        eur_order = self._order([(self.hub, 1)])
        (gbp_order | eur_order).action_plan()
        self.assertRecordValues(
            gbp_order | eur_order,
            [
                {"plan_freight": 10.0, "plan_charges": 5.0, "plan_total_cost": 35.0},
                {"plan_freight": 11.5, "plan_charges": 5.75, "plan_total_cost": 40.25},
            ],
        )

    def test_ship_bills_the_freight_in_gbp_as_the_eur_plan_priced_it(self):
        order = self._order([(self.hub, 1)])
        order.action_ship()
        self.assertEqual(order.inbox_state, "sending", order.review_reason)
        po = order.channel_purchase_ids
        self.assertEqual((po.partner_id, po.currency_id), (self.celtic, self.gbp))
        goods = po.order_line.filtered(lambda pol: not pol.channel_charge_type)
        self.assertAlmostEqual(goods.price_unit, 20.0)
        self.assertEqual((self._charges(po, "freight"), self._charges(po, "small_order")), (10.0, 5.0))
        self.assertAlmostEqual(po.amount_untaxed, 35.0)
        # What the plan priced in EUR is what the GBP purchase order bills.
        self.assertAlmostEqual(order.plan_freight, self._charges(po, "freight") * GBP_TO_EUR)
        self.assertAlmostEqual(order.plan_charges, self._charges(po, "small_order") * GBP_TO_EUR)
        self.assertAlmostEqual(order.plan_total_cost, po.amount_untaxed * GBP_TO_EUR)

    def test_a_po_in_another_currency_gets_the_charges_converted(self):
        """The PO takes its vendor line's currency: a hub listed in EUR makes a EUR purchase order, whose
        freight and small-order charge are the distributor's GBP amounts in EUR."""
        self.hub.seller_ids.write({"currency_id": self.eur.id, "price": 23.0})
        order = self._order([(self.hub, 1)])
        order.action_ship()
        po = order.channel_purchase_ids
        self.assertEqual(po.currency_id, self.eur)
        self.assertEqual((self._charges(po, "freight"), self._charges(po, "small_order")), (11.5, 5.75))
        self.assertAlmostEqual(po.amount_untaxed, order.plan_total_cost)
