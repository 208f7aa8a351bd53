from odoo.tests import tagged
from odoo.tools.misc import file_open

from .common import ChannelCase

IMPORT_OPTIONS = {
    "import_skip_records": [],
    "import_set_empty_fields": [],
    "fallback_values": {},
    "name_create_enabled_fields": {},
    "encoding": "utf-8",
    "separator": ",",
    "quoting": '"',
    "date_format": "",
    "datetime_format": "",
    "float_thousand_separator": ",",
    "float_decimal_separator": ".",
    "advanced": True,
    "has_headers": True,
    "keep_matches": False,
    "limit": 2000,
    "skip": 0,
    "tracking_disable": True,
}


@tagged("post_install", "-at_install")
class TestImport(ChannelCase):
    """Orders from an ERP or CRM, loaded through Odoo's own import, land in the inbox as new orders."""

    def import_file(self, content, file_type, fields=None):
        wizard = self.env["base_import.import"].create(
            {"res_model": "sale.order", "file": content, "file_type": file_type}
        )
        preview = wizard.parse_preview(dict(IMPORT_OPTIONS))
        self.assertIsNone(preview.get("error"), preview.get("error"))
        if fields is None:  # let Odoo match the headers, as a person accepting the preview would
            fields = ["/".join(match) for match in preview["matches"].values()]
        result = wizard.execute_import(fields, preview["headers"], dict(IMPORT_OPTIONS))
        self.assertFalse(result["messages"], result["messages"])
        return self.env["sale.order"].browse(result["ids"])

    def test_csv_import_lands_in_the_inbox(self):
        csv = (
            "Customer,Store,Store order id,Lines/Product,Lines/Quantity,Lines/Unit Price\n"
            "Jane Buyer Ltd,erp-main,ERP-1001,SKU-LAPTOP,2,950\n"
            ",,,SKU-MOUSE,2,25\n"
            "Jane Buyer Ltd,erp-main,ERP-1002,SKU-DOCK,1,150\n"
        )
        orders = self.import_file(
            csv.encode(),
            "text/csv",
            fields=[
                "partner_id",
                "channel_store",
                "channel_external_id",
                "order_line/product_id",
                "order_line/product_uom_qty",
                "order_line/price_unit",
            ],
        )
        self.assertEqual(len(orders), 2)
        self.assertRecordValues(
            orders.sorted("channel_external_id"),
            [
                {
                    "channel_source": "import",
                    "is_inbox": True,
                    "inbox_state": "new",
                    "state": "draft",
                    "channel_store": "erp-main",
                    "channel_external_id": "ERP-1001",
                    "partner_id": self.customer.id,
                },
                {
                    "channel_source": "import",
                    "is_inbox": True,
                    "inbox_state": "new",
                    "state": "draft",
                    "channel_store": "erp-main",
                    "channel_external_id": "ERP-1002",
                    "partner_id": self.customer.id,
                },
            ],
        )
        first = orders.filtered(lambda o: o.channel_external_id == "ERP-1001")
        self.assertEqual(
            [(line.product_id, line.product_uom_qty, line.price_unit) for line in first.order_line],
            [(self.laptop, 2.0, 950.0), (self.mouse, 2.0, 25.0)],
        )
        # An imported order is an inbox order like any other: planning and Ship work on it.
        first.action_ship()
        self.assertTrue(first.channel_purchase_ids)

    def test_the_import_template_works(self):
        template = self.env["sale.order"].get_import_templates()[0]
        self.assertEqual(template["template"], "/channel_fulfilment/static/xls/orders_inbox_import.xlsx")
        with file_open("channel_fulfilment/static/xls/orders_inbox_import.xlsx", "rb") as f:
            content = f.read()
        # The records the template's sample rows name.
        partners = self.env["res.partner"]
        for name in ("Northwind Traders Ltd", "Contoso Retail plc"):
            partners |= partners.create({"name": name, "is_company": True})
        partners.create({"name": "Goods In", "parent_id": partners[0].id, "type": "delivery"})
        for sku in ("SKU-1001", "SKU-1002", "SKU-1003"):
            self.env["product.product"].create({"name": sku, "default_code": sku, "type": "consu"})
        orders = self.import_file(
            content, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        self.assertEqual(len(orders), 2)
        self.assertEqual(set(orders.mapped("inbox_state")), {"new"})
        self.assertEqual(set(orders.mapped("channel_source")), {"import"})
        self.assertEqual(sorted(len(order.order_line) for order in orders), [1, 2])
