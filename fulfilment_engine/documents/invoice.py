"""cXML InvoiceDetailRequest (InvoiceDetail.dtd, cXML 1.2): a distributor's invoice or credit memo.

Read strictly where the accountant acts on a value (invoiceID, purpose, operation, order, line numbers,
quantities, prices, the summary amounts) and leniently elsewhere (InvoicePartner, Extrinsic, tax detail
are skipped). The builder exists for tests and benchmarks: it writes what a distributor would send.

    from fulfilment_engine.documents import invoice
    doc = invoice.parse_invoice_detail_request(body)   # CxmlMalformed names the element on bad input
    doc.invoice_id, doc.purpose, doc.lines[0].unit_price, doc.shipping
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Literal

from lxml import etree

from .envelope import CXML_VERSION, Envelope, new_request, order_id_from_payload_id, read_request
from .errors import CxmlBuildError
from .model import Credential, DeploymentMode
from .xmlio import Node, datetime_text, money_text, price_text, quantity_text, serialize, sub, to_decimal

Purpose = Literal["standard", "creditMemo", "lineLevelCreditMemo"]
PURPOSES: tuple[Purpose, ...] = ("standard", "creditMemo", "lineLevelCreditMemo")
OPERATIONS = ("new", "delete")
DEFAULT_USER_AGENT = "Channel Fulfilment cXML"


@dataclass(frozen=True)
class InvoiceLine:
    """One InvoiceDetailItem. `line_number` is the PO line it bills (InvoiceDetailItemReference)."""

    invoice_line_number: int
    quantity: Decimal
    unit_price: Decimal
    line_number: int
    order_id: str
    supplier_part_id: str = ""
    uom: str = "EA"
    description: str = ""


@dataclass(frozen=True)
class Invoice:
    """A received InvoiceDetailRequest. Amounts are as the document states them (a header-level credit
    memo may carry them negative); None where the summary leaves an amount out."""

    payload_id: str
    invoice_id: str
    purpose: Purpose
    invoice_date: datetime
    order_ids: tuple[str, ...]
    lines: tuple[InvoiceLine, ...]
    sender: Credential
    currency: str = ""
    operation: Literal["new", "delete"] = "new"
    subtotal: Decimal | None = None
    tax: Decimal | None = None
    special_handling: Decimal | None = None
    shipping: Decimal | None = None
    net: Decimal | None = None
    due: Decimal | None = None
    credited_invoice_id: str = ""  # InvoiceIDInfo@invoiceID: the invoice a creditMemo reverses
    order_payload_ids: tuple[tuple[str, str], ...] = ()
    from_: Credential | None = None
    to: Credential | None = None
    timestamp: datetime | None = None
    comments: str = ""
    deployment_mode: DeploymentMode = "production"

    @property
    def order_id(self) -> str:
        return self.order_ids[0] if self.order_ids else ""


# ---------------------------------------------------------------------------------------------- reading


def _money(node: Node | None) -> tuple[Decimal | None, str]:
    """(amount, currency) of an element holding a Money, or (None, "") when absent."""
    if node is None:
        return None, ""
    money = node.child("Money")
    return to_decimal(money.required_text(), money.path), money.el.get("currency", "").strip()


def _order_reference(order: Node) -> tuple[str, str]:
    ref = order.find("InvoiceDetailOrderInfo", "OrderReference") or order.opt("OrderReference")
    if ref is None:
        raise order.fail("missing element InvoiceDetailOrderInfo/OrderReference (which purchase order?)")
    document = ref.opt("DocumentReference")
    payload = document.attr("payloadID", "") if document is not None else ""
    order_id = ref.el.get("orderID", "").strip() or order_id_from_payload_id(payload) or ""
    if not order_id:
        raise ref.fail("missing attribute orderID")
    return order_id, payload


def _read_item(item: Node, order_id: str, purpose: Purpose) -> InvoiceLine:
    quantity = item.decimal_attr("quantity")
    price_node = item.child("UnitPrice")
    price, _currency = _money(price_node)
    assert price is not None
    if purpose != "creditMemo":
        # Negative amounts are legal only on a header-level credit memo; a line-level one states
        # positive quantities of what it credits.
        if quantity <= 0:
            raise item.fail(f"attribute quantity={quantity} must be > 0")
        if price < 0:
            raise price_node.fail(f"{price} must not be negative")
    elif quantity == 0:
        raise item.fail("attribute quantity=0 must not be zero")
    reference = item.child("InvoiceDetailItemReference")
    part = reference.find("ItemID", "SupplierPartID")
    description = reference.opt("Description")
    uom = item.opt("UnitOfMeasure")
    return InvoiceLine(
        invoice_line_number=item.int_attr("invoiceLineNumber"),
        quantity=quantity,
        unit_price=price,
        line_number=reference.int_attr("lineNumber"),
        order_id=order_id,
        supplier_part_id=part.text() if part is not None else "",
        uom=uom.text() if uom is not None and uom.text() else "EA",
        description=description.text() if description is not None else "",
    )


def _read_invoice(env: Envelope) -> Invoice:
    request = env.request
    header = request.child("InvoiceDetailRequestHeader")
    purpose: Purpose = header.choice_attr("purpose", PURPOSES, "standard")  # type: ignore[assignment]
    operation = header.choice_attr("operation", OPERATIONS, "new")
    orders = request.all("InvoiceDetailOrder")
    if not orders and operation == "new":
        raise request.fail("missing element InvoiceDetailOrder (which purchase order is invoiced?)")
    order_ids: list[str] = []
    payloads: list[tuple[str, str]] = []
    lines: list[InvoiceLine] = []
    for order in orders:
        order_id, payload = _order_reference(order)
        if order_id not in order_ids:
            order_ids.append(order_id)
            payloads.append((order_id, payload))
        lines.extend(_read_item(item, order_id, purpose) for item in order.all("InvoiceDetailItem"))
    summary = request.opt("InvoiceDetailSummary")
    if summary is None and operation == "new":
        raise request.fail("missing element InvoiceDetailSummary")
    amounts: dict[str, Decimal | None] = {}
    currency = ""
    for tag in ("SubtotalAmount", "Tax", "SpecialHandlingAmount", "ShippingAmount", "NetAmount", "DueAmount"):
        amount, cur = _money(summary.opt(tag) if summary is not None else None)
        amounts[tag] = amount
        currency = currency or cur
    info = header.opt("InvoiceIDInfo")
    comments = header.opt("Comments")
    return Invoice(
        payload_id=env.payload_id,
        invoice_id=header.attr("invoiceID"),
        purpose=purpose,
        operation=operation,  # type: ignore[arg-type]
        invoice_date=header.datetime_attr("invoiceDate"),
        order_ids=tuple(order_ids),
        order_payload_ids=tuple(payloads),
        lines=tuple(lines),
        currency=currency,
        subtotal=amounts["SubtotalAmount"],
        tax=amounts["Tax"],
        special_handling=amounts["SpecialHandlingAmount"],
        shipping=amounts["ShippingAmount"],
        net=amounts["NetAmount"],
        due=amounts["DueAmount"],
        credited_invoice_id=info.attr("invoiceID", "") if info is not None else "",
        sender=env.sender,
        from_=env.from_,
        to=env.to,
        timestamp=env.timestamp,
        comments=comments.text() if comments is not None else "",
        deployment_mode=env.deployment_mode,
    )


def parse_invoice_detail_request(xml: bytes) -> Invoice:
    """A distributor's invoice; CxmlMalformed (with the element path) when unusable."""
    return _read_invoice(read_request(xml, "InvoiceDetailRequest"))


def read_invoice(env: Envelope) -> Invoice:
    """The invoice inside an envelope already read (the inbound endpoint's dispatch)."""
    return _read_invoice(env)


# ---------------------------------------------------------------------------------------------- building


def _money_el(parent: etree._Element, tag: str, amount: Decimal, currency: str) -> None:
    sub(sub(parent, tag), "Money", money_text(amount), currency=currency)


def build_invoice_detail_request(doc: Invoice, *, user_agent: str = DEFAULT_USER_AGENT) -> bytes:
    """The InvoiceDetailRequest a distributor would send for `doc` (tests, benchmarks)."""
    if not doc.invoice_id.strip():
        raise CxmlBuildError("Invoice.invoice_id", "empty")
    if doc.purpose not in PURPOSES:
        raise CxmlBuildError("Invoice.purpose", f"{doc.purpose!r} is not one of {', '.join(PURPOSES)}")
    currency = doc.currency or "GBP"
    root, request = new_request(
        "InvoiceDetailRequest",
        payload_id=doc.payload_id,
        timestamp=doc.timestamp or doc.invoice_date,
        from_=doc.from_ or doc.sender,
        to=doc.to or doc.sender,
        sender=doc.sender,
        user_agent=user_agent,
        deployment_mode=doc.deployment_mode,
    )
    header = sub(
        request,
        "InvoiceDetailRequestHeader",
        invoiceID=doc.invoice_id,
        purpose=doc.purpose,
        operation=doc.operation,
        invoiceDate=datetime_text(doc.invoice_date, "Invoice.invoice_date"),
    )
    sub(header, "InvoiceDetailHeaderIndicator")
    sub(header, "InvoiceDetailLineIndicator")
    if doc.credited_invoice_id:
        sub(header, "InvoiceIDInfo", invoiceID=doc.credited_invoice_id)
    if doc.comments:
        sub(header, "Comments", doc.comments, xml_lang="en")
    payloads = dict(doc.order_payload_ids)
    for order_id in doc.order_ids:
        order = sub(request, "InvoiceDetailOrder")
        ref = sub(sub(order, "InvoiceDetailOrderInfo"), "OrderReference", orderID=order_id)
        sub(ref, "DocumentReference", payloadID=payloads.get(order_id) or f"{order_id}@unknown")
        for line in doc.lines:
            if (line.order_id or doc.order_id) != order_id:
                continue
            item = sub(
                order,
                "InvoiceDetailItem",
                invoiceLineNumber=str(line.invoice_line_number),
                quantity=quantity_text(line.quantity),
            )
            sub(item, "UnitOfMeasure", line.uom)
            sub(sub(item, "UnitPrice"), "Money", price_text(line.unit_price), currency=currency)
            reference = sub(item, "InvoiceDetailItemReference", lineNumber=str(line.line_number))
            if line.supplier_part_id:
                sub(sub(reference, "ItemID"), "SupplierPartID", line.supplier_part_id)
            if line.description:
                sub(reference, "Description", line.description, xml_lang="en")
            _money_el(item, "SubtotalAmount", line.quantity * line.unit_price, currency)
    summary = sub(request, "InvoiceDetailSummary")
    subtotal = doc.subtotal
    if subtotal is None:
        subtotal = sum((line.quantity * line.unit_price for line in doc.lines), start=Decimal(0))
    _money_el(summary, "SubtotalAmount", subtotal, currency)
    if doc.tax is not None:
        tax = sub(summary, "Tax")
        sub(tax, "Money", money_text(doc.tax), currency=currency)
        sub(tax, "Description", "VAT", xml_lang="en")
    if doc.special_handling is not None:
        _money_el(summary, "SpecialHandlingAmount", doc.special_handling, currency)
    if doc.shipping is not None:
        _money_el(summary, "ShippingAmount", doc.shipping, currency)
    net = doc.net
    if net is None:
        net = subtotal + sum(
            (a for a in (doc.tax, doc.special_handling, doc.shipping) if a is not None), start=Decimal(0)
        )
    _money_el(summary, "NetAmount", net, currency)
    _money_el(summary, "DueAmount", doc.due if doc.due is not None else net, currency)
    return serialize(root, "InvoiceDetail.dtd", CXML_VERSION)
