from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import ChannelCase


@tagged("post_install", "-at_install")
class TestTouchless(ChannelCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["channel.fulfilment.rule"].search([]).unlink()
        cls.trusted = cls.env["res.partner"].create(
            {
                "name": "Trusted Corp",
                "street": "2 Trust St",
                "city": "York",
                "zip": "YO1 1AA",
                "country_id": cls.env.ref("base.uk").id,
            }
        )
        cls.rule = cls.env["channel.fulfilment.rule"].create(
            {
                "name": "Woo main, paid",
                "sequence": 10,
                "channel_stores": "woo-main, woo-outlet",
                "require_paid": True,
                "trusted_partner_ids": [Command.link(cls.trusted.id)],
                "min_margin_percent": 15.0,
                "max_order_value": 1000.0,
                "action": "ship",
            }
        )
        cls.env["channel.fulfilment.rule"].create(
            {
                "name": "Quotations: a person looks",
                "sequence": 20,
                "channel_stores": "quotation",
                "action": "review",
            }
        )

    def process(self, order):
        order._channel_process_touchless()
        return order

    def test_a_paid_order_within_the_rules_ships_untouched(self):
        order = self.process(self._inbox_order([(self.dock, 3)]))  # 450.00, cost 285.00: 36.7 % margin
        self.assertTrue(order.channel_purchase_ids)
        self.assertEqual(order.state, "sale")
        self.assertFalse(order.review_reason)
        self.assertFalse(order.review_codes)

    def test_unpaid_orders_wait_unless_the_customer_is_trusted(self):
        order = self.process(self._inbox_order([(self.dock, 3)], payment="pending"))
        self.assertEqual(order.inbox_state, "review")
        self.assertFalse(order.channel_purchase_ids)
        self.assertEqual(
            order.review_reason,
            "Rule “Woo main, paid”: payment is pending and Jane Buyer Ltd is not a trusted customer.",
        )
        self.assertEqual(order.review_codes, "payment_pending")
        unknown = self.process(self._inbox_order([(self.dock, 3)], payment=False))
        self.assertEqual((unknown.inbox_state, unknown.review_codes), ("review", "rule_review"))
        trusted = self.process(self._inbox_order([(self.dock, 3)], payment="pending", partner=self.trusted))
        self.assertTrue(trusted.channel_purchase_ids)

    def test_margin_and_value_limits_are_explained(self):
        thin = self.process(self._inbox_order([(self.dock, 3, 100.0)]))  # 300.00 sold, 285.00 cost: 5 %
        self.assertEqual(thin.inbox_state, "review")
        self.assertIn("margin 5.0 % is below the 15.0 % minimum", thin.review_reason)
        self.assertEqual(thin.review_codes, "margin")
        big = self.process(self._inbox_order([(self.laptop, 2)]))  # 1,800.00
        self.assertEqual(big.inbox_state, "review")
        self.assertIn("order value", big.review_reason)
        self.assertIn("is above the", big.review_reason)
        self.assertNotIn("margin", big.review_reason)
        self.assertEqual(big.review_codes, "value_limit")
        # Marking it ready does not lift a rule's verdict on money (nor does a plan): a manager's
        # Approve does, saying why.
        with self.assertRaisesRegex(UserError, "a manager approves it"):
            big.action_mark_ready()
        big.action_plan()
        self.assertEqual((big.inbox_state, big.review_codes), ("review", "value_limit"))
        big.action_channel_approve(reason="framework customer, agreed by phone")
        self.assertEqual((big.inbox_state, big.review_codes), ("ready", False))

    def test_stores_without_a_rule_and_review_rules(self):
        other = self.process(self._inbox_order([(self.dock, 3)], store="shopify-uk"))
        self.assertEqual(other.review_reason, "No touchless rule covers orders from shopify-uk.")
        self.assertEqual(other.review_codes, "rule_review")
        quote = self.process(self._inbox_order([(self.dock, 3)], source="quotation"))
        self.assertEqual(
            quote.review_reason, "Rule “Quotations: a person looks” sends these orders to review."
        )
        self.assertEqual(quote.review_codes, "rule_review")

    def test_unplannable_orders_go_to_review_before_any_rule(self):
        order = self.process(self._inbox_order([(self.cable, 600)]))
        self.assertEqual(order.inbox_state, "review")
        self.assertIn("100 of 600", order.review_reason)
        self.assertEqual(order.review_codes, "no_stock")
        gone = self.env["product.product"].create(
            {
                "name": "Sold-out part",
                "default_code": "SKU-GONE",
                "type": "consu",
                "list_price": 50,
                "seller_ids": [
                    Command.create({"partner_id": self.ingram.id, "price": 10, "distributor_stock": 0})
                ],
            }
        )
        sold_out = self.process(self._inbox_order([(gone, 1)]))
        self.assertEqual((sold_out.inbox_state, sold_out.review_codes), ("review", "no_stock"))
        self.assertIn("no distributor has it in stock", sold_out.review_reason)

    def test_an_incomplete_delivery_address_waits_as_no_address(self):
        nowhere = self.env["res.partner"].create(
            {
                "name": "No Address Ltd",
                "email": "no-address@example.com",
                "country_id": self.env.ref("base.uk").id,
            }
        )
        order = self.process(self._inbox_order([(self.dock, 3)], partner=nowhere))
        self.assertEqual((order.inbox_state, order.review_codes), ("review", "no_address"))
        self.assertIn("The delivery address has no street, city, postcode", order.review_reason)
        self.assertFalse(order.channel_purchase_ids)
        # Completed by a person, the next plan decides again: the code goes.
        nowhere.write({"street": "3 Found Lane", "city": "Leeds", "zip": "LS2 2AA"})
        order.action_plan()
        self.assertEqual((order.inbox_state, order.review_codes), ("ready", False))

    def test_the_batch_goes_on_when_one_order_fails(self):
        good = [self._inbox_order([(self.dock, 3)]) for _i in range(3)]
        # A distributor set up with weight freight and then stripped of its bands cannot be planned with.
        broken_distributor = self.env["res.partner"].create(
            {
                "name": "Broken Freight Ltd",
                "is_distributor": True,
                "engine_id": "BROKEN",
                "freight_type": "weight",
                "freight_band_ids": [Command.create({"max_kg": 5, "charge": 5.0})],
            }
        )
        broken_distributor.freight_band_ids.unlink()  # deleted from the band list, behind the partner's back
        odd = self.env["product.product"].create(
            {
                "name": "Odd part",
                "default_code": "SKU-ODD",
                "type": "consu",
                "list_price": 50,
                "seller_ids": [
                    Command.create({"partner_id": broken_distributor.id, "price": 10, "distributor_stock": 5})
                ],
            }
        )
        bad = self._inbox_order([(odd, 1)])
        cron = self.env.ref("channel_fulfilment.ir_cron_process_inbox")
        with (
            self.assertLogs("odoo.addons.channel_fulfilment.models.sale_order", "ERROR"),
            self.enter_registry_test_mode(),
        ):
            cron.method_direct_trigger()
        for order in (*good, bad):
            order.invalidate_recordset()
        self.assertEqual([o.inbox_state for o in good], ["sending"] * 3)
        self.assertTrue(all(o.channel_purchase_ids for o in good))
        self.assertEqual(bad.inbox_state, "review")
        self.assertIn("Automatic processing failed", bad.review_reason)
        self.assertEqual(bad.review_codes, "plan_failed")
        self.assertIn("Broken Freight Ltd", bad.review_reason)
        self.assertFalse(bad.channel_purchase_ids)
