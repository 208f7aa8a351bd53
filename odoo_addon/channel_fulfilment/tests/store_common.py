"""A store connector user, the store's taxes and normalised orders as channel-sync sends them
(shop_connectors/contract.py, docs/connectors-contract.md), shared by the store import and store
update tests."""

import copy

from odoo.tests import new_test_user

from .common import ChannelData

STORE = "woo-main"


def store_order(external_id="1001", **changes):
    """A paid UK order: 2 docks at 150.00 + a mouse at 25.00, shipping 4.99, all 20 % VAT excluded."""
    order = {
        "external_id": external_id,
        "number": f"#{external_id}",
        "created": "2026-12-01T10:15:00Z",
        "modified": "2026-12-01T10:16:00Z",
        "hash": f"hash-{external_id}-1",
        "status": "open",
        "payment_state": "paid",
        "currency": "GBP",
        "prices_include_tax": False,
        "customer": {
            "email": "Ann.Smith@Example.com",
            "name": "Ann Smith",
            "phone": "0113 496 0000",
            "store_customer_id": "77",
        },
        "billing": {
            "name": "Ann Smith",
            "company": "",
            "street": "1 High St",
            "street2": "",
            "city": "Leeds",
            "zip": "LS1 1AA",
            "state_code": "",
            "country_code": "GB",
            "phone": "",
            "email": "ann.smith@example.com",
        },
        "shipping": None,
        "lines": [
            {
                "external_id": "55",
                "sku": "SKU-DOCK",
                "name": "USB-C dock",
                "qty": "2",
                "unit_price": "150.00",
                "tax_rates": ["20.0"],
            },
            {
                "external_id": "56",
                "sku": "SKU-MOUSE",
                "name": "Wireless mouse",
                "qty": "1",
                "unit_price": "25.00",
                "tax_rates": ["20.0"],
            },
        ],
        "shipping_lines": [{"name": "Flat rate", "price": "4.99", "tax_rates": ["20.0"]}],
        "discounts": [],
        # (300.00 + 25.00 + 4.99) = 329.99, VAT 66.00 (60.00 + 5.00 + 1.00 per line) → 395.99
        "total": "395.99",
        "total_tax": "66.00",
        "note": "",
    }
    for key, value in changes.items():
        order[key] = value
    return copy.deepcopy(order)


class StoreData(ChannelData):
    @classmethod
    def _setup_store_data(cls):
        cls._setup_channel_data()
        env = cls.env
        cls.env.company.tax_calculation_rounding_method = "round_per_line"
        Tax = env["account.tax"]
        cls.vat20 = Tax.create(
            {
                "name": "VAT 20%",
                "amount": 20.0,
                "amount_type": "percent",
                "type_tax_use": "sale",
                "sequence": 1,
            }
        )
        cls.vat20_included = Tax.create(
            {
                "name": "VAT 20% incl.",
                "amount": 20.0,
                "amount_type": "percent",
                "type_tax_use": "sale",
                "price_include_override": "tax_included",
                "sequence": 1,
            }
        )
        cls.vat5 = Tax.create(
            {"name": "VAT 5%", "amount": 5.0, "amount_type": "percent", "type_tax_use": "sale", "sequence": 1}
        )
        # A UK store: its orders come in pounds, through a pound pricelist (the test company's own
        # currency may be another).
        gbp = env.ref("base.GBP")
        gbp.active = True
        cls.gbp_pricelist = env["product.pricelist"].create(
            {"name": "UK store", "currency_id": gbp.id, "sequence": 1}
        )
        # As an administrator makes it (docs/odoo.md): the connector group alone, a key without expiry.
        cls.connector, cls.connector_key = env["res.users"]._channel_new_store_connector("sync-bot")
        cls.Orders = env["sale.order"].with_user(cls.connector)
        # A person working the inbox: plans, ships and accepts what the connector imported.
        cls.reseller = new_test_user(
            env, "reseller", groups="base.group_user,channel_fulfilment.group_inbox_manager"
        )

    def import_orders(self, *orders, store=STORE):
        answers = self.Orders.channel_import_orders(store, list(orders))
        self.env.invalidate_all()
        return answers

    def import_one(self, order, store=STORE):
        [answer] = self.import_orders(order, store=store)
        return answer, self.env["sale.order"].browse(answer["id"]) if answer["id"] else None

    def line_for(self, order, product):
        return order.order_line.filtered(lambda line: line.product_id == product)
