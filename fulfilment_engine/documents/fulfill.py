"""cXML ConfirmationRequest and ShipNoticeRequest (Fulfill.dtd): what distributors send back.

Parsing is lenient about what we do not use (Contact, Hazard, Packaging, Extrinsic, ... are skipped)
and strict about what we act on: order, line numbers, quantities, types, dates, tracking. The
builders exist for the supplier simulator and for tests; they produce what a distributor would.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from lxml import etree

from .envelope import CXML_VERSION, Envelope, new_request, order_id_from_payload_id, read_request
from .errors import CxmlBuildError
from .invoice import Invoice, read_invoice
from .model import Confirmation, ConfirmationLine, ShipNotice, ShipNoticeLine
from .xmlio import (
    Node,
    datetime_text,
    price_text,
    quantity_text,
    serialize,
    sub,
    to_decimal,
    validate,
)

CONFIRMATION_TYPES = (
    "accept",
    "allDetail",
    "detail",
    "backordered",
    "except",
    "reject",
    "requestToPay",
    "replace",
)
CONFIRMATION_LINE_TYPES = (
    "accept",
    "allDetail",
    "detail",
    "backordered",
    "reject",
    "unknown",
    "requestToPay",
)
DEFAULT_USER_AGENT = "Channel Fulfilment cXML"


def _distributor_request(
    tag: str, doc: Confirmation | ShipNotice, timestamp: datetime, user_agent: str
) -> tuple[etree._Element, etree._Element]:
    """The envelope of a document the distributor sends: its From and To default to its Sender."""
    return new_request(
        tag,
        payload_id=doc.payload_id,
        timestamp=timestamp,
        from_=doc.from_ or doc.sender,
        to=doc.to or doc.sender,
        sender=doc.sender,
        user_agent=user_agent,
        deployment_mode=doc.deployment_mode,
    )


def _comments(node: Node) -> str:
    return "\n\n".join(c.text() for c in node.all("Comments") if c.text())


def _order_reference(node: Node) -> tuple[str, str]:
    """(orderID, payloadID of our OrderRequest) from an OrderReference.

    orderID is optional in the DTD; without it the order is the one our payloadID names.
    """
    ref = node.child("OrderReference")
    payload = ref.child("DocumentReference").attr("payloadID")
    order_id = ref.el.get("orderID", "").strip() or order_id_from_payload_id(payload)
    if not order_id:
        raise ref.fail(f"missing attribute orderID (and payloadID {payload!r} is not one of ours)")
    return order_id, payload


# ---------------------------------------------------------------------------------------------- Confirmation


def _confirmation_line(item: Node, status: Node) -> ConfirmationLine:
    price = status.find("UnitPrice", "Money")
    uom = status.opt("UnitOfMeasure") or item.opt("UnitOfMeasure")
    return ConfirmationLine(
        line_number=item.int_attr("lineNumber"),
        quantity=status.quantity_attr("quantity"),
        type=status.choice_attr("type", CONFIRMATION_LINE_TYPES),  # type: ignore[arg-type]
        comments=_comments(status),
        delivery_date=status.opt_datetime_attr("deliveryDate"),
        shipment_date=status.opt_datetime_attr("shipmentDate"),
        ordered_quantity=item.quantity_attr("quantity"),
        uom=uom.text() if uom is not None and uom.text() else "EA",
        unit_price=to_decimal(price.required_text(), price.path) if price is not None else None,
        currency=price.attr("currency") if price is not None else "",
    )


def _read_confirmation(env: Envelope) -> Confirmation:
    request = env.request
    header = request.child("ConfirmationHeader")
    order_id, order_payload_id = _order_reference(request)
    lines: list[ConfirmationLine] = []
    for item in request.all("ConfirmationItem"):
        statuses = item.all("ConfirmationStatus")
        if not statuses:
            raise item.fail("missing element ConfirmationStatus")
        lines.extend(_confirmation_line(item, status) for status in statuses)
    return Confirmation(
        payload_id=env.payload_id,
        order_id=order_id,
        confirm_id=header.el.get("confirmID", "").strip(),
        type=header.choice_attr("type", CONFIRMATION_TYPES),  # type: ignore[arg-type]
        notice_date=header.datetime_attr("noticeDate"),
        lines=tuple(lines),
        sender=env.sender,
        from_=env.from_,
        to=env.to,
        timestamp=env.timestamp,
        order_payload_id=order_payload_id,
        operation=header.choice_attr("operation", ("new", "update"), "new"),  # type: ignore[arg-type]
        comments=_comments(header),
        deployment_mode=env.deployment_mode,
    )


def parse_confirmation_request(xml: bytes) -> Confirmation:
    """A distributor's order confirmation; CxmlMalformed (with the element path) when unusable."""
    return _read_confirmation(read_request(xml, "ConfirmationRequest"))


def _group_by_line(lines: Iterable[ConfirmationLine]) -> dict[int, list[ConfirmationLine]]:
    grouped: dict[int, list[ConfirmationLine]] = {}
    for line in lines:
        grouped.setdefault(line.line_number, []).append(line)
    return grouped


def build_confirmation_request(conf: Confirmation, *, user_agent: str = DEFAULT_USER_AGENT) -> bytes:
    """The ConfirmationRequest a distributor would send for `conf` (simulator and tests)."""
    if conf.type not in CONFIRMATION_TYPES:
        raise CxmlBuildError("Confirmation.type", f"{conf.type!r} is not a cXML confirmation type")
    if not conf.order_payload_id:
        raise CxmlBuildError("Confirmation.order_payload_id", "required (OrderReference/DocumentReference)")
    root, request = _distributor_request(
        "ConfirmationRequest", conf, conf.timestamp or conf.notice_date, user_agent
    )
    header_attrs = {
        "type": conf.type,
        "noticeDate": datetime_text(conf.notice_date, "Confirmation.notice_date"),
        "operation": conf.operation,
    }
    if conf.confirm_id:
        header_attrs["confirmID"] = conf.confirm_id
    header = sub(request, "ConfirmationHeader", **header_attrs)
    if conf.comments:
        sub(header, "Comments", conf.comments, xml_lang="en")
    ref = sub(request, "OrderReference", orderID=conf.order_id)
    sub(ref, "DocumentReference", payloadID=conf.order_payload_id)
    for line_number, statuses in _group_by_line(conf.lines).items():
        ordered = statuses[0].ordered_quantity
        if ordered is None:
            ordered = sum((s.quantity for s in statuses), start=statuses[0].quantity * 0)
        item = sub(request, "ConfirmationItem", quantity=quantity_text(ordered), lineNumber=str(line_number))
        sub(item, "UnitOfMeasure", statuses[0].uom)
        for status in statuses:
            attrs = {"quantity": quantity_text(status.quantity), "type": status.type}
            if status.shipment_date is not None:
                attrs["shipmentDate"] = datetime_text(status.shipment_date, "ConfirmationLine.shipment_date")
            if status.delivery_date is not None:
                attrs["deliveryDate"] = datetime_text(status.delivery_date, "ConfirmationLine.delivery_date")
            status_el = sub(item, "ConfirmationStatus", **attrs)
            sub(status_el, "UnitOfMeasure", status.uom)
            if status.unit_price is not None:
                sub(
                    sub(status_el, "UnitPrice"),
                    "Money",
                    price_text(status.unit_price),
                    currency=status.currency or "GBP",
                )
            if status.comments:
                sub(status_el, "Comments", status.comments, xml_lang="en")
    validate(root)
    return serialize(root, "Fulfill.dtd", CXML_VERSION)


# ---------------------------------------------------------------------------------------------- ShipNotice


def _carrier(control: Node) -> tuple[str, str]:
    """(carrier name, SCAC) of a ShipControl: companyName preferred, else the first identifier."""
    ids = {c.attr("domain").casefold(): c.text() for c in control.all("CarrierIdentifier")}
    if not ids:
        raise control.fail("missing element CarrierIdentifier")
    name = ids.get("companyname") or next(iter(ids.values()))
    return name, ids.get("scac", "")


def _read_ship_notice(env: Envelope) -> ShipNotice:
    request = env.request
    header = request.child("ShipNoticeHeader")
    notice_date = header.datetime_attr("noticeDate")
    carrier = carrier_code = tracking_url = ""
    tracking: list[str] = []
    for i, control in enumerate(request.all("ShipControl")):
        name, scac = _carrier(control)
        if i == 0:
            carrier, carrier_code = name, scac
        idents = control.all("ShipmentIdentifier")
        if not idents:
            raise control.fail("missing element ShipmentIdentifier")
        for ident in idents:
            number = ident.required_text()
            if number not in tracking:
                tracking.append(number)
            tracking_url = tracking_url or ident.el.get("trackingURL", "").strip()
    service = header.opt("ServiceLevel")
    if service is None:
        service = request.find("ShipControl", "TransportInformation", "ShippingInstructions", "Description")
    lines: list[ShipNoticeLine] = []
    order_ids: list[str] = []
    whole: list[str] = []
    payloads: list[tuple[str, str]] = []
    portions = request.all("ShipNoticePortion")
    if not portions:
        raise request.fail("missing element ShipNoticePortion (which order does this shipment belong to?)")
    for portion in portions:
        order_id, payload = _order_reference(portion)
        order_ids.append(order_id)
        payloads.append((order_id, payload))
        items = portion.all("ShipNoticeItem")
        if not items:
            whole.append(order_id)  # cXML: a portion without items ships the entire order
        for item in items:
            part = item.find("ItemID", "SupplierPartID")
            uom = item.opt("UnitOfMeasure")
            lines.append(
                ShipNoticeLine(
                    line_number=item.int_attr("lineNumber"),
                    quantity=item.quantity_attr("quantity"),
                    order_id=order_id,
                    uom=uom.text() if uom is not None and uom.text() else "EA",
                    supplier_part_id=part.text() if part is not None else "",
                )
            )
    fulfillment = header.el.get("fulfillmentType")
    return ShipNotice(
        payload_id=env.payload_id,
        order_id=order_ids[0],
        shipment_id=header.attr("shipmentID"),
        carrier=carrier,
        carrier_service=service.text() if service is not None else "",
        tracking_numbers=tuple(tracking),
        shipment_date=header.opt_datetime_attr("shipmentDate") or notice_date,
        delivery_date=header.opt_datetime_attr("deliveryDate"),
        lines=tuple(lines),
        sender=env.sender,
        from_=env.from_,
        to=env.to,
        timestamp=env.timestamp,
        notice_date=notice_date,
        operation=header.choice_attr("operation", ("new", "update", "delete"), "new"),  # type: ignore[arg-type]
        fulfillment_type=header.choice_attr("fulfillmentType", ("partial", "complete"))
        if fulfillment
        else None,  # type: ignore[arg-type]
        carrier_code=carrier_code,
        tracking_url=tracking_url,
        order_ids=tuple(order_ids),
        whole_order_ids=tuple(whole),
        order_payload_ids=tuple(payloads),
        comments=_comments(header),
        deployment_mode=env.deployment_mode,
    )


def parse_ship_notice_request(xml: bytes) -> ShipNotice:
    """A distributor's advance ship notice; CxmlMalformed (with the element path) when unusable."""
    return _read_ship_notice(read_request(xml, "ShipNoticeRequest"))


def parse_inbound_request(xml: bytes) -> Confirmation | ShipNotice | Invoice:
    """One endpoint for every document a distributor sends: dispatch on the request element."""
    env = read_request(xml, "ConfirmationRequest", "ShipNoticeRequest", "InvoiceDetailRequest")
    if env.request.el.tag == "InvoiceDetailRequest":
        return read_invoice(env)
    if env.request.el.tag == "ConfirmationRequest":
        return _read_confirmation(env)
    return _read_ship_notice(env)


def build_ship_notice_request(notice: ShipNotice, *, user_agent: str = DEFAULT_USER_AGENT) -> bytes:
    """The ShipNoticeRequest a distributor would send for `notice` (simulator and tests)."""
    payloads = dict(notice.order_payload_ids)
    order_ids = list(notice.order_ids) or [notice.order_id]
    for order_id in order_ids:
        if not payloads.get(order_id):
            raise CxmlBuildError(
                "ShipNotice.order_payload_ids", f"no OrderRequest payloadID for order {order_id!r}"
            )
    root, request = _distributor_request(
        "ShipNoticeRequest",
        notice,
        notice.timestamp or notice.notice_date or notice.shipment_date,
        user_agent,
    )
    attrs = {
        "shipmentID": notice.shipment_id,
        "operation": notice.operation,
        "noticeDate": datetime_text(notice.notice_date or notice.shipment_date, "ShipNotice.notice_date"),
        "shipmentDate": datetime_text(notice.shipment_date, "ShipNotice.shipment_date"),
        "shipmentType": "actual",
    }
    if notice.delivery_date is not None:
        attrs["deliveryDate"] = datetime_text(notice.delivery_date, "ShipNotice.delivery_date")
    if notice.fulfillment_type:
        attrs["fulfillmentType"] = notice.fulfillment_type
    header = sub(request, "ShipNoticeHeader", **attrs)
    if notice.carrier_service:
        sub(header, "ServiceLevel", notice.carrier_service, xml_lang="en")
    if notice.comments:
        sub(header, "Comments", notice.comments, xml_lang="en")
    if notice.tracking_numbers:
        if not notice.carrier:
            raise CxmlBuildError("ShipNotice.carrier", "required with tracking numbers (CarrierIdentifier)")
        control = sub(request, "ShipControl")
        sub(control, "CarrierIdentifier", notice.carrier, domain="companyName")
        if notice.carrier_code:
            sub(control, "CarrierIdentifier", notice.carrier_code, domain="SCAC")
        for number in notice.tracking_numbers:
            ident_attrs = {"domain": "trackingNumber"}
            if notice.tracking_url:
                ident_attrs["trackingURL"] = notice.tracking_url
            sub(control, "ShipmentIdentifier", number, **ident_attrs)
    for order_id in order_ids:
        portion = sub(request, "ShipNoticePortion")
        ref = sub(portion, "OrderReference", orderID=order_id)
        sub(ref, "DocumentReference", payloadID=payloads[order_id])
        for line in notice.lines:
            if (line.order_id or notice.order_id) != order_id:
                continue
            item = sub(
                portion,
                "ShipNoticeItem",
                quantity=quantity_text(line.quantity),
                lineNumber=str(line.line_number),
            )
            if line.supplier_part_id:
                sub(sub(item, "ItemID"), "SupplierPartID", line.supplier_part_id)
            sub(item, "UnitOfMeasure", line.uom)
    validate(root)
    return serialize(root, "Fulfill.dtd", CXML_VERSION)
