"""OrderRequest out: build → validate against the cXML subset schema → parse back; what a distributor
needs is there and right; payloadIDs are stable; bad values are refused with the field named."""

from __future__ import annotations

import dataclasses
import os
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

from fulfilment_engine.documents import cxml


def xpath_text(body: bytes, path: str) -> list[str]:
    return [
        str(v).strip() if not hasattr(v, "text") else (v.text or "").strip()
        for v in etree.fromstring(body).xpath(path)
    ]


def test_built_order_request_validates_and_parses_back_to_the_same_order(purchase_order, build_order):
    body = build_order(purchase_order)

    assert cxml.schema_errors(body) == []
    received = cxml.parse_order_request(body)
    assert received.order == purchase_order
    assert received.payload_id == "PO00042.r0@acme.example"
    assert received.sender.shared_secret == "outbound-s3cret"
    assert received.deployment_mode == "production"


def test_order_request_carries_what_the_distributor_needs(purchase_order, build_order):
    body = build_order(purchase_order)
    header = "/cXML/Request/OrderRequest/OrderRequestHeader"

    assert body.startswith(
        b"<?xml version='1.0' encoding='UTF-8'?>\n<!DOCTYPE cXML SYSTEM "
        b'"http://xml.cxml.org/schemas/cXML/1.2.050/cXML.dtd">'
    )
    assert xpath_text(body, f"{header}/@orderID") == ["PO00042"]
    assert xpath_text(body, f"{header}/@orderDate") == ["2025-03-14T10:22:00+01:00"]
    assert xpath_text(body, f"{header}/Total/Money") == ["3209.47"]
    assert xpath_text(body, f"{header}/Total/Money/@currency") == ["GBP"]
    assert xpath_text(body, f"{header}/Shipping/Money") == ["9.95"]
    # ShipTo is the end customer (drop-ship); BillTo is us.
    assert xpath_text(body, f"{header}/ShipTo/Address/Name") == ["Jane Smith"]
    assert xpath_text(body, f"{header}/ShipTo/Address/PostalAddress/Street") == ["12 Mill Lane", "Unit 4"]
    assert xpath_text(body, f"{header}/ShipTo/Address/PostalAddress/PostalCode") == ["M1 1AE"]
    assert xpath_text(body, f"{header}/ShipTo/Address/PostalAddress/Country/@isoCountryCode") == ["GB"]
    assert xpath_text(body, f"{header}/BillTo/Address/Name") == ["Acme IT Ltd"]
    assert xpath_text(body, f"{header}/Comments") == ["Please deliver before noon."]
    items = "/cXML/Request/OrderRequest/ItemOut"
    assert xpath_text(body, f"{items}/@lineNumber") == ["1", "2", "3"]
    assert xpath_text(body, f"{items}/@quantity") == ["3", "5", "1"]
    assert xpath_text(body, f"{items}/ItemID/SupplierPartID") == ["ING-4471230", "ING-0098877", "ING-7712001"]
    assert xpath_text(body, f"{items}/ItemDetail/UnitPrice/Money") == ["1012.40", "6.4567", "139.99"]
    assert xpath_text(body, f"{items}/ItemDetail/Description/@xml:lang") == ["en", "en", "en"]
    assert xpath_text(body, f"{items}[2]/ItemDetail/Description") == [
        "StarTech USB-C to USB-C cable 1m & <adapter>"
    ]
    assert xpath_text(body, f"{items}/ItemDetail/UnitOfMeasure") == ["EA", "EA", "EA"]
    assert xpath_text(body, f"{items}/ItemDetail/ManufacturerPartID") == ["21ML0035UK", "USB2CC1M"]
    assert xpath_text(body, f"{items}[1]/ItemDetail/ManufacturerName") == ["Lenovo"]
    assert xpath_text(body, f"{items}[1]/@requestedDeliveryDate") == ["2025-03-20"]
    assert xpath_text(body, f"{items}[1]/ItemDetail/Classification[@domain='UNSPSC']") == ["43211503"]
    # The shared secret only ever travels in Sender.
    assert xpath_text(body, "//SharedSecret") == ["outbound-s3cret"]
    assert xpath_text(body, "/cXML/Header/Sender/UserAgent") == ["Channel Fulfilment 0.1 (tests)"]


def test_total_is_the_sum_of_the_lines_and_a_wrong_total_is_refused(purchase_order, build_order):
    goods = sum(Decimal(line.quantity) * line.unit_price for line in purchase_order.lines)
    assert purchase_order.total == goods.quantize(Decimal("0.01"))

    wrong = dataclasses.replace(purchase_order, total=purchase_order.total + purchase_order.shipping)
    with pytest.raises(cxml.CxmlBuildError) as caught:
        build_order(wrong)
    assert caught.value.where == "PurchaseOrderDoc.total"
    assert "3219.42 is not the sum of the lines (3209.47)" in str(caught.value)


def test_payload_id_is_stable_and_the_rebuilt_document_is_identical(purchase_order, build_order):
    first = cxml.payload_id_for("PO00042", "acme.example")
    assert first == cxml.payload_id_for("PO00042", "acme.example") == "PO00042.r0@acme.example"
    assert cxml.payload_id_for("PO00042", "acme.example", revision=1) == "PO00042.r1@acme.example"
    assert cxml.payload_id_for("PO00042", "other.example") != first
    assert cxml.payload_id_for("PO 42@x", "acme.example") == "PO%2042%40x.r0@acme.example"
    assert build_order(purchase_order) == build_order(purchase_order)
    with pytest.raises(cxml.CxmlBuildError):
        cxml.payload_id_for("PO00042", "acme@example")


def test_blind_drop_ship_names_us_as_sender_and_keeps_the_customer_on_the_label(
    purchase_order, reseller, build_order
):
    blind = dataclasses.replace(purchase_order, blind_ship_from=reseller)
    body = build_order(blind)
    header = "/cXML/Request/OrderRequest/OrderRequestHeader"

    assert cxml.schema_errors(body) == []
    assert xpath_text(body, f"{header}/ShipTo/Address/Name") == ["Jane Smith"]
    assert xpath_text(body, f"{header}/ShipTo/Address/PostalAddress/DeliverTo") == ["Jane Smith"]
    assert xpath_text(body, f"{header}/Contact[@role='shipFrom']/Name") == ["Acme IT Ltd"]
    assert xpath_text(body, f"{header}/Contact[@role='shipFrom']/PostalAddress/PostalCode") == ["LS1 1AA"]
    comments = xpath_text(body, f"{header}/Comments")
    assert comments == [
        "Blind ship: no distributor branding; sender Acme IT Ltd\n\nPlease deliver before noon."
    ]
    assert xpath_text(body, f"{header}/Extrinsic[@name='blindShip']") == ["yes"]
    assert cxml.parse_order_request(body).order == blind


def test_update_and_delete_reference_the_previous_order_request(purchase_order, build_order):
    update = dataclasses.replace(
        purchase_order, order_type="update", previous_payload_id="PO00042.r0@acme.example"
    )
    body = build_order(update, payload_id=cxml.payload_id_for("PO00042", "acme.example", revision=1))
    header = "/cXML/Request/OrderRequest/OrderRequestHeader"
    assert xpath_text(body, f"{header}/@type") == ["update"]
    assert xpath_text(body, f"{header}/DocumentReference/@payloadID") == ["PO00042.r0@acme.example"]
    assert cxml.parse_order_request(body).order == update

    with pytest.raises(cxml.CxmlBuildError) as caught:
        build_order(dataclasses.replace(purchase_order, order_type="delete"))
    assert caught.value.where == "PurchaseOrderDoc.previous_payload_id"


def test_test_deployment_mode_is_marked(purchase_order, build_order):
    body = build_order(purchase_order, deployment_mode="test")
    assert xpath_text(body, "/cXML/Request/@deploymentMode") == ["test"]
    assert cxml.parse_order_request(body).deployment_mode == "test"


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (lambda po: dataclasses.replace(po, lines=()), "PurchaseOrderDoc.lines"),
        (lambda po: dataclasses.replace(po, currency="pounds"), "PurchaseOrderDoc.currency"),
        (lambda po: dataclasses.replace(po, order_id=" "), "PurchaseOrderDoc.order_id"),
        (
            lambda po: dataclasses.replace(po, order_date=datetime(2025, 3, 14, 10, 22)),
            "PurchaseOrderDoc.order_date",
        ),
        (
            lambda po: dataclasses.replace(
                po, lines=(dataclasses.replace(po.lines[0], supplier_part_id=""),)
            ),
            "PurchaseOrderDoc.lines[0].supplier_part_id",
        ),
        (
            lambda po: dataclasses.replace(po, lines=(dataclasses.replace(po.lines[0], quantity=0),)),
            "PurchaseOrderDoc.lines[0].quantity",
        ),
        (
            lambda po: dataclasses.replace(
                po, lines=(po.lines[0], dataclasses.replace(po.lines[1], line_number=1))
            ),
            "PurchaseOrderDoc.lines[1].line_number",
        ),
        (
            lambda po: dataclasses.replace(po, ship_to=dataclasses.replace(po.ship_to, street=())),
            "PurchaseOrderDoc.ship_to.street",
        ),
        (
            lambda po: dataclasses.replace(po, ship_to=dataclasses.replace(po.ship_to, country_code="UK ")),
            "PurchaseOrderDoc.ship_to.country_code",
        ),
    ],
)
def test_values_that_cannot_be_sent_are_refused_naming_the_field(purchase_order, build_order, change, where):
    with pytest.raises(cxml.CxmlBuildError) as caught:
        build_order(change(purchase_order))
    assert caught.value.where == where
    assert str(caught.value).startswith(f"{where}: ")


def test_the_schema_catches_a_document_out_of_dtd_order(purchase_order, build_order):
    root = etree.fromstring(build_order(purchase_order))
    header = root.find("Request/OrderRequest/OrderRequestHeader")
    header.insert(0, header.find("BillTo"))  # BillTo before Total: the DTD forbids it
    errors = cxml.schema_errors(root)
    assert errors and all(e.startswith("line ") for e in errors)
    with pytest.raises(cxml.CxmlInvalid):
        cxml.validate(root)


DTD_DIR = os.environ.get("CXML_DTD_DIR")


@pytest.mark.skipif(
    not DTD_DIR,
    reason="every run checks each document we build against our RELAX NG subset schema "
    "(cxml-1.2-subset.rng); this extra check against the official cXML DTD needs the licensed cXML.dtd "
    "and Fulfill.dtd (not shipped here): set CXML_DTD_DIR to the folder holding them",
)
def test_documents_are_valid_against_the_official_dtd(purchase_order, reseller, build_order, sample):
    """Conformance with the real cXML DTD (not redistributed here; download it from cxml.org)."""
    folder = Path(DTD_DIR)
    cxml_dtd = etree.DTD(str(folder / "cXML.dtd"))
    fulfill_dtd = etree.DTD(str(folder / "Fulfill.dtd"))
    for po in (purchase_order, dataclasses.replace(purchase_order, blind_ship_from=reseller)):
        root = etree.fromstring(build_order(po))
        assert cxml_dtd.validate(root), cxml_dtd.error_log.filter_from_errors()
    response = cxml.build_response(200, "OK", "", payload_id="r@acme", timestamp=purchase_order.order_date)
    assert cxml_dtd.validate(etree.fromstring(response)), cxml_dtd.error_log.filter_from_errors()
    names = (
        "confirmation_accept.xml",
        "confirmation_reject.xml",
        "confirmation_detail_backorder.xml",
        "ship_notice_partial.xml",
        "ship_notice_whole_order.xml",
    )
    documents = [sample(name) for name in names]
    # What the simulator sends is built by the library: it must be valid too.
    documents.append(cxml.build_confirmation_request(cxml.parse_confirmation_request(documents[2])))
    documents.append(cxml.build_ship_notice_request(cxml.parse_ship_notice_request(documents[3])))
    for name, document in zip((*names, "built confirmation", "built ship notice"), documents, strict=True):
        root = etree.fromstring(document)
        assert fulfill_dtd.validate(root), (name, fulfill_dtd.error_log.filter_from_errors())
