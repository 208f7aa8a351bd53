"""The values exchanged with distributors as cXML: frozen, `Decimal` money, aware datetimes, no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

OrderType = Literal["new", "update", "delete"]
DeploymentMode = Literal["production", "test"]
# ConfirmationHeader@type and ConfirmationStatus@type, as the cXML 1.2 Fulfill.dtd enumerates them.
ConfirmationType = Literal[
    "accept", "allDetail", "detail", "backordered", "except", "reject", "requestToPay", "replace"
]
ConfirmationLineType = Literal[
    "accept", "allDetail", "detail", "backordered", "reject", "unknown", "requestToPay"
]


@dataclass(frozen=True)
class Credential:
    """One cXML Credential: `domain` (NetworkID, DUNS, ...) and `identity`; a secret only on Sender."""

    domain: str
    identity: str
    shared_secret: str | None = None

    def __repr__(self) -> str:  # never print a secret into a log
        secret = ", shared_secret=***" if self.shared_secret is not None else ""
        return f"Credential(domain={self.domain!r}, identity={self.identity!r}{secret})"


@dataclass(frozen=True)
class Address:
    """A postal address as cXML's Address/PostalAddress carry it.

    `name` is Address/Name (company or person the parcel goes to), `deliver_to` an attention line
    (PostalAddress/DeliverTo, e.g. the person at a company). `phone` is free text; a leading
    `+<country dial code>` is kept as TelephoneNumber/CountryCode.
    """

    name: str
    street: tuple[str, ...]
    city: str
    state: str
    postcode: str
    country_code: str
    email: str = ""
    phone: str = ""
    address_id: str = ""
    deliver_to: str = ""
    country_name: str = ""  # Country's text; defaults to the ISO code when empty


@dataclass(frozen=True)
class OrderLine:
    line_number: int
    quantity: Decimal | int
    supplier_part_id: str  # the distributor's part number (ItemID/SupplierPartID)
    description: str
    unit_price: Decimal
    uom: str = "EA"  # UN/CEFACT unit code, as cXML UnitOfMeasure expects
    manufacturer_part_id: str = ""
    manufacturer_name: str = ""
    unspsc: str = ""  # ItemDetail/Classification[@domain=UNSPSC]; cXML requires the element, empty if unknown
    requested_delivery_date: date | None = None


@dataclass(frozen=True)
class PurchaseOrderDoc:
    """A drop-ship purchase order as sent to one distributor.

    `total` is the goods total: the sum of quantity × unit price over the lines (checked when
    building). `shipping` (the distributor's freight) travels in its own Shipping element.
    `blind_ship_from` set means a blind drop-ship with our company as the sender.
    `previous_payload_id` is required for `order_type` "update" and "delete": the payloadID of the
    most recent OrderRequest for this order (cXML DocumentReference).
    """

    order_id: str
    order_date: datetime
    currency: str
    total: Decimal
    ship_to: Address
    bill_to: Address
    lines: tuple[OrderLine, ...]
    shipping: Decimal | None = None
    comments: str = ""
    blind_ship_from: Address | None = None
    order_type: OrderType = "new"
    previous_payload_id: str = ""
    shipping_description: str = "Carriage"


@dataclass(frozen=True)
class OrderRequestDoc:
    """A received (parsed) OrderRequest with its envelope: what the supplier side sees."""

    payload_id: str
    timestamp: datetime
    from_: Credential
    to: Credential
    sender: Credential
    user_agent: str
    deployment_mode: DeploymentMode
    order: PurchaseOrderDoc


@dataclass(frozen=True)
class ResponseStatus:
    """The Response/Status of a cXML answer: `code` (HTTP-like), `text`, and the message (element text)."""

    code: int
    text: str
    message: str
    payload_id: str | None

    @property
    def ok(self) -> bool:
        return 200 <= self.code < 300

    @property
    def retryable(self) -> bool:
        """cXML 5xx are transient by definition (500, 550, 551, 560); 4xx are permanent."""
        return 500 <= self.code < 600


@dataclass(frozen=True)
class ConfirmationLine:
    """One ConfirmationStatus of a ConfirmationItem: `quantity` of line `line_number` has `type`.

    A line split into 3 accepted + 2 backordered gives two ConfirmationLines with the same
    `line_number` and `ordered_quantity` 5.
    """

    line_number: int
    quantity: Decimal
    type: ConfirmationLineType
    comments: str = ""
    delivery_date: datetime | None = None
    shipment_date: datetime | None = None
    ordered_quantity: Decimal | None = None
    uom: str = "EA"
    unit_price: Decimal | None = None  # a changed price ("detail"), in `currency`
    currency: str = ""


@dataclass(frozen=True)
class Confirmation:
    """A received ConfirmationRequest.

    Whole-order types ("accept", "reject", "backordered") may come without lines: then the type
    applies to every line of the order. With "detail"/"except", lines not mentioned keep their state
    ("except": accepted unchanged).
    """

    payload_id: str
    order_id: str
    confirm_id: str
    type: ConfirmationType
    notice_date: datetime
    lines: tuple[ConfirmationLine, ...]
    sender: Credential
    from_: Credential | None = None
    to: Credential | None = None
    timestamp: datetime | None = None
    order_payload_id: str = ""  # payloadID of our OrderRequest (OrderReference/DocumentReference)
    operation: Literal["new", "update"] = "new"
    comments: str = ""
    deployment_mode: DeploymentMode = "production"


@dataclass(frozen=True)
class ShipNoticeLine:
    line_number: int
    quantity: Decimal
    order_id: str = ""
    uom: str = "EA"
    supplier_part_id: str = ""


@dataclass(frozen=True)
class Shipment:
    """A dispatch as a channel other than cXML reports it (a distributor's own API, a dispatch e-mail, a
    despatch report): what Odoo's one shipment path (`purchase.order._channel_apply_shipment`) reads, the
    same attributes a `ShipNotice` has. `lines` name our PO lines (`line_number` = the line number our
    OrderRequest gave them) with quantities; an order in `whole_order_ids`, or no lines at all, shipped
    complete."""

    shipment_id: str
    carrier: str
    tracking_numbers: tuple[str, ...]
    lines: tuple[ShipNoticeLine, ...] = ()
    whole_order_ids: tuple[str, ...] = ()
    carrier_service: str = ""
    tracking_url: str = ""


@dataclass(frozen=True)
class ShipNotice:
    """A received ShipNoticeRequest.

    `lines` lists what this shipment carries, each with its order; an order in `whole_order_ids`
    was shipped complete (cXML: a ShipNoticePortion without ShipNoticeItem). `order_id` is the
    first (usually only) order. `operation` "delete" cancels the notice with this `shipment_id`.
    `shipment_date` is the notice date when the distributor did not give one.
    """

    payload_id: str
    order_id: str
    shipment_id: str
    carrier: str
    carrier_service: str
    tracking_numbers: tuple[str, ...]
    shipment_date: datetime
    delivery_date: datetime | None
    lines: tuple[ShipNoticeLine, ...]
    sender: Credential
    from_: Credential | None = None
    to: Credential | None = None
    timestamp: datetime | None = None
    notice_date: datetime | None = None
    operation: Literal["new", "update", "delete"] = "new"
    fulfillment_type: Literal["partial", "complete"] | None = None
    carrier_code: str = ""  # SCAC when given
    tracking_url: str = ""
    order_ids: tuple[str, ...] = ()
    whole_order_ids: tuple[str, ...] = ()
    order_payload_ids: tuple[tuple[str, str], ...] = ()  # (orderID, payloadID of our OrderRequest)
    comments: str = ""
    deployment_mode: DeploymentMode = "production"
