"""Inbound duplicates per distributor, a backordered confirmation line, multi-company allocations and
the inbox's Today and by-store filters."""

from datetime import timedelta

from lxml import etree
from odoo import fields
from odoo.exceptions import AccessError
from odoo.fields import Domain
from odoo.tests import TransactionCase, tagged
from odoo.tools.safe_eval import safe_eval

from fulfilment_engine.documents import cxml

from .common import ChannelCase, build_confirmation, build_ship_notice
from .ui_common import InboxUiData


@tagged("post_install", "-at_install")
class TestInboundPerDistributor(ChannelCase):
    def setUp(self):
        super().setUp()
        self._ship_to_two_distributors()

    def receive(self, body):
        status, answer = self.env["channel.cxml.document"]._channel_receive(body)
        return status, cxml.parse_response(answer)

    def test_the_same_payload_id_from_two_distributors_is_processed_for_each(self):
        payload = "20260101.1@shipping.example"
        status, answer = self.receive(build_ship_notice(self.po_ing, payload_id=payload, tracking=("ING-1",)))
        self.assertEqual((status, answer.code), (200, 200))
        self.assertIn("Shipment recorded", answer.message)
        td_notice = build_ship_notice(self.po_td, payload_id=payload, tracking=("TD-1",))
        status, answer = self.receive(td_notice)
        self.assertEqual((status, answer.code), (200, 200))
        self.assertIn("Shipment recorded", answer.message, "not taken for Ingram's document")
        self.assertEqual(self.po_ing.picking_ids.carrier_tracking_ref, "ING-1")
        self.assertEqual(self.po_td.picking_ids.carrier_tracking_ref, "TD-1")
        self.assertEqual(self.order.inbox_state, "shipped")

        # The same document again from TD SYNNEX: nothing changes.
        pickings = self.order.channel_purchase_ids.picking_ids
        status, answer = self.receive(td_notice)
        self.assertEqual(status, 200)
        self.assertIn("Already processed", answer.message)
        self.assertEqual(self.order.channel_purchase_ids.picking_ids, pickings)
        documents = self.env["channel.cxml.document"].search([("payload_id", "=", payload)])
        self.assertEqual(
            sorted((d.partner_id.name, d.attempts, d.state) for d in documents),
            [("Ingram Micro UK", 1, "processed"), ("TD SYNNEX UK", 2, "processed")],
        )

    def test_a_backordered_line_goes_back_to_review_with_the_next_best_distributor(self):
        laptop_no = self.po_td.order_line.filtered(
            lambda pol: pol.product_id == self.laptop
        ).channel_line_number
        status, _answer = self.receive(
            build_confirmation(
                self.po_td, "detail", lines=[(laptop_no, 2, "backordered")], comments="ETA March"
            )
        )
        self.assertEqual(status, 200)
        self.assertEqual(self.order.inbox_state, "review")
        self.assertIn("TD SYNNEX UK backordered 2", self.order.review_reason)
        self.assertIn("ETA March", self.order.review_reason)
        laptop_line = self.line_for(self.order, self.laptop)
        self.assertIn(self.tdsynnex, laptop_line.channel_excluded_distributor_ids)
        proposal = laptop_line._channel_open_allocations()
        self.assertEqual((proposal.distributor_id, proposal.product_qty), (self.westcoast, 2.0))
        self.assertIn("Proposed: [SKU-LAPTOP] Laptop 14: 2 × ", self.order.review_reason)
        self.assertIn("from Westcoast", self.order.review_reason)
        self.assertEqual(self.po_td.state, "purchase", "the mouse still comes from TD SYNNEX")
        self.assertEqual(self.po_td.channel_send_state, "accepted")


@tagged("post_install", "-at_install")
class TestInboxRulesAndFilters(InboxUiData, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_inbox_data()

    def test_allocations_stay_in_their_company(self):
        other = self.env["res.company"].create({"name": "Other Reseller Ltd"})
        foreign_order = self.env["sale.order"].create(
            {
                "company_id": other.id,
                "partner_id": self.tour_customer.id,
                "channel_source": "store",
                "channel_store": "other-shop",
                "order_line": [fields.Command.create({"product_id": self.bag.id, "product_uom_qty": 1})],
            }
        )
        foreign = self.env["sale.order.line.allocation"].create(
            {"line_id": foreign_order.order_line.id, "distributor_id": self.westcoast.id, "product_qty": 1}
        )
        self.assertEqual(foreign.company_id, other)
        order = self._create_store_order("MC-1")
        order.action_plan()
        Allocation = self.env["sale.order.line.allocation"].with_user(self.inbox_user)
        visible = Allocation.search([])
        self.assertIn(order.allocation_ids[0], visible)
        self.assertNotIn(foreign, visible)
        with self.assertRaises(AccessError):
            foreign.with_user(self.inbox_user).read(["product_qty"])
        self.inbox_user.company_ids |= other
        self.assertIn(
            foreign, Allocation.with_context(allowed_company_ids=[self.company.id, other.id]).search([])
        )

    def _filter_domain(self, name):
        view = self.env.ref("channel_fulfilment.sale_order_view_search_inbox")
        arch = etree.fromstring(self.env["sale.order"].get_view(view.id, "search")["arch"])
        [node] = arch.xpath(f"//filter[@name='{name}']")
        return Domain(safe_eval(node.get("domain")))

    def test_today_and_store_filters_select_the_right_orders(self):
        inbox = Domain("is_inbox", "=", True)
        today = self._create_store_order("F-1")
        older = self._create_store_order("F-2")
        older.date_order = fields.Datetime.now() - timedelta(days=3)
        other_store = self._inbox_order([(self.bag, 1)], store="amazon-uk", external_id="F-3")
        SaleOrder = self.env["sale.order"].with_user(self.inbox_user)

        found = SaleOrder.search(inbox & self._filter_domain("filter_today"))
        self.assertIn(today, found)
        self.assertIn(other_store, found)
        self.assertNotIn(older, found)

        # "Store" in the search box: the store id typed, as the search view's field searches it.
        view = self.env.ref("channel_fulfilment.sale_order_view_search_inbox")
        arch = etree.fromstring(self.env["sale.order"].get_view(view.id, "search")["arch"])
        [store_field] = arch.xpath("//field[@name='channel_store']")
        self.assertFalse(store_field.get("filter_domain"), "searches the store id itself")
        found = SaleOrder.search(inbox & Domain("channel_store", "ilike", "tour-shop"))
        self.assertEqual(found & (today | older | other_store), today | older)
        found = SaleOrder.search(inbox & Domain("channel_store", "ilike", "amazon"))
        self.assertEqual(found & (today | older | other_store), other_store)

        # Group by store: one group per store with its count.
        groups = SaleOrder.formatted_read_group(
            inbox & Domain("id", "in", (today | older | other_store).ids), ["channel_store"], ["__count"]
        )
        self.assertEqual(
            {group["channel_store"]: group["__count"] for group in groups}, {"tour-shop": 2, "amazon-uk": 1}
        )
        [group_by] = arch.xpath("//filter[@name='groupby_channel_store']")
        self.assertEqual(safe_eval(group_by.get("context")), {"group_by": "channel_store"})
