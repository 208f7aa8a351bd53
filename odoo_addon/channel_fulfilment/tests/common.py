"""Records the business-logic tests share: four distributors with their freight rules, products with
their offers, a customer with a delivery address, and helpers that build inbox orders and cXML documents.

Figures are chosen so that the cheapest plan is not the cheapest unit cost (freight counts), a large
quantity must split, and a small order pays its distributor's small-order charge.
"""

import uuid
from datetime import UTC, datetime
from decimal import Decimal

from odoo import Command
from odoo.tests import TransactionCase

from fulfilment_engine.documents import cxml
from fulfilment_engine.simulators.cxml_supplier import CxmlSupplierSimulator

# Our credential at every distributor, and what each distributor signs its documents with.
OUR_IDENTITY = "RESELLER-1"
OUR_SECRET = "our-outbound-secret"


def offered_product(env, sku, name, price, weight, offers):
    """A product sold at `price` with a distributor vendor line per (partner, cost, stock) of `offers`, as
    a feed leaves it: the part number `<engine id>-<sku>`, the stock dated 2026-01-01 09:00."""
    product = env["product.product"].create(
        {
            "name": name,
            "default_code": sku,
            "type": "consu",
            "list_price": price,
            "weight": weight,
            "invoice_policy": "order",
        }
    )
    env["product.supplierinfo"].create(
        [
            {
                "partner_id": partner.id,
                "product_tmpl_id": product.product_tmpl_id.id,
                "price": cost,
                "min_qty": 0,
                "distributor_stock": stock,
                "product_code": f"{partner.engine_id}-{sku}",
                "stock_source": "feed",
                "stock_updated_at": datetime(2026, 1, 1, 9, 0),
            }
            for partner, cost, stock in offers
        ]
    )
    return product


def committed_test_order(env, prefix, quantity, *, tag=None, stock=50, **distributor_values):
    """For tests of concurrent transactions (the caller commits): a distributor of its own (`prefix` and
    `tag`, random by default, name it; `distributor_values` add e.g. its cXML credentials), one product
    only it offers at 12.00, a UK customer, and a paid store order of `quantity` of it. Returns the order."""
    tag = tag or uuid.uuid4().hex[:8]
    uk = env.ref("base.uk")
    distributor = env["res.partner"].create(
        {
            "name": f"{prefix} Distribution {tag}",
            "is_distributor": True,
            "engine_id": f"{prefix[:2].upper()}-{tag}",
            "email": f"orders-{tag}@{prefix.lower()}.example",
            "supplier_rank": 1,
            # The customer is in the UK, whatever the test database's company country is.
            "channel_ship_country_ids": [Command.set(uk.ids)],
            **distributor_values,
        }
    )
    product = env["product.product"].create(
        {
            "name": f"{prefix} item {tag}",
            "default_code": f"{prefix[:2].upper()}-{tag}",
            "type": "consu",
            "list_price": 20,
            "seller_ids": [
                Command.create({"partner_id": distributor.id, "price": 12.0, "distributor_stock": stock})
            ],
        }
    )
    customer = env["res.partner"].create(
        {
            "name": f"{prefix} Customer {tag}",
            "street": "1 Race Street",
            "city": "Leeds",
            "zip": "LS1 1AA",
            "country_id": uk.id,
        }
    )
    order = env["sale.order"].create(
        {
            "partner_id": customer.id,
            "channel_source": "store",
            "channel_store": f"{prefix.lower()}-store",
            "channel_external_id": tag,
            "channel_payment_state": "paid",
            "order_line": [Command.create({"product_id": product.id, "product_uom_qty": quantity})],
        }
    )
    return order


def build_ship_notice(
    po,
    *,
    lines=None,
    tracking=("1Z999AA10123456784",),
    carrier="UPS",
    payload_id=None,
    secret=None,
    shipment_id=None,
    operation="new",
    tracking_url="",
):
    """A ShipNoticeRequest as the distributor of `po` would send it (lines: [(lineNumber, qty)] or all;
    operation "delete" cancels the notice with that shipment_id)."""
    partner = po.partner_id.sudo()
    now = datetime.now(UTC)
    if lines is None:
        lines = [
            (line.channel_line_number, line.product_qty) for line in po.order_line if line.channel_line_number
        ]
    notice = cxml.ShipNotice(
        payload_id=payload_id
        or f"ship-{po.name}-{now.timestamp()}@{partner.cxml_to_identity.lower()}.example",
        order_id=po.name,
        shipment_id=shipment_id or f"SHIP-{po.name}",
        carrier=carrier,
        carrier_service="Standard",
        tracking_numbers=tuple(tracking),
        shipment_date=now,
        delivery_date=None,
        lines=tuple(
            cxml.ShipNoticeLine(line_number=number, quantity=Decimal(str(qty)), order_id=po.name)
            for number, qty in lines
        ),
        sender=cxml.Credential(
            "NetworkID", partner.cxml_to_identity, partner.cxml_inbound_secret if secret is None else secret
        ),
        from_=cxml.Credential("NetworkID", partner.cxml_to_identity),
        to=cxml.Credential("NetworkID", OUR_IDENTITY),
        timestamp=now,
        notice_date=now,
        order_ids=(po.name,),
        order_payload_ids=((po.name, po.channel_payload_id),),
        operation=operation,
        tracking_url=tracking_url,
    )
    return cxml.build_ship_notice_request(notice)


def build_confirmation(po, type_="accept", *, lines=(), payload_id=None, secret=None, comments=""):
    """A ConfirmationRequest from the distributor of `po`; lines: [(lineNumber, qty, type)]."""
    partner = po.partner_id.sudo()
    now = datetime.now(UTC)
    conf = cxml.Confirmation(
        payload_id=payload_id
        or f"conf-{po.name}-{now.timestamp()}@{partner.cxml_to_identity.lower()}.example",
        order_id=po.name,
        confirm_id=f"C-{po.name}",
        type=type_,
        notice_date=now,
        lines=tuple(
            cxml.ConfirmationLine(
                line_number=number,
                quantity=Decimal(str(qty)),
                type=line_type,
                ordered_quantity=Decimal(str(qty)),
            )
            for number, qty, line_type in lines
        ),
        sender=cxml.Credential(
            "NetworkID", partner.cxml_to_identity, partner.cxml_inbound_secret if secret is None else secret
        ),
        from_=cxml.Credential("NetworkID", partner.cxml_to_identity),
        to=cxml.Credential("NetworkID", OUR_IDENTITY),
        timestamp=now,
        order_payload_id=po.channel_payload_id,
        comments=comments,
    )
    return cxml.build_confirmation_request(conf)


class ChannelData:
    """Mixin: `_setup_channel_data(env)` builds the shared records on `cls`."""

    @classmethod
    def _setup_channel_data(cls):
        env = cls.env
        cls.company = env.company
        cls.company.write(
            {
                "channel_invoice_policy": "order",
                "channel_cxml_domain": "reseller.example",
                "street": "10 Reseller Road",
                "city": "Leeds",
                "zip": "LS1 1AA",
                "country_id": env.ref("base.uk").id,
                "email": "ops@reseller.example",
            }
        )
        Partner = env["res.partner"]

        def distributor(name, engine_id, **values):
            partner = Partner.create(
                {
                    "name": name,
                    "is_company": True,
                    "is_distributor": True,
                    "engine_id": engine_id,
                    "email": f"orders@{engine_id.lower()}.example",
                    "street": f"1 {name} Park",
                    "city": "Reading",
                    "zip": "RG1 1AA",
                    "country_id": env.ref("base.uk").id,
                    "supplier_rank": 1,
                    "cxml_from_identity": OUR_IDENTITY,
                    "cxml_sender_identity": OUR_IDENTITY,
                    "cxml_to_identity": f"{engine_id}-UK",
                    "cxml_shared_secret": OUR_SECRET,
                    "cxml_inbound_secret": f"{engine_id.lower()}-inbound-secret",
                    **values,
                }
            )
            return partner

        # Flat rate 9.95, free from 250.00 of goods.
        cls.ingram = distributor(
            "Ingram Micro UK", "ING", freight_type="flat", freight_charge=9.95, freight_free_over=250.0
        )
        # Weight bands: up to 2 kg 7.50, up to 30 kg 25.00, then 1.10 a started kg.
        cls.tdsynnex = distributor(
            "TD SYNNEX UK",
            "TD",
            freight_type="weight",
            freight_per_kg_over=1.10,
            freight_band_ids=[
                Command.create({"max_kg": 2, "charge": 7.50}),
                Command.create({"max_kg": 30, "charge": 25.00}),
            ],
        )
        # Ships free, but orders under 50.00 pay a 5.00 small order charge.
        cls.westcoast = distributor(
            "Westcoast", "WC", freight_type="none", small_order_threshold=50.0, small_order_charge=5.0
        )
        cls.exertis = distributor("Exertis", "EX", freight_type="flat", freight_charge=4.95)
        cls.westcoast_manager = Partner.create(
            {"name": "Wendy Account-Manager", "email": "wendy@wc.example", "parent_id": cls.westcoast.id}
        )
        cls.westcoast.account_manager_id = cls.westcoast_manager

        cls.customer = Partner.create(
            {
                "name": "Jane Buyer Ltd",
                "is_company": True,
                "email": "jane@buyer.example",
                "street": "1 Market Street",
                "city": "Manchester",
                "zip": "M1 1AE",
                "country_id": env.ref("base.uk").id,
            }
        )
        cls.delivery = Partner.create(
            {
                "name": "Jane Buyer (warehouse)",
                "type": "delivery",
                "parent_id": cls.customer.id,
                "street": "7 Dock Road",
                "city": "Salford",
                "zip": "M50 2EQ",
                "country_id": env.ref("base.uk").id,
            }
        )

        def product(sku, name, price, weight, offers):
            return offered_product(env, sku, name, price, weight, offers)

        cls.laptop = product(
            "SKU-LAPTOP",
            "Laptop 14",
            900.0,
            2.0,
            [(cls.ingram, 700.0, 10), (cls.tdsynnex, 690.0, 2), (cls.westcoast, 720.0, 50)],
        )
        cls.mouse = product(
            "SKU-MOUSE",
            "Wireless mouse",
            25.0,
            0.2,
            [
                (cls.ingram, 10.0, 100),
                (cls.tdsynnex, 9.5, 100),
                (cls.westcoast, 11.0, 100),
                (cls.exertis, 8.0, 0),
            ],
        )
        cls.dock = product(
            "SKU-DOCK", "USB-C dock", 150.0, 1.0, [(cls.ingram, 95.0, 5), (cls.westcoast, 99.0, 5)]
        )
        cls.cable = product("SKU-CABLE", "HDMI cable", 10.0, 0.1, [(cls.exertis, 2.0, 500)])
        cls.bag = product("SKU-BAG", "Laptop bag", 30.0, 0.5, [(cls.westcoast, 12.0, 20)])
        cls.service = env["product.product"].create(
            {"name": "Setup service", "type": "service", "list_price": 50.0, "invoice_policy": "order"}
        )

    @classmethod
    def _inbox_order(
        cls,
        lines,
        *,
        source="store",
        store="woo-main",
        external_id=None,
        payment="paid",
        partner=None,
        confirm=False,
    ):
        """An inbox order as a connector writes it; lines: [(product, qty)] or [(product, qty, price)]."""
        cls._order_counter = getattr(cls, "_order_counter", 0) + 1
        order = cls.env["sale.order"].create(
            {
                "partner_id": (partner or cls.customer).id,
                "partner_shipping_id": cls.delivery.id if partner is None else partner.id,
                "channel_source": source,
                "channel_store": store if source == "store" else False,
                "channel_external_id": external_id or f"EXT-{cls._order_counter}",
                "channel_payment_state": payment,
                "order_line": [
                    Command.create(
                        {
                            "product_id": line[0].id,
                            "product_uom_qty": line[1],
                            **({"price_unit": line[2]} if len(line) > 2 else {}),
                        }
                    )
                    for line in lines
                ],
            }
        )
        if confirm:
            order.action_confirm()
        return order

    @classmethod
    def _start_ingram_cxml_supplier(cls, *, timeout_s=None):
        """Ingram's cXML order endpoint: a real HTTP server on 127.0.0.1 (stopped after the class)."""
        cls.supplier = CxmlSupplierSimulator(
            buyer=cxml.Credential("NetworkID", OUR_IDENTITY, OUR_SECRET),
            supplier=cxml.Credential("NetworkID", "ING-UK", "ing-inbound-secret"),
        ).start()
        cls.addClassCleanup(cls.supplier.stop)
        cls.ingram.write({"po_channel": "cxml", "cxml_url": cls.supplier.url})
        if timeout_s is not None:
            cls.env["ir.config_parameter"].set_param("channel_fulfilment.cxml_timeout_s", str(timeout_s))

    def _ship_to_two_distributors(self):
        """12 laptops (Ingram 10, TD SYNNEX 2) and a mouse that rides with TD SYNNEX, shipped and sent."""
        self.order = self._inbox_order([(self.laptop, 12), (self.mouse, 1)])
        self.order.action_ship()
        self.order.channel_purchase_ids._channel_send()
        self.po_ing = self.order.channel_purchase_ids.filtered(lambda p: p.partner_id == self.ingram)
        self.po_td = self.order.channel_purchase_ids.filtered(lambda p: p.partner_id == self.tdsynnex)


class ChannelCase(ChannelData, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_channel_data()

    def line_for(self, order, product):
        return order.order_line.filtered(lambda line: line.product_id == product)

    def allocations_of(self, line):
        """{distributor: (qty, unit cost)} of a sale line's allocations."""
        return {a.distributor_id: (a.product_qty, a.unit_cost) for a in line.allocation_ids}
