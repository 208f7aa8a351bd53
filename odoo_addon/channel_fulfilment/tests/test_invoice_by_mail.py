"""Invoices by e-mail: a distributor's UBL (Peppol BIS 3) or Factur-X invoice sent to the vendor bills
journal's address reaches the bill matcher through Odoo's own import (account_edi_ubl_cii and
models/account_move_edi.py) — proved here with real MIME messages fed to the mail gateway
(`mail.thread.message_process`), as an incoming mail server or the MTA hands them over."""

import io
from email.message import EmailMessage

from odoo import fields
from odoo.tests import tagged
from odoo.tools.pdf import OdooPdfFileWriter

from .test_bills import UBL_INVOICE, BillCase

CII_INVOICE = """<?xml version="1.0" encoding="UTF-8"?>
<rsm:CrossIndustryInvoice
    xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
    xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
    xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100">
  <rsm:ExchangedDocumentContext><ram:GuidelineSpecifiedDocumentContextParameter>
    <ram:ID>urn:cen.eu:en16931:2017#conformant#urn:factur-x.eu:1p0:extended</ram:ID>
  </ram:GuidelineSpecifiedDocumentContextParameter></rsm:ExchangedDocumentContext>
  <rsm:ExchangedDocument>
    <ram:ID>{invoice_id}</ram:ID>
    <ram:TypeCode>380</ram:TypeCode>
    <ram:IssueDateTime><udt:DateTimeString format="102">{date}</udt:DateTimeString></ram:IssueDateTime>
  </rsm:ExchangedDocument>
  <rsm:SupplyChainTradeTransaction>
    <ram:IncludedSupplyChainTradeLineItem>
      <ram:AssociatedDocumentLineDocument><ram:LineID>1</ram:LineID></ram:AssociatedDocumentLineDocument>
      <ram:SpecifiedTradeProduct>
        <ram:SellerAssignedID>{part}</ram:SellerAssignedID>
        <ram:Name>Docking station</ram:Name>
      </ram:SpecifiedTradeProduct>
      <ram:SpecifiedLineTradeAgreement>
        <ram:BuyerOrderReferencedDocument><ram:LineID>{line_id}</ram:LineID></ram:BuyerOrderReferencedDocument>
        <ram:NetPriceProductTradePrice><ram:ChargeAmount>{price}</ram:ChargeAmount></ram:NetPriceProductTradePrice>
      </ram:SpecifiedLineTradeAgreement>
      <ram:SpecifiedLineTradeDelivery>
        <ram:BilledQuantity unitCode="C62">{qty}</ram:BilledQuantity>
      </ram:SpecifiedLineTradeDelivery>
      <ram:SpecifiedLineTradeSettlement>
        <ram:SpecifiedTradeSettlementLineMonetarySummation>
          <ram:LineTotalAmount>{total}</ram:LineTotalAmount>
        </ram:SpecifiedTradeSettlementLineMonetarySummation>
      </ram:SpecifiedLineTradeSettlement>
    </ram:IncludedSupplyChainTradeLineItem>
    <ram:ApplicableHeaderTradeAgreement>
      <ram:SellerTradeParty>
        <ram:Name>{vendor}</ram:Name>
        <ram:URIUniversalCommunication>
          <ram:URIID schemeID="SMTP">{email}</ram:URIID>
        </ram:URIUniversalCommunication>
      </ram:SellerTradeParty>
      <ram:BuyerTradeParty><ram:Name>{company}</ram:Name></ram:BuyerTradeParty>
      <ram:BuyerOrderReferencedDocument><ram:IssuerAssignedID>{po}</ram:IssuerAssignedID></ram:BuyerOrderReferencedDocument>
    </ram:ApplicableHeaderTradeAgreement>
    <ram:ApplicableHeaderTradeSettlement>
      <ram:InvoiceCurrencyCode>{currency}</ram:InvoiceCurrencyCode>
      <ram:SpecifiedTradeSettlementHeaderMonetarySummation>
        <ram:LineTotalAmount>{total}</ram:LineTotalAmount>
        <ram:TaxBasisTotalAmount>{total}</ram:TaxBasisTotalAmount>
        <ram:GrandTotalAmount>{total}</ram:GrandTotalAmount>
        <ram:DuePayableAmount>{total}</ram:DuePayableAmount>
      </ram:SpecifiedTradeSettlementHeaderMonetarySummation>
    </ram:ApplicableHeaderTradeSettlement>
  </rsm:SupplyChainTradeTransaction>
</rsm:CrossIndustryInvoice>
"""


@tagged("post_install", "-at_install")
class TestInvoiceByMail(BillCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        domain = cls.env["mail.alias.domain"].create({"name": "reseller-bills.example"})
        cls.company.alias_domain_id = domain
        cls.journal = cls.env["account.journal"].search(
            [("type", "=", "purchase"), ("company_id", "=", cls.company.id)], limit=1
        )
        cls.journal.alias_name = "bills"

    def _mail(self, po, filename, content, maintype, subtype, message_id):
        message = EmailMessage()
        message["From"] = f"Accounts <{po.partner_id.email}>"
        message["To"] = self.journal.alias_id.alias_full_name
        message["Subject"] = f"Invoice for your order {po.name}"
        message["Message-ID"] = message_id
        message.set_content("Please find our invoice attached.")
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=filename)
        self.env["mail.thread"].message_process(False, bytes(message))
        return self.env["account.move"].search(
            [("partner_id", "=", po.partner_id.id), ("move_type", "=", "in_invoice")]
        )

    def test_a_ubl_invoice_by_mail_reaches_the_matcher(self):
        _order, po = self.shipped_po([(self.dock, 3)])
        xml = UBL_INVOICE.format(**self.e_invoice_values(po, invoice_id="UBL-MAIL-1"))
        bill = self._mail(po, "invoice.xml", xml.encode(), "application", "xml", "<ubl-mail-1@ing.example>")
        self.assertRecordValues(
            bill,
            [{"ref": "UBL-MAIL-1", "state": "draft", "channel_review_state": "ok", "channel_origin": "edi"}],
        )
        self.assertEqual(
            bill.invoice_line_ids.purchase_line_id, po.order_line.filtered("channel_line_number")
        )

    def test_a_factur_x_invoice_by_mail_reaches_the_matcher(self):
        _order, po = self.shipped_po([(self.dock, 3)])
        today = fields.Date.today().strftime("%Y%m%d")
        xml = CII_INVOICE.format(**self.e_invoice_values(po, invoice_id="FX-MAIL-1", date=today))
        writer = OdooPdfFileWriter()
        writer.addBlankPage(595, 842)
        writer.addAttachment("factur-x.xml", xml.encode(), subtype="text/xml")
        pdf = io.BytesIO()
        writer.write(pdf)
        bill = self._mail(
            po, "FX-MAIL-1.pdf", pdf.getvalue(), "application", "pdf", "<fx-mail-1@ing.example>"
        )
        self.assertRecordValues(
            bill,
            [{"ref": "FX-MAIL-1", "state": "draft", "channel_review_state": "ok", "channel_origin": "edi"}],
        )
        self.assertEqual(
            bill.invoice_line_ids.purchase_line_id, po.order_line.filtered("channel_line_number")
        )

    def test_the_same_invoice_mail_twice_makes_one_bill(self):
        _order, po = self.shipped_po([(self.dock, 3)])
        xml = UBL_INVOICE.format(**self.e_invoice_values(po, invoice_id="UBL-MAIL-2"))
        self._mail(po, "invoice.xml", xml.encode(), "application", "xml", "<ubl-mail-2@ing.example>")
        bills = self._mail(po, "invoice.xml", xml.encode(), "application", "xml", "<ubl-mail-2@ing.example>")
        self.assertEqual(len(bills), 1)
