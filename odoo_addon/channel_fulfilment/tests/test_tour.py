from odoo.tests import HttpCase, tagged

from .ui_common import InboxUiData


@tagged("post_install", "-at_install")
class TestInboxTour(InboxUiData, HttpCase):
    """Headless Chromium: open the Orders Inbox, open an order, click Ship, see one PO per distributor."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_inbox_data()
        # Only Exertis has the cable, only Westcoast the bag: the plan uses both distributors.
        cls.order = cls._create_store_order("TOUR-1")
        cls.order.action_plan()

    def test_inbox_tour_ships_an_order(self):
        self.assertEqual(self.order.inbox_state, "ready", self.order.review_reason)
        self.assertEqual(self.order.order_line.distributor_id, self.exertis | self.westcoast)
        self.assertFalse(self.order.channel_purchase_ids)

        self.start_tour("/odoo", "channel_fulfilment_inbox_tour", login=self.inbox_user.login)

        self.order.invalidate_recordset()
        purchases = self.order.channel_purchase_ids
        self.assertEqual(len(purchases), 2)
        self.assertEqual(purchases.partner_id, self.exertis | self.westcoast)
        self.assertEqual(purchases.mapped("dest_address_id"), self.order.partner_shipping_id)

    def test_config_tour_as_manager(self):
        """A manager's round of the configuration screens renders without an error in the browser."""
        self.env["channel.fulfilment.rule"].create({"name": "Paid web orders", "action": "ship"})
        self.start_tour("/odoo", "channel_fulfilment_config_tour", login="admin")
