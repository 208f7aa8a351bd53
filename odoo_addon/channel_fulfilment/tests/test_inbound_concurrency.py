"""Documents for one purchase order arriving at the same moment (issue 11, class 4), over real HTTP with
real transactions: the registry stays out of test mode, so each request is its own transaction as in
production, and the data they share is committed here and removed afterwards."""

import logging
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from unittest.mock import patch

import requests
from odoo import SUPERUSER_ID, api
from odoo.modules.registry import DummyRLock, Registry
from odoo.tests import HttpCase, tagged

from fulfilment_engine.documents import cxml

from .common import OUR_IDENTITY, OUR_SECRET, build_ship_notice, committed_test_order


@tagged("post_install", "-at_install")
class TestInboundConcurrency(HttpCase):
    registry_test_mode = False

    def setUp(self):
        super().setUp()
        # Odoo's test run holds the registry lock while tests run; test mode swaps it for a dummy (and
        # every cursor for the test's own). Here only the lock is swapped: requests get real cursors.
        self.startPatcher(patch.object(Registry, "_lock", DummyRLock()))

    def _committed_purchase(self, quantity):
        """A shipped inbox order of `quantity` units from one cXML distributor, committed; returns ids."""
        tag = uuid.uuid4().hex[:8]
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            order = committed_test_order(
                env,
                "Racing",
                quantity,
                tag=tag,
                stock=500,
                cxml_from_identity=OUR_IDENTITY,
                cxml_sender_identity=OUR_IDENTITY,
                cxml_to_identity=f"RD-{tag}",
                cxml_shared_secret=OUR_SECRET,
                cxml_inbound_secret=f"rd-{tag}-secret",
            )
            order.action_ship()
            po = order.channel_purchase_ids
            product = order.order_line.product_id
            distributor = product.seller_ids.partner_id
            self.assertEqual(po.partner_id, distributor)
            cr.commit()
            ids = {
                "po": po.id,
                "order": order.id,
                "product": product.id,
                "partners": (distributor | order.partner_id).ids,
            }
        self.addCleanup(self._remove, ids)
        return ids

    def _remove(self, ids):
        """What other tests could see: the documents go; the rest is archived under its own names."""
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["channel.cxml.document"].search([("partner_id", "in", ids["partners"])]).unlink()
            env["product.product"].browse(ids["product"]).action_archive()
            env["res.partner"].browse(ids["partners"]).action_archive()
            cr.commit()

    def _notices(self, ids, count, *, same=False):
        with self.registry.cursor() as cr:
            po = api.Environment(cr, SUPERUSER_ID, {})["purchase.order"].browse(ids["po"])
            number = po.order_line.filtered(lambda pol: not pol.channel_charge_type).channel_line_number
            if same:
                return [
                    build_ship_notice(po, lines=[(number, 1)], payload_id=f"same-{po.name}@rd.example")
                ] * count
            return [
                build_ship_notice(
                    po,
                    lines=[(number, 1)],
                    tracking=(f"RACE-{n}",),
                    shipment_id=f"RACE-SHIP-{n}",
                    payload_id=f"race-{po.name}-{n}@rd.example",
                )
                for n in range(count)
            ]

    def _post_at_once(self, bodies):
        url = f"{self.base_url()}/channel_fulfilment/cxml/inbound"
        start = threading.Barrier(len(bodies))

        def post(body):
            start.wait()
            return requests.post(url, data=body, headers={"Content-Type": "text/xml"}, timeout=300)

        with self.allow_requests(all_requests=True), ThreadPoolExecutor(len(bodies)) as pool:
            return list(pool.map(post, bodies))

    def _state(self, ids):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            po = env["purchase.order"].browse(ids["po"])
            documents = env["channel.cxml.document"].search(
                [("purchase_id", "=", po.id), ("direction", "=", "in")]
            )
            goods = po.order_line.filtered(lambda pol: not pol.channel_charge_type)
            return (
                sorted(documents.mapped(lambda d: (d.state, d.attempts))),
                goods.qty_received,
                sorted(po.picking_ids.mapped(lambda p: (p.state, p.carrier_tracking_ref or ""))),
            )

    def test_ten_ship_notices_for_one_order_at_once_are_all_processed(self):
        ids = self._committed_purchase(10)
        with self.assertNoLogs(level=logging.ERROR):
            responses = self._post_at_once(self._notices(ids, 10))
        for response in responses:
            answer = cxml.parse_response(response.content)
            self.assertEqual((response.status_code, answer.code), (200, 200), answer.message)
            self.assertIn("Shipment recorded", answer.message)
            self.assertNotIn(b"serializ", response.content.lower())
        documents, received, pickings = self._state(ids)
        self.assertEqual(documents, [("processed", 1)] * 10)
        self.assertEqual(received, 10)
        self.assertEqual(pickings, sorted(("done", f"RACE-{n}") for n in range(10)))

    def test_the_same_notice_five_times_at_once_is_applied_once_without_errors_logged(self):
        ids = self._committed_purchase(3)
        with self.assertNoLogs(level=logging.ERROR):
            responses = self._post_at_once(self._notices(ids, 5, same=True))
        answers = [cxml.parse_response(response.content) for response in responses]
        self.assertEqual(
            [(r.status_code, a.code) for r, a in zip(responses, answers, strict=True)], [(200, 200)] * 5
        )
        self.assertEqual(sum("Already processed" in a.message for a in answers), 4)
        documents, received, _pickings = self._state(ids)
        self.assertEqual(documents, [("processed", 5)])
        self.assertEqual(received, 1)
