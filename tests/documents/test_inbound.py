"""Documents in: distributor-written ConfirmationRequest and ShipNoticeRequest samples, the Response,
malformed and hostile XML, and the shared-secret check."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from fulfilment_engine.documents import cxml
from fulfilment_engine.simulators.hostile import billion_laughs

# ---------------------------------------------------------------------------------------------- confirmations


def test_whole_order_accept_without_lines(sample, creds):
    conf = cxml.parse_confirmation_request(sample("confirmation_accept.xml"))
    assert (conf.type, conf.order_id, conf.confirm_id) == ("accept", "PO00042", "IM-SO-70012345")
    assert conf.order_payload_id == "PO00042.r0@acme.example"
    assert conf.lines == ()
    assert conf.notice_date == datetime(2025, 3, 14, 10, 29, 10, tzinfo=UTC)
    assert conf.comments == "Order accepted in full. Sales order 70012345."
    assert conf.from_ == cxml.Credential("NetworkID", "INGRAM-UK")
    assert cxml.verify_sender(conf.sender, creds.distributor_inbound)


def test_whole_order_reject_keeps_the_reason(sample):
    conf = cxml.parse_confirmation_request(sample("confirmation_reject.xml"))
    assert (conf.type, conf.order_id, conf.lines) == ("reject", "PO00043", ())
    assert conf.comments.startswith("Rejected: credit limit exceeded")
    assert conf.timestamp == datetime(2025, 3, 14, 10, 35, 1, tzinfo=UTC)  # "Z" is UTC


def test_detail_confirmation_with_a_partial_backorder_and_a_rejected_line(sample):
    conf = cxml.parse_confirmation_request(sample("confirmation_detail_backorder.xml"))
    assert conf.type == "detail"
    assert conf.deployment_mode == "production"  # Request without deploymentMode: the DTD default
    summary = [(line.line_number, line.quantity, line.type, line.ordered_quantity) for line in conf.lines]
    assert summary == [
        (1, Decimal(3), "accept", Decimal(3)),
        (2, Decimal(2), "accept", Decimal(5)),
        (2, Decimal(3), "backordered", Decimal(5)),
        (3, Decimal(1), "reject", Decimal(1)),
    ]
    backorder = conf.lines[2]
    assert backorder.delivery_date == datetime(2025, 3, 28, 12, 0, tzinfo=UTC)
    assert backorder.comments == "Awaiting vendor stock, ETA 28/03"
    assert (conf.lines[1].unit_price, conf.lines[1].currency) == (Decimal("118.50"), "GBP")
    assert conf.lines[3].comments == "Product discontinued by manufacturer"
    assert conf.sender == cxml.Credential("DUNS", "219876543", "td-inbound-7731")


# ---------------------------------------------------------------------------------------------- ship notices


def test_partial_ship_notice_with_one_carrier_and_tracking(sample):
    notice = cxml.parse_ship_notice_request(sample("ship_notice_partial.xml"))
    assert (notice.order_id, notice.shipment_id) == ("PO00044", "TD-DN-88120031")
    assert (notice.carrier, notice.carrier_code, notice.carrier_service) == (
        "DPD UK",
        "DPDG",
        "Next Day before 12:00",
    )
    assert notice.tracking_numbers == ("15501234567890",)
    assert notice.tracking_url == "https://track.dpd.co.uk/parcels/15501234567890"
    assert notice.shipment_date == datetime(2025, 3, 14, 16, 5, tzinfo=UTC)
    assert notice.delivery_date == datetime(2025, 3, 15, 12, 0, tzinfo=UTC)
    assert notice.fulfillment_type == "partial"
    assert [(line.line_number, line.quantity, line.supplier_part_id) for line in notice.lines] == [
        (1, Decimal(3), "TD-552201"),
        (2, Decimal(2), "TD-778190"),
    ]
    assert notice.whole_order_ids == ()
    assert notice.order_payload_ids == (("PO00044", "PO00044.r0@acme.example"),)


def test_ship_notice_without_items_ships_the_whole_order(sample):
    notice = cxml.parse_ship_notice_request(sample("ship_notice_whole_order.xml"))
    assert notice.whole_order_ids == ("PO00042",) and notice.lines == ()
    assert (notice.carrier, notice.carrier_code) == ("UPS", "UPSN")  # companyName wins over SCAC
    assert notice.tracking_numbers == ("1Z999AA10123456784", "1Z999AA10123456795")
    assert notice.shipment_date == notice.notice_date  # no shipmentDate given: the notice date stands in
    assert notice.delivery_date is None


def test_one_inbound_parser_dispatches_on_the_request(sample, purchase_order, build_order):
    assert isinstance(cxml.parse_inbound_request(sample("confirmation_accept.xml")), cxml.Confirmation)
    assert isinstance(cxml.parse_inbound_request(sample("ship_notice_partial.xml")), cxml.ShipNotice)
    with pytest.raises(cxml.CxmlMalformed, match="expected ShipNoticeRequest, got ConfirmationRequest"):
        cxml.parse_ship_notice_request(sample("confirmation_accept.xml"))
    with pytest.raises(
        cxml.CxmlMalformed,
        match="expected ConfirmationRequest or ShipNoticeRequest or InvoiceDetailRequest, got OrderRequest",
    ):
        cxml.parse_inbound_request(build_order(purchase_order))


def test_built_confirmation_and_ship_notice_round_trip(sample):
    conf = cxml.parse_confirmation_request(sample("confirmation_detail_backorder.xml"))
    rebuilt = cxml.build_confirmation_request(conf)
    assert cxml.schema_errors(rebuilt) == []
    assert cxml.parse_confirmation_request(rebuilt) == conf

    notice = cxml.parse_ship_notice_request(sample("ship_notice_partial.xml"))
    rebuilt = cxml.build_ship_notice_request(notice)
    assert cxml.schema_errors(rebuilt) == []
    again = cxml.parse_ship_notice_request(rebuilt)
    assert (again.lines, again.tracking_numbers, again.carrier, again.shipment_id) == (
        notice.lines,
        notice.tracking_numbers,
        notice.carrier,
        notice.shipment_id,
    )


# ---------------------------------------------------------------------------------------------- malformed


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            lambda x: x.replace(b' shipmentID="TD-DN-88120031"', b""),
            "cXML/Request/ShipNoticeRequest/ShipNoticeHeader: missing attribute shipmentID",
        ),
        (
            lambda x: x.replace(b'quantity="2" lineNumber="2"', b'quantity="two" lineNumber="2"'),
            "ShipNoticeRequest/ShipNoticePortion/ShipNoticeItem[2]@quantity: 'two' is not a number",
        ),
        (
            lambda x: x.replace(b'lineNumber="1"', b'lineNumber="-1"'),
            "ShipNoticeRequest/ShipNoticePortion/ShipNoticeItem[1]: attribute lineNumber='-1' is not",
        ),
        (
            lambda x: x.replace(b'noticeDate="2025-03-14T17:19:40+00:00"', b'noticeDate="14/03/2025"'),
            "ShipNoticeHeader@noticeDate: '14/03/2025' is not an ISO 8601 date-time",
        ),
        (lambda x: x.replace(b"<SharedSecret>td-inbound-7731</SharedSecret>", b""), None),
        (
            lambda x: x.replace(b'<OrderReference orderID="PO00044">', b"<OrderReference>").replace(
                b"PO00044.r0@acme.example", b"ORD-77120@other.example"
            ),
            "ShipNoticePortion/OrderReference: missing attribute orderID (and payloadID",
        ),
        (lambda x: x.replace(b"</ShipNoticeRequest>", b""), "not well-formed XML"),
        (lambda x: b"", "document: empty body"),
        (lambda x: b"<html><body>502 Bad Gateway</body></html>", "not a cXML document"),
    ],
)
def test_malformed_ship_notices_name_the_element_path(sample, edit, message):
    body = edit(sample("ship_notice_partial.xml"))
    if message is None:  # a Sender without SharedSecret parses, but never authenticates
        notice = cxml.parse_ship_notice_request(body)
        assert notice.sender.shared_secret is None
        assert not cxml.verify_sender(notice.sender, cxml.Credential("DUNS", "219876543", "td-inbound-7731"))
        return
    with pytest.raises(cxml.CxmlMalformed) as caught:
        cxml.parse_ship_notice_request(body)
    assert message in str(caught.value)


def test_without_order_id_the_order_is_the_one_our_payload_id_names(sample):
    body = sample("ship_notice_partial.xml").replace(
        b'<OrderReference orderID="PO00044">', b"<OrderReference>"
    )
    assert cxml.parse_ship_notice_request(body).order_id == "PO00044"
    body = sample("confirmation_accept.xml").replace(b' orderID="PO00042"', b"")
    assert cxml.parse_confirmation_request(body).order_id == "PO00042"
    assert (
        cxml.order_id_from_payload_id(cxml.payload_id_for("PO 42/7", "acme.example", revision=3)) == "PO 42/7"
    )
    assert cxml.order_id_from_payload_id("1741948560123.77@edi.techdata.example") is None


def test_unknown_confirmation_type_is_refused(sample):
    body = sample("confirmation_detail_backorder.xml").replace(b'type="backordered"', b'type="maybe"')
    with pytest.raises(
        cxml.CxmlMalformed, match=r"ConfirmationItem\[2\]/ConfirmationStatus\[2\]: attribute type"
    ):
        cxml.parse_confirmation_request(body)


# ---------------------------------------------------------------------------------------------- hostile

BILLION_LAUGHS = billion_laughs(
    "cXML",
    '<cXML payloadID="p@x" timestamp="2025-01-01T00:00:00Z">\n'
    '<Response><Status code="200" text="&lol9;">&lol9;</Status></Response></cXML>',
)

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE cXML [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<cXML payloadID="p@x" timestamp="2025-01-01T00:00:00Z">
<Response><Status code="200" text="OK">&xxe;</Status></Response></cXML>"""

PARAMETER_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE cXML [<!ENTITY % remote SYSTEM "http://127.0.0.1:9/evil.dtd"> %remote;]>
<cXML payloadID="p@x" timestamp="2025-01-01T00:00:00Z">
<Response><Status code="200" text="OK"/></Response></cXML>"""


def _utf16(doc: bytes) -> bytes:
    """The same attack in UTF-16: invisible to a byte scan, so the parser's own guards must hold."""
    return (
        doc.replace(b'<?xml version="1.0"?>', b'<?xml version="1.0" encoding="UTF-16"?>')
        .decode()
        .encode("utf-16")
    )


@pytest.mark.parametrize(
    "doc",
    [BILLION_LAUGHS, EXTERNAL_ENTITY, PARAMETER_ENTITY, _utf16(BILLION_LAUGHS), _utf16(EXTERNAL_ENTITY)],
    ids=[
        "billion-laughs",
        "external-entity",
        "parameter-entity",
        "billion-laughs-utf16",
        "external-entity-utf16",
    ],
)
def test_entity_attacks_are_refused_without_expanding_anything(doc):
    with pytest.raises(cxml.CxmlMalformed) as caught:
        cxml.parse_response(doc)
    text = str(caught.value)
    assert "root:" not in text and "lollol" not in text  # nothing of /etc/passwd, nothing expanded
    assert "DTD" in text or "entity" in text.lower() or "amplification" in text.lower()


def test_the_public_dtd_named_in_doctype_is_never_fetched(sample):
    # The samples name http://xml.cxml.org/...; parsing works offline because nothing is loaded.
    doc = sample("confirmation_accept.xml").replace(
        b"http://xml.cxml.org/schemas/cXML/1.2.050/Fulfill.dtd", b"http://127.0.0.1:9/never.dtd"
    )
    assert cxml.parse_confirmation_request(doc).order_id == "PO00042"


# ---------------------------------------------------------------------------------------------- Response


def test_response_round_trip_and_status_classes():
    body = cxml.build_response(
        409,
        "Conflict",
        "duplicate order PO00042",
        payload_id="resp-1@acme",
        timestamp=datetime(2025, 3, 14, 9, 0, tzinfo=UTC),
    )
    assert cxml.schema_errors(body) == []
    status = cxml.parse_response(body)
    assert status == cxml.ResponseStatus(409, "Conflict", "duplicate order PO00042", "resp-1@acme")
    assert not status.ok and not status.retryable
    assert cxml.ResponseStatus(201, "Accepted", "", None).ok
    assert cxml.ResponseStatus(560, "Temporary server error", "", None).retryable
    with pytest.raises(cxml.CxmlMalformed, match="cXML/Response: missing element Status"):
        cxml.parse_response(b'<cXML payloadID="x" timestamp="2025-01-01T00:00:00Z"><Response/></cXML>')
    with pytest.raises(cxml.CxmlMalformed, match="code='OK' is not a number"):
        cxml.parse_response(
            b'<cXML payloadID="x" timestamp="t"><Response><Status code="OK" text="OK"/></Response></cXML>'
        )


# ---------------------------------------------------------------------------------------------- shared secret


def test_verify_sender_needs_identity_domain_and_secret():
    expected = cxml.Credential("NetworkID", "INGRAM-UK", "inbound-Secret-42")
    assert cxml.verify_sender(cxml.Credential("networkid", "INGRAM-UK", "inbound-Secret-42"), expected)
    assert not cxml.verify_sender(cxml.Credential("NetworkID", "INGRAM-UK", "inbound-secret-42"), expected)
    assert not cxml.verify_sender(cxml.Credential("NetworkID", "TECHDATA", "inbound-Secret-42"), expected)
    assert not cxml.verify_sender(cxml.Credential("DUNS", "INGRAM-UK", "inbound-Secret-42"), expected)
    assert not cxml.verify_sender(cxml.Credential("NetworkID", "INGRAM-UK", None), expected)
    # An endpoint configured without a secret authenticates nobody, not everybody.
    assert not cxml.verify_sender(
        cxml.Credential("NetworkID", "INGRAM-UK", ""), cxml.Credential("NetworkID", "INGRAM-UK", "")
    )
    assert "inbound-Secret-42" not in repr(expected)
