"""Back to the store: channel_pending_updates lists what a store should be told after a drop-ship delivery,
channel_updates_sent records what it accepted."""

import json
import logging

from odoo.tests import TransactionCase, tagged

from .common import build_ship_notice
from .store_common import STORE, StoreData, store_order

_logger = logging.getLogger(__name__)


@tagged("post_install", "-at_install")
class TestStoreUpdates(StoreData, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_store_data()

    def _shipped_to_distributor(self, external_id):
        """A store order of two docks, shipped (one PO) and sent to its distributor."""
        data = store_order(
            external_id,
            lines=[
                {
                    "external_id": "55",
                    "sku": "SKU-DOCK",
                    "name": "USB-C dock",
                    "qty": "2",
                    "unit_price": "150.00",
                    "tax_rates": ["20.0"],
                }
            ],
            shipping_lines=[],
            total="360.00",
        )
        _a, order = self.import_one(data)
        self.assertEqual(order.inbox_state, "new")
        order.action_ship()
        order.channel_purchase_ids._channel_send()
        self.assertEqual(len(order.channel_purchase_ids), 1)
        return order, order.channel_purchase_ids

    def pending(self):
        return self.env["sale.order"].with_user(self.connector).channel_pending_updates(STORE)

    def sent(self, keys):
        return self.env["sale.order"].with_user(self.connector).channel_updates_sent(STORE, keys)

    def test_a_ship_notice_makes_tracking_then_completed_once_tracking_is_acknowledged(self):
        order, po = self._shipped_to_distributor("2001")
        self.assertEqual(self.pending(), [])
        status, _answer = self.env["channel.cxml.document"]._channel_receive(
            build_ship_notice(
                po,
                tracking=("1Z999AA1", "1Z999AA2"),
                carrier="UPS",
                tracking_url="https://ups.example/track?n=1Z999AA1",
            )
        )
        self.assertEqual(status, 200)
        self.assertEqual(order.inbox_state, "shipped")
        picking = po.picking_ids
        updates = self.pending()
        _logger.info("pending updates: %s", json.dumps(updates))
        lines = [{"line_external_id": "55", "sku": "SKU-DOCK", "qty": "2"}]
        common = {
            "order_id": order.id,
            "order_external_id": "2001",
            "picking_id": picking.id,
            "carrier": "UPS Standard",
            "tracking_url": "https://ups.example/track?n=1Z999AA1",
            "lines": lines,
        }
        self.assertEqual(
            updates,
            [
                {
                    "key": f"tracking:{picking.id}:1Z999AA1",
                    "kind": "tracking",
                    "tracking_numbers": ["1Z999AA1"],
                    **common,
                },
                {
                    "key": f"tracking:{picking.id}:1Z999AA2",
                    "kind": "tracking",
                    "tracking_numbers": ["1Z999AA2"],
                    **common,
                },
                {
                    "key": f"fulfillment:{picking.id}",
                    "kind": "fulfillment",
                    "tracking_numbers": ["1Z999AA1", "1Z999AA2"],
                    **common,
                },
            ],
        )
        # One number acknowledged: "completed" still waits for the other. A store that acknowledges
        # tracking is a WooCommerce store: Shopify's fulfillment is no longer listed for it.
        self.assertEqual(self.sent([f"tracking:{picking.id}:1Z999AA1"]), 1)
        self.assertEqual(self.sent([f"tracking:{picking.id}:1Z999AA1"]), 0, "idempotent")
        self.assertEqual(self.env["channel.store"]._channel_for_code(STORE).platform, "woocommerce")
        self.assertEqual([u["key"] for u in self.pending()], [f"tracking:{picking.id}:1Z999AA2"])
        self.assertEqual(self.sent([f"tracking:{picking.id}:1Z999AA2"]), 1)
        updates = self.pending()
        self.assertEqual(
            updates,
            [
                {
                    "key": f"completed:{order.id}",
                    "kind": "completed",
                    "order_id": order.id,
                    "order_external_id": "2001",
                    "picking_id": None,
                    "tracking_numbers": [],
                    "carrier": "",
                    "tracking_url": "",
                    "lines": [],
                }
            ],
        )
        self.assertEqual(self.sent([f"completed:{order.id}"]), 1)
        self.assertEqual(self.pending(), [])

    def test_a_person_types_a_tracking_number_and_validates(self):
        _order, po = self._shipped_to_distributor("2002")
        carrier = self.env["delivery.carrier"].create(
            {
                "name": "Royal Mail",
                "product_id": self.env.ref("channel_fulfilment.product_channel_store_shipping").id,
            }
        )
        picking = po.picking_ids
        picking.write({"carrier_tracking_ref": "RM123456789GB", "carrier_id": carrier.id})
        for move in picking.move_ids:
            move.quantity = move.product_uom_qty
            move.picked = True
        picking.button_validate()
        self.assertEqual(picking.state, "done")
        updates = self.pending()
        self.assertEqual(
            [(u["key"], u["carrier"], u["tracking_numbers"], u["lines"]) for u in updates],
            [
                (
                    f"tracking:{picking.id}:RM123456789GB",
                    "Royal Mail",
                    ["RM123456789GB"],
                    [{"line_external_id": "55", "sku": "SKU-DOCK", "qty": "2"}],
                ),
                (
                    f"fulfillment:{picking.id}",
                    "Royal Mail",
                    ["RM123456789GB"],
                    [{"line_external_id": "55", "sku": "SKU-DOCK", "qty": "2"}],
                ),
            ],
        )

    def test_a_shopify_store_is_told_each_delivery_once(self):
        order, po = self._shipped_to_distributor("2005")
        self.env["channel.cxml.document"]._channel_receive(
            build_ship_notice(po, tracking=("DPD7",), carrier="DPD")
        )
        picking = po.picking_ids
        self.assertEqual([u["key"] for u in self.pending()][-1], f"fulfillment:{picking.id}")
        self.assertEqual(self.sent([f"fulfillment:{picking.id}"]), 1)
        self.assertEqual(self.env["channel.store"]._channel_for_code(STORE).platform, "shopify")
        self.assertEqual(self.pending(), [], "no tracking nor completed for a Shopify store")
        self.assertEqual(order.inbox_state, "shipped")

    def test_a_store_of_a_known_platform_gets_only_its_kind(self):
        _order, po = self._shipped_to_distributor("2003")
        self.env["channel.cxml.document"]._channel_receive(
            build_ship_notice(po, tracking=("DPD1",), carrier="DPD")
        )
        store = self.env["channel.store"]._channel_for_code(STORE)
        store.platform = "shopify"
        self.assertEqual([u["kind"] for u in self.pending()], ["fulfillment"])
        store.platform = "woocommerce"
        self.assertEqual([u["kind"] for u in self.pending()], ["tracking"])

    def test_other_stores_updates_are_not_listed_nor_a_delivery_without_tracking(self):
        order, po = self._shipped_to_distributor("2004")
        self.env["channel.cxml.document"]._channel_receive(build_ship_notice(po, tracking=(), carrier="DPD"))
        self.assertEqual(po.picking_ids.state, "done")
        self.assertEqual(
            [u["key"] for u in self.pending()],
            [f"completed:{order.id}"],
            "no tracking to send first: completed at once",
        )
        self.assertEqual(
            [
                u["kind"]
                for u in self.env["sale.order"]
                .with_user(self.connector)
                .channel_pending_updates("other-store")
            ],
            [],
        )
