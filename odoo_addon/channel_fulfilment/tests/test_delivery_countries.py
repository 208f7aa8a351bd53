from odoo.fields import Command
from odoo.tests import tagged

from .common import ChannelCase


@tagged("post_install", "-at_install")
class TestDeliveryCountries(ChannelCase):
    """Distributors deliver to their countries (res.partner.channel_ship_country_ids, empty = the
    company's country): planning uses only those that deliver to the order's delivery address, and an
    order nobody delivers to waits in review as `undeliverable`."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.france = cls.env.ref("base.fr")
        cls.paris = cls.env["res.partner"].create(
            {
                "name": "Acheteur SARL",
                "is_company": True,
                "street": "1 rue de Rivoli",
                "city": "Paris",
                "zip": "75001",
                "country_id": cls.france.id,
            }
        )

    def test_the_engine_distributor_carries_where_it_delivers(self):
        self.assertEqual(self.ingram._channel_engine_distributor().ships_to, ("GB",), "the company's country")
        self.ingram.channel_ship_country_ids = [Command.set((self.france | self.env.ref("base.ie")).ids)]
        self.assertEqual(self.ingram._channel_engine_distributor().ships_to, ("FR", "IE"))

    def test_an_order_nobody_delivers_to_is_undeliverable(self):
        order = self._inbox_order([(self.mouse, 2)], partner=self.paris)
        order.action_plan()
        self.assertEqual(order.inbox_state, "review")
        self.assertEqual(order.review_codes, "undeliverable")
        self.assertIn("no distributor that has it delivers to FR", order.review_reason)
        self.assertFalse(order.allocation_ids)
        # A UK order of the same goods plans as before.
        uk_order = self._inbox_order([(self.mouse, 2)])
        uk_order.action_plan()
        self.assertEqual(uk_order.inbox_state, "ready", uk_order.review_reason)
        self.assertFalse(uk_order.review_codes)

    def test_only_the_distributors_that_deliver_there_are_planned(self):
        # TD SYNNEX is the cheapest for the mouse, but only Westcoast delivers to France.
        self.westcoast.channel_ship_country_ids = [Command.set((self.france | self.env.ref("base.uk")).ids)]
        order = self._inbox_order([(self.mouse, 2)], partner=self.paris)
        order.action_plan()
        self.assertEqual(order.inbox_state, "ready", order.review_reason)
        self.assertFalse(order.review_codes)
        self.assertEqual(order.order_line.distributor_id, self.westcoast)
        # Once nobody delivers there any more, planning again says so; and back, the code goes.
        self.westcoast.channel_ship_country_ids = [Command.clear()]
        order.action_plan()
        self.assertEqual((order.inbox_state, order.review_codes), ("review", "undeliverable"))
        self.westcoast.channel_ship_country_ids = [Command.set(self.france.ids)]
        order.action_plan()
        self.assertEqual((order.inbox_state, order.review_codes), ("ready", False))
