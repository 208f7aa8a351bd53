"""cXML OrderRequest (a drop-ship purchase order to a distributor) and Response/Status.

Blind drop-ship, decided here because cXML 1.2 has no "ship from" on an OrderRequest:
- ShipTo stays the end customer, exactly as the courier label must read (Name = customer, DeliverTo =
  attention line). Our company never goes into DeliverTo: that would address the parcel to us.
- Our company travels as `Contact role="shipFrom"` in OrderRequestHeader (the role Fulfill.dtd uses for
  "starting point for shipments related to this order"), with its postal address as return address.
- The order's Comments begin with `Blind ship: no distributor branding; sender <company>` — the line a
  distributor's order desk reads — followed by any other comments (one Comments element, because many
  order-entry systems read only the first).
- `Extrinsic name="blindShip"` = `yes`, for systems that switch the packing slip automatically.
"""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal

from lxml import etree

from .envelope import CXML_VERSION, new_envelope, new_request, read_request
from .errors import CxmlBuildError
from .model import (
    Address,
    Credential,
    DeploymentMode,
    OrderLine,
    OrderRequestDoc,
    PurchaseOrderDoc,
    ResponseStatus,
)
from .xmlio import (
    Node,
    datetime_text,
    money_text,
    parse_xml,
    price_text,
    quantity_text,
    serialize,
    sub,
    to_decimal,
    validate,
)

BLIND_SHIP_EXTRINSIC = "blindShip"
_PHONE = re.compile(r"^\s*\+(\d{1,4})[\s\-.()]+(.+)$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")


def blind_ship_comment(company: str) -> str:
    return f"Blind ship: no distributor branding; sender {company}"


# ---------------------------------------------------------------------------------------------- checks


def _check_address(addr: Address, where: str) -> None:
    if not addr.name.strip():
        raise CxmlBuildError(f"{where}.name", "empty")
    if not any(s.strip() for s in addr.street):
        raise CxmlBuildError(f"{where}.street", "at least one street line is required")
    if not addr.city.strip():
        raise CxmlBuildError(f"{where}.city", "empty")
    if not _COUNTRY.match(addr.country_code):
        raise CxmlBuildError(
            f"{where}.country_code", f"{addr.country_code!r} is not an ISO 3166 alpha-2 code"
        )


def _check_order(po: PurchaseOrderDoc) -> None:
    where = "PurchaseOrderDoc"
    if not po.order_id.strip():
        raise CxmlBuildError(f"{where}.order_id", "empty")
    if not _CURRENCY.match(po.currency):
        raise CxmlBuildError(f"{where}.currency", f"{po.currency!r} is not an ISO 4217 code")
    if po.order_type not in ("new", "update", "delete"):
        raise CxmlBuildError(f"{where}.order_type", f"{po.order_type!r} is not new, update or delete")
    if po.order_type != "new" and not po.previous_payload_id.strip():
        raise CxmlBuildError(
            f"{where}.previous_payload_id",
            f"required for order_type {po.order_type!r} (cXML DocumentReference)",
        )
    if not po.lines:
        raise CxmlBuildError(f"{where}.lines", "an order needs at least one line")
    seen: set[int] = set()
    goods = Decimal(0)
    for i, line in enumerate(po.lines):
        lw = f"{where}.lines[{i}]"
        if not isinstance(line.line_number, int) or line.line_number < 1 or line.line_number in seen:
            raise CxmlBuildError(
                f"{lw}.line_number", f"{line.line_number!r} must be a unique whole number >= 1"
            )
        seen.add(line.line_number)
        if Decimal(line.quantity) <= 0:
            raise CxmlBuildError(f"{lw}.quantity", f"must be > 0, got {line.quantity}")
        if not line.supplier_part_id.strip():
            raise CxmlBuildError(f"{lw}.supplier_part_id", "empty (the distributor's part number)")
        if not line.description.strip():
            raise CxmlBuildError(f"{lw}.description", "empty")
        if Decimal(line.unit_price) < 0:
            raise CxmlBuildError(f"{lw}.unit_price", f"must be >= 0, got {line.unit_price}")
        if not line.uom.strip():
            raise CxmlBuildError(f"{lw}.uom", "empty")
        goods += Decimal(money_text(Decimal(line.quantity) * Decimal(line.unit_price)))
    if money_text(po.total) != money_text(goods):
        raise CxmlBuildError(
            f"{where}.total",
            f"{money_text(po.total)} is not the sum of the lines ({money_text(goods)}); "
            "Total is the goods total, freight goes in `shipping`",
        )
    if po.shipping is not None and po.shipping < 0:
        raise CxmlBuildError(f"{where}.shipping", f"must be >= 0, got {po.shipping}")
    _check_address(po.ship_to, f"{where}.ship_to")
    _check_address(po.bill_to, f"{where}.bill_to")
    if po.blind_ship_from is not None:
        _check_address(po.blind_ship_from, f"{where}.blind_ship_from")


# ---------------------------------------------------------------------------------------------- building


def _postal_address(parent: etree._Element, addr: Address) -> None:
    postal = sub(parent, "PostalAddress")
    if addr.deliver_to:
        sub(postal, "DeliverTo", addr.deliver_to)
    for line in addr.street:
        if line.strip():
            sub(postal, "Street", line)
    sub(postal, "City", addr.city)
    if addr.state:
        sub(postal, "State", addr.state)
    if addr.postcode:
        sub(postal, "PostalCode", addr.postcode)
    sub(postal, "Country", addr.country_name or addr.country_code, isoCountryCode=addr.country_code)


def _phone(parent: etree._Element, addr: Address) -> None:
    match = _PHONE.match(addr.phone)
    dial, number = (match.group(1), match.group(2).strip()) if match else ("", addr.phone.strip())
    number_el = sub(sub(parent, "Phone", name="work"), "TelephoneNumber")
    sub(number_el, "CountryCode", dial, isoCountryCode=addr.country_code)
    sub(number_el, "AreaOrCityCode", "")
    sub(number_el, "Number", number)


def _party(el: etree._Element, addr: Address) -> etree._Element:
    """Name, PostalAddress, Email, Phone: the content Address and Contact share."""
    if addr.address_id:
        el.set("addressID", addr.address_id)
    sub(el, "Name", addr.name, xml_lang="en")
    _postal_address(el, addr)
    if addr.email:
        sub(el, "Email", addr.email, name="default")
    if addr.phone:
        _phone(el, addr)
    return el


def _address(parent: etree._Element, addr: Address) -> None:
    _party(sub(parent, "Address", isoCountryCode=addr.country_code), addr)


def _ship_from_contact(parent: etree._Element, addr: Address) -> None:
    _party(sub(parent, "Contact", role="shipFrom"), addr)


def _item_out(parent: etree._Element, line: OrderLine, currency: str) -> None:
    attrs = {"quantity": quantity_text(line.quantity), "lineNumber": str(line.line_number)}
    if line.requested_delivery_date is not None:
        attrs["requestedDeliveryDate"] = line.requested_delivery_date.isoformat()[:10]
    item = sub(parent, "ItemOut", **attrs)
    sub(sub(item, "ItemID"), "SupplierPartID", line.supplier_part_id)
    detail = sub(item, "ItemDetail")
    sub(sub(detail, "UnitPrice"), "Money", price_text(line.unit_price), currency=currency)
    sub(detail, "Description", line.description, xml_lang="en")
    sub(detail, "UnitOfMeasure", line.uom)
    sub(detail, "Classification", line.unspsc, domain="UNSPSC")
    if line.manufacturer_part_id:
        sub(detail, "ManufacturerPartID", line.manufacturer_part_id)
    if line.manufacturer_name:
        sub(detail, "ManufacturerName", line.manufacturer_name)


def build_order_request(
    po: PurchaseOrderDoc,
    *,
    from_: Credential,
    to: Credential,
    sender: Credential,
    user_agent: str,
    payload_id: str,
    timestamp: datetime,
    deployment_mode: DeploymentMode = "production",
) -> bytes:
    """The cXML OrderRequest for `po`, validated against the subset schema before it is returned.

    Build it once and store the bytes: a retry must send the same document (same payloadID).
    """
    _check_order(po)
    root, order = new_request(
        "OrderRequest",
        payload_id=payload_id,
        timestamp=timestamp,
        from_=from_,
        to=to,
        sender=sender,
        user_agent=user_agent,
        deployment_mode=deployment_mode,
    )
    header = sub(
        order,
        "OrderRequestHeader",
        orderID=po.order_id,
        orderDate=datetime_text(po.order_date, "PurchaseOrderDoc.order_date"),
        type=po.order_type,
    )
    sub(sub(header, "Total"), "Money", money_text(po.total), currency=po.currency)
    _address(sub(header, "ShipTo"), po.ship_to)
    _address(sub(header, "BillTo"), po.bill_to)
    if po.shipping is not None:
        shipping = sub(header, "Shipping")
        sub(shipping, "Money", money_text(po.shipping), currency=po.currency)
        sub(shipping, "Description", po.shipping_description or "Carriage", xml_lang="en")
    comments = [po.comments.strip()] if po.comments.strip() else []
    if po.blind_ship_from is not None:
        _ship_from_contact(header, po.blind_ship_from)
        comments.insert(0, blind_ship_comment(po.blind_ship_from.name))
    if comments:
        sub(header, "Comments", "\n\n".join(comments), xml_lang="en")
    if po.order_type != "new":
        sub(header, "DocumentReference", payloadID=po.previous_payload_id)
    if po.blind_ship_from is not None:
        sub(header, "Extrinsic", "yes", name=BLIND_SHIP_EXTRINSIC)
    for line in po.lines:
        _item_out(order, line, po.currency)
    validate(root)
    return serialize(root, "cXML.dtd", CXML_VERSION)


# ---------------------------------------------------------------------------------------------- reading


def _read_money(node: Node) -> tuple[Decimal, str]:
    money = node.child("Money")
    return to_decimal(money.required_text(), money.path), money.attr("currency")


def _read_postal(postal: Node | None, address_name: str, where: Node) -> dict:
    if postal is None:
        raise where.fail("missing element PostalAddress")
    country = postal.child("Country")
    code = country.attr("isoCountryCode")
    name = country.text()
    state, postcode = postal.opt("State"), postal.opt("PostalCode")
    return {
        "name": address_name,
        "deliver_to": "\n".join(d.text() for d in postal.all("DeliverTo")),
        "street": tuple(s.text() for s in postal.all("Street")),
        "city": postal.child("City").text(),
        "state": state.text() if state is not None else "",
        "postcode": postcode.text() if postcode is not None else "",
        "country_code": code,
        "country_name": "" if name == code else name,
    }


def _read_phone(node: Node) -> str:
    phone = node.find("Phone", "TelephoneNumber")
    if phone is None:
        return ""
    dial = phone.find("CountryCode")
    number = " ".join(
        part.text()
        for part in (phone.opt("AreaOrCityCode"), phone.opt("Number"))
        if part is not None and part.text()
    )
    dial_text = dial.text() if dial is not None else ""
    return f"+{dial_text} {number}" if dial_text else number


def _read_address(node: Node) -> Address:
    """Address (ShipTo/BillTo) or Contact: both carry Name, PostalAddress, Email, Phone."""
    fields = _read_postal(node.opt("PostalAddress"), node.child("Name").required_text(), node)
    email = node.opt("Email")
    return Address(
        **fields,
        email=email.text() if email is not None else "",
        phone=_read_phone(node),
        address_id=node.el.get("addressID", ""),
    )


def _read_line(item: Node) -> OrderLine:
    detail = item.child("ItemDetail")
    price, _currency = _read_money(detail.child("UnitPrice"))
    classification = next(
        (c.text() for c in detail.all("Classification") if c.el.get("domain", "").upper() == "UNSPSC"), ""
    )
    requested = item.el.get("requestedDeliveryDate")
    mpn = detail.opt("ManufacturerPartID")
    maker = detail.opt("ManufacturerName")
    return OrderLine(
        line_number=item.int_attr("lineNumber"),
        quantity=item.decimal_attr("quantity"),
        supplier_part_id=item.child("ItemID").child("SupplierPartID").required_text(),
        description=detail.child("Description").text(),
        unit_price=price,
        uom=detail.child("UnitOfMeasure").required_text(),
        manufacturer_part_id=mpn.text() if mpn is not None else "",
        manufacturer_name=maker.text() if maker is not None else "",
        unspsc=classification,
        requested_delivery_date=item.datetime_attr("requestedDeliveryDate").date() if requested else None,
    )


def parse_order_request(xml: bytes) -> OrderRequestDoc:
    """Read an OrderRequest back (the supplier's side; used by the simulator and the round-trip tests)."""
    env = read_request(xml, "OrderRequest")
    order = env.request
    header = order.child("OrderRequestHeader")
    total, currency = _read_money(header.child("Total"))
    ship_to = header.opt("ShipTo")
    if ship_to is None:
        raise header.fail("missing element ShipTo (a drop-ship order needs the customer's address)")
    shipping = header.opt("Shipping")
    shipping_amount = _read_money(shipping)[0] if shipping is not None else None
    ship_from = next((c for c in header.all("Contact") if c.el.get("role") == "shipFrom"), None)
    blind = any(
        e.el.get("name") == BLIND_SHIP_EXTRINSIC and e.text().lower() == "yes"
        for e in header.all("Extrinsic")
    )
    blind_ship_from = _read_address(ship_from) if blind and ship_from is not None else None
    comments = "\n\n".join(c.text() for c in header.all("Comments"))
    if blind_ship_from is not None:
        marker = blind_ship_comment(blind_ship_from.name)
        if comments.startswith(marker):
            comments = comments[len(marker) :].lstrip("\n")
    reference = header.opt("DocumentReference")
    items = order.all("ItemOut")
    if not items:
        raise order.fail("missing element ItemOut")
    po = PurchaseOrderDoc(
        order_id=header.attr("orderID"),
        order_date=header.datetime_attr("orderDate"),
        currency=currency,
        total=total,
        ship_to=_read_address(ship_to.child("Address")),
        bill_to=_read_address(header.child("BillTo").child("Address")),
        lines=tuple(_read_line(item) for item in items),
        shipping=shipping_amount,
        comments=comments,
        blind_ship_from=blind_ship_from,
        order_type=header.choice_attr("type", ("new", "update", "delete"), "new"),  # type: ignore[arg-type]
        previous_payload_id=reference.attr("payloadID") if reference is not None else "",
        shipping_description=shipping.child("Description").text() if shipping is not None else "Carriage",
    )
    return OrderRequestDoc(
        payload_id=env.payload_id,
        timestamp=env.timestamp,
        from_=env.from_,
        to=env.to,
        sender=env.sender,
        user_agent=env.user_agent,
        deployment_mode=env.deployment_mode,
        order=po,
    )


# ---------------------------------------------------------------------------------------------- Response


def build_response(code: int, text: str, message: str = "", *, payload_id: str, timestamp: datetime) -> bytes:
    """A cXML Response carrying only a Status: what an endpoint answers to a Request."""
    if not 100 <= code <= 999:
        raise CxmlBuildError("code", f"{code} is not a 3-digit status code")
    root = new_envelope(payload_id, timestamp)
    sub(sub(root, "Response"), "Status", message, code=str(code), text=text, xml_lang="en")
    validate(root)
    return serialize(root, "cXML.dtd", CXML_VERSION)


def parse_response(xml: bytes) -> ResponseStatus:
    """The Status of a cXML Response; CxmlMalformed when the body is not one."""
    root = Node.root(parse_xml(xml))
    if root.el.tag != "cXML":
        raise root.fail("not a cXML document (root element must be cXML)")
    status = root.child("Response").child("Status")
    raw_code = status.attr("code")
    if not raw_code.isdigit():
        raise status.fail(f"attribute code={raw_code!r} is not a number")
    return ResponseStatus(
        code=int(raw_code),
        text=status.el.get("text", "").strip(),
        message=status.text(),
        payload_id=root.el.get("payloadID"),
    )
