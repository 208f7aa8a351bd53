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


@tagged("post_install", "-at_install")
class TestReviewDeskTour(InboxUiData, HttpCase):
    """Headless Chromium, as a manager: an order waiting for its delivery address gets it typed on the
    order and is planned and shipped; an order a rule stopped for its margin is approved (saying why)
    and shipped."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_inbox_data()
        env = cls.env
        env["channel.fulfilment.rule"].search([]).unlink()
        env["channel.fulfilment.rule"].create(
            {"name": "Tour shop", "channel_stores": "tour-shop", "min_margin_percent": 5.0, "action": "ship"}
        )
        uk = env.ref("base.uk")
        # Nomad Buyer has an old address on file; the store sent none for this order.
        nomad = env["res.partner"].create(
            {
                "name": "Nomad Buyer Ltd",
                "is_company": True,
                "street": "5 Old Road",
                "city": "York",
                "zip": "YO1 7AA",
                "country_id": uk.id,
            }
        )
        nowhere = env["res.partner"].create(
            {"name": "Nomad Buyer Ltd", "type": "delivery", "parent_id": nomad.id}
        )
        cls.no_address = cls._create_store_order("DESK-1", lines=[(cls.cable, 2, 5.0)])
        cls.no_address.write({"partner_id": nomad.id, "partner_shipping_id": nowhere.id})
        cls.no_address._channel_process_touchless()
        thin = env["res.partner"].create(
            {
                "name": "Thin Margin Ltd",
                "is_company": True,
                "street": "1 Penny Lane",
                "city": "Liverpool",
                "zip": "L18 1DE",
                "country_id": uk.id,
            }
        )
        # 2 bags sold at 13.00: Westcoast's 12.00 each plus its 5.00 small-order charge is a loss.
        cls.margin = cls._create_store_order("DESK-2", lines=[(cls.bag, 2, 13.0)])
        cls.margin.write({"partner_id": thin.id, "partner_shipping_id": thin.id})
        cls.margin._channel_process_touchless()

    def test_review_desk_tour_resolves_an_address_and_a_margin(self):
        self.assertEqual(
            (self.no_address.inbox_state, self.no_address.review_codes), ("review", "no_address")
        )
        self.assertEqual((self.margin.inbox_state, self.margin.review_codes), ("review", "margin"))

        self.start_tour("/odoo", "channel_fulfilment_review_desk_tour", login=self.inbox_manager.login)

        for order in (self.no_address, self.margin):
            order.invalidate_recordset()
            self.assertEqual((order.inbox_state, order.review_codes), ("sending", False))
            self.assertTrue(order.channel_purchase_ids)
        self.assertEqual(self.no_address.channel_purchase_ids.dest_address_id.street, "12 Canal Street")
        self.assertEqual(
            self.no_address.partner_id.street, "5 Old Road", "the customer's address on file stays"
        )
        approval = self.margin.message_ids.filtered(lambda m: "Approved by Max Manager" in (m.body or ""))
        self.assertIn("a loss leader", approval.body)
