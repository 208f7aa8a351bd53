"""The review desk, one test per review code: the action the order offers for it resolves it, the other
actions are not offered or refuse, and the order never reaches Ship with the code unresolved. Orders
arrive as they do in life (a store import, a plan, the touchless cron, a distributor's document), and
people act as real users of the Orders Inbox groups: Ivy (user) and Max (manager), through Form where a
person types."""

import contextlib

from lxml import etree
from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, TransactionCase, new_test_user, tagged
from odoo.tools.safe_eval import safe_eval

from .common import build_confirmation, build_ship_notice
from .store_common import StoreData, store_order

ACTIONS = ("plan", "ship", "approve", "accept", "resend")


class ReviewDeskCase(StoreData, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_store_data()
        env = cls.env
        inbox_user = "base.group_user,channel_fulfilment.group_inbox_user"
        inbox_manager = "base.group_user,channel_fulfilment.group_inbox_manager"
        cls.user = new_test_user(env, "desk-ivy", groups=inbox_user, name="Ivy Inbox")
        cls.manager = new_test_user(env, "desk-max", groups=inbox_manager, name="Max Manager")
        cls.owner = new_test_user(env, "desk-olive", groups=inbox_user, name="Olive Owner")
        cls.company.channel_inbox_owner_id = cls.owner
        env["channel.fulfilment.rule"].search([]).unlink()
        cls.rule = env["channel.fulfilment.rule"].create(
            {
                "name": "Woo main, paid",
                "channel_stores": "woo-main",
                "require_paid": True,
                "min_margin_percent": 15.0,
                "max_order_value": 1000.0,
                "action": "ship",
            }
        )
        cls.australia = env["res.partner"].create(
            {
                "name": "Sydney Buyer Pty",
                "street": "1 Macquarie Street",
                "city": "Sydney",
                "zip": "2000",
                "country_id": env.ref("base.au").id,
            }
        )

    # ------------------------------------------------------------------ helpers

    def as_user(self, order, user=None):
        return order.with_user(user or self.user)

    def offered(self, order):
        """What the order form offers a person now (the buttons' fields, as the user reads them)."""
        order.invalidate_recordset()
        mine = self.as_user(order)
        buttons = {action for action in ACTIONS if mine[f"channel_offer_{action}"]}
        self.assertEqual(buttons, mine._channel_review_actions() - {"product"})
        return mine._channel_review_actions()

    def purchases(self, order):
        return order.channel_purchase_ids.filtered(lambda po: po.state != "cancel")

    def assert_waits(self, order, code):
        order.invalidate_recordset()
        self.assertEqual(order.inbox_state, "review")
        self.assertIn(code, (order.review_codes or "").split())

    def assert_only(self, order, code, action):
        """`action` is the one offered for `code`; every other action refuses or leaves the code."""
        self.assertEqual(self.offered(order), {action})
        before = self.purchases(order)
        manager = self.as_user(order, self.manager)
        if action != "approve":
            with self.assertRaises(UserError):
                manager.action_channel_approve(reason="looked at it")
        if action != "accept":
            with self.assertRaises(UserError):
                manager.action_channel_accept_import_differences()
        if action != "resend":
            with self.assertRaises(UserError):
                manager.action_channel_send_again()
        if action != "ship":
            for person in (self.user, self.manager):
                with contextlib.suppress(UserError):
                    self.as_user(order, person).action_ship()
                self.assertEqual(self.purchases(order), before, "nothing ordered")
                self.assert_waits(order, code)
        if action != "plan" and order.channel_to_order:
            self.as_user(order).action_plan()
            self.assert_waits(order, code)

    def assert_ship_refused(self, order, code):
        before = self.purchases(order)
        for person in (self.user, self.manager):
            with self.assertRaisesRegex(UserError, "cannot ship yet") as refused:
                self.as_user(order, person).action_ship()
            self.assertIn(code, refused.exception.codes)
        self.assertEqual(self.purchases(order), before, "nothing ordered")

    def assert_a_manager_accepts(self, order, code, then="new"):
        """`code` waits and only a manager's Accept import differences resolves it (an inbox user may not;
        Ship refuses it meanwhile); the order then goes on (`then`)."""
        self.assert_waits(order, code)
        self.assert_only(order, code, "accept")
        self.assert_ship_refused(order, code)
        with self.assertRaises(AccessError):
            self.as_user(order).action_channel_accept_import_differences()
        self.as_user(order, self.manager).action_channel_accept_import_differences()
        self.assertRecordValues(order, [{"inbox_state": then, "review_codes": False}])

    def process(self, order):
        """What the inbox cron does with a new order: plan, judge by the rules, ship when they allow."""
        order._channel_process_touchless()
        order.invalidate_recordset()
        return order

    def chatter(self, order):
        return "\n".join(order.message_ids.mapped("body"))


@tagged("post_install", "-at_install")
class TestReviewDeskPlanCodes(ReviewDeskCase):
    """no_address, undeliverable, no_stock, plan_failed: fix what the reason names, then Plan."""

    def test_no_address_the_delivery_address_is_set_on_the_order_then_plan(self):
        # Ann bought before, from an address she has left: the store sends none this time.
        ann = self.env["res.partner"].create(
            {
                "name": "Ann Smith",
                "email": "ann.smith@example.com",
                "street": "5 Old Road",
                "city": "York",
                "zip": "YO1 7AA",
                "country_id": self.env.ref("base.uk").id,
            }
        )
        no_address = {"name": "Ann Smith", "street": "", "city": "", "zip": "", "country_code": "GB"}
        _answer, order = self.import_one(store_order("2001", billing=no_address, shipping=None))
        self.assertEqual(order.partner_id, ann)
        self.assertFalse(order.partner_shipping_id.street, "not her old address")
        self.as_user(order).action_plan()
        self.assert_waits(order, "no_address")
        self.assertTrue(self.as_user(order).channel_offer_address, "the address is editable on the order")
        self.assert_only(order, "no_address", "plan")
        self.assert_ship_refused(order, "no_address")
        # Ivy types the address where the banner names the problem, then plans.
        with Form(self.as_user(order)) as form:
            form.channel_ship_street = "9 Canal Street"
            form.channel_ship_city = "Leeds"
            form.channel_ship_zip = "LS2 7EH"
            form.channel_ship_country_id = self.env.ref("base.uk")
        delivery = order.partner_shipping_id
        self.assertRecordValues(
            delivery, [{"street": "9 Canal Street", "zip": "LS2 7EH", "type": "delivery"}]
        )
        self.assertEqual(delivery.parent_id, order.partner_id, "a delivery contact of the customer")
        self.assertEqual(ann.street, "5 Old Road", "the customer's own address is untouched")
        self.as_user(order).action_plan()
        self.assertRecordValues(order, [{"inbox_state": "ready", "review_codes": False}])
        self.as_user(order).action_ship()
        self.assertEqual(self.purchases(order).dest_address_id, delivery)

    def test_an_address_removed_after_plan_is_refused_at_ship(self):
        leeds = self.customer.copy({"name": "Leeds Buyer", "email": "leeds@buyer.example"})
        order = self._inbox_order([(self.dock, 1)], partner=leeds)
        other = self._inbox_order([(self.dock, 1)])
        (order | other).with_user(self.user).action_plan()
        self.assertEqual((order | other).mapped("inbox_state"), ["ready", "ready"])
        leeds.street = False
        self.assert_ship_refused(order, "no_address")
        # Several orders shipped together: this one waits with the reason, the other ships.
        (order | other).with_user(self.user).action_ship()
        self.assert_waits(order, "no_address")
        self.assertIn("no street", order.review_reason)
        self.assertTrue(self.purchases(other))

    def test_undeliverable_plan_again_once_a_distributor_delivers_there(self):
        order = self._inbox_order([(self.dock, 2)], partner=self.australia)
        self.as_user(order).action_plan()
        self.assert_waits(order, "undeliverable")
        self.assert_only(order, "undeliverable", "plan")
        self.assert_ship_refused(order, "undeliverable")
        countries = self.company.country_id | self.env.ref("base.au")
        self.westcoast.channel_ship_country_ids = [Command.set(countries.ids)]
        self.as_user(order).action_plan()
        self.assertRecordValues(order, [{"inbox_state": "ready", "review_codes": False}])
        self.assertEqual(self.line_for(order, self.dock).distributor_id, self.westcoast)

    def test_no_stock_plan_again_once_stock_is_there(self):
        order = self._inbox_order([(self.cable, 600)])  # Exertis has 500
        self.as_user(order).action_plan()
        self.assert_waits(order, "no_stock")
        self.assertIn("100 of 600", order.review_reason)
        self.assert_only(order, "no_stock", "plan")
        self.cable.seller_ids.distributor_stock = 700
        self.as_user(order).action_plan()
        self.assertRecordValues(order, [{"inbox_state": "ready", "review_codes": False}])

    def test_plan_failed_plan_again_once_the_product_has_its_sku(self):
        odd = self.env["product.product"].create(
            {
                "name": "Odd part",
                "type": "consu",
                "list_price": 50,
                "seller_ids": [
                    Command.create({"partner_id": self.westcoast.id, "price": 10, "distributor_stock": 9})
                ],
            }
        )
        order = self._inbox_order([(odd, 1)])
        self.as_user(order).action_plan()
        self.assert_waits(order, "plan_failed")
        self.assert_only(order, "plan_failed", "plan")
        odd.default_code = "SKU-ODD"
        self.as_user(order).action_plan()
        self.assertRecordValues(order, [{"inbox_state": "ready", "review_codes": False}])


@tagged("post_install", "-at_install")
class TestReviewDeskVerdicts(ReviewDeskCase):
    """margin, value_limit: a manager approves, saying why; rule_review, price_moved: Ship as planned."""

    def test_margin_only_a_manager_approves_and_says_why(self):
        order = self.process(self._inbox_order([(self.dock, 3, 100.0)]))  # 300.00 sold, 285.00 cost: 5 %
        self.assert_waits(order, "margin")
        verdict = order.review_reason
        self.assertIn("margin 5.0 % is below the 15.0 % minimum", verdict)
        self.assert_only(order, "margin", "approve")
        self.assert_ship_refused(order, "margin")
        # A plan keeps the rule's verdict, in its words: the order does not become Ready.
        self.as_user(order).action_plan()
        self.assertRecordValues(order, [{"inbox_state": "review", "review_codes": "margin"}])
        self.assertEqual(order.review_reason, verdict)
        # The inbox cron never ships it.
        cron = self.env.ref("channel_fulfilment.ir_cron_process_inbox")
        with self.enter_registry_test_mode():
            cron.method_direct_trigger()
        self.assert_waits(order, "margin")
        self.assertFalse(self.purchases(order))
        # An inbox user may not approve; a manager says why, in the dialog the button opens.
        with self.assertRaises(AccessError):
            self.as_user(order).action_channel_approve(reason="looks fine")
        action = self.as_user(order, self.manager).action_channel_approve()
        self.assertEqual(action["res_model"], "channel.approve.wizard")
        wizard = Form(self.env[action["res_model"]].with_user(self.manager).with_context(action["context"]))
        self.assertIn("margin 5.0 %", wizard.verdict)
        wizard.reason = "Loss leader agreed with the customer's buyer"
        wizard.save().action_approve()
        self.assertRecordValues(order, [{"inbox_state": "ready", "review_codes": False}])
        self.assertIn("Approved by Max Manager", self.chatter(order))
        self.assertIn("Loss leader agreed with the customer", self.chatter(order))
        self.as_user(order).action_ship()
        self.assertTrue(self.purchases(order))

    def test_value_limit_only_a_manager_approves(self):
        order = self.process(self._inbox_order([(self.laptop, 2)]))  # 1,800.00 over the 1,000.00 limit
        self.assert_waits(order, "value_limit")
        self.assert_only(order, "value_limit", "approve")
        self.assert_ship_refused(order, "value_limit")
        with self.assertRaisesRegex(UserError, "Say why"):
            self.as_user(order, self.manager).action_channel_approve(reason="  ")
        self.as_user(order, self.manager).action_channel_approve(reason="Known customer, paid up front")
        self.assertRecordValues(order, [{"inbox_state": "ready", "review_codes": False}])

    def test_rule_review_ship_as_planned(self):
        order = self.process(self._inbox_order([(self.dock, 3)], store="shopify-uk"))
        self.assert_waits(order, "rule_review")
        self.assert_only(order, "rule_review", "ship")
        self.as_user(order).action_ship()
        self.assertRecordValues(order, [{"inbox_state": "sending", "review_codes": False}])
        self.assertTrue(self.purchases(order))

    def test_price_moved_ship_as_planned_at_the_live_cost_shown(self):
        order = self._inbox_order([(self.dock, 3)])
        self.as_user(order).action_plan()
        allocation = order.allocation_ids
        allocation.write({"source": "realtime", "unit_cost": 120.0})  # Ingram's live price, feed 95.00
        allowed, reason, codes = order._channel_touchless_verdict()
        self.assertFalse(allowed)
        order._channel_review(reason, codes)
        self.assert_waits(order, "price_moved")
        self.assertIn("live price", order.review_reason)
        self.assertEqual(self.offered(order), {"ship"})
        with self.assertRaises(UserError):
            self.as_user(order, self.manager).action_channel_approve(reason="x")
        self.as_user(order).action_ship()
        self.assertRecordValues(order, [{"inbox_state": "sending", "review_codes": False}])
        dock_line = self.purchases(order).order_line.filtered(lambda pol: pol.product_id == self.dock)
        self.assertEqual(dock_line.price_unit, 120.0, "at the live cost shown")


@tagged("post_install", "-at_install")
class TestReviewDeskImport(ReviewDeskCase):
    """unknown_sku: choose the product (the line keeps the customer's price); the import's other codes: a
    manager accepts them."""

    def unknown_order(self, external_id="3001"):
        line = {
            "external_id": "90",
            "sku": "NOPE-42",
            "name": "Mystery dock",
            "qty": "1",
            "unit_price": "138.47",
            "tax_rates": ["20.0"],
        }
        # 138.47 + 20 % VAT (27.69) = 166.16
        _answer, order = self.import_one(
            store_order(external_id, lines=[line], shipping_lines=[], total="166.16")
        )
        return order

    def test_unknown_sku_choosing_the_product_keeps_the_price_the_customer_paid(self):
        order = self.unknown_order()
        self.assertRecordValues(order, [{"inbox_state": "review", "review_codes": "unknown_sku"}])
        self.assertEqual(self.offered(order), {"product"})
        self.assert_only(order, "unknown_sku", "product")
        self.assert_ship_refused(order, "unknown_sku")
        with self.assertRaises(UserError):  # not something to accept: its line would never be ordered
            self.as_user(order, self.manager).action_channel_accept_import_differences()
        line = order.order_line
        with Form(self.as_user(order)) as form, form.order_line.edit(0) as edited:
            edited.product_id = self.dock  # its list price is 150.00
        self.assertRecordValues(
            line, [{"product_id": self.dock.id, "price_unit": 138.47, "tax_ids": self.vat20.ids}]
        )
        self.assertRecordValues(
            order,
            [{"inbox_state": "new", "review_codes": False, "review_reason": False, "amount_total": 166.16}],
        )
        self.assertIn("NOPE-42 is [SKU-DOCK] USB-C dock", self.chatter(order))
        self.as_user(order).action_plan()
        self.as_user(order).action_ship()
        self.assertTrue(self.purchases(order))

    def test_a_total_that_moves_from_what_the_customer_paid_waits_for_a_manager(self):
        order = self.unknown_order("3002")
        line = order.order_line
        line.with_user(self.user).product_id = self.dock
        self.assertEqual(order.inbox_state, "new")
        line.with_user(self.user).product_uom_qty = 2  # the line keeps 138.47 a unit: 332.32 now
        self.as_user(order).action_plan()
        self.assert_waits(order, "total_mismatch")
        self.assertIn("The customer paid", order.review_reason)
        self.assertIn("166.16", order.review_reason)
        self.assert_ship_refused(order, "total_mismatch")
        self.as_user(order, self.manager).action_channel_accept_import_differences()
        self.assertEqual(order.inbox_state, "new")
        self.as_user(order).action_plan()
        self.assertRecordValues(order, [{"inbox_state": "ready", "review_codes": False}])

    def test_total_mismatch_a_manager_accepts(self):
        _answer, order = self.import_one(store_order("3003", total="395.98"))
        self.assert_a_manager_accepts(order, "total_mismatch")
        self.as_user(order).action_plan()
        self.assertEqual(order.inbox_state, "ready", "the accepted total is not a difference again")

    def test_missing_tax_a_manager_accepts(self):
        order_data = store_order("3004")
        order_data["lines"][1]["tax_rates"] = ["17.5"]
        _answer, order = self.import_one(order_data)
        self.assert_a_manager_accepts(order, "missing_tax")

    def test_no_pricelist_a_manager_accepts(self):
        _answer, order = self.import_one(store_order("3005", currency="CHF"))
        self.assert_a_manager_accepts(order, "no_pricelist")

    def test_payment_pending_a_manager_accepts(self):
        _answer, order = self.import_one(store_order("3006", payment_state="pending"))
        self.assert_a_manager_accepts(order, "payment_pending")
        self.assertIn("Import differences accepted by Max Manager", self.chatter(order))

    def _shipped_store_order(self, external_id):
        _answer, order = self.import_one(store_order(external_id))
        self.as_user(order).action_plan()
        self.as_user(order).action_ship()
        self.purchases(order)._channel_send()  # by e-mail: each reached its distributor
        self.assertEqual(order.inbox_state, "ordered")
        return order

    def test_store_changed_after_order_a_manager_accepts_and_the_order_resumes(self):
        order = self._shipped_store_order("3007")
        changed = store_order("3007", modified="2026-12-01T11:00:00Z", hash="hash-3007-2")
        changed["lines"][0]["qty"] = "3"
        changed["total"] = "575.99"
        self.import_one(changed)
        self.assert_a_manager_accepts(order, "store_changed_after_order", then="ordered")

    def test_store_cancelled_after_order_a_manager_accepts_and_the_order_resumes(self):
        order = self._shipped_store_order("3008")
        cancelled = store_order(
            "3008", modified="2026-12-01T11:00:00Z", hash="hash-3008-2", status="cancelled"
        )
        self.import_one(cancelled)
        self.assert_a_manager_accepts(order, "store_cancelled_after_order", then="ordered")


@tagged("post_install", "-at_install")
class TestReviewDeskAfterShip(ReviewDeskCase):
    """distributor_rejected, ship_notice_problem: Ship as planned; ship_failed: Send again or Order
    elsewhere, and the activity goes to a person."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._start_ingram_cxml_supplier(timeout_s=0.5)

    def _shipped(self, lines, **values):
        """Planned and shipped as the inbox cron does it (the scheduler's user, no person)."""
        order = self._inbox_order(lines, **values)
        order.action_plan()
        order.action_ship()
        return order

    def test_distributor_rejected_ship_the_proposal_at_its_cost(self):
        self._ship_to_two_distributors()
        order = self.order
        laptop_td = self.po_td.order_line.filtered(lambda pol: pol.product_id == self.laptop)
        status, _answer = self.env["channel.cxml.document"]._channel_receive(
            build_confirmation(self.po_td, "detail", lines=[(laptop_td.channel_line_number, 2, "reject")])
        )
        self.assertEqual(status, 200)
        self.assert_waits(order, "distributor_rejected")
        self.assertIn("Proposed: [SKU-LAPTOP] Laptop 14: 2 × ", order.review_reason)
        self.assertIn("from Westcoast", order.review_reason)
        self.assert_only(order, "distributor_rejected", "ship")
        self.as_user(order).action_ship()
        self.assertEqual(order.review_codes, False)
        self.assertIn(self.westcoast, self.purchases(order).partner_id)

    def test_ship_notice_problem_ship_resumes_the_order(self):
        order = self._shipped([(self.bag, 2)])
        po = self.purchases(order)
        po._channel_send()
        number = po.order_line.filtered(lambda pol: pol.product_id == self.bag).channel_line_number
        self.env["channel.cxml.document"]._channel_receive(build_ship_notice(po, lines=[(number, 5)]))
        self.assert_waits(order, "ship_notice_problem")
        self.assert_only(order, "ship_notice_problem", "ship")
        self.as_user(order).action_ship()
        self.assertEqual(order.review_codes, False)
        self.assertIn(order.inbox_state, ("ordered", "shipped"))
        self.assertEqual(len(self.purchases(order)), 1, "nothing ordered twice")

    def test_ship_failed_send_again_and_the_activity_goes_to_a_person(self):
        self.company.channel_cxml_max_attempts = 1
        order = self._shipped([(self.dock, 3)])  # Ingram's, by cXML
        po = self.purchases(order)
        self.supplier.inject("http_500")
        po._channel_send()
        self.assertEqual(po.channel_send_state, "failed")
        self.assert_waits(order, "ship_failed")
        self.assert_only(order, "ship_failed", "resend")
        # Not to the scheduler's user that ran Ship, nor the connector's: to the Inbox owner.
        [activity] = po.activity_ids
        self.assertEqual(activity.user_id, self.owner)
        self.assertIn("Send again", activity.note)
        self.as_user(order).action_channel_send_again()
        self.assertEqual(po.channel_send_state, "sent")
        self.assertRecordValues(order, [{"inbox_state": "ordered", "review_codes": False}])

    def test_ship_failed_order_elsewhere_proposes_the_next_best_with_its_cost(self):
        order = self._shipped([(self.dock, 3)])
        po = self.purchases(order)
        self.supplier.inject("reject")
        po._channel_send()
        self.assertEqual(po.channel_send_state, "rejected")
        self.assert_waits(order, "ship_failed")
        self.assertEqual(self.offered(order), {"resend"})
        with self.assertRaises(UserError):  # a refusal is final: nothing to send again
            self.as_user(order).action_channel_send_again()
        self.as_user(order).action_channel_order_elsewhere()
        self.assertEqual(po.state, "cancel")
        self.assert_waits(order, "ship_failed")
        self.assertIn("Proposed: [SKU-DOCK] USB-C dock: 3 × ", order.review_reason)
        self.assertIn("from Westcoast", order.review_reason)
        self.assertEqual(self.offered(order), {"ship"})
        self.as_user(order).action_ship()
        self.assertEqual(self.purchases(order).partner_id, self.westcoast)
        self.assertEqual(order.review_codes, False)

    def test_without_an_inbox_owner_a_manager_hears_of_it_never_the_connector(self):
        self.company.channel_inbox_owner_id = False
        docks = {"external_id": "1", "sku": "SKU-DOCK", "name": "Dock", "qty": "3", "unit_price": "150.00"}
        docks["tax_rates"] = ["20.0"]
        three_docks = store_order("4001", lines=[docks], shipping_lines=[], total="540.00")
        _answer, order = self.import_one(three_docks)
        self.assertFalse(order.user_id, "the connector's user is no salesperson")
        order.action_plan()
        order.action_ship()
        po = self.purchases(order)
        self.assertEqual(po.partner_id, self.ingram, "3 docks: Ingram's, by cXML")
        self.supplier.inject("reject")
        po._channel_send()
        person = po.activity_ids.user_id
        self.assertTrue(person._channel_is_person())
        self.assertNotEqual(person, self.connector)
        self.assertTrue(person.has_group("channel_fulfilment.group_inbox_manager"))


@tagged("post_install", "-at_install")
class TestReviewDeskScreens(ReviewDeskCase):
    """What the screens say: one invoice button, one PO button, the customer without an old address, the
    bills' untaxed amounts as an accountant reads them, distributors by name in the plan's notes."""

    def _form(self):
        views = self.env["sale.order"].with_user(self.user).get_views([(False, "form")])
        return etree.fromstring(views["views"]["form"]["arch"])

    def test_one_invoice_button_and_one_purchase_order_button_on_an_inbox_order(self):
        form = self._form()
        values = {"state": "sale", "is_inbox": True, "purchase_order_count": 2}
        for button_id, status in (("create_invoice", "to invoice"), ("create_invoice_percentage", "no")):
            [button] = form.xpath(f"//button[@id='{button_id}']")
            inbox = {**values, "invoice_status": status}
            self.assertTrue(safe_eval(button.get("invisible"), inbox), button_id)
            self.assertFalse(safe_eval(button.get("invisible"), {**inbox, "is_inbox": False}), button_id)
        [purchase] = form.xpath("//button[@name='action_view_purchase_orders']")
        self.assertTrue(safe_eval(purchase.get("invisible"), values))
        self.assertFalse(safe_eval(purchase.get("invisible"), {**values, "is_inbox": False}))

    def test_the_customer_of_an_inbox_order_shows_no_address_on_file(self):
        form = self._form()
        customers = form.xpath("//group[@name='partner_details']/field[@name='partner_id']")
        inbox = [field for field in customers if field.get("invisible") == "not is_inbox"]
        self.assertEqual(len(inbox), 1)
        self.assertNotIn("show_address", inbox[0].get("context"))
        for field in customers:
            if field is not inbox[0]:
                self.assertEqual(field.get("invisible"), "is_inbox")

    def test_bills_to_check_show_untaxed_amounts_as_billed(self):
        expense = self.env["product.product"].create({"name": "Goods", "type": "consu"})
        bill, refund = self.env["account.move"].create(
            [
                {
                    "move_type": move_type,
                    "partner_id": self.ingram.id,
                    "invoice_date": "2026-12-01",
                    "invoice_line_ids": [
                        Command.create(
                            {"product_id": expense.id, "quantity": 1, "price_unit": amount, "tax_ids": []}
                        )
                    ],
                }
                for move_type, amount in (("in_invoice", 650.0), ("in_refund", 100.0))
            ]
        )
        self.assertEqual(bill.amount_untaxed_signed, -650.0, "Odoo's signed amount: money going out")
        self.assertEqual(bill.channel_amount_untaxed_billed, 650.0)
        self.assertEqual(refund.channel_amount_untaxed_billed, -100.0)
        views = self.env["account.move"].get_views(
            [(self.env.ref("channel_fulfilment.account_move_view_list_channel_bills").id, "list")]
        )
        arch = etree.fromstring(views["views"]["list"]["arch"])
        [untaxed] = arch.xpath("//field[@string='Untaxed']")
        self.assertEqual(untaxed.get("name"), "channel_amount_untaxed_billed")

    def test_plan_notes_name_distributors_not_their_engine_ids(self):
        self.ingram.channel_ship_country_ids = [Command.set(self.env.ref("base.au").ids)]
        order = self._inbox_order([(self.dock, 1)])
        self.as_user(order).action_plan()
        notes = self.chatter(order)
        self.assertIn("so not used: Ingram Micro UK", notes)
        self.assertNotIn("so not used: ING", notes)

    def test_the_settings_name_the_inbox_owner(self):
        with Form(self.env["res.config.settings"].with_user(self.env.ref("base.user_admin"))) as settings:
            settings.channel_inbox_owner_id = self.manager
        self.assertEqual(self.company.channel_inbox_owner_id, self.manager)

    def test_margins_have_a_graph(self):
        action = self.env["ir.actions.act_window"]._for_xml_id("channel_fulfilment.sale_order_action_margins")
        self.assertIn("graph", action["view_mode"].split(","))
        graph = self.env.ref("channel_fulfilment.sale_order_view_graph_margins")
        views = self.env["sale.order"].get_views([(graph.id, "graph")])
        arch = etree.fromstring(views["views"]["graph"]["arch"])
        self.assertEqual(
            arch.xpath("//field[@type='measure']/@name"), ["channel_margin_expected", "channel_margin_actual"]
        )
