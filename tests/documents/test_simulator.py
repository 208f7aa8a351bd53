"""The supplier simulator posting ConfirmationRequests, ShipNoticeRequests and InvoiceDetailRequests to a
local receiver over real HTTP: all or part of the lines, carrier and tracking, our shared secret,
duplicates, what it bills."""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest

from fulfilment_engine.documents import cxml
from fulfilment_engine.documents.invoice import Invoice
from fulfilment_engine.simulators.cxml_supplier import CxmlSupplierSimulator


@pytest.fixture
def ordered(supplier, purchase_order, build_order, http):
    """PO00042 (lines 1×3, 2×5, 3×1) sent to the simulated distributor."""
    cxml.send_order_request(supplier.url, build_order(purchase_order), client=http, timeout=5)
    return supplier


def test_ship_notices_for_part_then_the_rest_reach_the_receiver(ordered, inbound, http):
    first = ordered.post_ship_notice(
        inbound.url,
        "PO00042",
        lines=[(1, 3), (2, 2)],
        carrier="DPD UK",
        carrier_code="DPDG",
        tracking_numbers=["15501234567890"],
        client=http,
    )
    assert (first.http_status, first.status.code) == (200, 200)
    second = ordered.post_ship_notice(
        inbound.url, "PO00042", carrier="UPS", tracking_numbers=["1Z999AA10123456784"], client=http
    )
    assert second.status.ok

    partial, rest = inbound.documents
    assert isinstance(partial, cxml.ShipNotice)
    assert (partial.order_id, partial.carrier, partial.carrier_code) == ("PO00042", "DPD UK", "DPDG")
    assert partial.tracking_numbers == ("15501234567890",)
    assert [(line.line_number, line.quantity) for line in partial.lines] == [(1, 3), (2, 2)]
    assert partial.lines[0].supplier_part_id == "ING-4471230"
    assert partial.fulfillment_type == "partial"
    assert partial.order_payload_ids == (("PO00042", "PO00042.r0@acme.example"),)
    # The second notice ships what was left, under its own tracking number and shipment id.
    assert [(line.line_number, line.quantity) for line in rest.lines] == [(2, Decimal(3)), (3, Decimal(1))]
    assert (rest.carrier, rest.tracking_numbers, rest.fulfillment_type) == (
        "UPS",
        ("1Z999AA10123456784",),
        "complete",
    )
    assert rest.shipment_id != partial.shipment_id
    for document in (first.document, second.document):
        assert cxml.schema_errors(document) == []


def test_confirmations_with_backordered_lines(ordered, inbound, http):
    lines = [
        cxml.ConfirmationLine(1, Decimal(3), "accept", ordered_quantity=Decimal(3)),
        cxml.ConfirmationLine(2, Decimal(2), "accept", ordered_quantity=Decimal(5)),
        cxml.ConfirmationLine(
            2, Decimal(3), "backordered", comments="ETA two weeks", ordered_quantity=Decimal(5)
        ),
        cxml.ConfirmationLine(3, Decimal(1), "reject", comments="Discontinued", ordered_quantity=Decimal(1)),
    ]
    result = ordered.post_confirmation(inbound.url, "PO00042", "detail", lines=lines, client=http)
    assert result.status.ok and cxml.schema_errors(result.document) == []
    whole = ordered.post_confirmation(inbound.url, "PO00042", "accept", client=http)
    assert whole.status.ok

    detail, accept = inbound.documents
    assert (detail.type, detail.order_id, detail.order_payload_id) == (
        "detail",
        "PO00042",
        "PO00042.r0@acme.example",
    )
    assert [(line.line_number, line.quantity, line.type) for line in detail.lines] == [
        (1, 3, "accept"),
        (2, 2, "accept"),
        (2, 3, "backordered"),
        (3, 1, "reject"),
    ]
    assert detail.lines[2].comments == "ETA two weeks"
    assert (accept.type, accept.lines) == ("accept", ())


def test_its_invoice_bills_what_it_received_one_line_dearer_when_asked(ordered, inbound, http):
    result = ordered.post_invoice(inbound.url, "PO00042", price_difference=Decimal("1.50"), client=http)
    assert (result.http_status, result.status.code) == (200, 200)
    [invoice] = inbound.documents
    assert isinstance(invoice, Invoice)
    assert (invoice.invoice_id, invoice.purpose, invoice.order_id) == ("INV-PO00042", "standard", "PO00042")
    assert invoice.order_payload_ids == (("PO00042", "PO00042.r0@acme.example"),)
    assert [(line.line_number, line.quantity, line.unit_price) for line in invoice.lines] == [
        (1, 3, Decimal("1013.90")),  # 1,012.40 ordered, billed 1.50 dearer
        (2, 5, Decimal("6.4567")),
        (3, 1, Decimal("139.99")),
    ]
    assert invoice.lines[0].supplier_part_id == "ING-4471230"
    assert (invoice.shipping, invoice.currency, invoice.tax) == (Decimal("9.95"), "GBP", None)


def test_a_resent_document_changes_nothing_at_the_receiver(ordered, inbound, http):
    result = ordered.post_ship_notice(inbound.url, "PO00042", client=http)
    again = ordered.resend(inbound.url, result, client=http)
    assert again.status.ok and again.payload_id == result.payload_id
    assert len(inbound.documents) == 1


def test_the_receiver_refuses_a_wrong_shared_secret(ordered, inbound, http):
    result = ordered.post_ship_notice(inbound.url, "PO00042", shared_secret="not-the-secret", client=http)
    assert (result.http_status, result.status.code, result.status.text) == (401, 401, "Unauthorized")
    assert inbound.documents == []


def test_posting_for_an_order_the_simulator_never_received(supplier, inbound, http):
    with pytest.raises(KeyError, match="PO09999"):
        supplier.post_ship_notice(inbound.url, "PO09999", client=http)
    # With the order's payloadID and lines given, it can still post (orders placed another way).
    result = supplier.post_ship_notice(
        inbound.url, "PO09999", lines=[(1, 2)], order_payload_id="PO09999.r0@acme", client=http
    )
    assert result.status.ok and inbound.documents[0].lines[0].quantity == 2


def test_simulator_lifecycle_and_plain_http(creds):
    sim = CxmlSupplierSimulator(buyer=creds.our_sender)
    with pytest.raises(RuntimeError):
        _ = sim.url
    with sim:
        url = sim.url
        assert url.startswith("http://127.0.0.1:") and url.endswith("/cxml/orders")
        assert httpx.get(url).status_code == 405
    with pytest.raises(httpx.ConnectError):
        httpx.post(url, content=b"<cXML/>", timeout=2)
    with pytest.raises(ValueError):
        CxmlSupplierSimulator(buyer=cxml.Credential("NetworkID", "ACME"))
