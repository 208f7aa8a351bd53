import psycopg2.errors
from odoo import SUPERUSER_ID, api
from odoo.exceptions import UserError
from odoo.tests import TransactionCase, tagged

from .common import committed_test_order


@tagged("post_install", "-at_install")
class TestShipConcurrency(TransactionCase):
    """Two Ship clicks at the same moment are two transactions: the data must be committed for them to
    see it, so this test builds its order in its own committed transaction and removes it afterwards."""

    def _committed_order(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            order = committed_test_order(env, "Concurrent", 2)
            order.action_plan()
            cr.commit()
            product = order.order_line.product_id
            partners = order.partner_id | product.seller_ids.partner_id
            ids = {"order": order.id, "product": product.id, "partners": partners.ids}
        self.addCleanup(self._remove, ids)
        return ids

    def _remove(self, ids):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            order = env["sale.order"].browse(ids["order"])
            purchases = env["purchase.order"].search([("channel_sale_id", "=", order.id)])
            purchases.write({"locked": False})
            purchases.button_cancel()
            purchases.unlink()
            order._action_cancel()
            order.unlink()
            env["product.product"].browse(ids["product"]).action_archive()
            env["res.partner"].browse(ids["partners"]).action_archive()
            cr.commit()

    def _purchase_count(self, order_id):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            return env["purchase.order"].search_count([("channel_sale_id", "=", order_id)])

    def test_two_ships_at_once_order_once(self):
        ids = self._committed_order()
        order_id = ids["order"]

        # 1. A Ship is in progress (it holds the order's row): a second one refuses at once, doing nothing.
        with self.registry.cursor() as holder, self.registry.cursor() as second:
            holder.execute("SELECT id FROM sale_order WHERE id = %s FOR UPDATE", [order_id])
            env = api.Environment(second, SUPERUSER_ID, {})
            with self.assertRaisesRegex(UserError, "being shipped in another session"):
                env["sale.order"].browse(order_id).action_ship()
            second.rollback()
            holder.rollback()
        self.assertEqual(self._purchase_count(order_id), 0)

        # 2. Two transactions read the order; one ships and commits first. The other's lock fails with a
        #    serialization error (Odoo retries such requests, and the retry sees the purchase order).
        with self.registry.cursor() as late, self.registry.cursor() as first:
            late_env = api.Environment(late, SUPERUSER_ID, {})
            self.assertEqual(late_env["sale.order"].browse(order_id).inbox_state, "ready")
            first_env = api.Environment(first, SUPERUSER_ID, {})
            first_env["sale.order"].browse(order_id).action_ship()
            first.commit()
            with self.assertRaises(psycopg2.errors.SerializationFailure):
                late_env["sale.order"].browse(order_id).action_ship()
            late.rollback()
        self.assertEqual(self._purchase_count(order_id), 1)

        # 3. The retry, in a fresh transaction, finds the order shipped and creates nothing.
        with self.registry.cursor() as retry:
            env = api.Environment(retry, SUPERUSER_ID, {})
            env["sale.order"].browse(order_id).action_ship()
            retry.commit()
        self.assertEqual(self._purchase_count(order_id), 1)

    def test_a_batch_ships_around_an_order_another_session_is_shipping(self):
        """Ship on several orders locks them in one go; when another session holds one of them, that one is
        left to it (no review, nothing ordered twice) and the others ship."""
        free, held = self._committed_order(), self._committed_order()
        with self.registry.cursor() as holder, self.registry.cursor() as batch:
            holder.execute("SELECT id FROM sale_order WHERE id = %s FOR UPDATE", [held["order"]])
            env = api.Environment(batch, SUPERUSER_ID, {})
            orders = env["sale.order"].browse([free["order"], held["order"]])
            orders.action_ship()
            self.assertEqual(orders.mapped("inbox_state"), ["sending", "ready"])
            self.assertFalse(orders[1].review_reason, "not sent to review: the other session ships it")
            batch.commit()
            holder.rollback()
        self.assertEqual(self._purchase_count(free["order"]), 1)
        self.assertEqual(self._purchase_count(held["order"]), 0)
