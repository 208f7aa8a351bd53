"""The store connector's key, tried as a thief would (issue 15, §1): the connector's user can exchange
orders with its stores through three methods and do nothing else — in the ORM (Odoo's access-rights
tests' way: `with_user`, AccessError expected) and over real HTTP with a real API key (JSON-2, /json/1,
XML-RPC)."""

import xmlrpc.client

from odoo.exceptions import AccessError, ValidationError
from odoo.fields import Command
from odoo.tests import HttpCase, TransactionCase, new_test_user, tagged
from odoo.tools import mute_logger

from .common import build_ship_notice
from .store_common import STORE, StoreData, store_order

CONNECTOR_GROUP = "channel_fulfilment.group_store_connector"
# Every model the module reads or writes, its own and Odoo's.
MODELS = (
    "sale.order",
    "sale.order.line",
    "sale.order.line.allocation",
    "purchase.order",
    "purchase.order.line",
    "res.partner",
    "res.users",
    "res.users.apikeys",
    "res.company",
    "res.groups",
    "account.move",
    "account.move.line",
    "account.journal",
    "account.tax",
    "account.payment",
    "mail.message",
    "mail.activity",
    "channel.store",
    "channel.store.update",
    "channel.cxml.document",
    "channel.fulfilment.rule",
    "channel.freight.band",
    "stock.picking",
    "stock.move",
    "product.product",
    "product.template",
    "product.supplierinfo",
    "product.pricelist",
    "delivery.carrier",
    "ir.config_parameter",
)
# Public actions a person uses on the records the connector's orders become.
ACTIONS = {
    "sale.order": (
        "action_ship",
        "action_confirm",
        "action_cancel",
        "action_plan",
        "action_mark_ready",
        "action_channel_accept_import_differences",
        "action_invoice",
        "action_send_to_review",
    ),
    "purchase.order": ("action_channel_send", "button_confirm", "button_cancel", "button_approve"),
    "account.move": ("action_post", "button_cancel"),
    "stock.picking": ("button_validate", "action_cancel"),
}


class ConnectorRecords(StoreData):
    """An imported order shipped by a person (a purchase order, its delivery), an invoice, a rule: a
    record of each model for the connector to be refused on."""

    @classmethod
    def _setup_connector_records(cls):
        cls._setup_store_data()
        [answer] = cls.Orders.channel_import_orders(STORE, [store_order("9001")])
        cls.order = cls.env["sale.order"].browse(answer["id"])
        cls.order.with_user(cls.reseller).action_ship()
        cls.order.channel_purchase_ids._channel_send()
        cls.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": cls.order.partner_id.id,
                "invoice_line_ids": [Command.create({"name": "Dock", "quantity": 1, "price_unit": 150.0})],
            }
        )
        cls.env["channel.fulfilment.rule"].create({"name": "Paid orders", "action": "ship"})
        cls.env["channel.store.update"].create(
            {"store_id": cls.env["channel.store"]._channel_for_code(STORE).id, "key": "completed:1"}
        )

    def some(self, model):
        """The latest record of `model` (an empty recordset when there is none: only its model is tried)."""
        return self.env[model].sudo().with_context(active_test=False).search([], limit=1, order="id desc")


@tagged("post_install", "-at_install")
class TestStoreConnectorAccess(ConnectorRecords, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_connector_records()

    def test_the_group_implies_nothing_and_is_a_user_type_of_its_own(self):
        group = self.env.ref(CONNECTOR_GROUP)
        self.assertFalse(group.implied_ids)
        self.assertEqual(self.connector.all_group_ids, group)
        self.assertTrue(self.connector.share, "not an internal user")
        for other in (
            "base.group_user",
            "channel_fulfilment.group_inbox_user",
            "sales_team.group_sale_salesman",
            "purchase.group_purchase_user",
            "account.group_account_invoice",
        ):
            self.assertFalse(self.connector.has_group(other), other)
        self.assertIn(group, self.env["res.groups"]._get_user_type_groups())
        # Odoo's own check of user types: nobody is a connector and a person at once, from either side.
        with self.assertRaises(ValidationError), self.cr.savepoint():
            self.connector.group_ids = [Command.link(self.env.ref("base.group_user").id)]
        with self.assertRaises(ValidationError), self.cr.savepoint():
            self.reseller.group_ids = [Command.link(group.id)]
        with self.assertRaises(ValidationError), self.cr.savepoint():
            group.user_ids = [Command.link(self.env.ref("base.user_admin").id)]

    @mute_logger("odoo.addons.base.models.ir_model", "odoo.addons.base.models.ir_rule", "odoo.models")
    def test_every_model_the_module_touches_refuses_read_write_create_unlink(self):
        for model in MODELS:
            Model = self.env[model].with_user(self.connector)
            record = self.some(model).with_user(self.connector)
            # create() and write() may read their values before they check (account.move.line's do):
            # for them the check itself, the one they make; JSON-2 below sends the real calls.
            operations = {
                "search_read": lambda M=Model: M.search_read([], ["id"], limit=1),
                "create": lambda M=Model: M.check_access("create"),
            }
            if record:
                operations.update(
                    {
                        "read": lambda r=record: r.read(["display_name"]),
                        "write": lambda r=record: r.check_access("write"),
                        "unlink": lambda r=record: r.unlink(),
                    }
                )
            for operation, call in operations.items():
                with self.subTest(model=model, operation=operation), self.assertRaises(AccessError):
                    call()

    @mute_logger("odoo.addons.base.models.ir_model", "odoo.addons.base.models.ir_rule", "odoo.models")
    def test_every_public_action_is_refused(self):
        before = (self.order.inbox_state, self.order.state, self.order.channel_purchase_ids.mapped("state"))
        for model, actions in ACTIONS.items():
            record = self.some(model).with_user(self.connector)
            self.assertTrue(record, model)
            for action in actions:
                with self.subTest(model=model, action=action), self.assertRaises(AccessError):
                    getattr(record, action)()
        after = (self.order.inbox_state, self.order.state, self.order.channel_purchase_ids.mapped("state"))
        self.assertEqual(after, before, "nothing the connector tried changed the order")

    def test_the_three_methods_check_the_caller_then_work_with_elevated_rights(self):
        self.assertEqual(self.import_one(store_order("9002"))[0]["result"], "created")
        self.assertEqual(self.Orders.channel_pending_updates(STORE), [])
        self.assertEqual(self.Orders.channel_updates_sent(STORE, []), 0)
        with self.assertRaises(AccessError):  # a person, even a manager, is not the connector
            self.env["sale.order"].with_user(self.reseller).channel_import_orders(
                STORE, [store_order("9003")]
            )

    def test_a_store_naming_its_connector_users_is_theirs_alone(self):
        other, _key = self.env["res.users"]._channel_new_store_connector("other-sync")
        Store = self.env["channel.store"]
        mine = Store._channel_for_code(STORE)
        theirs = Store._channel_for_code("shopify-main")
        theirs.connector_user_ids = other
        # A store names a connector user now: the rest need to be named too.
        with self.assertRaises(AccessError):
            self.Orders.channel_import_orders(STORE, [store_order("9004")])
        mine.connector_user_ids = self.connector
        self.assertEqual(self.import_one(store_order("9004"))[0]["result"], "created")
        for call in (
            lambda: self.Orders.channel_import_orders("shopify-main", [store_order("9005")]),
            lambda: self.Orders.channel_pending_updates("shopify-main"),
            lambda: self.Orders.channel_updates_sent("shopify-main", []),
            lambda: self.Orders.channel_import_orders("brand-new-store", [store_order("9006")]),
        ):
            with self.assertRaises(AccessError):
                call()
        self.assertFalse(Store.search([("code", "=", "brand-new-store")]), "no store made by a refused call")
        self.assertFalse(self.env["sale.order"].search([("channel_external_id", "in", ["9005", "9006"])]))

    def test_store_ids_are_those_of_sync_toml(self):
        for bad in ("", "a" * 65, "shop main", "shop/../x", "ünï", 42, None, ["woo-main"]):
            with self.subTest(store=bad), self.assertRaises(ValidationError):
                self.Orders.channel_import_orders(bad, [store_order("9007")])
        # The first import of a new, valid id still makes its store.
        self.assertEqual(self.import_one(store_order("9008"), store="shop.eu_2")[0]["result"], "created")
        self.assertTrue(self.env["channel.store"].search([("code", "=", "shop.eu_2")]))

    def test_only_keys_listed_to_the_store_are_acknowledged(self):
        po = self.order.channel_purchase_ids
        self.env["channel.cxml.document"]._channel_receive(build_ship_notice(po, tracking=("1ZKEY1",)))
        picking = po.picking_ids
        listed = [u["key"] for u in self.Orders.channel_pending_updates(STORE)]
        self.assertIn(f"tracking:{picking.id}:1ZKEY1", listed)
        # Another store's keys, and made-up ones, are refused: nothing is recorded.
        self.Orders.channel_import_orders("other-store", [store_order("9009")])
        for keys in (
            [f"tracking:{picking.id}:1ZKEY1"],  # listed to woo-main, not to other-store
            [f"completed:{self.order.id}"],
        ):
            with self.subTest(keys=keys), self.assertRaisesRegex(ValidationError, "never listed"):
                self.Orders.channel_updates_sent("other-store", keys)
        with self.assertRaisesRegex(ValidationError, r"keys\[1\].*never listed"):
            self.Orders.channel_updates_sent(STORE, [listed[0], "tracking:1:made-up"])
        self.assertEqual(self.Orders.channel_pending_updates(STORE)[0]["key"], listed[0], "nothing recorded")
        self.assertEqual(self.Orders.channel_updates_sent(STORE, listed), len(listed))
        self.assertEqual(self.Orders.channel_updates_sent(STORE, listed), 0, "idempotent")


@tagged("post_install", "-at_install")
class TestStoreConnectorKeyOverHttp(ConnectorRecords, HttpCase):
    """The key itself, over the doors Odoo opens to an API key."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_connector_records()

    def post(self, path, payload):
        self.env.flush_all()  # the server reads the database, not this test's pending writes
        response = self.url_open(
            path,
            json=payload,
            headers={"Authorization": f"bearer {self.connector_key}", "X-Odoo-Database": self.env.cr.dbname},
        )
        self.env.invalidate_all()
        return response

    def assertAccessError(self, response, what):
        self.assertEqual(response.status_code, 403, f"{what}: {response.text[:300]}")
        self.assertEqual(response.json()["name"], "odoo.exceptions.AccessError", what)

    @mute_logger("odoo.http")
    def test_json2_answers_access_error_to_everything_but_the_three_methods(self):
        for model in MODELS:
            ids = self.some(model).ids
            calls = {
                "search_read": {"domain": [], "fields": ["id"], "limit": 1},
                "read": {"ids": ids, "fields": ["display_name"]},
                "write": {"ids": ids, "vals": {}},
                "create": {"vals_list": [{}]},
                "unlink": {"ids": ids},
                "fields_get": {"attributes": ["type"]},
            }
            for method, payload in calls.items():
                with self.subTest(model=model, method=method):
                    self.assertAccessError(
                        self.post(f"/json/2/{model}/{method}", payload), f"{model}.{method}"
                    )
        state = self.order.inbox_state
        for model, actions in ACTIONS.items():
            ids = self.some(model).ids
            for action in actions:
                with self.subTest(model=model, action=action):
                    response = self.post(f"/json/2/{model}/{action}", {"ids": ids})
                    self.assertAccessError(response, f"{model}.{action}")
        # The three methods themselves, but with a context (other defaults for what they make) or ids.
        for payload in (
            {"store": STORE, "orders": [store_order("9101")], "context": {"default_inbox_state": "ready"}},
            {"store": STORE, "orders": [store_order("9101")], "ids": [self.order.id]},
        ):
            self.assertAccessError(
                self.post("/json/2/sale.order/channel_import_orders", payload), str(payload)
            )
        self.assertFalse(self.env["sale.order"].search([("channel_external_id", "=", "9101")]))
        self.assertEqual(self.order.inbox_state, state)

    @mute_logger("odoo.http", "odoo.addons.rpc.controllers.xmlrpc")  # XML-RPC: deprecated, says so
    def test_the_three_methods_answer_and_other_doors_are_shut(self):
        created = self.post(
            "/json/2/sale.order/channel_import_orders", {"store": STORE, "orders": [store_order("9102")]}
        )
        self.assertEqual((created.status_code, created.json()[0]["result"]), (200, "created"), created.text)
        self.assertEqual(
            self.post("/json/2/sale.order/channel_pending_updates", {"store": STORE}).status_code, 200
        )
        acknowledged = self.post("/json/2/sale.order/channel_updates_sent", {"store": STORE, "keys": ["x:1"]})
        self.assertEqual(acknowledged.status_code, 422, acknowledged.text)  # never listed: refused, named
        self.assertIn("never listed", acknowledged.json()["message"])
        # /json/1 (the web client's read API by key) is another door of the same key.
        response = self.url_open(
            f"/json/1/sale.order/{self.order.id}",
            headers={"Authorization": f"bearer {self.connector_key}", "X-Odoo-Database": self.env.cr.dbname},
        )
        self.assertEqual(response.status_code, 403, response.text[:300])
        self.assertNotIn(self.order.name, response.text)
        # XML-RPC takes an API key in place of a password: not the connector's.
        common = xmlrpc.client.ServerProxy(f"{self.base_url()}/xmlrpc/2/common")
        db = self.env.cr.dbname
        with self.allow_requests(all_requests=True):
            self.assertFalse(common.authenticate(db, self.connector.login, self.connector_key, {}))
            models = xmlrpc.client.ServerProxy(f"{self.base_url()}/xmlrpc/2/object")
            with self.assertRaises(xmlrpc.client.Fault):
                models.execute_kw(
                    db, self.connector.id, self.connector_key, "sale.order", "search_read", [[]]
                )
        # A person's key still works everywhere it did.
        clerk = new_test_user(
            self.env, "clerk-key", groups="base.group_user,channel_fulfilment.group_inbox_user"
        )
        clerk_key = self.env["res.users.apikeys"].with_user(clerk).sudo()._generate("rpc", "clerk", None)
        self.env.flush_all()
        response = self.url_open(
            "/json/2/sale.order/search_count",
            json={"domain": [("id", "=", self.order.id)]},
            headers={"Authorization": f"bearer {clerk_key}", "X-Odoo-Database": self.env.cr.dbname},
        )
        self.assertEqual((response.status_code, response.json()), (200, 1))
