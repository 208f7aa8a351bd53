from pathlib import Path

from lxml import etree
from odoo.tests import Form, TransactionCase, tagged
from odoo.tools.misc import file_path

from .ui_common import InboxUiData

TEMPLATE_DIR = Path(file_path("channel_fulfilment/static/xls"))


@tagged("post_install", "-at_install")
class TestInboxViews(InboxUiData, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_inbox_data()

    def _arch(self, model, view_type, view_ref=False, user=None):
        view_id = self.env.ref(view_ref).id if view_ref else False
        views = self.env[model].with_user(user or self.env.user).get_views([(view_id, view_type)])
        return etree.fromstring(views["views"][view_type]["arch"])

    # ------------------------------------------------------------------ the inbox

    def test_inbox_action_shows_unfinished_inbox_orders_by_state(self):
        action = self.env["ir.actions.act_window"]._for_xml_id("channel_fulfilment.sale_order_action_inbox")
        self.assertEqual(action["view_mode"].split(",")[:2], ["kanban", "list"])
        self.assertIn("search_default_groupby_inbox_state", action["context"])
        new_order = self._create_store_order("V-1")
        review_order = self._create_store_order("V-2")
        review_order.action_send_to_review("Customer asked to hold the order")
        done_order = self._create_store_order("V-3")
        done_order.inbox_state = "done"
        not_inbox = self.env["sale.order"].create({"partner_id": self.tour_customer.id})

        SaleOrder = self.env["sale.order"].with_user(self.inbox_user)
        domain = eval(action["domain"])
        found = SaleOrder.search(domain)
        self.assertIn(new_order, found)
        self.assertIn(review_order, found)
        self.assertNotIn(done_order, found)
        self.assertNotIn(not_inbox, found)
        # Counts per state, as the kanban columns and the list groups show them.
        groups = SaleOrder.formatted_read_group(
            [*domain, ("id", "in", (new_order | review_order).ids)], ["inbox_state"], ["__count"]
        )
        counts = {group["inbox_state"]: group["__count"] for group in groups}
        self.assertEqual(counts.get("new"), 1)
        self.assertEqual(counts.get("review"), 1)

    def test_inbox_columns_are_the_unfinished_states(self):
        """Kanban columns and list groups (group_expand): every unfinished state, empty or not; Done and
        Cancelled only when the records shown are in them."""
        SaleOrder = self.env["sale.order"].with_user(self.inbox_user).with_context(read_group_expand=True)
        orders = self._create_store_order("COL-1") | self._create_store_order("COL-2")

        def columns(records):
            groups = SaleOrder.formatted_read_group([("id", "in", records.ids)], ["inbox_state"], ["__count"])
            return [(group["inbox_state"], group["__count"]) for group in groups]

        unfinished = [
            ("new", 2),
            ("review", 0),
            ("ready", 0),
            ("sending", 0),
            ("ordered", 0),
            ("shipped", 0),
            ("invoiced", 0),
        ]
        self.assertEqual(columns(orders), unfinished)
        orders[1].inbox_state = "done"
        self.assertEqual(
            columns(orders), [("new", 1), *unfinished[1:], ("done", 1)], "a finished order shows its column"
        )

    def test_the_order_opens_its_purchase_orders_in_the_channel_view(self):
        order = self._create_store_order("POS-1")
        order.action_ship()
        purchases = order.channel_purchase_ids
        self.assertEqual(len(purchases), 2)
        action = order.with_user(self.inbox_user).action_view_channel_purchases()
        channel_action = self.env.ref("channel_fulfilment.purchase_order_action_channel")
        self.assertEqual(action["id"], channel_action.id)
        self.assertEqual(
            dict((mode, view) for view, mode in action["views"])["list"],
            self.env.ref("channel_fulfilment.purchase_order_view_list_channel").id,
            "the list with sending state, attempts and tracking",
        )
        self.assertEqual(self.env["purchase.order"].search(action["domain"]), purchases)
        # One purchase order opens in its form.
        purchases[1].channel_sale_id = False
        action = order.action_view_channel_purchases()
        self.assertEqual((action["view_mode"], action["res_id"]), ("form", purchases[0].id))
        self.assertEqual([mode for _view, mode in action["views"]], ["form"])

    def _assert_has(self, arch, tag, names):
        for name in names:
            self.assertTrue(arch.xpath(f"//{tag}[@name='{name}']"), f"{tag} {name}")

    def test_inbox_views_render_for_a_user(self):
        def arch(view_type):
            ref = f"channel_fulfilment.sale_order_view_{view_type}_inbox"
            return self._arch("sale.order", view_type, ref, self.inbox_user)

        kanban = arch("kanban")
        self.assertEqual(kanban.get("default_group_by"), "inbox_state")
        self._assert_has(kanban, "field", ["review_reason", "channel_source", "channel_store"])
        columns = ["inbox_state", "channel_source", "channel_store", "review_reason", "channel_payment_state"]
        inbox_list = arch("list")
        self._assert_has(inbox_list, "field", columns)
        self.assertTrue(inbox_list.xpath("//header/button[@name='action_ship']"), "Ship the selected orders")
        search = arch("search")
        filters = ["filter_today", "filter_review", "filter_ready", "filter_unpaid", "groupby_channel_store"]
        self._assert_has(search, "filter", filters)
        self.assertTrue(
            search.xpath("//field[@name='order_line'][contains(@filter_domain, 'distributor_id')]")
        )

    def test_search_filters_find_the_right_orders(self):
        review_order = self._create_store_order("V-10")
        review_order.action_send_to_review("Price moved")
        unpaid_order = self._create_store_order("V-11", channel_payment_state="pending")
        search = self._arch("sale.order", "search", "channel_fulfilment.sale_order_view_search_inbox")

        def filter_domain(name):
            return eval(search.xpath(f"//filter[@name='{name}']")[0].get("domain"))

        orders = review_order | unpaid_order
        self.assertEqual(orders.filtered_domain(filter_domain("filter_review")), review_order)
        self.assertEqual(orders.filtered_domain(filter_domain("filter_unpaid")), unpaid_order)
        review_order.action_plan()  # the bag can only come from Westcoast
        by_distributor = self.env["sale.order"].search(
            [("id", "in", orders.ids), ("order_line.distributor_id", "ilike", "westcoast")]
        )
        self.assertIn(review_order, by_distributor)
        self.assertNotIn(unpaid_order, by_distributor)

    def test_order_form_has_inbox_header_and_line_sourcing(self):
        form = self._arch("sale.order", "form", user=self.inbox_user)
        for button in ("action_plan", "action_ship", "action_invoice", "action_view_channel_purchases"):
            self.assertTrue(form.xpath(f"//button[@name='{button}']"), button)
        invoice = form.xpath("//button[@name='action_invoice']")[0]
        self.assertIn("channel_hide_invoice_button", invoice.get("invisible"))
        self.assertTrue(
            form.xpath("//div[hasclass('alert')]//field[@name='review_reason']")
            or form.xpath("//div[contains(@class, 'alert')]//field[@name='review_reason']")
        )
        line_list = form.xpath("//field[@name='order_line']/list")[0]
        for name in (
            "distributor_id",
            "planned_cost",
            "cost_edited",
            "distributor_stock",
            "distributor_stock_age",
        ):
            self.assertTrue(line_list.xpath(f"field[@name='{name}']"), name)
        # A plain salesperson sees the order but not the inbox buttons.
        plain = self._arch("sale.order", "form", user=self.sales_user)
        self.assertFalse(plain.xpath("//button[@name='action_ship']"))

    def test_changing_the_distributor_shows_its_cost_and_stock(self):
        order = self._create_store_order("V-20", lines=[(self.mouse, 1, 25.0), (self.bag, 1, 45.0)])
        order = order.with_user(self.inbox_user)
        order.action_plan()
        mouse_line = self.line_for(order, self.mouse)
        self.assertEqual(mouse_line.distributor_id, self.westcoast)
        index = order.order_line.ids.index(mouse_line.id)
        with Form(order) as form, form.order_line.edit(index) as line:
            line.distributor_id = self.ingram
            self.assertEqual(line.distributor_stock, 100)
            self.assertEqual(line.feed_cost, 10.0)
            self.assertEqual(line.planned_cost, 10.0)
            self.assertTrue(line.distributor_stock_age)
        self.assertEqual(mouse_line.distributor_id, self.ingram)
        self.assertFalse(mouse_line.cost_edited)
        with Form(order) as form, form.order_line.edit(index) as line:
            line.planned_cost = 9.0
        self.assertTrue(mouse_line.cost_edited)
        self.assertEqual(mouse_line.planned_cost, 9.0)
        self.assertEqual(mouse_line.allocation_ids.mapped("unit_cost"), [9.0])

    def test_hide_invoice_button_setting_reaches_the_order(self):
        order = self._create_store_order("V-30")
        self.assertFalse(order.channel_hide_invoice_button)
        self.company.channel_hide_invoice_button = True
        order.invalidate_recordset(["channel_hide_invoice_button"])
        self.assertTrue(order.channel_hide_invoice_button)

    # ------------------------------------------------------------------ other screens

    def test_settings_form_writes_the_company(self):
        with Form(self.env["res.config.settings"].with_user(self.env.ref("base.user_admin"))) as settings:
            settings.channel_invoice_policy = "delivery"
            settings.channel_auto_invoice_on_dispatch = True
            settings.channel_hide_invoice_button = True
            settings.channel_realtime_check = True
            settings.channel_price_tolerance = 3.5
            settings.channel_blind_dropship = True
            settings.channel_engine_config = "/etc/fulfil/fulfil.toml"
            settings.channel_offer_store_url = "sqlite:////var/lib/fulfil/offers.db"
        settings.save().execute()
        self.assertRecordValues(
            self.company,
            [
                {
                    "channel_invoice_policy": "delivery",
                    "channel_auto_invoice_on_dispatch": True,
                    "channel_hide_invoice_button": True,
                    "channel_realtime_check": True,
                    "channel_price_tolerance": 3.5,
                    "channel_blind_dropship": True,
                    "channel_engine_config": "/etc/fulfil/fulfil.toml",
                    "channel_offer_store_url": "sqlite:////var/lib/fulfil/offers.db",
                }
            ],
        )
        arch = self._arch("res.config.settings", "form")
        self.assertTrue(
            arch.xpath("//app[@name='channel_fulfilment']//setting[@id='channel_realtime_check']")
        )

    def test_distributor_form_edits_freight_bands_inline(self):
        with Form(self.exertis.with_user(self.inbox_manager)) as form:
            form.freight_type = "weight"
            form.freight_per_kg_over = 1.1
            with form.freight_band_ids.new() as band:
                band.max_kg = 2.0
                band.charge = 7.5
            with form.freight_band_ids.new() as band:
                band.max_kg = 30.0
                band.charge = 25.0
        self.assertEqual(self.exertis.freight_band_ids.mapped("max_kg"), [2.0, 30.0])
        self.assertEqual(self.exertis.freight_band_ids.mapped("charge"), [7.5, 25.0])

    def test_vendor_lines_show_distributor_stock(self):
        arch = self._arch("product.supplierinfo", "list", "product.product_supplierinfo_tree_view")
        for name in ("distributor_stock", "stock_source", "stock_age"):
            self.assertTrue(arch.xpath(f"//field[@name='{name}']"), name)
        line = self.cable.seller_ids
        self.assertEqual((line.distributor_stock, line.is_distributor_line), (500, True))

    def test_purchase_views_show_sending(self):
        form = self._arch("purchase.order", "form", user=self.inbox_user)
        buttons = form.xpath("//button[@name='action_channel_send']")
        self.assertEqual(sorted(button.get("string") for button in buttons), ["Retry", "Send now"])
        for name in (
            "channel_send_state",
            "channel_send_attempts",
            "channel_last_error",
            "channel_payload_id",
            "channel_tracking_refs",
        ):
            self.assertTrue(form.xpath(f"//field[@name='{name}']"), name)
        listing = self._arch("purchase.order", "list", "channel_fulfilment.purchase_order_view_list_channel")
        self.assertTrue(listing.xpath("//field[@name='channel_send_state']"))

    # ------------------------------------------------------------------ import template

    def _import_template(self, file_name, mimetype):
        content = (TEMPLATE_DIR / file_name).read_bytes()
        wizard = (
            self.env["base_import.import"]
            .with_user(self.inbox_user)
            .create(
                {
                    "res_model": "sale.order",
                    "file": content,
                    "file_name": file_name,
                    "file_type": mimetype,
                }
            )
        )
        options = {
            "has_headers": True,
            "quoting": '"',
            "separator": ",",
            "encoding": "utf-8",
            "float_thousand_separator": ",",
            "float_decimal_separator": ".",
            "date_format": "",
            "datetime_format": "",
        }
        preview = wizard.parse_preview(options)
        self.assertFalse(preview.get("error"), preview)
        # The mapping the import dialog proposes for each column of the template.
        fields = [
            "/".join(preview["matches"][index]) if index in preview["matches"] else False
            for index in range(len(preview["headers"]))
        ]
        self.assertNotIn(False, fields, f"unmapped template columns: {preview['headers']} -> {fields}")
        result = wizard.execute_import(fields, preview["headers"], options)
        self.assertFalse([m for m in result["messages"] if m.get("type") == "error"], result["messages"])
        return self.env["sale.order"].browse(result["ids"])

    def _create_template_records(self):
        """The customers and products the template's sample rows name."""
        self.template_products = self.env["product.product"].create(
            [
                {"name": name, "default_code": sku, "type": "consu"}
                for sku, name in (
                    ("SKU-1001", "Monitor 27in"),
                    ("SKU-1002", "USB-C Dock"),
                    ("SKU-1003", "HDMI Cable"),
                )
            ]
        )
        northwind = self.env["res.partner"].create({"name": "Northwind Traders Ltd", "is_company": True})
        goods_in = self.env["res.partner"].create(
            {"name": "Goods In", "parent_id": northwind.id, "type": "delivery", "city": "Leeds"}
        )
        contoso = self.env["res.partner"].create({"name": "Contoso Retail plc", "is_company": True})
        return northwind, goods_in, contoso

    def _check_imported(self, orders, northwind, goods_in, contoso):
        self.assertEqual(len(orders), 2)
        first = orders.filtered(lambda order: order.partner_id == northwind)
        second = orders.filtered(lambda order: order.partner_id == contoso)
        self.assertRecordValues(
            first,
            [
                {
                    "partner_shipping_id": goods_in.id,
                    "client_order_ref": "NW-PO-4711",
                    "channel_source": "import",
                    "is_inbox": True,
                    "inbox_state": "new",
                }
            ],
        )
        monitor, dock, cable = self.template_products
        self.assertEqual(first.order_line.product_id, monitor | dock)
        self.assertEqual(first.order_line.mapped("product_uom_qty"), [3.0, 1.0])
        self.assertEqual(first.order_line.mapped("price_unit"), [129.0, 54.5])
        self.assertRecordValues(
            second.order_line,
            [{"product_id": cable.id, "product_uom_qty": 10.0, "price_unit": 8.99}],
        )
        inbox = self.env["sale.order"].search(
            [("is_inbox", "=", True), ("inbox_state", "not in", ("done", "cancelled"))]
        )
        self.assertLessEqual(orders, inbox)

    def test_xlsx_import_template_creates_inbox_orders(self):
        partners = self._create_template_records()
        orders = self._import_template(
            "orders_inbox_import.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        self._check_imported(orders, *partners)

    def test_csv_import_template_creates_inbox_orders(self):
        partners = self._create_template_records()
        orders = self._import_template("orders_inbox_import.csv", "text/csv")
        self._check_imported(orders, *partners)

    def test_import_template_is_offered(self):
        templates = self.env["sale.order"].get_import_templates()
        paths = [template["template"] for template in templates]
        self.assertIn("/channel_fulfilment/static/xls/orders_inbox_import.xlsx", paths)
        self.assertTrue((TEMPLATE_DIR / "orders_inbox_import.xlsx").exists())
