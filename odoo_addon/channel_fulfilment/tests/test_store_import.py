"""Store orders into the Orders Inbox through sale.order.channel_import_orders, as channel-sync calls it."""

import json
import logging
import uuid
from unittest.mock import patch

from lxml import etree
from odoo import SUPERUSER_ID, api
from odoo.exceptions import AccessError, ConcurrencyError
from odoo.tests import Form, HttpCase, TransactionCase, new_test_user, tagged
from odoo.tools import mute_logger
from odoo.tools.safe_eval import safe_eval

from .store_common import STORE, StoreData, store_order

_logger = logging.getLogger(__name__)


@tagged("post_install", "-at_install")
class TestStoreImport(StoreData, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_store_data()

    def test_a_simple_order_is_created_once_confirmed_and_dated_as_the_store_did(self):
        answer, order = self.import_one(store_order("1001"))
        _logger.info("import answer: %s", json.dumps(answer))
        self.assertEqual(answer, {"external_id": "1001", "id": order.id, "result": "created", "error": None})
        self.assertRecordValues(
            order,
            [
                {
                    "state": "sale",
                    "is_inbox": True,
                    "inbox_state": "new",
                    "review_codes": False,
                    "channel_source": "store",
                    "channel_store": STORE,
                    "channel_external_id": "1001",
                    "channel_payment_state": "paid",
                    "client_order_ref": "#1001",
                    "amount_total": 395.99,
                    "amount_tax": 66.0,
                }
            ],
        )
        self.assertEqual(str(order.date_order), "2026-12-01 10:15:00")
        self.assertEqual(order.channel_store_id.code, STORE)
        self.assertFalse(order.channel_purchase_ids, "procurement waits for Ship")
        dock, mouse, shipping = order.order_line.sorted("id")
        self.assertRecordValues(
            dock | mouse | shipping,
            [
                {
                    "product_id": self.dock.id,
                    "product_uom_qty": 2,
                    "price_unit": 150.0,
                    "channel_line_external_id": "55",
                    "is_delivery": False,
                },
                {
                    "product_id": self.mouse.id,
                    "product_uom_qty": 1,
                    "price_unit": 25.0,
                    "channel_line_external_id": "56",
                    "is_delivery": False,
                },
                {
                    "product_id": self.env.ref("channel_fulfilment.product_channel_store_shipping").id,
                    "product_uom_qty": 1,
                    "price_unit": 4.99,
                    "is_delivery": True,
                    "channel_line_external_id": False,
                },
            ],
        )
        self.assertEqual(shipping.name, "Flat rate")
        self.assertEqual(order.order_line.tax_ids, self.vat20)
        customer = order.partner_id
        self.assertRecordValues(
            customer,
            [
                {
                    "name": "Ann Smith",
                    "email": "Ann.Smith@Example.com",
                    "street": "1 High St",
                    "zip": "LS1 1AA",
                    "parent_id": False,
                }
            ],
        )
        self.assertEqual(order.partner_invoice_id, customer, "the billing address is the customer's own")
        self.assertEqual(
            order.partner_shipping_id, customer, "no shipping address: delivered to the billing one"
        )
        # The touchless path sees a whole order: planning it works like any inbox order.
        order.with_user(self.reseller).action_plan()
        self.assertEqual(order.inbox_state, "ready")

    def test_a_repeat_is_unchanged_and_an_older_state_too(self):
        _a, order = self.import_one(store_order("1002"))
        again = self.import_orders(store_order("1002"), store_order("1002"))
        self.assertEqual([a["result"] for a in again], ["unchanged", "unchanged"])
        self.assertEqual({a["id"] for a in again}, {order.id})
        older = store_order("1002", hash="hash-older", modified="2026-12-01T10:00:00Z")
        self.assertEqual(self.import_one(older)[0]["result"], "unchanged")
        self.assertEqual(self.env["sale.order"].search_count([("channel_external_id", "=", "1002")]), 1)
        self.assertEqual(len(order.order_line), 3)

    def test_new_orders_of_a_call_are_created_together_and_a_duplicate_within_it_once(self):
        answers = self.import_orders(store_order("1050"), store_order("1051"), store_order("1052"))
        self.assertEqual([a["result"] for a in answers], ["created"] * 3)
        orders = self.env["sale.order"].browse([a["id"] for a in answers])
        self.assertEqual(orders.mapped("channel_external_id"), ["1050", "1051", "1052"])
        self.assertEqual(set(orders.mapped("state")), {"sale"})
        self.assertEqual(len(orders.partner_id), 1, "one customer for the three")
        # The same new order twice in one call: creating them together fails on the unique key, so
        # they are imported one by one — the first is created, the second finds it.
        twice = self.import_orders(store_order("1053"), store_order("1054"), store_order("1053"))
        self.assertEqual([a["result"] for a in twice], ["created", "created", "unchanged"])
        self.assertEqual(twice[0]["id"], twice[2]["id"])
        self.assertEqual(self.env["sale.order"].search_count([("channel_external_id", "=", "1053")]), 1)

    def test_a_repeat_customer_is_the_same_partner_and_addresses_are_reused(self):
        shipping = dict(store_order()["billing"], name="Ann at work", street="9 Mill Lane", zip="LS2 7AB")
        _a, first = self.import_one(store_order("1003", shipping=shipping))
        customer = first.partner_id
        self.assertRecordValues(
            first.partner_shipping_id,
            [{"parent_id": customer.id, "type": "delivery", "name": "Ann at work", "street": "9 Mill Lane"}],
        )
        # Same e-mail in another case, same addresses: nothing new.
        again = store_order("1004", shipping=shipping)
        again["customer"]["email"] = "ann.smith@EXAMPLE.com"
        _a, second = self.import_one(again)
        self.assertEqual(second.partner_id, customer)
        self.assertEqual(second.partner_shipping_id, first.partner_shipping_id)
        self.assertEqual(second.partner_invoice_id, customer)
        # Another delivery address becomes a second contact.
        _a, third = self.import_one(store_order("1005", shipping=dict(shipping, street="10 Mill Lane")))
        self.assertEqual(third.partner_id, customer)
        self.assertNotEqual(third.partner_shipping_id, first.partner_shipping_id)
        self.assertEqual(len(customer.child_ids.filtered(lambda c: c.type == "delivery")), 2)

    def test_an_order_without_any_address_waits_for_one_instead_of_using_an_old_one(self):
        _a, first = self.import_one(store_order("1006"))
        customer = first.partner_id
        self.assertEqual(customer.street, "1 High St")
        empty = {key: "" for key in store_order()["billing"]}
        _a, order = self.import_one(store_order("1007", billing=dict(empty, name="Ann Smith"), shipping=None))
        self.assertEqual(order.partner_id, customer)
        self.assertRecordValues(
            order.partner_shipping_id, [{"parent_id": customer.id, "type": "delivery", "street": False}]
        )
        self.assertEqual(order.inbox_state, "new")
        order._channel_process_touchless()
        self.assertEqual((order.inbox_state, order.review_codes), ("review", "no_address"))
        self.assertIn("The delivery address has no street, city, postcode", order.review_reason)
        self.assertFalse(order.channel_purchase_ids)
        # A second such order reuses the empty contact rather than making another.
        _a, again = self.import_one(store_order("1008", billing=dict(empty, name="Ann Smith"), shipping=None))
        self.assertEqual(again.partner_shipping_id, order.partner_shipping_id)
        # A person sets the customer's address as the delivery address: planned again, the code goes.
        order.partner_shipping_id = customer
        order.action_plan()
        self.assertEqual((order.inbox_state, order.review_codes), ("ready", False))

    def test_the_lowest_id_partner_with_the_email_wins(self):
        Partner = self.env["res.partner"]
        older = Partner.create({"name": "A. Smith (old)", "email": "ann.smith@example.com"})
        Partner.create({"name": "A. Smith (newer)", "email": "Ann.Smith@example.com"})
        _a, order = self.import_one(store_order("1006"))
        self.assertEqual(order.partner_id, older)

    def test_without_email_the_store_customer_id_finds_the_customer(self):
        guest = store_order("1007")
        guest["customer"]["email"] = None
        guest["billing"]["email"] = ""
        _a, first = self.import_one(guest)
        self.assertRecordValues(
            first.partner_id, [{"ref": f"{STORE}:77", "email": False, "name": "Ann Smith"}]
        )
        guest = dict(guest, external_id="1008")
        _a, second = self.import_one(guest)
        self.assertEqual(second.partner_id, first.partner_id)

    def test_a_plain_inbox_user_is_refused(self):
        clerk = new_test_user(self.env, "clerk", groups="base.group_user,channel_fulfilment.group_inbox_user")
        with self.assertRaises(AccessError):
            self.env["sale.order"].with_user(clerk).channel_import_orders(STORE, [store_order("1009")])
        with self.assertRaises(AccessError):
            self.env["sale.order"].with_user(clerk).channel_pending_updates(STORE)
        self.assertFalse(self.env["sale.order"].search([("channel_external_id", "=", "1009")]))

    def test_a_bad_order_fails_alone_naming_the_field(self):
        bad = store_order("1010")
        bad["lines"][1]["qty"] = "two"
        answers = self.import_orders(bad, store_order("1011"))
        self.assertEqual([a["result"] for a in answers], ["failed", "created"])
        self.assertIsNone(answers[0]["id"])
        self.assertIn("lines[1].qty", answers[0]["error"])
        self.assertIn("orders[0]", answers[0]["error"])
        self.assertFalse(self.env["sale.order"].search([("channel_external_id", "=", "1010")]))

    # ------------------------------------------------------------------ lines, taxes, totals

    def test_an_unknown_sku_makes_a_line_at_the_store_price_and_waits_for_a_person(self):
        order_data = store_order("1020")
        order_data["lines"][1].update(sku="NOPE-42", name="Mystery cable")
        answer, order = self.import_one(order_data)
        self.assertEqual(answer["result"], "created")
        unknown = order.order_line.filtered(lambda line: line.channel_line_external_id == "56")
        self.assertRecordValues(
            unknown,
            [
                {
                    "product_id": self.env.ref("channel_fulfilment.product_channel_store_unknown").id,
                    "price_unit": 25.0,
                }
            ],
        )
        self.assertIn("NOPE-42", unknown.name)
        self.assertRecordValues(
            order, [{"inbox_state": "review", "review_codes": "unknown_sku", "amount_total": 395.99}]
        )
        self.assertIn("NOPE-42", order.review_reason)
        # Plan cannot make it ready, nor can a person mark it ready: the right product must be chosen.
        inbox = order.with_user(self.reseller)
        inbox.action_plan()
        self.assertEqual(order.inbox_state, "review")
        with self.assertRaisesRegex(Exception, "choose the right product"):
            inbox.action_mark_ready()
        # A person puts the right product on the line: the line keeps the store's price, the order
        # starts again as new (test_review_desk.py goes through the form).
        unknown.with_user(self.reseller).product_id = self.cable
        self.assertEqual(unknown.price_unit, 25.0)
        self.assertRecordValues(
            order, [{"inbox_state": "new", "review_codes": False, "review_reason": False}]
        )

    def test_tax_included_prices_round_per_line_to_the_penny(self):
        # WooCommerce with prices entered tax included rounds the tax per line, as Odoo's round_per_line:
        # 24.98 → 4.16, 19.99 → 3.33, 4.99 → 0.83 = 8.32 (rounded once over the total it would be 8.33).
        order_data = store_order(
            "1021",
            prices_include_tax=True,
            lines=[
                {
                    "external_id": "1",
                    "sku": "SKU-CABLE",
                    "name": "HDMI cable",
                    "qty": "2",
                    "unit_price": "12.49",
                    "tax_rates": ["20.0"],
                },
                {
                    "external_id": "2",
                    "sku": "SKU-MOUSE",
                    "name": "Mouse",
                    "qty": "1",
                    "unit_price": "19.99",
                    "tax_rates": ["20.0"],
                },
            ],
            shipping_lines=[{"name": "Royal Mail", "price": "4.99", "tax_rates": ["20.0"]}],
            total="49.96",
            total_tax="8.32",
        )
        _a, order = self.import_one(order_data)
        self.assertRecordValues(
            order, [{"amount_total": 49.96, "amount_tax": 8.32, "review_codes": False, "inbox_state": "new"}]
        )
        self.assertEqual(order.order_line.tax_ids, self.vat20_included)
        self.env.company.tax_calculation_rounding_method = "round_globally"
        _a, globally = self.import_one(dict(order_data, external_id="1022"))
        self.assertEqual(globally.amount_tax, 8.33, "why docs/odoo.md asks for Round per Line")

    # ------------------------------------------------------------------ tax rounding (issue 17)

    def penny_order(self, external_id, total):
        """Two lines of 10.03 at 20 % excluded: 2.006 of tax each, 4.02 rounded per line as the stores
        do (total 24.08), 4.01 rounded globally (24.07)."""
        line = {
            "sku": "SKU-CABLE",
            "name": "HDMI cable",
            "qty": "1",
            "unit_price": "10.03",
            "tax_rates": ["20.0"],
        }
        return store_order(
            external_id,
            lines=[dict(line, external_id="1"), dict(line, external_id="2", sku="SKU-MOUSE", name="Mouse")],
            shipping_lines=[],
            total=total,
            total_tax="4.02",
        )

    def test_a_company_rounding_tax_globally_is_warned_on_the_store_and_in_the_inbox_until_fixed(self):
        company = self.env.company
        company.tax_calculation_rounding_method = "round_globally"
        _a, order = self.import_one(self.penny_order("1030", "24.08"))
        store = order.channel_store_id
        self.assertIn("rounds tax globally", store.rounding_warning)
        self.assertIn("Round per Line", store.rounding_warning)
        self.assertEqual(order.channel_rounding_warning, store.rounding_warning)
        # Where the admin looks: the store's form and the inbox's list, kanban and form show it.
        self.assertIn("rounds tax globally", Form(store).rounding_warning)
        for xmlid, shown in (
            ("sale_order_view_list_inbox", 'name="channel_rounding_warning"'),
            ("sale_order_view_kanban_inbox", 'name="channel_rounding_warning"'),
            ("sale_order_view_form_inbox", 'name="action_channel_round_per_line"'),
            ("channel_store_view_form", 'name="action_channel_round_per_line"'),
        ):
            self.assertIn(shown, self.env.ref(f"channel_fulfilment.{xmlid}").arch, xmlid)
        # The fix is a manager's or an administrator's, not a plain inbox user's nor the connector's.
        clerk = new_test_user(self.env, "clerk", groups="base.group_user,channel_fulfilment.group_inbox_user")
        for user in (clerk, self.connector):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                store.with_user(user).sudo(False).action_channel_round_per_line()
        self.assertEqual(company.tax_calculation_rounding_method, "round_globally")
        store.with_user(self.reseller).action_channel_round_per_line()
        self.env.invalidate_all()
        self.assertEqual(company.tax_calculation_rounding_method, "round_per_line")
        self.assertFalse(store.rounding_warning)
        self.assertFalse(order.channel_rounding_warning)
        # The inbox's own button does the same.
        company.tax_calculation_rounding_method = "round_globally"
        self.assertTrue(order.channel_rounding_warning)
        order.with_user(self.reseller).action_channel_round_per_line()
        self.env.invalidate_all()
        self.assertFalse(order.channel_rounding_warning)
        # Per line, the same order comes in to the penny.
        _a, again = self.import_one(self.penny_order("1031", "24.08"))
        self.assertRecordValues(again, [{"amount_total": 24.08, "review_codes": False, "inbox_state": "new"}])

    def test_an_order_a_penny_out_only_by_the_rounding_says_so(self):
        self.env.company.tax_calculation_rounding_method = "round_globally"
        _a, order = self.import_one(self.penny_order("1032", "24.08"))
        self.assertRecordValues(
            order, [{"amount_total": 24.07, "review_codes": "total_mismatch", "inbox_state": "review"}]
        )
        self.assertIn(
            "the company rounds tax globally; per line the total matches the store's; switch to per line: "
            "Accounting > Configuration > Settings > Taxes > Rounding Method: Round per Line",
            order.review_reason,
        )
        self.assertNotIn("a difference of", order.review_reason)

    def test_a_real_total_difference_keeps_the_plain_reason(self):
        for rounding in ("round_globally", "round_per_line"):
            with self.subTest(rounding=rounding):
                self.env.company.tax_calculation_rounding_method = rounding
                _a, order = self.import_one(self.penny_order(f"1033-{rounding}", "24.50"))
                self.assertEqual(order.review_codes, "total_mismatch")
                self.assertIn("The store's total is 24.50", order.review_reason)
                self.assertIn("a difference of -0.4", order.review_reason)
                self.assertNotIn("rounds tax globally", order.review_reason)

    # ------------------------------------------------------------------ a call's new customers

    def test_the_new_customers_of_a_call_are_made_with_one_create(self):
        supplier = self.env["res.partner"].create(
            {"name": "Cable Supplier Ltd", "email": "sales@cables.example"}
        )
        self.env["product.supplierinfo"].create(
            {"partner_id": supplier.id, "product_tmpl_id": self.dock.product_tmpl_id.id, "price": 90.0}
        )
        known = self.env["res.partner"].create({"name": "Bob Known", "email": "bob@example.com"})
        ann = store_order("1040")
        ann_again = store_order("1041")
        bob = store_order("1042", customer=dict(ann["customer"], email="BOB@example.com"))
        guest = store_order("1043", customer=dict(ann["customer"], email=None, store_customer_id="88"))
        guest["billing"]["email"] = ""
        ours = store_order("1044", customer=dict(ann["customer"], email="sales@cables.example"))
        ours["billing"]["email"] = ""
        Partner = type(self.env["res.partner"])
        creates = []
        original = Partner.create

        def counting(records, vals_list):
            creates.append([vals_list] if isinstance(vals_list, dict) else list(vals_list))
            return original(records, vals_list)

        with patch.object(Partner, "create", counting):
            answers = self.import_orders(ann, ann_again, bob, guest, ours)
        self.assertEqual([a["result"] for a in answers], ["created"] * 5)
        self.assertEqual(
            [
                [vals.get("email") or vals.get("ref") for vals in call]
                for call in creates
                if not call[0].get("parent_id")  # Bob's invoice address (Ann's billing) is a contact
            ],
            [["Ann.Smith@Example.com", f"{STORE}:88", "sales@cables.example"]],
            "one create for the call's three new customers",
        )
        orders = self.env["sale.order"].browse([a["id"] for a in answers])
        self.assertEqual(orders[0].partner_id, orders[1].partner_id)
        self.assertEqual(orders[2].partner_id, known)
        self.assertRecordValues(orders[3].partner_id, [{"ref": f"{STORE}:88", "email": False}])
        self.assertNotEqual(orders[4].partner_id, supplier)
        self.assertEqual(orders[4].partner_id.email_normalized, "sales@cables.example")
        self.assertIn("a supplier", " ".join(orders[4].message_ids.mapped("body")))
        self.assertNotIn("a supplier", " ".join(orders[0].message_ids.mapped("body")))

    def test_discounts_come_as_one_line_per_tax_rate(self):
        order_data = store_order(
            "1023",
            lines=[
                {
                    "external_id": "1",
                    "sku": "SKU-DOCK",
                    "name": "Dock",
                    "qty": "1",
                    "unit_price": "150.00",
                    "tax_rates": ["20.0"],
                },
                {
                    "external_id": "2",
                    "sku": "SKU-CABLE",
                    "name": "Cable",
                    "qty": "1",
                    "unit_price": "10.00",
                    "tax_rates": ["5.0"],
                },
            ],
            shipping_lines=[],
            discounts=[
                {"name": "Coupon TEN (20%)", "amount": "15.00", "tax_rates": ["20.0"]},
                {"name": "Coupon TEN (5%)", "amount": "1.00", "tax_rates": ["5"]},
            ],
            total="171.45",  # 135.00 × 1.20 + 9.00 × 1.05
        )
        _a, order = self.import_one(order_data)
        discounts = order.order_line.filtered(
            lambda line: line.product_id == self.env.ref("channel_fulfilment.product_channel_store_discount")
        )
        self.assertRecordValues(
            discounts.sorted("id"),
            [
                {"price_unit": -15.0, "tax_ids": self.vat20.ids},
                {"price_unit": -1.0, "tax_ids": self.vat5.ids},
            ],
        )
        self.assertRecordValues(order, [{"amount_total": 171.45, "review_codes": False}])

    def test_a_store_tax_table_names_the_odoo_tax(self):
        special = self.env["account.tax"].create(
            {
                "name": "UK VAT standard",
                "amount": 20.0,
                "amount_type": "percent",
                "type_tax_use": "sale",
                "sequence": 50,
            }
        )
        _a, order = self.import_one(store_order("1024", tax_names={"20.0": "UK VAT standard"}))
        self.assertEqual(order.order_line.tax_ids, special)
        self.assertFalse(order.review_codes)

    def test_a_missing_tax_names_the_rate_and_the_inclusion(self):
        order_data = store_order("1025", shipping_lines=[], total="352.50")
        for line in order_data["lines"]:
            line["tax_rates"] = ["17.5"]
        answers = self.import_orders(order_data, dict(order_data, external_id="1025b", hash="hash-1025b"))
        order, second = self.env["sale.order"].browse([answer["id"] for answer in answers])
        self.assertEqual(second.review_codes, "total_mismatch missing_tax", "per order")
        self.assertEqual(order.review_codes, "total_mismatch missing_tax")
        self.assertIn("17.5 % excluded from price", order.review_reason)
        self.assertEqual(order.review_reason.count("17.5 %"), 1, "one reason per missing tax, not per line")
        self.assertFalse(order.order_line.tax_ids)

    def test_a_total_a_penny_off_waits_stating_the_difference(self):
        _a, order = self.import_one(store_order("1026", total="396.00"))
        self.assertRecordValues(
            order, [{"inbox_state": "review", "review_codes": "total_mismatch", "state": "sale"}]
        )
        self.assertIn("396.00", order.review_reason)
        self.assertIn("395.99", order.review_reason)
        self.assertIn("-0.01", order.review_reason)

    def test_another_currency_uses_its_pricelist_else_waits(self):
        eur = self.env.ref("base.EUR")
        eur.active = True
        pricelist = self.env["product.pricelist"].create({"name": "Euro store", "currency_id": eur.id})
        _a, order = self.import_one(store_order("1027", currency="EUR"))
        self.assertRecordValues(
            order,
            [
                {
                    "pricelist_id": pricelist.id,
                    "currency_id": eur.id,
                    "amount_total": 395.99,
                    "state": "sale",
                    "review_codes": False,
                }
            ],
        )
        chf = self.env.ref("base.CHF")
        chf.active = True
        self.env["product.pricelist"].search([("currency_id", "=", chf.id)]).active = False
        _a, francs = self.import_one(store_order("1028", currency="CHF"))
        self.assertRecordValues(
            francs, [{"state": "draft", "inbox_state": "review", "review_codes": "no_pricelist"}]
        )
        self.assertIn("CHF", francs.review_reason)

    def test_a_pending_payment_waits_until_the_store_says_paid(self):
        _a, order = self.import_one(store_order("1029", payment_state="pending"))
        self.assertRecordValues(
            order,
            [
                {
                    "inbox_state": "review",
                    "review_codes": "payment_pending",
                    "channel_payment_state": "pending",
                }
            ],
        )
        answer, _order = self.import_one(
            store_order("1029", payment_state="paid", hash="hash-1029-paid", modified="2026-12-01T11:00:00Z")
        )
        self.assertEqual(answer["result"], "updated")
        self.assertRecordValues(
            order, [{"inbox_state": "new", "review_codes": False, "channel_payment_state": "paid"}]
        )

    def test_the_inbox_shows_the_import_differences_and_the_accept_button(self):
        _a, order = self.import_one(store_order("1040", total="1.00"))
        clerk = new_test_user(
            self.env, "clerk-view", groups="base.group_user,channel_fulfilment.group_inbox_manager"
        )  # Accept import differences is a manager's
        Orders = self.env["sale.order"].with_user(clerk)
        views = Orders.get_views(
            [
                (self.env.ref("sale.view_order_form").id, "form"),
                (self.env.ref("channel_fulfilment.sale_order_view_search_inbox").id, "search"),
            ]
        )["views"]
        form = etree.fromstring(views["form"]["arch"])
        [button] = form.xpath("//button[@name='action_channel_accept_import_differences']")
        self.assertIn("channel_offer_accept", button.get("invisible"))
        self.assertTrue(
            form.xpath("//field[@name='review_codes']") and form.xpath("//field[@name='channel_store_id']")
        )
        search = etree.fromstring(views["search"]["arch"])
        [differences] = search.xpath("//filter[@name='filter_import_differences']")
        found = Orders.search([*safe_eval(differences.get("domain")), ("channel_store", "=", STORE)])
        self.assertEqual(found, order)
        self.assertTrue(search.xpath("//filter[@name='groupby_channel_store_id']"))
        with Form(order.with_user(clerk)) as form_view:
            self.assertEqual(form_view.review_codes, "total_mismatch")
        order.with_user(clerk).action_channel_accept_import_differences()
        self.assertRecordValues(order, [{"inbox_state": "new", "review_codes": False}])
        self.assertIn("Import differences accepted", order.message_ids[0].body)

    # ------------------------------------------------------------------ changes in the store

    def _changed(self, external_id, **changes):
        order_data = store_order(
            external_id, hash=f"hash-{external_id}-2", modified="2026-12-02T09:00:00Z", **changes
        )
        return order_data

    def test_a_change_before_ship_replaces_the_lines_and_starts_again(self):
        _a, order = self.import_one(store_order("1030"))
        order.with_user(self.reseller).action_plan()
        self.assertEqual(order.inbox_state, "ready")
        changed = self._changed("1030", total="575.99")
        changed["lines"][0]["qty"] = "3"
        answer, _o = self.import_one(changed)
        self.assertEqual((answer["id"], answer["result"]), (order.id, "updated"))
        dock = order.order_line.filtered(lambda line: line.channel_line_external_id == "55")
        self.assertRecordValues(dock, [{"product_uom_qty": 3, "distributor_id": False}])
        self.assertEqual(len(order.order_line), 3)
        self.assertRecordValues(
            order, [{"inbox_state": "new", "amount_total": 575.99, "review_codes": False, "state": "sale"}]
        )
        self.assertEqual(self.import_one(changed)[0]["result"], "unchanged")

    def test_a_change_after_ship_goes_to_review_stating_it(self):
        _a, order = self.import_one(store_order("1031"))
        order.with_user(self.reseller).action_ship()
        self.assertTrue(order.channel_purchase_ids)
        changed = self._changed("1031", total="575.99")
        changed["lines"][0]["qty"] = "3"
        self.assertEqual(self.import_one(changed)[0]["result"], "updated")
        self.assertEqual(order.review_codes, "store_changed_after_order")
        self.assertEqual(order.inbox_state, "review")
        self.assertIn("USB-C dock from 2 to 3", order.review_reason)
        self.assertEqual(self.line_for(order, self.dock).product_uom_qty, 2, "what was ordered stays")

    def test_a_cancellation_before_a_po_was_sent_cancels_order_and_pos(self):
        _a, order = self.import_one(store_order("1032"))
        order.with_user(self.reseller).action_ship()
        purchases = order.channel_purchase_ids
        self.assertTrue(purchases)
        self.assertEqual(set(purchases.mapped("channel_send_state")), {"to_send"})
        self.assertEqual(self.import_one(self._changed("1032", status="cancelled"))[0]["result"], "updated")
        self.assertRecordValues(order, [{"state": "cancel", "inbox_state": "cancelled"}])
        self.assertEqual(set(purchases.mapped("state")), {"cancel"})

    def test_a_refund_after_a_po_was_sent_goes_to_review_naming_it(self):
        _a, order = self.import_one(store_order("1033"))
        order.with_user(self.reseller).action_ship()
        order.channel_purchase_ids._channel_send()
        sent = order.channel_purchase_ids
        self.assertTrue(all(po.channel_send_state in ("sent", "emailed", "accepted") for po in sent))
        refunded = self._changed("1033", status="refunded", payment_state="refunded")
        self.assertEqual(self.import_one(refunded)[0]["result"], "updated")
        self.assertRecordValues(
            order,
            [
                {
                    "state": "sale",
                    "inbox_state": "review",
                    "review_codes": "store_cancelled_after_order",
                    "channel_payment_state": "refunded",
                }
            ],
        )
        for po in sent:
            self.assertIn(po.name, order.review_reason)
        self.assertNotIn("cancel", sent.mapped("state"))


@tagged("post_install", "-at_install")
class TestStoreImportHttp(StoreData, HttpCase):
    """channel-sync's own path: JSON-2 over real HTTP with the connector user's API key."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_store_data()
        cls.api_key = cls.connector_key  # as an admin makes it for channel-sync: without expiry

    def call(self, method, key, **arguments):
        self.env.flush_all()  # the server reads the database, not this test's pending writes
        response = self.url_open(
            f"/json/2/sale.order/{method}",
            json=arguments,
            headers={"Authorization": f"bearer {key}", "X-Odoo-Database": self.env.cr.dbname},
        )
        self.env.invalidate_all()
        return response

    def test_import_over_json2_with_the_connector_key(self):
        response = self.call("channel_import_orders", self.api_key, store=STORE, orders=[store_order("3001")])
        self.assertEqual(response.status_code, 200, response.text)
        [answer] = response.json()
        _logger.info("JSON-2 import answer: %s", response.text)
        order = self.env["sale.order"].search(
            [("channel_store", "=", STORE), ("channel_external_id", "=", "3001")]
        )
        self.assertEqual(answer, {"external_id": "3001", "id": order.id, "result": "created", "error": None})
        self.assertRecordValues(
            order, [{"state": "sale", "amount_total": 395.99, "create_uid": self.connector.id}]
        )
        again = self.call("channel_import_orders", self.api_key, store=STORE, orders=[store_order("3001")])
        self.assertEqual(again.json()[0]["result"], "unchanged")
        pending = self.call("channel_pending_updates", self.api_key, store=STORE)
        self.assertEqual((pending.status_code, pending.json()), (200, []))
        acknowledged = self.call("channel_updates_sent", self.api_key, store=STORE, keys=[])
        self.assertEqual((acknowledged.status_code, acknowledged.json()), (200, 0))

    def test_a_refused_key_and_a_user_outside_the_group(self):
        with mute_logger("odoo.http"):
            response = self.call(
                "channel_import_orders", "not-a-key", store=STORE, orders=[store_order("3002")]
            )
        self.assertEqual(response.status_code, 401)
        clerk = new_test_user(
            self.env, "clerk-http", groups="base.group_user,channel_fulfilment.group_inbox_user"
        )
        clerk_key = self.env["res.users.apikeys"].with_user(clerk).sudo()._generate("rpc", "clerk", None)
        with mute_logger("odoo.http"):
            response = self.call(
                "channel_import_orders", clerk_key, store=STORE, orders=[store_order("3002")]
            )
        self.assertEqual(response.status_code, 403, response.text)
        self.assertIn("store connector", response.json()["message"])
        self.assertFalse(self.env["sale.order"].search([("channel_external_id", "=", "3002")]))


@tagged("post_install", "-at_install")
class TestStoreImportConcurrency(TransactionCase):
    """Two calls importing the same order at once are two transactions: what they race on must be
    committed, so the records are made in committed transactions and removed afterwards."""

    def _committed(self, function):
        with self.registry.cursor() as cr:
            result = function(api.Environment(cr, SUPERUSER_ID, {}))
            cr.commit()
        return result

    def _cleanup(self, tag):
        def remove(env):
            orders = env["sale.order"].search([("channel_store", "=", f"race-{tag}")])
            orders._action_cancel()
            orders.unlink()
            env["res.partner"].search([("email", "ilike", f"{tag}@race.example")]).action_archive()
            env["product.product"].search([("default_code", "=", f"RACE-{tag}")]).action_archive()

        self.addCleanup(self._committed, remove)
        self._committed(lambda env: env["channel.store"]._channel_for_code(f"race-{tag}"))

    def _order(self, tag, external_id, email):
        def make(env):
            return store_order(
                external_id,
                currency=env.company.currency_id.name,
                customer={"email": email, "name": "Racer", "phone": None, "store_customer_id": None},
                lines=[
                    {
                        "external_id": "1",
                        "sku": f"RACE-{tag}",
                        "name": "Race item",
                        "qty": "1",
                        "unit_price": "20.00",
                        "tax_rates": [],
                    }
                ],
                shipping_lines=[],
                total="20.00",
            )

        return self._committed(make)

    def _import(self, cr, tag, data):
        return api.Environment(cr, SUPERUSER_ID, {})["sale.order"].channel_import_orders(
            f"race-{tag}", [data]
        )

    def test_a_duplicate_created_concurrently_answers_the_existing_id(self):
        tag = uuid.uuid4().hex[:8]
        self._cleanup(tag)
        email = f"known-{tag}@race.example"
        self._committed(
            lambda env: (
                env["product.product"].create(
                    {"name": "Race item", "default_code": f"RACE-{tag}", "type": "consu"}
                ),
                env["res.partner"].create({"name": "Known racer", "email": email}),
            )
        )
        data = self._order(tag, "R1", email)
        with self.registry.cursor() as late, self.registry.cursor() as first:
            late.execute("SELECT 1 FROM sale_order LIMIT 1")  # the late call's snapshot starts here
            [won] = self._import(first, tag, data)
            first.commit()
            [answer] = self._import(late, tag, data)  # cannot see the order, collides on the unique index
            late.commit()
        self.assertEqual(won["result"], "created")
        self.assertEqual(answer, {"external_id": "R1", "id": won["id"], "result": "unchanged", "error": None})
        count = self._committed(
            lambda env: env["sale.order"].search_count(
                [("channel_store", "=", f"race-{tag}"), ("channel_external_id", "=", "R1")]
            )
        )
        self.assertEqual(count, 1)

    def test_two_first_orders_of_one_customer_make_one_customer(self):
        tag = uuid.uuid4().hex[:8]
        self._cleanup(tag)
        email = f"new-{tag}@race.example"
        self._committed(
            lambda env: env["product.product"].create(
                {"name": "Race item", "default_code": f"RACE-{tag}", "type": "consu"}
            )
        )
        first_order, second_order = self._order(tag, "N1", email), self._order(tag, "N2", email)
        with self.registry.cursor() as late, self.registry.cursor() as first:
            late.execute("SELECT 1 FROM res_partner LIMIT 1")  # the late call's snapshot starts here
            self._import(first, tag, first_order)
            first.commit()
            # It would make a second customer: instead the request is retried (Odoo retries on
            # ConcurrencyError), and the retry, with a fresh snapshot, finds the customer.
            with self.assertRaises(ConcurrencyError):
                self._import(late, tag, second_order)
            late.rollback()
        with self.registry.cursor() as retry:
            [answer] = self._import(retry, tag, second_order)
            retry.commit()
        self.assertEqual(answer["result"], "created")
        customers = self._committed(
            lambda env: env["sale.order"].search([("channel_store", "=", f"race-{tag}")]).partner_id.ids
        )
        self.assertEqual(len(customers), 1)
