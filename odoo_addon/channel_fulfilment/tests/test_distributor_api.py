"""Ingram Micro over its own API, end to end over real HTTP from Odoo to the local Ingram Reseller API v6
simulator: placing the order once whatever is lost, Ingram's refusals and rejected lines, status and
backorders on the PO lines, shipments onto the drop-ship delivery, late warnings, invoices into the bill
matcher, cancellations asked of Ingram first, and every call kept in the PO's log."""

import shutil
import tempfile
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from fulfilment_engine.simulators.host import SimulatorHost
from fulfilment_engine.simulators.ingram import IngramSimulator
from fulfilment_engine.simulators.stock import StockLine, StockTable

from .common import ChannelCase, offered_product


class _Crash(Exception):
    """The worker dies between sending and committing."""


@tagged("post_install", "-at_install")
class TestDistributorApi(ChannelCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        currency = cls.company.currency_id.name
        # Two products only Ingram offers, so every order here is Ingram's alone.
        cls.server = offered_product(cls.env, "SKU-SERVER", "Server", 500.0, 8.0, [(cls.ingram, 300.0, 50)])
        cls.switch = offered_product(cls.env, "SKU-SWITCH", "Switch", 80.0, 1.0, [(cls.ingram, 45.0, 50)])
        cls.ingram_stock = StockTable(
            {
                "ING-SKU-SERVER": StockLine(50, Decimal("300.00"), currency, "SV-1", "Server"),
                "ING-SKU-SWITCH": StockLine(50, Decimal("45.00"), currency, "SW-8", "Switch"),
            }
        )
        cls.sim = IngramSimulator(cls.ingram_stock, customer_number="20-123456")
        cls.host = SimulatorHost()
        cls.host.add("ingram", cls.sim)
        cls.host.start()
        cls.addClassCleanup(cls.host.stop)
        folder = Path(tempfile.mkdtemp(prefix="cf-ingram-api-"))
        cls.addClassCleanup(shutil.rmtree, folder, ignore_errors=True)
        account = cls.sim.realtime_config()
        config = folder / "fulfil.toml"
        config.write_text(
            '[[distributors]]\nid = "ING"\n\n[distributors.realtime]\n'
            + "".join(f'{key} = "{value}"\n' for key, value in account.items())
            # short waits: a lost answer shows in a second; a 429 or 5xx is not waited out in a test
            + "\n[distributors.orders]\nhttp_timeout_s = 1.0\nmax_wait_s = 0\nrate_limit = 100000\n"
        )
        cls.company.channel_engine_config = str(config)
        cls.ingram.po_channel = "ingram_v6"

    def setUp(self):
        super().setUp()
        self.sim.clear_faults()
        self.sim.behaviour.failing_parts = set()
        self.sim.book.backorder_parts = {}

    # ------------------------------------------------------------------------------ helpers

    def _ship_to_ingram(self, lines=None):
        order = self._inbox_order(lines or [(self.server, 3), (self.switch, 1)])
        order.action_plan()
        order.action_ship()
        po = order.channel_purchase_ids
        self.assertEqual(po.partner_id, self.ingram)
        self.assertEqual(po.channel_send_state, "to_send", "Ship queues it: the send cron sends it")
        return order, po

    def _placed(self, lines=None):
        order, po = self._ship_to_ingram(lines)
        po._channel_send()
        self.assertEqual(po.channel_send_state, "accepted", po.channel_last_error)  # Ingram confirmed it
        return order, po

    def _at_ingram(self, po):
        return self.sim.book.orders_for(po.name)

    def _tax_as_odoo(self, po):
        """The simulator invoices the PO's own tax rate, as Ingram's VAT would match Odoo's."""
        rate = po.amount_tax / po.amount_untaxed * 100 if po.amount_untaxed else 0
        self.sim.book.tax_percent = Decimal(str(round(rate, 4)))

    # ------------------------------------------------------------------------------ placing

    def test_the_send_cron_places_the_order_with_our_numbers_and_the_drop_ship_address(self):
        order, po = self._ship_to_ingram()
        order.client_order_ref = "WOO-1042"
        po._channel_send()
        (placed,) = self._at_ingram(po)
        self.assertEqual(po.partner_ref, placed.number)
        self.assertEqual(po.channel_send_state, "accepted")
        self.assertEqual(placed.end_customer_order_number, "WOO-1042")
        numbers = {line.product_id: line.channel_line_number for line in po.order_line}
        self.assertEqual(
            [(line.customer_line_number, line.part, line.ordered) for line in placed.lines],
            [
                (str(numbers[self.server]), "ING-SKU-SERVER", 3),
                (str(numbers[self.switch]), "ING-SKU-SWITCH", 1),
            ],
        )
        self.assertEqual(
            placed.ship_to,
            {
                "contact": "Jane Buyer (warehouse)",
                "companyName": "Jane Buyer Ltd",
                "addressLine1": "7 Dock Road",
                "city": "Salford",
                "postalCode": "M50 2EQ",
                "countryCode": "GB",
            },
        )
        self.assertEqual(po.order_line.mapped("channel_qty_confirmed"), [3.0, 1.0])
        calls = po.channel_call_ids.sorted("id")
        self.assertEqual([(c.operation, c.status) for c in calls][-2:], [("search", 204), ("create", 201)])
        self.assertEqual(
            len(set(calls.mapped("correlation_id")) - {""}), len(calls.filtered("correlation_id"))
        )
        self.assertNotIn(
            self.sim.client_secret, "".join(calls.mapped("url")) + "".join(calls.mapped("response_body"))
        )
        self.assertIn("Bearer ********", "".join(calls.mapped("request_headers")))
        self.assertEqual(order.inbox_state, "ordered")

    def test_a_lost_answer_is_found_and_adopted_never_a_second_order(self):
        _order, po = self._ship_to_ingram()
        self.sim.fail_next("create", "lost")
        po._channel_send()
        self.assertEqual(po.channel_send_state, "accepted")
        (placed,) = self._at_ingram(po)
        self.assertEqual(po.partner_ref, placed.number)
        self.assertIn("an earlier attempt had reached it", "".join(po.message_ids.mapped("body")))
        self.assertEqual([c.status for c in po.channel_call_ids if c.operation == "create"], [0])

    def test_a_timeout_is_retried_later_and_the_retry_places_it_once(self):
        _order, po = self._ship_to_ingram()
        self.sim.fail_next("create", "timeout")
        po._channel_send()
        self.assertEqual(po.channel_send_state, "to_send")
        self.assertTrue(po.channel_next_attempt_at, "tried again later, with back-off")
        self.assertFalse(self._search(po), "the create timed out before Ingram took it")
        po.action_channel_send()
        self.assertEqual(po.channel_send_state, "accepted")
        self.assertEqual(len(self._at_ingram(po)), 1)

    def _search(self, po):
        return [o for o in self.sim.book.orders.values() if o.customer_order_number == po.name]

    def test_a_worker_that_crashed_between_sending_and_committing_adopts_the_order(self):
        _order, po = self._ship_to_ingram()
        with self.assertRaises(_Crash), self.env.cr.savepoint():
            po._channel_send()
            raise _Crash  # everything Odoo learnt is rolled back; Ingram has the order
        self.env.invalidate_all()
        self.assertEqual(po.channel_send_state, "to_send")
        self.assertEqual(len(self._search(po)), 1)
        po._channel_send()
        self.assertEqual(po.channel_send_state, "accepted")
        self.assertEqual(len(self._search(po)), 1, "adopted, not ordered twice")
        self.assertEqual(po.partner_ref, self._search(po)[0].number)

    def test_a_400_naming_a_field_fails_the_po_with_ingrams_words_and_an_activity(self):
        self.delivery.city = "Llanfairpwllgwyngyll-gogerychwyrndrobwll"
        try:
            order, po = self._ship_to_ingram()
            po._channel_send()
        finally:
            self.delivery.city = "Salford"
        self.assertEqual(po.channel_send_state, "failed")
        self.assertIn("shipToInfo.city", po.channel_last_error)
        self.assertFalse(po.channel_next_attempt_at, "never retried silently")
        self.assertTrue(po.activity_ids)
        self.assertIn("ship_failed", order.review_codes)
        self.assertFalse(self._search(po))

    def test_lines_ingram_rejects_take_the_rejection_path(self):
        self.sim.behaviour.failing_parts = {"ING-SKU-SWITCH"}
        order, po = self._placed()
        switch_line = po.order_line.filtered(lambda line: line.product_id == self.switch)
        self.assertEqual(switch_line.product_qty, 0.0)
        self.assertEqual(order.inbox_state, "review")
        self.assertIn("distributor_rejected", order.review_codes)
        self.assertIn("SKU-NOTFOUND", order.review_reason)
        self.assertEqual([line.part for line in self._at_ingram(po)[0].lines], ["ING-SKU-SERVER"])

    # ------------------------------------------------------------------------------ status

    def test_backorders_shipments_in_parts_and_the_bills(self):
        self.sim.book.backorder_parts = {"ING-SKU-SERVER": 1}
        order, po = self._placed()
        server = po.order_line.filtered(lambda line: line.product_id == self.server)
        self.assertEqual((server.channel_qty_confirmed, server.channel_qty_backordered), (2.0, 1.0))
        self.assertIn("1 backordered", "".join(po.message_ids.mapped("body")))
        po._channel_poll_distributor_orders()  # the create's answer has no dates: the order details do
        self.assertTrue(server.channel_ship_date)
        self.assertIn("1 backordered", "".join(po.message_ids.mapped("body")))

        self.sim.book.ship(
            po.name, {server.channel_line_number: 2}, carrier_name="UPS", tracking_numbers=("1ZA", "1ZB")
        )
        po._channel_poll_distributor_orders()
        done = po.picking_ids.filtered(lambda p: p.state == "done")
        self.assertEqual(done.carrier_tracking_ref, "1ZA, 1ZB")
        self.assertEqual(done.channel_carrier, "UPS")
        self.assertEqual(sum(done.move_ids.mapped("quantity")), 2.0)
        backorder = po.picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))
        self.assertEqual(
            sorted(backorder.move_ids.mapped("product_uom_qty")), [1.0, 1.0], "the switch and 1 server"
        )
        self._tax_as_odoo(po)
        self.sim.book.invoice(po.name)  # the first parcel
        po._channel_poll_distributor_orders()
        self.assertEqual(len(po.picking_ids.filtered(lambda p: p.state == "done")), 1, "applied once")
        self.assertEqual(len(po.invoice_ids), 1)

        self.sim.book.release_backorder(po.name)
        self.sim.book.ship(po.name, carrier_name="DPD", tracking_numbers=("155",))
        self.sim.book.invoice(po.name)  # the second
        po._channel_poll_distributor_orders()
        self.assertTrue(all(p.state == "done" for p in po.picking_ids))
        self.assertEqual(order.inbox_state, "invoiced" if order.invoice_ids else "shipped")
        bills = po.invoice_ids.filtered(lambda m: m.move_type == "in_invoice")
        self.assertEqual(len(bills), 2, "one invoice per parcel")
        ours = {
            n
            for n, invoice in self.sim.book.invoices.items()
            if invoice.order.customer_order_number == po.name
        }
        self.assertEqual(set(bills.mapped("ref")), ours)
        self.assertEqual(set(bills.mapped("state")), {"posted"}, bills.mapped("channel_review_reason"))
        serials = ", ".join(
            bills.invoice_line_ids.filtered("channel_serial_numbers").mapped("channel_serial_numbers")
        )
        self.assertEqual(serials.count("SN"), 4, "every unit's serial on the bill lines")
        po._channel_poll_distributor_orders()
        self.assertEqual(len(po.invoice_ids), 2, "each invoice once")

    def test_a_price_difference_waits_in_bills_to_check(self):
        _order, po = self._placed([(self.server, 3)])
        self._tax_as_odoo(po)
        self.sim.book.ship(po.name)
        self.sim.book.invoice(po.name, prices={po.order_line[0].channel_line_number: Decimal("312.00")})
        po._channel_poll_distributor_orders()
        bill = po.invoice_ids
        self.assertEqual((bill.state, bill.channel_review_state), ("draft", "review"))
        self.assertIn("312", bill.channel_review_reason)

    def test_a_line_ingram_cancels_takes_the_rejection_path(self):
        order, po = self._placed()
        switch = po.order_line.filtered(lambda line: line.product_id == self.switch)
        self.sim.book.cancel_line(po.name, switch.channel_line_number)
        po._channel_poll_distributor_orders()
        self.assertEqual(switch.product_qty, 0.0)
        self.assertIn("distributor_rejected", order.review_codes)
        po._channel_poll_distributor_orders()
        self.assertEqual(order.review_codes.split().count("distributor_rejected"), 1)

    def test_a_po_not_shipped_in_time_gets_one_activity(self):
        _order, po = self._placed()
        po.date_approve = fields.Datetime.now() - timedelta(days=10)
        po._channel_poll_distributor_orders()
        late = po.activity_ids.filtered(lambda a: "Late" in (a.summary or ""))
        self.assertEqual(len(late), 1)
        self.assertIn("nothing shipped 3 working days after", late.note)
        po._channel_poll_distributor_orders()
        self.assertEqual(len(po.activity_ids.filtered(lambda a: "Late" in (a.summary or ""))), 1)

    def test_a_rate_limited_account_is_left_until_the_next_run(self):
        _o1, po1 = self._placed([(self.server, 3)])
        _o2, po2 = self._placed([(self.server, 3)])
        self.sim.fail_next("details", "429")
        (po1 | po2)._channel_poll_distributor_orders()
        self.assertIn("rate limited", po1.channel_last_error)
        details = [c for c in (po1 | po2).channel_call_ids if c.operation == "details"]
        self.assertEqual(len(details), 1, "the second PO of the account waits for the next run")

    # ------------------------------------------------------------------------------ cancelling

    def test_cancelling_asks_ingram_first_and_its_refusal_changes_nothing(self):
        _o1, open_po = self._placed([(self.server, 3)])
        open_po.button_cancel()
        self.assertEqual(open_po.state, "cancel")
        self.assertTrue(self._at_ingram(open_po)[0].cancelled)
        self.assertIn(("cancel", 200), [(c.operation, c.status) for c in open_po.channel_call_ids])

        _o2, shipped_po = self._placed([(self.server, 3)])
        self.sim.book.ship(shipped_po.name, {shipped_po.order_line[0].channel_line_number: 1})
        with self.assertRaisesRegex(UserError, "released to the warehouse"):
            shipped_po.button_cancel()
        self.assertEqual(shipped_po.state, "purchase")

    def test_a_store_cancellation_cancels_at_ingram_before_anything_shipped(self):
        order, po = self._placed([(self.server, 3)])
        order._channel_store_cancelled({"status": "cancelled"})
        self.assertEqual((po.state, order.state), ("cancel", "cancel"))
        self.assertTrue(self._at_ingram(po)[0].cancelled)

        order2, po2 = self._placed([(self.server, 3)])
        # Ingram has shipped one; Odoo has not read it yet, so it asks, and Ingram refuses.
        self.sim.book.ship(po2.name, {po2.order_line[0].channel_line_number: 1})
        order2._channel_store_cancelled({"status": "cancelled"})
        self.assertEqual(po2.state, "purchase")
        self.assertIn("store_cancelled_after_order", order2.review_codes)
        self.assertIn("released to the warehouse", order2.review_reason)
