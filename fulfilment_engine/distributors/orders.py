"""A purchase order placed over a distributor's API, and what the distributor says about it afterwards:
which lines it confirmed, backordered or rejected, what it shipped (carrier, tracking, serial numbers) and
what it invoiced. Frozen dataclasses, `Decimal` money, no I/O: the adapters map their wire formats to
these, so the caller (the Odoo module) never sees a distributor's field names.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Generic, TypeVar

from ..documents import invoice as cxml_invoice
from ..documents import model as cxml_model
from ..documents.model import Credential

T = TypeVar("T")

# ---------------------------------------------------------------------------------------------- asked


@dataclass(frozen=True)
class ShipTo:
    """The drop-ship address: the end customer's, with the person to deliver to."""

    company_name: str = ""
    contact: str = ""
    address_lines: tuple[str, ...] = ()
    city: str = ""
    state: str = ""
    postal_code: str = ""
    country_code: str = ""
    phone: str = ""
    email: str = ""


@dataclass(frozen=True)
class OrderLine:
    line_number: int  # ours (the PO line's number): the distributor echoes it on every answer
    part_number: str  # the distributor's own part number
    quantity: int


@dataclass(frozen=True)
class DistributorOrder:
    """What to place. `order_number` is our purchase order's number: the key that finds the order again
    at the distributor when an answer was lost."""

    order_number: str
    ship_to: ShipTo
    lines: tuple[OrderLine, ...]
    end_customer_order_number: str = ""
    notes: str = ""


# ---------------------------------------------------------------------------------------------- answered


@dataclass(frozen=True)
class LineState:
    """One of our lines as the distributor holds it now."""

    line_number: int  # ours; 0 when the distributor's echo is not a number
    part_number: str
    status: str  # the distributor's words ("In Progress", "Backordered", "Shipped", "Canceled")
    ordered: int
    confirmed: int
    backordered: int
    order_number: str = ""  # the distributor's order holding the line (one PO may become several)
    unit_price: Decimal | None = None
    estimated_ship_date: date | None = None

    @property
    def cancelled(self) -> bool:
        return self.status.strip().lower() in ("canceled", "cancelled")


@dataclass(frozen=True)
class RejectedLine:
    line_number: int
    part_number: str
    quantity: int
    code: str
    reason: str  # the distributor's words


@dataclass(frozen=True)
class PlacedOrder:
    """The distributor's order(s) for one purchase order. `adopted`: found by a search for our order
    number (an earlier attempt reached the distributor), not created by this call."""

    order_numbers: tuple[str, ...]
    lines: tuple[LineState, ...] = ()
    rejected: tuple[RejectedLine, ...] = ()
    adopted: bool = False
    currency: str = ""


@dataclass(frozen=True)
class FoundOrder:
    """A search hit: one distributor order carrying our order number."""

    order_number: str
    customer_order_number: str
    status: str
    order_date: str = ""
    total: Decimal | None = None


@dataclass(frozen=True)
class ShipmentLine:
    line_number: int
    part_number: str
    quantity: int
    serial_numbers: tuple[str, ...] = ()


@dataclass(frozen=True)
class Shipment:
    """One dispatch: a carrier, its tracking numbers and what went in it. `key` is stable across reads,
    so the caller applies each shipment once."""

    key: str
    order_number: str
    carrier_code: str
    carrier_name: str
    tracking_numbers: tuple[str, ...]
    lines: tuple[ShipmentLine, ...]
    tracking_url: str = ""
    shipped_on: date | None = None
    delivery_number: str = ""
    invoice_number: str = ""

    @property
    def carrier(self) -> str:
        return self.carrier_name or self.carrier_code

    def as_shipment(self, order_id: str) -> cxml_model.Shipment:
        """What Odoo's one shipment path reads (`documents.model.Shipment`): this dispatch of our purchase
        order `order_id`, its `key` as the shipment id (so it is applied once)."""
        return cxml_model.Shipment(
            shipment_id=self.key,
            carrier=self.carrier,
            tracking_numbers=self.tracking_numbers,
            lines=tuple(
                cxml_model.ShipNoticeLine(
                    line.line_number, Decimal(line.quantity), order_id, "EA", line.part_number
                )
                for line in self.lines
            ),
            tracking_url=self.tracking_url,
        )


@dataclass(frozen=True)
class OrderStatus:
    """One distributor order read back: its lines and every shipment so far."""

    order_number: str
    customer_order_number: str
    status: str
    lines: tuple[LineState, ...]
    shipments: tuple[Shipment, ...] = ()
    currency: str = ""


@dataclass(frozen=True)
class InvoiceSummary:
    invoice_number: str
    status: str
    customer_order_number: str
    order_number: str = ""
    invoice_date: str = ""
    amount_due: Decimal | None = None


@dataclass(frozen=True)
class InvoiceLine:
    line_number: int  # ours, echoed
    part_number: str
    quantity: Decimal
    unit_price: Decimal
    extended_price: Decimal | None = None
    tax_amount: Decimal | None = None
    description: str = ""
    serial_numbers: tuple[str, ...] = ()


@dataclass(frozen=True)
class InvoiceCharge:
    description: str
    amount: Decimal
    reference: str = ""


@dataclass(frozen=True)
class DistributorInvoice:
    """An invoice (or credit memo) as the distributor issued it. Amounts as stated; None where left out."""

    invoice_number: str
    invoice_type: str
    status: str
    customer_order_number: str
    order_number: str
    lines: tuple[InvoiceLine, ...]
    charges: tuple[InvoiceCharge, ...] = ()
    invoice_date: date | None = None
    due_date: date | None = None
    currency: str = ""
    net_amount: Decimal | None = None
    tax_amount: Decimal | None = None
    amount_due: Decimal | None = None
    freight_amount: Decimal | None = None

    @property
    def is_credit(self) -> bool:
        return "credit" in self.invoice_type.lower()

    def as_invoice_document(self, sender: Credential) -> cxml_invoice.Invoice:
        """The same invoice as a received cXML InvoiceDetailRequest, so one matcher and one tolerance
        serve both doors: its lines bill our PO lines by our line numbers, freight is Shipping, any other
        charge SpecialHandling, and the amount due (tax included) is both NetAmount and DueAmount, as
        cXML's NetAmount includes tax where Ingram's netInvoiceAmount does not. A credit note credits
        line by line (`lineLevelCreditMemo`). The payloadID is made from the invoice number."""
        freight = sum((c.amount for c in self.charges if "FREIGHT" in c.description.upper()), Decimal(0))
        other = sum((c.amount for c in self.charges if "FREIGHT" not in c.description.upper()), Decimal(0))
        if self.freight_amount is not None and not freight:
            freight = self.freight_amount
        lines = tuple(
            cxml_invoice.InvoiceLine(
                invoice_line_number=index,
                quantity=abs(line.quantity),
                unit_price=abs(line.unit_price),
                line_number=line.line_number,
                order_id=self.customer_order_number,
                supplier_part_id=line.part_number,
                description=line.description,
            )
            for index, line in enumerate(self.lines, start=1)
        )
        subtotal = sum((line.quantity * line.unit_price for line in lines), Decimal(0))
        due = self.amount_due
        if due is None and self.net_amount is not None:
            due = self.net_amount + (self.tax_amount or Decimal(0))
        issued = datetime.combine(self.invoice_date or date.today(), datetime.min.time(), tzinfo=UTC)
        return cxml_invoice.Invoice(
            payload_id=f"{self.invoice_number}@{sender.identity or 'distributor'}.api",
            invoice_id=self.invoice_number,
            purpose="lineLevelCreditMemo" if self.is_credit else "standard",
            invoice_date=issued,
            timestamp=issued,
            order_ids=(self.customer_order_number,),
            lines=lines,
            sender=sender,
            currency=self.currency,
            subtotal=subtotal,
            tax=self.tax_amount,
            shipping=freight or None,
            special_handling=other or None,
            net=due,
            due=due,
        )


# ---------------------------------------------------------------------------------------------- the log


@dataclass(frozen=True)
class CallRecord:
    """One HTTP exchange, secrets masked, for the caller's log. `status` 0: no answer came."""

    operation: str  # "token", "create", "search", "details", "cancel", "invoice search", "invoice"
    method: str
    url: str
    status: int
    correlation_id: str
    request_headers: dict[str, str] = field(default_factory=dict)
    request_body: str = ""
    response_body: str = ""
    error: str = ""
    at: datetime | None = None
    elapsed_ms: float = 0.0


@dataclass(frozen=True)
class Reply(Generic[T]):
    """What a call returned, and every exchange it took to get it."""

    value: T
    records: tuple[CallRecord, ...] = ()
