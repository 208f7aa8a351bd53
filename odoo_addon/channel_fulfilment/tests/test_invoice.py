from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import ChannelCase, build_ship_notice


@tagged("post_install", "-at_install")
class TestInvoice(ChannelCase):
    def _ordered(self, lines):
        order = self._inbox_order(lines)
        order.action_ship()
        order.channel_purchase_ids._channel_send()
        self.assertEqual(order.inbox_state, "ordered")
        return order

    def _ship_notice(self, po, **kwargs):
        status, _answer = self.env["channel.cxml.document"]._channel_receive(build_ship_notice(po, **kwargs))
        self.assertEqual(status, 200)

    def invoiced_quantities(self, invoice):
        return sorted(
            (line.product_id.default_code, line.quantity)
            for line in invoice.invoice_line_ids
            if line.product_id
        )

    def test_invoice_what_was_ordered(self):
        order = self._ordered([(self.dock, 3), (self.bag, 1)])
        action = order.action_invoice()
        invoice = order.invoice_ids
        self.assertEqual(action["res_id"], invoice.id)
        self.assertEqual(invoice.state, "posted")
        self.assertEqual(invoice.move_type, "out_invoice")
        self.assertEqual(self.invoiced_quantities(invoice), [("SKU-BAG", 1.0), ("SKU-DOCK", 3.0)])
        self.assertEqual(invoice.amount_untaxed, 3 * 150 + 30)
        self.assertEqual(order.inbox_state, "ordered", "invoiced, but nothing has shipped yet")
        with self.assertRaises(UserError):
            order.action_invoice()  # nothing left to invoice
        for po in order.channel_purchase_ids:
            self._ship_notice(po)
        self.assertEqual(order.inbox_state, "invoiced")

    def test_invoice_what_was_delivered(self):
        self.company.channel_invoice_policy = "delivery"
        order = self._ordered([(self.dock, 3)])
        with self.assertRaises(UserError):
            order.action_invoice()  # nothing dispatched yet
        po = order.channel_purchase_ids
        self._ship_notice(po, lines=[(1, 2)], tracking=("PART",))
        order.action_invoice()
        self.assertEqual(self.invoiced_quantities(order.invoice_ids), [("SKU-DOCK", 2.0)])
        self.assertEqual(order.inbox_state, "ordered")
        self._ship_notice(po, lines=[(1, 1)], tracking=("REST",), shipment_id="SHIP-2")
        self.assertEqual(order.inbox_state, "shipped")
        order.action_invoice()
        self.assertEqual(
            sorted(self.invoiced_quantities(inv) for inv in order.invoice_ids),
            [[("SKU-DOCK", 1.0)], [("SKU-DOCK", 2.0)]],
        )
        self.assertEqual(order.inbox_state, "invoiced")

    def test_invoice_automatically_on_dispatch(self):
        self.company.write({"channel_invoice_policy": "delivery", "channel_auto_invoice_on_dispatch": True})
        order = self._ordered([(self.dock, 3)])
        self.assertFalse(order.invoice_ids)
        self._ship_notice(order.channel_purchase_ids)
        self.assertEqual(order.invoice_ids.state, "posted")
        self.assertEqual(self.invoiced_quantities(order.invoice_ids), [("SKU-DOCK", 3.0)])
        self.assertEqual(order.inbox_state, "invoiced")

    def test_done_once_paid_and_billed(self):
        order = self._ordered([(self.dock, 3)])
        po = order.channel_purchase_ids
        self._ship_notice(po)
        order.action_invoice()
        self.assertEqual(order.inbox_state, "invoiced")
        # The customer pays ...
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=order.invoice_ids.ids
        ).create({})._create_payments()
        order._channel_sweep_progress()
        self.assertEqual(order.inbox_state, "invoiced", "paid, but the distributor's bill is not in yet")
        # ... and the distributor's bill arrives: Odoo's own PO → bill.
        po.action_create_invoice()
        bill = po.invoice_ids
        bill.invoice_date = fields.Date.today()
        bill.action_post()
        self.assertEqual(po.invoice_status, "invoiced")
        order._channel_sweep_progress()
        self.assertEqual(order.inbox_state, "done")
