from lxml import etree
from odoo.exceptions import AccessError
from odoo.tests import Form, TransactionCase, tagged

from .common import OUR_SECRET
from .ui_common import InboxUiData


@tagged("post_install", "-at_install")
class TestInboxSecurity(InboxUiData, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_inbox_data()
        cls.rule = cls.env["channel.fulfilment.rule"].create(
            {
                "name": "Paid web orders",
                "channel_stores": "tour-shop",
                "require_paid": True,
                "min_margin_percent": 10.0,
                "action": "ship",
            }
        )

    # ------------------------------------------------------------------ groups

    def test_groups_use_privilege_and_imply_sales_and_purchase(self):
        user_group = self.env.ref("channel_fulfilment.group_inbox_user")
        manager_group = self.env.ref("channel_fulfilment.group_inbox_manager")
        self.assertEqual(
            user_group.privilege_id, self.env.ref("channel_fulfilment.res_groups_privilege_inbox")
        )
        self.assertEqual(manager_group.privilege_id, user_group.privilege_id)
        self.assertIn(user_group, manager_group.all_implied_ids)
        implied = user_group.all_implied_ids
        self.assertIn(self.env.ref("sales_team.group_sale_salesman"), implied)
        self.assertIn(self.env.ref("purchase.group_purchase_user"), implied)
        self.assertTrue(self.inbox_manager.has_group("channel_fulfilment.group_inbox_user"))
        self.assertFalse(self.sales_user.has_group("channel_fulfilment.group_inbox_user"))

    # ------------------------------------------------------------------ credentials

    def test_user_cannot_read_distributor_secrets(self):
        distributor = self.tdsynnex.with_user(self.inbox_user)
        for secret in ("cxml_shared_secret", "cxml_inbound_secret"):
            with self.subTest(secret=secret), self.assertRaises(AccessError):
                distributor.read([secret])
        self.assertNotIn("cxml_shared_secret", distributor.fields_get())
        # The rest of the distributor stays readable.
        self.assertEqual(distributor.read(["engine_id"])[0]["engine_id"], "TD")

    def test_user_form_has_no_secret_and_manager_form_masks_it(self):
        def partner_form_arch(user):
            views = self.env["res.partner"].with_user(user).get_views([(False, "form")])
            return etree.fromstring(views["views"]["form"]["arch"])

        user_arch = partner_form_arch(self.inbox_user)
        self.assertFalse(user_arch.xpath("//field[@name='cxml_shared_secret']"))
        self.assertFalse(user_arch.xpath("//field[@name='cxml_inbound_secret']"))
        self.assertTrue(user_arch.xpath("//page[@name='channel_distributor_readonly']"))

        manager_arch = partner_form_arch(self.inbox_manager)
        for secret in ("cxml_shared_secret", "cxml_inbound_secret"):
            nodes = manager_arch.xpath(f"//field[@name='{secret}']")
            self.assertTrue(nodes, secret)
            self.assertEqual(nodes[0].get("password"), "True", secret)
        self.assertFalse(manager_arch.xpath("//page[@name='channel_distributor_readonly']"))

        plain_arch = partner_form_arch(self.sales_user)
        self.assertFalse(plain_arch.xpath("//page[starts-with(@name, 'channel_distributor')]"))

    def test_manager_reads_and_edits_secrets_in_the_form(self):
        with Form(self.tdsynnex.with_user(self.inbox_manager)) as form:
            form.po_channel = "cxml"  # the credentials show for distributors reached by cXML
            form.cxml_url = "https://cxml.tdsynnex.example/order"
            self.assertEqual(form.cxml_shared_secret, OUR_SECRET)
            form.cxml_shared_secret = "rotated-secret"
        self.assertEqual(self.tdsynnex.cxml_shared_secret, "rotated-secret")
        self.assertEqual(self.tdsynnex.po_channel, "cxml")

    # ------------------------------------------------------------------ rules

    def test_manager_edits_rules(self):
        rule = self.rule.with_user(self.inbox_manager)
        with Form(rule) as form:
            form.min_margin_percent = 15.0
            form.max_order_value = 5000.0
        self.assertEqual(self.rule.min_margin_percent, 15.0)
        new_rule = (
            self.env["channel.fulfilment.rule"]
            .with_user(self.inbox_manager)
            .create({"name": "Quotes to review", "channel_stores": "quotation", "action": "review"})
        )
        new_rule.unlink()
        self.assertFalse(new_rule.exists())

    def test_inbox_user_reads_but_cannot_edit_rules(self):
        rule = self.rule.with_user(self.inbox_user)
        self.assertEqual(rule.name, "Paid web orders")
        with self.assertRaises(AccessError):
            rule.write({"min_margin_percent": 0.0})
        with self.assertRaises(AccessError):
            rule.create({"name": "Ship everything", "action": "ship"})
        with self.assertRaises(AccessError):
            rule.unlink()

    def test_plain_sales_user_cannot_edit_rules(self):
        rule = self.rule.with_user(self.sales_user)
        with self.assertRaises(AccessError):
            rule.write({"min_margin_percent": 0.0})
        with self.assertRaises(AccessError):
            rule.create({"name": "Ship everything", "action": "ship"})

    def test_freight_bands_are_manager_settings(self):
        values = {"partner_id": self.exertis.id, "max_kg": 5.0, "charge": 7.5}
        band = self.env["channel.freight.band"].with_user(self.inbox_manager).create(values)
        with self.assertRaises(AccessError):
            self.env["channel.freight.band"].with_user(self.inbox_user).create(values)
        with self.assertRaises(AccessError):
            band.with_user(self.inbox_user).write({"charge": 0.0})
        self.assertEqual(band.with_user(self.inbox_user).charge, 7.5)

    # ------------------------------------------------------------------ processing orders

    def test_user_processes_an_order(self):
        """An inbox user plans, changes a distributor and ships; the POs are theirs to see."""
        order = self._create_store_order("SEC-1", lines=[(self.mouse, 1, 25.0), (self.bag, 1, 45.0)])
        order = order.with_user(self.inbox_user)
        order.action_plan()
        self.assertEqual(order.inbox_state, "ready", order.review_reason)
        mouse_line = self.line_for(order, self.mouse)
        self.assertEqual(mouse_line.distributor_id, self.westcoast, "ships with the bag, free")
        with Form(order) as form, form.order_line.edit(order.order_line.ids.index(mouse_line.id)) as line:
            line.distributor_id = self.ingram
        self.assertEqual(mouse_line.distributor_id, self.ingram)
        order.action_ship()
        purchases = order.channel_purchase_ids
        self.assertEqual(purchases.partner_id, self.ingram | self.westcoast)
        ingram_line = purchases.order_line.filtered(lambda pol: pol.product_id == self.mouse)
        self.assertRecordValues(ingram_line, [{"partner_id": self.ingram.id, "price_unit": 10.0}])
        self.assertTrue(purchases.with_user(self.inbox_user).read(["channel_send_state"]))

    def test_plain_sales_and_purchase_users_open_inbox_documents(self):
        """The inbox additions to the sale and purchase forms never lock out users of those apps."""
        order = self._create_store_order("SEC-2")
        order.action_plan()
        order.action_ship()
        purchase = order.channel_purchase_ids[:1]
        self.assertTrue(purchase)
        with Form(purchase.with_user(self.purchase_user)) as form:
            self.assertEqual(form.channel_sale_id, order)
        order.user_id = self.sales_user
        with Form(order.with_user(self.sales_user)) as form:
            self.assertEqual(form.inbox_state, order.inbox_state)
            self.assertEqual(form.channel_store, "tour-shop")

    def test_user_cannot_delete_cxml_documents(self):
        document = self.env["channel.cxml.document"].create(
            {
                "payload_id": "1700000000.1@reseller.example",
                "direction": "in",
                "doc_type": "ShipNoticeRequest",
            }
        )
        self.assertEqual(document.with_user(self.inbox_user).doc_type, "ShipNoticeRequest")
        with self.assertRaises(AccessError):
            document.with_user(self.inbox_user).unlink()

    # ------------------------------------------------------------------ menus

    def test_menus_by_group(self):
        def visible_menus(user):
            return self.env["ir.ui.menu"].with_user(user)._visible_menu_ids()

        root = self.env.ref("channel_fulfilment.menu_root")
        rules_menu = self.env.ref("channel_fulfilment.channel_fulfilment_rule_menu")
        self.assertIn(root.id, visible_menus(self.inbox_user))
        self.assertNotIn(rules_menu.id, visible_menus(self.inbox_user))
        self.assertIn(rules_menu.id, visible_menus(self.inbox_manager))
        self.assertNotIn(root.id, visible_menus(self.sales_user))

    # ------------------------------------------------------------------ multi-company

    def test_rules_and_documents_stay_in_their_company(self):
        other = self.env["res.company"].create({"name": "Other Reseller Ltd"})
        foreign_rule = self.env["channel.fulfilment.rule"].create(
            {"name": "Other company's rule", "company_id": other.id, "action": "ship"}
        )
        foreign_document = self.env["channel.cxml.document"].create(
            {
                "payload_id": "other@reseller.example",
                "direction": "out",
                "doc_type": "OrderRequest",
                "company_id": other.id,
            }
        )
        Rule = self.env["channel.fulfilment.rule"].with_user(self.inbox_manager)
        self.assertIn(self.rule, Rule.search([]))
        self.assertNotIn(foreign_rule, Rule.search([]))
        with self.assertRaises(AccessError):
            foreign_rule.with_user(self.inbox_manager).read(["name"])
        Document = self.env["channel.cxml.document"].with_user(self.inbox_user)
        self.assertNotIn(foreign_document, Document.search([]))
        # Once allowed in the other company, the manager sees its rule.
        self.inbox_manager.company_ids |= other
        self.assertIn(
            foreign_rule,
            Rule.with_context(allowed_company_ids=[self.company.id, other.id]).search([]),
        )
