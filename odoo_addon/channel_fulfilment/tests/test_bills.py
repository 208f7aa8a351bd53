import re
from datetime import UTC, datetime
from decimal import Decimal

import httpx
from lxml import etree
from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import Form, HttpCase, tagged
from odoo.tools.safe_eval import safe_eval

from fulfilment_engine.documents import cxml
from fulfilment_engine.documents import invoice as cxml_invoice

from .common import OUR_IDENTITY, ChannelCase, ChannelData, build_ship_notice

INBOUND_LOGGER = "odoo.addons.channel_fulfilment.models.channel_cxml_document_inbound"


def build_invoice(
    po,
    *,
    invoice_id=None,
    lines=None,
    prices=None,
    shipping=None,
    special_handling=None,
    tax=None,
    purpose="standard",
    operation="new",
    credited=None,
    secret=None,
    order_id=None,
    parts=None,
):
    """An InvoiceDetailRequest as the distributor of `po` would send it.

    lines: [(lineNumber, qty)] (default: every goods line, ordered quantity); prices {lineNumber: price}
    (default: the PO's); shipping None bills the PO's freight line as it is; parts {lineNumber: part}."""
    partner = po.partner_id.sudo()
    now = datetime.now(UTC)
    goods = {
        line.channel_line_number: line
        for line in po.order_line
        if line.channel_line_number and not line.channel_charge_type
    }
    if lines is None:
        lines = [(number, line.product_qty) for number, line in goods.items()]
    prices = prices or {}
    parts = parts or {}
    if shipping is None:
        freight = po.order_line.filtered(lambda pol: pol.channel_charge_type == "freight")
        shipping = sum(freight.mapped("price_subtotal")) or None
    if special_handling is None:
        small = po.order_line.filtered(lambda pol: pol.channel_charge_type == "small_order")
        special_handling = sum(small.mapped("price_subtotal")) or None
    doc = cxml_invoice.Invoice(
        payload_id=f"inv-{po.name}-{now.timestamp()}@{partner.cxml_to_identity.lower()}.example",
        invoice_id=invoice_id or f"INV-{po.name}",
        purpose=purpose,
        operation=operation,
        invoice_date=now,
        order_ids=(order_id or po.name,),
        order_payload_ids=((order_id or po.name, po.channel_payload_id or "x@y"),),
        lines=tuple(
            cxml_invoice.InvoiceLine(
                invoice_line_number=i,
                quantity=Decimal(str(qty)),
                unit_price=Decimal(
                    str(prices.get(number, goods[number].price_unit if number in goods else 1))
                ),
                line_number=number,
                order_id=order_id or po.name,
                supplier_part_id=parts.get(
                    number, goods[number]._channel_part_number() if number in goods else ""
                ),
            )
            for i, (number, qty) in enumerate(lines, 1)
        ),
        sender=cxml.Credential(
            "NetworkID", partner.cxml_to_identity, partner.cxml_inbound_secret if secret is None else secret
        ),
        from_=cxml.Credential("NetworkID", partner.cxml_to_identity),
        to=cxml.Credential("NetworkID", OUR_IDENTITY),
        currency=po.currency_id.name,
        shipping=None if shipping is None else Decimal(str(shipping)),
        special_handling=None if special_handling is None else Decimal(str(special_handling)),
        tax=None if tax is None else Decimal(str(tax)),
        credited_invoice_id=credited or "",
    )
    return cxml_invoice.build_invoice_detail_request(doc)


class BillCase(ChannelCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Only Ingram sells the hub: one at 40.00 pays Ingram's 9.95 freight (free from 250.00).
        cls.hub = cls.env["product.product"].create(
            {"name": "USB hub", "default_code": "SKU-HUB", "type": "consu", "list_price": 60.0, "weight": 0.3}
        )
        cls.env["product.supplierinfo"].create(
            {
                "partner_id": cls.ingram.id,
                "product_tmpl_id": cls.hub.product_tmpl_id.id,
                "price": 40.0,
                "min_qty": 0,
                "distributor_stock": 100,
                "product_code": "CF1003",
                "stock_source": "feed",
                "stock_updated_at": datetime(2026, 1, 1, 9, 0),
            }
        )

    def receive(self, body, expected=200):
        status, answer = self.env["channel.cxml.document"]._channel_receive(body)
        self.assertEqual(status, expected, answer)
        return cxml.parse_response(answer)

    def shipped_po(self, lines, lines_shipped=None):
        order = self._inbox_order(lines)
        order.action_ship()
        order.channel_purchase_ids._channel_send()
        po = order.channel_purchase_ids
        self.assertEqual(len(po), 1)
        status, _answer = self.env["channel.cxml.document"]._channel_receive(
            build_ship_notice(po, lines=lines_shipped)
        )
        self.assertEqual(status, 200)
        return order, po

    def bills_of(self, po):
        return po.invoice_ids.sorted("id")

    def e_invoice_values(self, po, **values):
        """What UBL_INVOICE (and the Factur-X one of test_invoice_by_mail) are filled with: the PO's first
        line, 3 at 95.00, today."""
        part = po.order_line.filtered("channel_line_number")[:1]
        return {
            "invoice_id": "UBL-1",
            "date": fields.Date.today().isoformat(),
            "currency": po.currency_id.name,
            "po": po.name,
            "vendor": po.partner_id.name,
            "email": po.partner_id.email,
            "company": self.company.name,
            "qty": "3",
            "price": "95.00",
            "total": "285.00",
            "line_id": str(part.channel_line_number),
            "part": part._channel_part_number(),
            **values,
        }

    def bills_to_check_domain(self):
        action = self.env.ref("channel_fulfilment.account_move_action_channel_bills")
        return safe_eval(action.domain)

    def money(self, po, amount):
        return po.currency_id.format(amount)


@tagged("post_install", "-at_install")
class TestDistributorBills(BillCase):
    def test_an_exact_bill_posts_itself_and_the_po_is_billed(self):
        _order, po = self.shipped_po([(self.dock, 3)])
        self.receive(build_invoice(po, tax=po.amount_tax))
        bill = self.bills_of(po)
        self.assertRecordValues(
            bill,
            [
                {
                    "move_type": "in_invoice",
                    "state": "posted",
                    "ref": f"INV-{po.name}",
                    "channel_review_state": "ok",
                    "channel_purpose": "standard",
                    "amount_untaxed": 285.0,
                }
            ],
        )
        self.assertEqual(bill.invoice_line_ids.purchase_line_id, po.order_line)
        self.assertEqual(po.order_line.qty_invoiced, 3)
        self.assertEqual(po.invoice_status, "invoiced")
        self.assertTrue(po._channel_fully_billed())
        document = self.env["channel.cxml.document"].search([("doc_type", "=", "InvoiceDetailRequest")])
        self.assertEqual(document.bill_id, bill)

    def test_a_stored_invoice_keeps_no_secret_and_its_encoding(self):
        """Invoices are stored as the hardened door stores every document: the SharedSecret masked on the
        parsed tree, whatever its spelling (here an attribute and a space before the end tag's '>'),
        and the original encoding recorded."""
        _order, po = self.shipped_po([(self.dock, 3)])
        secret = po.partner_id.sudo().cxml_inbound_secret
        body = build_invoice(po, tax=po.amount_tax).decode("utf-8")
        self.assertIn(f"<SharedSecret>{secret}</SharedSecret>", body)
        body = body.replace(
            f"<SharedSecret>{secret}</SharedSecret>", f'<SharedSecret xml:lang="en">{secret}</SharedSecret >'
        )
        body = re.sub(r"encoding=['\"]UTF-8['\"]", 'encoding="ISO-8859-1"', body, count=1)
        self.assertIn('encoding="ISO-8859-1"', body)
        self.receive(body.encode("iso-8859-1"))
        document = self.env["channel.cxml.document"].search([("doc_type", "=", "InvoiceDetailRequest")])
        self.assertEqual(document.state, "processed")
        self.assertNotIn(secret, document.body)
        self.assertIn("********", document.body)
        self.assertEqual(document.body_encoding.upper(), "ISO-8859-1")

    def test_the_same_invoice_twice_changes_nothing(self):
        _order, po = self.shipped_po([(self.dock, 3)])
        self.receive(build_invoice(po))
        answer = self.receive(build_invoice(po))
        self.assertIn("already received", answer.message)
        self.assertEqual(len(self.bills_of(po)), 1)

    def test_a_price_up_waits_with_the_difference_in_words(self):
        _order, po = self.shipped_po([(self.dock, 3)])
        self.receive(build_invoice(po, prices={1: 98.20}))
        bill = self.bills_of(po)
        self.assertEqual((bill.state, bill.channel_review_state), ("draft", "review"))
        part = po.order_line._channel_part_number()
        self.assertEqual(
            bill.channel_review_reason,
            f"[{part}] billed 3 × {self.money(po, 98.20)}, ordered at {self.money(po, 95.0)}: "
            f"+{self.money(po, 9.60)}",
        )
        self.assertIn(bill, self.env["account.move"].search(self.bills_to_check_domain()))
        with self.assertRaisesRegex(UserError, "ordered at"):
            bill.action_post()
        bill.action_channel_accept_difference()
        self.assertEqual((bill.state, bill.channel_review_state), ("posted", "accepted"))
        self.assertEqual(bill.amount_untaxed, 3 * 98.20)
        self.assertTrue(po._channel_fully_billed())

    def test_an_edited_cost_is_named_with_the_account_manager(self):
        order = self._inbox_order([(self.bag, 10)])  # Westcoast, with an account manager
        order.action_plan()
        with Form(order) as form, form.order_line.edit(0) as line:
            line.planned_cost = 11.0
        order.action_ship()
        order.channel_purchase_ids._channel_send()
        po = order.channel_purchase_ids
        self.assertTrue(po.has_cost_edited and po.channel_manager_notified)
        self.receive(build_ship_notice(po))
        self.receive(build_invoice(po, prices={1: 12.0}))
        bill = self.bills_of(po)
        self.assertEqual(
            bill.channel_review_reason,
            f"[WC-SKU-BAG] billed 10 × {self.money(po, 12.0)}, ordered at {self.money(po, 11.0)} "
            f"(cost edited on the PO — the account manager's copy went out with it): +{self.money(po, 10.0)}",
        )

    def test_within_tolerance_posts_at_the_billed_price(self):
        _order, po = self.shipped_po([(self.dock, 3)])
        self.receive(build_invoice(po, prices={1: 95.30}))  # +0.90: under 1.00 and under 0.5 % of 285.00
        bill = self.bills_of(po)
        self.assertEqual((bill.state, bill.amount_untaxed), ("posted", 285.90))
        self.company.channel_bill_tolerance_percent = 0.2  # 0.57 now: +0.90 is too much
        _order, po2 = self.shipped_po([(self.dock, 3)])
        self.receive(build_invoice(po2, prices={1: 95.30}))
        self.assertEqual(self.bills_of(po2).channel_review_state, "review")

    def test_freight_the_plan_did_not_expect(self):
        _order, po = self.shipped_po([(self.hub, 1)])  # 40.00 < 250.00: Ingram's 9.95 freight
        self.receive(build_invoice(po, shipping=12.50))
        bill = self.bills_of(po)
        self.assertEqual(bill.state, "draft")
        self.assertEqual(
            bill.channel_review_reason,
            f"freight {self.money(po, 12.50)} billed, {self.money(po, 9.95)} planned",
        )
        freight_line = bill.invoice_line_ids.filtered("channel_charge_type")
        self.assertEqual(freight_line.purchase_line_id.channel_charge_type, "freight")

    def test_charges_billed_back_as_the_order_request_sent_them_post(self):
        # Our OrderRequest sent Westcoast's 5.00 small-order charge as its Shipping; billed back the same
        # way, as Shipping without SpecialHandling, it is that charge, not freight nobody planned.
        _order, po = self.shipped_po([(self.bag, 1)])
        self.assertEqual(po.partner_id, self.westcoast)
        self.receive(build_invoice(po, shipping=5.0, special_handling=0))
        bill = self.bills_of(po)
        self.assertEqual(
            (bill.state, bill.channel_review_state), ("posted", "ok"), bill.channel_review_reason
        )
        charge = bill.invoice_line_ids.filtered("channel_charge_type")
        self.assertEqual((charge.channel_charge_type, charge.price_unit), ("small_order", 5.0))
        self.assertEqual(charge.purchase_line_id.channel_charge_type, "small_order")
        # More than the PO's charges is still freight nobody planned, and said so.
        _order, dearer = self.shipped_po([(self.bag, 1)])
        self.receive(build_invoice(dearer, shipping=7.5, special_handling=0))
        bill = self.bills_of(dearer)
        self.assertEqual(bill.state, "draft")
        self.assertEqual(
            bill.channel_review_reason,
            f"freight {self.money(dearer, 2.50)} billed, {self.money(dearer, 0.0)} planned",
        )

    def test_exact_freight_posts(self):
        _order, po = self.shipped_po([(self.hub, 1)])
        self.receive(build_invoice(po))
        self.assertEqual(self.bills_of(po).state, "posted")
        self.assertEqual(self.bills_of(po).amount_untaxed, 40.0 + 9.95)

    def test_billed_before_shipped_waits_then_posts_on_delivery(self):
        _order, po = self.shipped_po([(self.dock, 3)], lines_shipped=[(1, 1)])
        self.receive(build_invoice(po))
        bill = self.bills_of(po)
        part = po.order_line._channel_part_number()
        self.assertEqual(
            bill.channel_review_reason, f"[{part}] billed 3, delivered 1, already billed 0: 2 not shipped yet"
        )
        self.assertEqual(bill.state, "draft")
        self.receive(build_ship_notice(po, lines=[(1, 2)], tracking=("REST",), shipment_id="SHIP-2"))
        self.assertEqual((bill.state, bill.channel_review_state), ("posted", "ok"))

    def test_unknown_lines_and_parts_that_disagree_are_in_review(self):
        _order, po = self.shipped_po([(self.dock, 3)])
        self.receive(build_invoice(po, lines=[(1, 3), (7, 1)], parts={1: "ING-OTHER", 7: "ING-SKU-MOUSE"}))
        bill = self.bills_of(po)
        self.assertEqual(bill.state, "draft")
        reason = bill.channel_review_reason
        self.assertIn(
            "invoice line 1: part ING-OTHER billed on PO line 1, "
            f"which orders {po.order_line._channel_part_number()}",
            reason,
        )
        self.assertIn(
            f"invoice line 2 bills line 7 of {po.name}, which is not on it (part ING-SKU-MOUSE)", reason
        )
        self.assertEqual(
            bill.invoice_line_ids.filtered(lambda line: not line.purchase_line_id).product_id, self.mouse
        )

    def test_a_summary_that_does_not_add_up_is_in_review(self):
        _order, po = self.shipped_po([(self.dock, 3)])
        root = etree.fromstring(build_invoice(po))
        root.find(".//InvoiceDetailSummary/SubtotalAmount/Money").text = "280.00"
        body = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
        self.receive(body)
        self.assertIn(
            "summary: SubtotalAmount 280.00, the lines add up to 285.00",
            self.bills_of(po).channel_review_reason,
        )

    def test_a_tax_that_differs_is_named(self):
        _order, po = self.shipped_po([(self.dock, 3)])
        self.receive(build_invoice(po, tax=po.amount_tax + 5))
        bill = self.bills_of(po)
        self.assertEqual(
            bill.channel_review_reason,
            f"tax {self.money(po, po.amount_tax + 5)} on the invoice, "
            f"{self.money(po, po.amount_tax)} computed",
        )

    def test_unknown_and_cancelled_purchase_orders(self):
        _order, po = self.shipped_po([(self.dock, 3)])
        bills_before = self.env["account.move"].search_count([("move_type", "=", "in_invoice")])
        self.receive(build_invoice(po, order_id="P99999"), expected=404)
        self.assertEqual(
            self.env["account.move"].search_count([("move_type", "=", "in_invoice")]), bills_before
        )
        order = self._inbox_order([(self.dock, 1)])
        order.action_ship()
        other = order.channel_purchase_ids
        other.button_cancel()
        self.receive(build_invoice(other), expected=409)
        self.assertFalse(other.invoice_ids)

    def test_a_wrong_secret_is_refused(self):
        _order, po = self.shipped_po([(self.dock, 3)])
        with self.assertLogs(INBOUND_LOGGER, "WARNING"):
            self.receive(build_invoice(po, secret="guess"), expected=401)
        self.assertFalse(po.invoice_ids)

    def test_delete_withdraws_a_draft_and_refuses_a_posted_bill(self):
        _order, po = self.shipped_po([(self.dock, 3)])
        self.receive(build_invoice(po, prices={1: 99.0}))
        draft = self.bills_of(po)
        self.receive(build_invoice(po, operation="delete", lines=[]))
        self.assertEqual(draft.state, "cancel")
        self.receive(build_invoice(po))  # a new one after the delete is a new bill
        posted = self.bills_of(po) - draft
        self.assertEqual(posted.state, "posted")
        answer = self.receive(build_invoice(po, operation="delete", lines=[]), expected=409)
        self.assertIn("send a credit memo", answer.message)
        self.assertEqual(posted.state, "posted")

    def test_dispute_writes_to_the_account_manager_with_the_po(self):
        order = self._inbox_order([(self.bag, 10)])
        order.action_ship()
        order.channel_purchase_ids._channel_send()
        po = order.channel_purchase_ids
        self.receive(build_ship_notice(po))
        self.receive(build_invoice(po, prices={1: 13.0}))
        bill = self.bills_of(po)
        bill.action_channel_dispute()
        self.assertEqual((bill.state, bill.channel_review_state), ("draft", "disputed"))
        message = po.message_ids.filtered(lambda m: self.westcoast_manager in m.partner_ids)[:1]
        self.assertIn("billed 10", message.body)
        self.assertEqual(message.attachment_ids.mapped("name"), [f"{po.name}.pdf"])
        self.assertIn(bill, self.env["account.move"].search([("channel_review_state", "=", "disputed")]))


@tagged("post_install", "-at_install")
class TestDistributorCredits(BillCase):
    def test_a_line_level_credit_memo_posts_when_it_credits_what_was_billed(self):
        _order, po = self.shipped_po([(self.dock, 3)])
        self.receive(build_invoice(po))
        self.receive(build_invoice(po, invoice_id="CN-1", purpose="lineLevelCreditMemo", lines=[(1, 1)]))
        refund = po.invoice_ids.filtered(lambda m: m.move_type == "in_refund")
        self.assertRecordValues(
            refund, [{"state": "posted", "channel_review_state": "ok", "amount_untaxed": 95.0}]
        )
        self.assertEqual(refund.invoice_line_ids.purchase_line_id, po.order_line)
        self.assertEqual(po.order_line.qty_invoiced, 2)
        self.assertFalse(po._channel_fully_billed())
        # More than was billed, or above the billed price: review.
        self.receive(build_invoice(po, invoice_id="CN-2", purpose="lineLevelCreditMemo", lines=[(1, 5)]))
        too_many = po.invoice_ids.filtered(lambda m: m.ref == "CN-2")
        self.assertEqual(too_many.state, "draft")
        self.assertIn("credited 5, only 2 billed", too_many.channel_review_reason)

    def test_a_credit_memo_that_exactly_reverses_an_invoice(self):
        _order, po = self.shipped_po([(self.dock, 3)])
        self.receive(build_invoice(po, invoice_id="INV-9"))
        self.receive(build_invoice(po, invoice_id="CN-9", purpose="creditMemo", credited="INV-9"))
        refund = po.invoice_ids.filtered(lambda m: m.ref == "CN-9")
        self.assertEqual((refund.state, refund.reversed_entry_id.ref), ("posted", "INV-9"))
        self.receive(
            build_invoice(po, invoice_id="CN-10", purpose="creditMemo", credited="INV-9", lines=[(1, 1)])
        )
        partial = po.invoice_ids.filtered(lambda m: m.ref == "CN-10")
        self.assertEqual(partial.state, "draft")
        self.assertIn("does not exactly reverse invoice INV-9", partial.channel_review_reason)


@tagged("post_install", "-at_install")
class TestDistributorBillsHttp(ChannelData, HttpCase):
    """Invoices posted over real HTTP to /channel_fulfilment/cxml/inbound, as a distributor would."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_channel_data()
        cls._start_ingram_cxml_supplier()

    def setUp(self):
        super().setUp()
        self.inbound_url = f"{self.base_url()}/channel_fulfilment/cxml/inbound"
        self.order = self._inbox_order([(self.dock, 3)])
        self.order.action_ship()
        self.po = self.order.channel_purchase_ids
        self.po._channel_send()
        self.assertEqual(self.post_with_supplier("post_ship_notice", self.po.name).status.code, 200)

    def post_with_supplier(self, what, *args, **kwargs):
        self.env.flush_all()
        with self.allow_requests(all_requests=True):
            result = getattr(self.supplier, what)(self.inbound_url, *args, **kwargs)
        self.env.invalidate_all()
        return result

    def post(self, body):
        self.env.flush_all()
        with self.allow_requests(all_requests=True):
            response = httpx.post(
                self.inbound_url,
                content=body,
                headers={"Content-Type": "text/xml; charset=utf-8"},
                timeout=30,
            )
        self.env.invalidate_all()
        return response.status_code, cxml.parse_response(response.content)

    def test_an_exact_invoice_over_http_posts_the_bill(self):
        status, answer = self.post(build_invoice(self.po))
        self.assertEqual((status, answer.code), (200, 200))
        self.assertEqual(self.po.invoice_ids.state, "posted")
        status, answer = self.post(build_invoice(self.po))
        self.assertEqual((status, answer.code), (200, 200))
        self.assertEqual(len(self.po.invoice_ids), 1, "the same invoiceID twice changes nothing")

    def test_wrong_secret_and_unknown_order_over_http(self):
        with self.assertLogs(INBOUND_LOGGER, "WARNING"):
            status, _answer = self.post(build_invoice(self.po, secret="guess"))
        self.assertEqual(status, 401)
        status, answer = self.post(build_invoice(self.po, order_id="P99999"))
        self.assertEqual(status, 404)
        self.assertIn("P99999", answer.message)
        self.assertFalse(self.po.invoice_ids)


UBL_INVOICE = """<?xml version="1.0" encoding="UTF-8"?>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
         xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
         xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2">
  <cbc:CustomizationID>urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0</cbc:CustomizationID>
  <cbc:ProfileID>urn:fdc:peppol.eu:2017:poacc:billing:01:1.0</cbc:ProfileID>
  <cbc:ID>{invoice_id}</cbc:ID>
  <cbc:IssueDate>{date}</cbc:IssueDate>
  <cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode>
  <cbc:DocumentCurrencyCode>{currency}</cbc:DocumentCurrencyCode>
  <cac:OrderReference><cbc:ID>{po}</cbc:ID></cac:OrderReference>
  <cac:AccountingSupplierParty><cac:Party>
    <cac:PartyName><cbc:Name>{vendor}</cbc:Name></cac:PartyName>
    <cac:Contact><cbc:ElectronicMail>{email}</cbc:ElectronicMail></cac:Contact>
  </cac:Party></cac:AccountingSupplierParty>
  <cac:AccountingCustomerParty><cac:Party>
    <cac:PartyName><cbc:Name>{company}</cbc:Name></cac:PartyName>
  </cac:Party></cac:AccountingCustomerParty>
  <cac:LegalMonetaryTotal>
    <cbc:LineExtensionAmount currencyID="{currency}">{total}</cbc:LineExtensionAmount>
    <cbc:TaxExclusiveAmount currencyID="{currency}">{total}</cbc:TaxExclusiveAmount>
    <cbc:PayableAmount currencyID="{currency}">{total}</cbc:PayableAmount>
  </cac:LegalMonetaryTotal>
  <cac:InvoiceLine>
    <cbc:ID>1</cbc:ID>
    <cbc:InvoicedQuantity unitCode="C62">{qty}</cbc:InvoicedQuantity>
    <cbc:LineExtensionAmount currencyID="{currency}">{total}</cbc:LineExtensionAmount>
    <cac:OrderLineReference><cbc:LineID>{line_id}</cbc:LineID></cac:OrderLineReference>
    <cac:Item>
      <cbc:Name>Docking station</cbc:Name>
      <cac:SellersItemIdentification><cbc:ID>{part}</cbc:ID></cac:SellersItemIdentification>
    </cac:Item>
    <cac:Price><cbc:PriceAmount currencyID="{currency}">{price}</cbc:PriceAmount></cac:Price>
  </cac:InvoiceLine>
</Invoice>
"""


@tagged("post_install", "-at_install")
class TestTypedAndImportedBills(BillCase):
    def test_a_bill_made_from_the_po_is_matched_on_save_and_never_posts_itself(self):
        _order, po = self.shipped_po([(self.dock, 3)])
        po.action_create_invoice()
        bill = po.invoice_ids
        self.assertRecordValues(bill, [{"state": "draft", "channel_review_state": "ok"}])
        with Form(bill) as form, form.invoice_line_ids.edit(0) as line:
            line.price_unit = 99.0
        self.assertEqual(bill.channel_review_state, "review")
        self.assertIn("billed 3 × ", bill.channel_review_reason)
        with self.assertRaisesRegex(UserError, "ordered at"):
            bill.action_post()
        with Form(bill) as form, form.invoice_line_ids.edit(0) as line:
            line.price_unit = 95.0
        self.assertEqual((bill.state, bill.channel_review_state), ("draft", "ok"))
        bill.invoice_date = fields.Date.today()
        bill.action_post()
        self.assertEqual(bill.state, "posted")

    def test_a_bill_typed_without_the_po_is_refused_until_accepted(self):
        with Form(self.env["account.move"].with_context(default_move_type="in_invoice")) as form:
            form.partner_id = self.ingram
            form.invoice_date = fields.Date.today()
            with form.invoice_line_ids.new() as line:
                line.product_id = self.dock
                line.quantity = 2
                line.price_unit = 95.0
        bill = form.record
        self.assertEqual(bill.channel_review_state, "review")
        self.assertIn("is on no purchase order line", bill.channel_review_reason)
        with self.assertRaisesRegex(UserError, "no purchase order line"):
            bill.action_post()
        bill.action_channel_accept_difference()
        self.assertEqual((bill.state, bill.channel_review_state), ("posted", "accepted"))

    def _import_ubl(self, po, **values):
        attachment = self.env["ir.attachment"].create(
            {
                "name": "invoice.xml",
                "raw": UBL_INVOICE.format(**self.e_invoice_values(po, **values)).encode(),
                "mimetype": "application/xml",
            }
        )
        journal = self.env["account.journal"].search(
            [("type", "=", "purchase"), ("company_id", "=", self.company.id)], limit=1
        )
        return journal.with_context(default_move_type="in_invoice")._create_document_from_attachment(
            attachment.ids
        )

    def test_a_ubl_invoice_goes_through_the_matcher_and_is_not_posted(self):
        _order, po = self.shipped_po([(self.dock, 3)])
        bill = self._import_ubl(po)
        self.assertRecordValues(
            bill,
            [{"partner_id": self.ingram.id, "ref": "UBL-1", "state": "draft", "channel_review_state": "ok"}],
        )
        self.assertEqual(
            bill.invoice_line_ids.purchase_line_id, po.order_line.filtered("channel_line_number")
        )
        self.assertEqual(bill.channel_origin, "edi")

    def test_a_ubl_invoice_with_another_price_keeps_it_and_waits(self):
        _order, po = self.shipped_po([(self.dock, 3)])
        bill = self._import_ubl(po, invoice_id="UBL-2", price="97.00", total="291.00")
        self.assertEqual(bill.invoice_line_ids.price_unit, 97.0)
        self.assertEqual(bill.channel_review_state, "review")
        self.assertIn(f"billed 3 × {self.money(po, 97.0)}", bill.channel_review_reason)


@tagged("post_install", "-at_install")
class TestStorePaymentsAndMargins(BillCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.stripe = cls.env["account.journal"].create(
            {"name": "WooCommerce Stripe", "code": "WSTR", "type": "bank", "company_id": cls.company.id}
        )
        store = cls.env["channel.store"]._channel_for_code("woo-main", cls.company)
        store.payment_journal_id = cls.stripe

    def invoiced(self, lines, **kwargs):
        order = self._inbox_order(lines, **kwargs)
        order.action_ship()
        order.channel_purchase_ids._channel_send()
        for po in order.channel_purchase_ids:
            self.receive(build_ship_notice(po))
        order.action_invoice()
        return order

    def test_a_paid_store_order_is_paid_on_the_store_journal_and_done_once_billed(self):
        order = self.invoiced([(self.dock, 3)])
        invoice = order.invoice_ids
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        payment = invoice.matched_payment_ids
        self.assertEqual((payment.journal_id, payment.amount), (self.stripe, invoice.amount_total))
        self.assertEqual(order.inbox_state, "invoiced", "paid, but the distributor has not billed yet")
        self.receive(build_invoice(order.channel_purchase_ids))
        self.assertEqual(order.inbox_state, "done")

    def test_a_bill_in_review_keeps_the_order_from_done_until_accepted(self):
        order = self.invoiced([(self.dock, 3)])
        po = order.channel_purchase_ids
        self.receive(build_invoice(po, prices={1: 98.20}))
        self.assertEqual(order.inbox_state, "invoiced")
        po.invoice_ids.action_channel_accept_difference()
        self.assertEqual(order.inbox_state, "done")

    def test_a_store_without_a_journal_gets_an_activity_not_an_error(self):
        order = self.invoiced([(self.dock, 1)], store="shop-two")
        invoice = order.invoice_ids
        self.assertEqual((invoice.state, invoice.payment_state), ("posted", "not_paid"))
        self.assertIn("has no clearing journal", invoice.activity_ids.summary)

    def test_a_pending_payment_is_not_registered(self):
        order = self.invoiced([(self.dock, 1)], payment="pending")
        self.assertEqual(order.invoice_ids.payment_state, "not_paid")
        self.assertFalse(order.invoice_ids.activity_ids)

    def test_a_refunded_order_gets_the_credit_note_and_the_refund_on_the_journal(self):
        order = self.invoiced([(self.dock, 3)])
        order.channel_payment_state = "refunded"
        credit = order.invoice_ids.filtered(lambda m: m.move_type == "out_refund")
        self.assertEqual(credit.state, "posted")
        self.assertEqual(
            credit.amount_total,
            order.invoice_ids.filtered(lambda m: m.move_type == "out_invoice").amount_total,
        )
        self.assertIn(credit.payment_state, ("paid", "in_payment"))
        self.assertEqual(credit.matched_payment_ids.journal_id, self.stripe)
        self.assertEqual(credit.matched_payment_ids.payment_type, "outbound")

    def test_margins_planned_ordered_and_billed(self):
        order = self.invoiced([(self.hub, 1)])  # 60.00 sold, 40.00 at Ingram + 9.95 freight
        self.assertRecordValues(
            order,
            [
                {
                    "channel_cost_planned": 40.0,
                    "channel_cost_ordered": 40.0,
                    "channel_cost_billed": 0.0,
                    "channel_charges_planned": 9.95,
                    "channel_charges_billed": 0.0,
                    "channel_margin_expected": 60.0 - 40.0 - 9.95,
                    "channel_billed": False,
                }
            ],
        )
        po = order.channel_purchase_ids
        self.receive(build_invoice(po, prices={1: 41.0}, shipping=12.50))
        po.invoice_ids.action_channel_accept_difference()
        self.assertRecordValues(
            order,
            [
                {
                    "channel_cost_billed": 41.0,
                    "channel_charges_billed": 12.50,
                    "channel_margin_actual": 60.0 - 41.0 - 12.50,
                    "channel_margin_actual_percent": round((60.0 - 41.0 - 12.50) / 60.0 * 100, 2),
                    "channel_billed": True,
                    "channel_distributor_ids": self.ingram.ids,
                }
            ],
        )
        margins = self.env["sale.order"].search(
            [("channel_margin_actual_percent", "<", 15), ("channel_distributor_ids", "in", self.ingram.ids)]
        )
        self.assertIn(order, margins)

    def test_the_margins_report_and_the_bill_form(self):
        order = self.invoiced([(self.hub, 1)])
        po = order.channel_purchase_ids
        self.receive(build_invoice(po, prices={1: 55.0}))  # a loss once accepted: 60.00 sold
        bill = po.invoice_ids
        action = self.env.ref("channel_fulfilment.sale_order_action_margins")
        views = self.env["sale.order"].get_views(
            [(view.view_id.id, view.view_mode) for view in action.view_ids]
            + [(action.search_view_id.id, "search")]
        )["views"]
        search = etree.fromstring(views["search"]["arch"])
        self.assertTrue(
            etree.fromstring(views["pivot"]["arch"]).xpath("//field[@name='channel_margin_actual']")
        )
        self.assertTrue(
            etree.fromstring(views["list"]["arch"]).xpath("//field[@name='channel_margin_expected']")
        )

        def found(name):
            domain = safe_eval(search.xpath(f"//filter[@name='{name}']")[0].get("domain"))
            return self.env["sale.order"].search(safe_eval(action.domain) + domain)

        self.assertNotIn(order, found("filter_billed"))
        form = etree.fromstring(
            self.env["account.move"].get_views([(False, "form")])["views"]["form"]["arch"]
        )
        self.assertTrue(form.xpath("//button[@name='action_channel_accept_difference']"))
        self.assertTrue(form.xpath("//button[@name='action_channel_dispute']"))
        bill.action_channel_accept_difference()
        self.assertIn(order, found("filter_billed"))
        self.assertIn(order, found("filter_margin_under_10"))
        self.assertIn(order, found("filter_margin_negative"))
        self.assertEqual((bill.state, bill.channel_review_state), ("posted", "accepted"))
