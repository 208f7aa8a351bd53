"""Web stores (channel.store), the store-connector group and review codes: the ground the connectors and
the accounting side build on."""

from odoo import SUPERUSER_ID, api
from odoo.exceptions import ConcurrencyError
from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger
from psycopg2 import IntegrityError


@tagged("post_install", "-at_install")
class TestChannelStore(TransactionCase):
    def test_a_store_is_made_once_per_code_and_company(self):
        Store = self.env["channel.store"]
        first = Store._channel_for_code("woo-main")
        self.assertRecordValues(
            first, [{"code": "woo-main", "name": "woo-main", "company_id": self.env.company.id}]
        )
        self.assertFalse(first.payment_journal_id)
        self.assertEqual(Store._channel_for_code("woo-main"), first)
        other_company = self.env["res.company"].create({"name": "Second reseller"})
        self.assertNotEqual(Store._channel_for_code("woo-main", other_company), first)
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError), self.cr.savepoint():
            Store.create({"name": "again", "code": "woo-main"})

    def test_two_first_imports_at_once_make_one_store_without_a_failed_insert(self):
        """Two transactions ask for a store that does not exist yet; the first makes it and commits. The
        second, whose snapshot predates that commit, is retried (ConcurrencyError) instead of inserting
        the store again; the retry finds the first one's store."""
        code = "woo-concurrent"
        self.addCleanup(self._drop_store, code)
        with self.registry.cursor() as late, self.registry.cursor() as first:
            late_env = api.Environment(late, SUPERUSER_ID, {})
            self.assertFalse(late_env["channel.store"].search([("code", "=", code)]))  # its snapshot
            made = api.Environment(first, SUPERUSER_ID, {})["sale.order"]._channel_store_record(code)
            first.commit()
            ids_used = self._store_ids_used()
            with self.assertNoLogs("odoo.sql_db", "ERROR"), self.assertRaises(ConcurrencyError):
                late_env["sale.order"]._channel_store_record(code)
            late.rollback()
            # a failed INSERT would have taken an id (sequences are not rolled back)
            self.assertEqual(
                self._store_ids_used(), ids_used, "the late transaction tried to insert the store"
            )
        with self.registry.cursor() as retry:
            env = api.Environment(retry, SUPERUSER_ID, {})
            self.assertEqual(env["sale.order"]._channel_store_record(code).id, made.id)
            self.assertEqual(env["channel.store"].search_count([("code", "=", code)]), 1)

    def _store_ids_used(self):
        with self.registry.cursor() as cr:
            cr.execute("SELECT last_value FROM channel_store_id_seq")
            return cr.fetchone()[0]

    def _drop_store(self, code):
        with self.registry.cursor() as cr:
            api.Environment(cr, SUPERUSER_ID, {})["channel.store"].search([("code", "=", code)]).unlink()

    def test_the_store_of_an_order_and_the_store_of_a_code_are_the_same_record(self):
        # The accounting's and the connectors' lookups once shared a name, and one signature won.
        partner = self.env["res.partner"].create({"name": "Customer"})
        order = self.env["sale.order"].create(
            {"partner_id": partner.id, "channel_source": "store", "channel_store": "woo-main"}
        )
        store = self.env["sale.order"]._channel_store_record("woo-main")
        self.assertEqual(store.code, "woo-main")
        self.assertEqual(order._channel_order_store(), store)
        self.assertFalse(self.env["sale.order"].create({"partner_id": partner.id})._channel_order_store())

    def test_review_codes_are_kept_once_in_list_order_and_unknown_ones_refused(self):
        partner = self.env["res.partner"].create({"name": "Customer"})
        order = self.env["sale.order"].create({"partner_id": partner.id})
        order._channel_add_review_codes(["total_mismatch", "unknown_sku"])
        order._channel_add_review_codes(["unknown_sku"])
        self.assertEqual(order.review_codes, "unknown_sku total_mismatch")
        with self.assertRaises(ValueError):
            order._channel_add_review_codes(["no_such_code"])
        self.assertEqual(order.review_codes, "unknown_sku total_mismatch")
