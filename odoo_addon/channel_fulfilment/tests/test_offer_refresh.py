import shutil
import tempfile
from pathlib import Path

from odoo import fields
from odoo.tests import tagged

from fulfilment_engine.store import OfferStore

from .common import ChannelCase

BULK_PRODUCTS = 1000


@tagged("post_install", "-at_install")
class TestOfferRefresh(ChannelCase):
    """Vendor lines refreshed from the engine's offer store (a real SQLite store, loaded from real feeds)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        folder = Path(tempfile.mkdtemp(prefix="cf-offers-"))
        cls.addClassCleanup(shutil.rmtree, folder, ignore_errors=True)
        cls.bulk = cls.env["product.product"].create(
            [
                {"name": f"Bulk item {n}", "default_code": f"BULK-{n:05d}", "type": "consu", "list_price": 10}
                for n in range(BULK_PRODUCTS)
            ]
        )
        skus = ["SKU-LAPTOP", "SKU-MOUSE", *cls.bulk.mapped("default_code"), "SKU-NOT-IN-ODOO"]
        (folder / "products.csv").write_text(
            "sku,mpn,brand,description,weight_kg,length_cm,width_cm,height_cm\n"
            + "".join(f"{sku},MPN-{sku},Brand,{sku},1.0,,,\n" for sku in skus)
        )
        rows = [
            "SKU-LAPTOP|ING|3|689.99|ING-NEW-LAPTOP|laptops||",
            "SKU-LAPTOP|TD|40|701.00|TD-LAPTOP|laptops||",
            "SKU-MOUSE|ING|0|9.99|ING-MOUSE|mice||",
            "SKU-NOT-IN-ODOO|ING|5|1.00|ING-X|misc||",
            "SKU-LAPTOP|UNKNOWN|9|1.00|U-1|misc||",
        ]
        rows += [
            f"{sku}|ING|{n % 7}|{n % 50 + 1}.25|ING-{sku}|bulk||"
            for n, sku in enumerate(cls.bulk.mapped("default_code"))
        ]
        rows += [
            f"{sku}|TD|{n % 5}|{n % 40 + 2}.50|TD-{sku}|bulk||"
            for n, sku in enumerate(cls.bulk.mapped("default_code"))
        ]
        (folder / "feed.txt").write_text("\n".join(rows) + "\n")
        url = f"sqlite:///{folder / 'offers.db'}"
        cls.feed_loaded_after = fields.Datetime.now().replace(microsecond=0)
        with OfferStore.open(url) as store:
            assert store.import_products([str(folder / "products.csv")]).ok
            assert store.import_feeds([str(folder / "feed.txt")], format="sitc").ok
        cls.company.channel_offer_store_url = url

    def vendor_line(self, partner, product):
        return self.env["product.supplierinfo"].search(
            [
                ("partner_id", "=", partner.id),
                ("product_tmpl_id", "=", product.product_tmpl_id.id),
                ("is_distributor_line", "=", True),
            ]
        )

    def test_refresh_updates_and_creates_vendor_lines_in_bulk(self):
        queries_before = self.env.cr.sql_log_count
        result = self.env["product.supplierinfo"]._channel_refresh_offers()
        queries = self.env.cr.sql_log_count - queries_before
        # 2 laptop + 1 mouse offers update existing lines; 2 × 1000 bulk offers create new ones.
        self.assertEqual(
            result, {"offers": 3 + 2 * BULK_PRODUCTS, "updated": 3, "created": 2 * BULK_PRODUCTS}
        )
        self.assertLess(queries, 40, "a few statements for thousands of rows, not one write per row")

        laptop_ing = self.vendor_line(self.ingram, self.laptop)
        self.assertRecordValues(
            laptop_ing,
            [
                {
                    "price": 689.99,
                    "distributor_stock": 3,
                    "product_code": "ING-NEW-LAPTOP",
                    "stock_source": "feed",
                    "min_qty": 0.0,
                }
            ],
        )
        # "As of" the feed's load, not of the refresh.
        self.assertGreaterEqual(laptop_ing.stock_updated_at, self.feed_loaded_after)
        self.assertLessEqual(laptop_ing.stock_updated_at, fields.Datetime.now())
        self.assertEqual(laptop_ing.stock_age, "just now")
        self.assertEqual(self.vendor_line(self.tdsynnex, self.laptop).distributor_stock, 40)
        self.assertEqual(self.vendor_line(self.ingram, self.mouse).distributor_stock, 0)
        self.assertEqual(
            self.vendor_line(self.westcoast, self.laptop).distributor_stock, 50, "not in the store: untouched"
        )

        item = self.bulk[7]
        created = self.vendor_line(self.ingram, item)
        self.assertRecordValues(
            created,
            [
                {
                    "price": 8.25,
                    "distributor_stock": 0,
                    "product_code": "ING-BULK-00007",
                    "is_distributor_line": True,
                    "product_id": item.id,
                }
            ],
        )
        self.assertEqual(
            item.seller_ids.partner_id, self.ingram | self.tdsynnex, "the ORM sees the new lines"
        )

        # A second refresh updates the same lines: nothing is duplicated.
        again = self.env["product.supplierinfo"]._channel_refresh_offers()
        self.assertEqual(
            again, {"offers": 3 + 2 * BULK_PRODUCTS, "updated": 3 + 2 * BULK_PRODUCTS, "created": 0}
        )
        self.assertEqual(len(self.vendor_line(self.ingram, item)), 1)

    def test_refreshed_offers_drive_the_next_plan(self):
        self.ingram.action_refresh_distributor_offers()
        order = self._inbox_order([(self.laptop, 12)])
        order.action_plan()
        # Ingram now has 3 at 689.99; TD SYNNEX was not refreshed (only Ingram's button was pressed).
        allocations = self.allocations_of(order.order_line)
        self.assertEqual(allocations[self.ingram], (3.0, 689.99))

    def test_the_button_refreshes_only_its_distributor(self):
        action = self.tdsynnex.action_refresh_distributor_offers()
        self.assertEqual(action["params"]["type"], "success")
        self.assertEqual(self.vendor_line(self.tdsynnex, self.laptop).distributor_stock, 40)
        self.assertEqual(self.vendor_line(self.ingram, self.laptop).distributor_stock, 10)

    def test_a_refresh_leaves_statistics_for_the_order_lines_product_search(self):
        """After a bulk refresh PostgreSQL knows how many vendor lines there are (the refresh ANALYZEs
        what it wrote): the product search of an order line, which joins them, is not planned blind.
        Without the ANALYZE the estimate stays what it was before the thousands of new lines."""
        cr = self.env.cr
        self.env["product.supplierinfo"]._channel_refresh_offers()
        cr.execute("SELECT count(*) FROM product_supplierinfo")
        [rows] = cr.fetchone()
        cr.execute("SELECT reltuples FROM pg_class WHERE oid = 'product_supplierinfo'::regclass")
        [estimate] = cr.fetchone()
        self.assertGreater(rows, 2 * BULK_PRODUCTS, "the refresh wrote the bulk items' vendor lines")
        self.assertEqual(estimate, rows)
