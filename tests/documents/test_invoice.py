"""Distributor invoices in: InvoiceDetailRequest read from a distributor-written sample, built and read
back, the purposes and operations, and bad input named by its element."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from fulfilment_engine.documents import cxml, invoice


def test_a_distributor_invoice_is_read(sample, creds):
    doc = cxml.parse_inbound_request(sample("invoice_detail_standard.xml"))
    assert isinstance(doc, invoice.Invoice)
    assert (doc.invoice_id, doc.purpose, doc.operation) == ("IM-9001", "standard", "new")
    assert doc.order_ids == ("PO00042",)
    assert doc.order_payload_ids == (("PO00042", "PO00042.r0@acme.example"),)
    assert doc.invoice_date == datetime(2025, 3, 20, 8, 0, tzinfo=UTC)
    assert [(li.line_number, li.quantity, li.unit_price, li.supplier_part_id) for li in doc.lines] == [
        (1, Decimal("10"), Decimal("131.20"), "CF1003"),
        (2, Decimal("2"), Decimal("8.50"), "CF2001"),
    ]
    assert (doc.subtotal, doc.tax, doc.shipping, doc.special_handling) == (
        Decimal("1329.00"),
        Decimal("268.29"),
        Decimal("12.50"),
        Decimal("0.00"),
    )
    assert (doc.net, doc.due, doc.currency) == (Decimal("1609.79"), Decimal("1609.79"), "GBP")
    assert doc.comments == "Thank you for your order."
    assert cxml.verify_sender(doc.sender, creds.distributor_inbound)


def _doc(**overrides):
    now = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
    values = {
        "payload_id": "inv-1@dist.example",
        "invoice_id": "INV-1",
        "purpose": "standard",
        "invoice_date": now,
        "order_ids": ("P00007",),
        "order_payload_ids": (("P00007", "P00007.r0@reseller.example"),),
        "lines": (
            invoice.InvoiceLine(1, Decimal("3"), Decimal("95.00"), 1, "P00007", "ING-SKU-DOCK"),
            invoice.InvoiceLine(2, Decimal("1"), Decimal("0.1234"), 2, "P00007"),
        ),
        "sender": cxml.Credential("NetworkID", "ING-UK", "s3cret"),
        "currency": "GBP",
        "tax": Decimal("57.02"),
        "shipping": Decimal("9.95"),
    }
    values.update(overrides)
    return invoice.Invoice(**values)


def test_built_and_read_back():
    doc = _doc()
    back = invoice.parse_invoice_detail_request(invoice.build_invoice_detail_request(doc))
    assert back.lines == doc.lines
    assert (back.invoice_id, back.purpose, back.order_ids) == ("INV-1", "standard", ("P00007",))
    assert back.subtotal == Decimal("285.12")  # 3 × 95.00 + 0.1234, to the penny
    assert back.net == back.due == Decimal("352.09")
    assert (back.tax, back.shipping, back.special_handling) == (Decimal("57.02"), Decimal("9.95"), None)


def test_a_credit_memo_names_the_invoice_it_reverses():
    doc = _doc(
        purpose="creditMemo",
        invoice_id="CN-1",
        credited_invoice_id="INV-1",
        lines=(invoice.InvoiceLine(1, Decimal("-3"), Decimal("95.00"), 1, "P00007"),),
    )
    back = invoice.parse_invoice_detail_request(invoice.build_invoice_detail_request(doc))
    assert (back.purpose, back.credited_invoice_id, back.lines[0].quantity) == ("creditMemo", "INV-1", -3)


def test_a_delete_needs_no_order():
    body = invoice.build_invoice_detail_request(_doc(operation="delete", order_ids=(), lines=()))
    back = invoice.parse_invoice_detail_request(body)
    assert (back.operation, back.order_ids, back.lines) == ("delete", (), ())


@pytest.mark.parametrize(
    ("line", "where"),
    [
        (invoice.InvoiceLine(1, Decimal("-1"), Decimal("95.00"), 1, "P00007"), "InvoiceDetailItem"),
        (invoice.InvoiceLine(1, Decimal("1"), Decimal("-95.00"), 1, "P00007"), "UnitPrice"),
    ],
)
def test_negative_amounts_only_on_a_header_credit_memo(line, where):
    body = invoice.build_invoice_detail_request(_doc(lines=(line,)))
    with pytest.raises(cxml.CxmlMalformed) as caught:
        invoice.parse_invoice_detail_request(body)
    assert where in caught.value.where


def test_a_purpose_we_do_not_know_is_named():
    body = invoice.build_invoice_detail_request(_doc()).replace(
        b'purpose="standard"', b'purpose="lineLevelDebitMemo"'
    )
    with pytest.raises(cxml.CxmlMalformed) as caught:
        invoice.parse_invoice_detail_request(body)
    assert caught.value.where.endswith("InvoiceDetailRequestHeader")
    assert "lineLevelDebitMemo" in caught.value.message


def test_an_invoice_without_its_order_is_refused():
    body = invoice.build_invoice_detail_request(_doc(order_ids=(), lines=()))
    with pytest.raises(cxml.CxmlMalformed, match="InvoiceDetailOrder"):
        invoice.parse_invoice_detail_request(body)
