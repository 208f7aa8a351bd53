import shutil
import tempfile
from decimal import Decimal
from pathlib import Path

from odoo.tests import tagged

from fulfilment_engine.simulators.host import SimulatorHost
from fulfilment_engine.simulators.ingram import IngramSimulator
from fulfilment_engine.simulators.stock import StockLine, StockTable

from .common import ChannelCase


@tagged("post_install", "-at_install")
class TestRealtime(ChannelCase):
    """Ingram answers real-time price & availability (a local Ingram Reseller API v6 over real HTTP):
    planning uses its live figures, and Ship checks them again."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        currency = cls.company.currency_id.name
        cls.ingram_stock = StockTable(
            {
                "ING-SKU-LAPTOP": StockLine(10, Decimal("650.00"), currency),
                "ING-SKU-DOCK": StockLine(5, Decimal("95.00"), currency),
            }
        )
        simulator = IngramSimulator(cls.ingram_stock)
        cls.host = SimulatorHost()
        cls.host.add("ingram", simulator)
        cls.host.start()
        cls.addClassCleanup(cls.host.stop)
        folder = Path(tempfile.mkdtemp(prefix="cf-realtime-"))
        cls.addClassCleanup(shutil.rmtree, folder, ignore_errors=True)
        realtime = simulator.realtime_config()
        config = folder / "fulfil.toml"
        config.write_text(
            '[planner]\ndeadline_ms = 5000\n\n[[distributors]]\nid = "ING"\n\n[distributors.realtime]\n'
            + "".join(f'{key} = "{value}"\n' for key, value in realtime.items())
        )
        cls.company.write(
            {
                "channel_realtime_check": True,
                "channel_engine_config": str(config),
                "channel_price_tolerance": 2.0,
            }
        )

    def set_live(self, part, stock, price):
        self.ingram_stock.set(part, StockLine(stock, Decimal(price), self.company.currency_id.name))

    def test_planning_uses_live_figures(self):
        self.set_live("ING-SKU-LAPTOP", 10, "650.00")
        order = self._inbox_order([(self.laptop, 12)])
        order.action_plan()
        ingram = order.order_line.allocation_ids.filtered(lambda a: a.distributor_id == self.ingram)
        self.assertRecordValues(
            ingram, [{"product_qty": 10.0, "unit_cost": 650.0, "source": "realtime", "stale": False}]
        )
        tdsynnex = order.order_line.allocation_ids.filtered(lambda a: a.distributor_id == self.tdsynnex)
        self.assertEqual(tdsynnex.source, "feed", "TD SYNNEX has no real-time service: its feed figure")

    def test_a_price_that_moved_beyond_the_tolerance_sends_the_order_to_review(self):
        self.set_live("ING-SKU-DOCK", 5, "95.00")
        order = self._inbox_order([(self.dock, 3)])
        order.action_plan()
        self.assertEqual(order.order_line.allocation_ids.distributor_id, self.ingram)
        self.set_live("ING-SKU-DOCK", 5, "99.00")  # +4.2 %
        order.action_ship()
        self.assertEqual(order.inbox_state, "review")
        self.assertFalse(order.channel_purchase_ids)
        self.assertIn("Ingram Micro UK's price for", order.review_reason)
        self.assertIn("+4.2 %", order.review_reason)
        self.assertEqual(order.review_codes, "price_moved")
        # Within a wider tolerance the same order ships.
        self.company.channel_price_tolerance = 5.0
        order.action_ship()
        self.assertEqual(order.channel_purchase_ids.partner_id, self.ingram)

    def test_stock_that_vanished_sends_the_order_to_review(self):
        self.set_live("ING-SKU-DOCK", 5, "95.00")
        order = self._inbox_order([(self.dock, 3)])
        order.action_plan()
        self.set_live("ING-SKU-DOCK", 1, "95.00")
        order.action_ship()
        self.assertEqual(order.inbox_state, "review")
        self.assertIn("Ingram Micro UK now has 1", order.review_reason)
        self.assertFalse(order.channel_purchase_ids)
        self.assertEqual(order.review_codes, "no_stock")

    def test_a_live_price_above_the_feed_keeps_a_touchless_order_for_a_person(self):
        self.env["channel.fulfilment.rule"].search([]).unlink()
        self.env["channel.fulfilment.rule"].create(
            {"name": "Ship them", "require_paid": False, "action": "ship"}
        )
        self.set_live("ING-SKU-DOCK", 5, "97.00")  # the feed said 95.00: +2.1 %, the tolerance is 2 %
        order = self._inbox_order([(self.dock, 3)])
        order._channel_process_touchless()
        self.assertEqual((order.inbox_state, order.review_codes), ("review", "price_moved"))
        self.assertIn("Ingram Micro UK's live price for", order.review_reason)
        self.assertIn("+2.1 %", order.review_reason)
        self.assertFalse(order.channel_purchase_ids)
        # Within the tolerance (or cheaper than the feed) it ships untouched.
        self.set_live("ING-SKU-DOCK", 5, "96.50")
        other = self._inbox_order([(self.dock, 3)])
        other._channel_process_touchless()
        self.assertEqual((other.inbox_state, other.review_codes), ("sending", False))
        self.assertEqual(other.channel_purchase_ids.partner_id, self.ingram)
