"""Hostile and careless store data (issue 15, §2): what channel_import_orders does with an order that lies
about its country, names one of our own e-mail addresses, has no version or an offset date, numbers out
of every bound, a NUL byte, or too many lines — each such order refused with its path (nothing of it
written, the others of the call going on) or imported without taking what is not the store's to give."""

import datetime as dt

from odoo.tests import TransactionCase, new_test_user, tagged

from .store_common import StoreData, store_order


@tagged("post_install", "-at_install")
class TestStoreHostileData(StoreData, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_store_data()

    def setUp(self):
        super().setUp()
        self.good = 0  # numbers the good orders imported beside a refused one

    def refused(self, order, path):
        """`order` is refused naming `path`, nothing of it written, no error in the log; and beside a good
        order in one call it fails alone."""
        Partner = self.env["res.partner"].with_context(active_test=False)
        partners = Partner.search_count([])
        with self.assertNoLogs("odoo", "ERROR"):
            [alone] = self.import_orders(order)
        self.assertEqual(alone["result"], "failed", alone)
        self.assertIn(f"orders[0]: {path}", alone["error"])
        self.assertEqual(Partner.search_count([]), partners, "no customer or address made for it")
        external_id = str(order.get("external_id"))
        self.assertFalse(self.env["sale.order"].search([("channel_external_id", "=", external_id)]))
        self.good += 1
        with self.assertNoLogs("odoo", "ERROR"):
            answers = self.import_orders(order, store_order(f"ok-{self.good}"))
        self.assertEqual([a["result"] for a in answers], ["failed", "created"])
        return alone["error"]

    # ------------------------------------------------------------------ countries

    def test_an_unknown_country_is_not_the_companys_and_waits_for_a_person(self):
        for number, code in (("7001", "XX"), ("7002", "AC"), ("7003", "TA")):
            with self.subTest(code=code):
                data = store_order(number)
                data["shipping"] = dict(data["billing"], country_code=code, zip="ASCN 1ZZ")
                answer, order = self.import_one(data)
                self.assertEqual(answer["result"], "created")
                self.assertFalse(order.partner_shipping_id.country_id)
                order.with_user(self.reseller).action_plan()
                self.assertEqual(order.inbox_state, "review")
                self.assertIn("no_address", order.review_codes)
                self.assertIn(f"“{code}” is no country Odoo knows", order.review_reason)
        # A person sets the country: the address is complete, the order plans.
        order.partner_shipping_id.country_id = self.env.ref("base.sh")
        order.with_user(self.reseller).action_plan()
        self.assertNotIn("no_address", order.review_codes or "")

    # ------------------------------------------------------------------ e-mails

    def test_an_email_of_ours_never_makes_that_partner_the_customer(self):
        staff = new_test_user(
            self.env, "buyer-staff", email="staff@reseller.example", groups="base.group_user"
        )
        supplier = self.env["res.partner"].create(
            {"name": "Cable Supplier Ltd", "email": "sales@cables.example"}
        )
        self.env["product.supplierinfo"].create(
            {"partner_id": supplier.id, "product_tmpl_id": self.dock.product_tmpl_id.id, "price": 90.0}
        )
        self.env.company.partner_id.email = "hello@company.example"
        ours = {
            "staff@reseller.example": (staff.partner_id, "a user of the company"),
            self.ingram.email: (self.ingram, "a distributor"),
            "sales@cables.example": (supplier, "a supplier"),
            "hello@company.example": (self.env.company.partner_id, "a company of ours"),
        }
        for number, (email, (partner, what)) in enumerate(ours.items(), start=7100):
            with self.subTest(what=what):
                data = store_order(str(number))
                data["customer"]["email"] = email.upper()  # as normalised e-mails compare
                data["billing"]["email"] = email
                _answer, order = self.import_one(data)
                self.assertNotEqual(order.partner_id, partner)
                self.assertNotEqual(order.partner_shipping_id.commercial_partner_id, partner)
                self.assertEqual(order.partner_id.email_normalized, email.lower())
                self.assertIn(what, " ".join(order.message_ids.mapped("body")))
                # The next order with that e-mail goes to the customer made for the first.
                _answer, again = self.import_one(
                    store_order(f"{number}-2", customer=data["customer"], billing=data["billing"])
                )
                self.assertEqual(again.partner_id, order.partner_id)

    # ------------------------------------------------------------------ versions and dates

    def test_a_missing_or_null_modified_is_refused(self):
        for number, value in (("7201", None), ("7202", "")):
            data = store_order(number, modified=value)
            with self.subTest(modified=value):
                self.refused(data, "modified is missing")
        data = store_order("7203")
        del data["modified"]
        self.refused(data, "modified is missing")

    def test_time_zone_offsets_are_honoured_and_an_older_version_never_wins(self):
        # 10:16 in Tokyo (+09:00) is 01:16 UTC: earlier than what Odoo has (10:16 UTC), so it is older.
        _answer, order = self.import_one(store_order("7210", modified="2026-12-01T10:16:00Z"))
        self.assertEqual(order.channel_store_modified, dt.datetime(2026, 12, 1, 10, 16))
        older = store_order(
            "7210", hash="hash-7210-tokyo", modified="2026-12-01T10:16:00+09:00", total="1.00"
        )
        self.assertEqual(self.import_one(older)[0]["result"], "unchanged")
        self.assertEqual(order.channel_store_modified, dt.datetime(2026, 12, 1, 10, 16))
        # 10:16 in New York (-05:00) is 15:16 UTC: newer, it wins.
        newer = store_order("7210", hash="hash-7210-ny", modified="2026-12-01T10:16:00.123-05:00")
        self.assertEqual(self.import_one(newer)[0]["result"], "updated")
        self.assertEqual(order.channel_store_modified, dt.datetime(2026, 12, 1, 15, 16))
        self.assertEqual(
            self.import_one(store_order("7211", created="2026-12-01T23:30:00-02:00"))[1].date_order,
            dt.datetime(2026, 12, 2, 1, 30),
        )
        for bad in ("yesterday", "2026-13-01T00:00:00Z", "9999-12-31T23:59:59-05:00", 1733044560):
            with self.subTest(modified=bad):
                self.refused(store_order("7212", modified=bad), "modified:")

    # ------------------------------------------------------------------ numbers

    def test_numbers_beyond_their_bounds_are_refused_with_the_path(self):
        def line(**changes):
            data = store_order("7300")
            data["lines"][0].update(changes)
            return data

        cases = [
            (line(qty="1000001"), "lines[0].qty"),
            (line(qty="0"), "lines[0].qty"),
            (line(qty="-2"), "lines[0].qty"),
            (line(qty="0.001"), "lines[0].qty"),  # finer than the unit's rounding (0.01)
            (line(qty="1e400"), "lines[0].qty"),
            (line(qty=float("nan")), "lines[0].qty"),
            (line(qty=float("inf")), "lines[0].qty"),
            (line(qty="Infinity"), "lines[0].qty"),
            (line(qty=True), "lines[0].qty"),
            (line(qty=[2]), "lines[0].qty"),
            (line(unit_price="1000000000.01"), "lines[0].unit_price"),
            (line(unit_price="-150.00"), "lines[0].unit_price"),
            (line(unit_price="150.00001"), "lines[0].unit_price"),  # GBP: 2 decimals, +2
            (line(unit_price="1e-999999999"), "lines[0].unit_price"),
            (line(unit_price={"amount": "150"}), "lines[0].unit_price"),
            (line(tax_rates=["20.0", "1e30"]), "lines[0].tax_rates[1]"),
            (line(tax_rates=["-20"]), "lines[0].tax_rates[0]"),
            (store_order("7300", total="-395.99"), "total"),
            (store_order("7300", total="1e16"), "total"),
            (
                store_order("7300", shipping_lines=[{"name": "x", "price": "-4.99"}]),
                "shipping_lines[0].price",
            ),
            (store_order("7300", discounts=[{"name": "x", "amount": "-10"}]), "discounts[0].amount"),
            (store_order("7300", tax_names={"1e30": "VAT"}), "tax_names.1e30"),
            (store_order("7300", currency={"code": "GBP"}), "currency"),
        ]
        for data, path in cases:
            with self.subTest(path=path):
                self.refused(data, path)
        # A quantity in whole steps of the unit's rounding and a price with the currency's decimals + 2 pass.
        fine = line(qty="2.50", unit_price="150.0000")
        fine["total"] = "485.99"  # 375.00 + 25.00 + 4.99, VAT 75.00 + 5.00 + 1.00
        self.assertEqual(self.import_one(fine)[0]["result"], "created")

    def test_a_nul_byte_is_named_with_its_path(self):
        data = store_order("7400")
        data["billing"]["street"] = "1 High St\x00; DROP"
        self.refused(data, "billing.street: contains a NUL character")
        data = store_order("7401")
        data["lines"][1]["name"] = "mouse\x00"
        self.refused(data, "lines[1].name: contains a NUL character")

    def test_external_ids_are_at_most_64_characters(self):
        self.refused(store_order("7" * 65), "external_id:")
        data = store_order("7501")
        data["lines"][0]["external_id"] = "5" * 65
        self.refused(data, "lines[0].external_id:")
        self.assertEqual(self.import_one(store_order("7" * 64))[0]["result"], "created")

    def test_lines_are_capped_like_orders_a_call(self):
        data = store_order("7600")
        data["lines"] = [dict(data["lines"][1], external_id=str(i)) for i in range(1001)]
        error = self.refused(data, "lines: at most 1000 lines an order, got 1001")
        self.assertIn("got 1001", error)
