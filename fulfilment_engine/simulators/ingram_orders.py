"""The order side of the Ingram Micro simulator: an order book that keeps each order's life as the Reseller
API v6 shows it — created (confirmed or backordered line by line, split into several Ingram orders, lines
rejected), shipped in parts with carrier, tracking and serial numbers, invoiced (at a different price if a
test says so), cancelled while nothing has shipped — and answers in the OpenAPI's shapes and statuses.

No HTTP here: `simulators/ingram.py` serves it. Tests, the demo and the benchmark move orders along with
`ship`, `release_backorder`, `cancel_line`, `invoice` and `advance`, and steer creation with
`backorder_parts`, `direct_ship_parts` and the behaviour's `failing_parts`.

Where the published document is silent, the simulator decides, and says so here: a second order with a
customerOrderNumber already used is refused (400 naming `customerOrderNumber`) unless the request carries
`allowDuplicateCustomerOrderNumber` (the attribute the spec documents for allowing it); a request with a
line Ingram cannot take is refused (400 naming the line) unless it carries `allowPartialOrder`, when the
good lines are placed and the others come back in `rejectedLineItems` (207); an order or invoice it does
not know is a 404 `errors` body, like the cancel's documented 404; a cancel once anything shipped is the
documented 405 with words saying why.
"""

from __future__ import annotations

import itertools
import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from .stock import StockTable

CENT = Decimal("0.01")
SHIP_TO_LIMITS = {  # the published maxLength of each shipToInfo field
    "contact": 70,
    "companyName": 40,
    "addressLine1": 70,
    "addressLine2": 70,
    "addressLine3": 70,
    "city": 25,
    "state": 3,
    "postalCode": 10,
    "countryCode": 10,
}


@dataclass
class SimShipment:
    delivery_number: str
    quantity: int
    carrier_code: str
    carrier_name: str
    tracking_numbers: tuple[str, ...]
    serial_numbers: tuple[str, ...]
    shipped_on: date
    invoice_number: str = ""
    invoice_date: date | None = None


@dataclass
class SimLine:
    customer_line_number: str
    ingram_line_number: str
    part: str
    vendor_part: str
    description: str
    ordered: int
    confirmed: int
    backordered: int
    unit_price: Decimal
    estimated_ship: date
    backorder_eta: date | None = None
    cancelled: bool = False
    shipments: list[SimShipment] = field(default_factory=list)

    @property
    def shipped(self) -> int:
        return sum(s.quantity for s in self.shipments)

    @property
    def key(self) -> int | str:
        """How tests name the line: our line number as a number when it is one."""
        number = self.customer_line_number
        return int(number) if number.isdigit() else number

    @property
    def status(self) -> str:
        if self.cancelled:
            return "Canceled"
        if self.shipped >= self.ordered:
            return "Shipped"
        if self.backordered:
            return "Backordered"
        return "In Progress"


@dataclass
class SimOrder:
    number: str
    customer_order_number: str
    end_customer_order_number: str
    order_date: datetime
    order_type: str
    ship_to: dict
    notes: str
    currency: str
    lines: list[SimLine]

    @property
    def cancelled(self) -> bool:
        return all(line.cancelled for line in self.lines)

    @property
    def status(self) -> str:
        live = [line for line in self.lines if not line.cancelled]
        if not live:
            return "Canceled"
        if all(line.shipped >= line.ordered for line in live):
            return "Shipped"
        if any(line.backordered for line in live):
            return "Backordered"
        return "Processing"

    def subtotal(self) -> Decimal:
        return sum((line.unit_price * line.ordered for line in self.lines if not line.cancelled), Decimal(0))


@dataclass
class SimInvoiceLine:
    line: SimLine
    quantity: int
    unit_price: Decimal
    serial_numbers: tuple[str, ...]


@dataclass
class SimInvoice:
    number: str
    order: SimOrder
    invoice_date: date
    lines: list[SimInvoiceLine]
    freight: Decimal
    tax_percent: Decimal

    def net(self) -> Decimal:
        goods = sum((_money(i.unit_price * i.quantity) for i in self.lines), Decimal(0))
        return goods + self.freight

    def tax(self) -> Decimal:
        return _money(self.net() * self.tax_percent / 100)


class RequestRefused(Exception):
    """A 4xx the book answers: status, message and the (field, value, message) it names."""

    def __init__(self, status: int, message: str, fields: list[tuple[str, str, str]] = (), kind: str = ""):
        super().__init__(message)
        self.status = status
        self.message = message
        self.fields = list(fields)
        self.kind = kind or ("/errors/validation-failed" if status == 400 else "/errors/validation-error")

    def body(self) -> dict:
        error = {"id": uuid.uuid4().hex, "type": self.kind, "message": self.message}
        if self.fields:
            error["fields"] = [{"field": f, "value": v, "message": m} for f, v, m in self.fields]
        return {"errors": [error]}


class OrderBook:
    """Every order and invoice of one simulated Ingram account."""

    def __init__(
        self,
        stock: StockTable,
        *,
        currency: str = "GBP",
        tax_percent: Decimal = Decimal("20"),
        failing_parts: set[str] | None = None,
        today=lambda: datetime.now(UTC).date(),
    ):
        self.stock = stock
        self.currency = currency
        self.tax_percent = tax_percent
        self.failing_parts = failing_parts if failing_parts is not None else set()
        self.backorder_parts: dict[str, int] = {}  # part → units that go on backorder in each new order
        # Parts the vendor ships direct: their lines make an order of type "D", a second Ingram order
        # (orderSplit) when stocked lines come with them.
        self.direct_ship_parts: set[str] = set()
        self.freight = Decimal("0.00")  # freight billed on each invoice
        self.backorder_eta_days = 7
        self.today = today
        self.orders: dict[str, SimOrder] = {}
        self.invoices: dict[str, SimInvoice] = {}
        self.creates = 0  # orders created (a lost answer counts: the order exists)
        self._numbers = itertools.count(1)
        self._deliveries = itertools.count(1)
        self._lock = threading.RLock()

    # ------------------------------------------------------------------------------------------ API

    def create(self, body) -> tuple[int, dict]:
        """`POST /resellers/v6/orders`: 201, or 207 with rejected lines; RequestRefused for a 400."""
        request = _validated(body)
        attributes = {
            str(a.get("attributeName", "")).lower(): str(a.get("attributeValue", "")).lower()
            for a in request.get("additionalAttributes") or []
            if isinstance(a, dict)
        }
        number = request["customerOrderNumber"]
        given = [str(line.get("customerLineNumber") or "") for line in request["lines"]]
        if len(set(given)) < len(given) or not all(n.isdigit() for n in given):
            # Ingram re-sequences duplicate or non-numeric customer line numbers (its documented rule).
            for index, line in enumerate(request["lines"], start=1):
                line["customerLineNumber"] = str(index)
        with self._lock:
            if attributes.get("allowduplicatecustomerordernumber") != "true":
                used = [o.number for o in self.orders.values() if o.customer_order_number == number]
                if used:
                    raise RequestRefused(
                        400,
                        "Validation failed",
                        [
                            (
                                "customerOrderNumber",
                                number,
                                f"duplicate customer order number: order {used[0]}",
                            )
                        ],
                    )
            good, rejected = [], []
            for index, line in enumerate(request["lines"]):
                part = str(line.get("ingramPartNumber") or "")
                if self.stock.get(part) is None or part in self.failing_parts:
                    rejected.append((index, line))
                else:
                    good.append(line)
            if rejected and (not good or attributes.get("allowpartialorder") != "true"):
                raise RequestRefused(
                    400,
                    "Validation failed",
                    [
                        (
                            f"lines[{index}].ingramPartNumber",
                            str(line.get("ingramPartNumber")),
                            "SKU-NOTFOUND",
                        )
                        for index, line in rejected
                    ],
                )
            groups = [
                ("S", [line for line in good if line.get("ingramPartNumber") not in self.direct_ship_parts]),
                ("D", [line for line in good if line.get("ingramPartNumber") in self.direct_ship_parts]),
            ]
            made = [self._make_order(request, kind, lines) for kind, lines in groups if lines]
            self.creates += 1
        entries = [self._created_entry(order) for order in made]
        if rejected:
            entries[0]["numberOfLinesWithError"] = len(rejected)
            entries[0]["rejectedLineItems"] = [
                {
                    "customerLinenumber": str(line.get("customerLineNumber") or ""),
                    "ingramPartNumber": str(line.get("ingramPartNumber") or ""),
                    "quantityOrdered": line.get("quantity"),
                    "rejectCode": "EN",
                    "rejectReason": f"SKU-NOTFOUND    {line.get('ingramPartNumber')}",
                }
                for _index, line in rejected
            ]
        answer = {
            "customerOrderNumber": number,
            "endCustomerOrderNumber": request.get("endCustomerOrderNumber", ""),
            "billToAddressId": "000",
            "orderSplit": len(made) > 1,
            "processedPartially": bool(rejected),
            "purchaseOrderTotal": _number(sum((o.subtotal() for o in made), Decimal(0))),
            "shipToInfo": made[0].ship_to,
            "orders": entries,
        }
        return (207 if rejected else 201), answer

    def search(self, query) -> tuple[int, dict | None]:
        """`GET /resellers/v6/orders/search`: 200 with a page, or 204 when nothing matches."""
        wanted = query.get("customerOrderNumber")
        number = query.get("ingramOrderNumber")
        size, page = _paging(query)
        with self._lock:
            hits = [
                o
                for o in self.orders.values()
                if (not wanted or o.customer_order_number.upper() == wanted.upper())
                and (not number or o.number == number)
            ]
            if not hits:
                return 204, None
            chunk = hits[(page - 1) * size : page * size]
            orders = [self._search_entry(o) for o in chunk]
        return 200, {
            "recordsFound": len(hits),
            "pageSize": size,
            "pageNumber": page,
            "orders": orders,
        }

    def details(self, number: str) -> dict:
        """`GET /resellers/v6.1/orders/{ordernumber}`."""
        with self._lock:
            order = self._order(number)
            return self._details_entry(order)

    def cancel(self, number: str) -> None:
        """`DELETE /resellers/v6/orders/{OrderNumber}`: nothing shipped yet, or the documented 405."""
        with self._lock:
            order = self._order(number)
            if any(line.shipments for line in order.lines):
                raise RequestRefused(
                    405,
                    "Order can not be deleted as the order is released to the warehouse: "
                    f"{sum(line.shipped for line in order.lines)} unit(s) already shipped.",
                )
            for line in order.lines:
                line.cancelled = True
                line.backordered = 0

    def invoice_search(self, query) -> dict:
        """`GET /resellers/v6/invoices` by customerOrderNumber (or orderNumber, invoiceNumber)."""
        wanted = query.get("customerOrderNumber")
        order_number = query.get("orderNumber")
        number = query.get("invoiceNumber")
        size, page = _paging(query)
        with self._lock:
            hits = [
                i
                for i in self.invoices.values()
                if (not wanted or i.order.customer_order_number.upper() == wanted.upper())
                and (not order_number or i.order.number == order_number)
                and (not number or i.number == number)
            ]
            invoices = [self._invoice_summary(i) for i in hits[(page - 1) * size : page * size]]
        return {"invoices": invoices, "recordsFound": len(hits), "pageSize": size, "pageNumber": page}

    def invoice_details(self, number: str, include_serials: bool) -> dict:
        """`GET /resellers/v6.1/invoices/{invoiceNumber}`."""
        with self._lock:
            invoice = self.invoices.get(number)
            if invoice is None:
                raise RequestRefused(404, "Invoice not found.")
            return self._invoice_entry(invoice, include_serials)

    # ------------------------------------------------------------------------------------------ lifecycle

    def orders_for(self, ref: str) -> list[SimOrder]:
        """The Ingram orders an Ingram order number or one of our PO numbers names."""
        with self._lock:
            if ref in self.orders:
                return [self.orders[ref]]
            found = [o for o in self.orders.values() if o.customer_order_number == ref]
        if not found:
            raise KeyError(f"no Ingram order {ref!r} and none for customer order {ref!r}")
        return found

    def ship(
        self,
        ref: str,
        lines: dict[int | str, int] | None = None,
        *,
        carrier_code: str = "RG",
        carrier_name: str = "FEDEX GROUND",
        tracking_numbers: tuple[str, ...] | None = None,
        serial_numbers: dict[int | str, tuple[str, ...]] | None = None,
    ) -> str:
        """Ship confirmed, unshipped units: `lines` maps our line number to a quantity (default: all that
        is confirmed and not shipped). One delivery number for the parcel; returns it."""
        with self._lock:
            delivery = f"8{next(self._deliveries):08d}"
            tracking = tracking_numbers or (f"1Z{delivery}GB",)
            shipped_any = False
            for order in self.orders_for(ref):
                for line in order.lines:
                    if line.cancelled:
                        continue
                    ready = line.confirmed - line.shipped
                    key = line.key
                    wanted = ready if lines is None else min(ready, lines.get(key, 0))
                    if wanted <= 0:
                        continue
                    serials = (serial_numbers or {}).get(key) or tuple(
                        f"SN{delivery}{line.ingram_line_number}{n:03d}" for n in range(1, wanted + 1)
                    )
                    line.shipments.append(
                        SimShipment(
                            delivery,
                            wanted,
                            carrier_code,
                            carrier_name,
                            tuple(tracking),
                            tuple(serials),
                            self.today(),
                        )
                    )
                    shipped_any = True
            if not shipped_any:
                raise ValueError(f"nothing confirmed and unshipped on {ref!r} to ship")
            return delivery

    def release_backorder(self, ref: str, lines: dict[int | str, int] | None = None) -> None:
        """Backordered units arrive: they become confirmed (all of them, or `lines`' quantities)."""
        with self._lock:
            for order in self.orders_for(ref):
                for line in order.lines:
                    key = line.key
                    moved = line.backordered if lines is None else min(line.backordered, lines.get(key, 0))
                    line.backordered -= moved
                    line.confirmed += moved
                    if not line.backordered:
                        line.backorder_eta = None

    def cancel_line(self, ref: str, line_number: int | str) -> None:
        """Ingram cancels what is left of one line (discontinued, say): its unshipped units are gone."""
        with self._lock:
            for order in self.orders_for(ref):
                for line in order.lines:
                    if line.customer_line_number == str(line_number):
                        line.ordered = line.confirmed = line.shipped
                        line.backordered = 0
                        line.backorder_eta = None
                        line.cancelled = line.shipped == 0

    def invoice(self, ref: str, *, prices: dict[int | str, Decimal] | None = None) -> list[str]:
        """Invoice every shipped, uninvoiced unit of the order(s), one invoice per Ingram order;
        `prices` bills a line at another unit price. Returns the invoice numbers made."""
        made = []
        with self._lock:
            for order in self.orders_for(ref):
                lines = []
                for line in order.lines:
                    for shipment in line.shipments:
                        if shipment.invoice_number:
                            continue
                        key = line.key
                        price = Decimal(str((prices or {}).get(key, line.unit_price)))
                        lines.append((line, shipment, price))
                if not lines:
                    continue
                sequence = 11 + sum(1 for i in self.invoices.values() if i.order is order)
                number = f"{order.number.replace('-', '')}{sequence}"
                invoice = SimInvoice(number, order, self.today(), [], self.freight, self.tax_percent)
                for line, shipment, price in lines:
                    shipment.invoice_number, shipment.invoice_date = number, invoice.invoice_date
                    invoice.lines.append(
                        SimInvoiceLine(line, shipment.quantity, price, shipment.serial_numbers)
                    )
                self.invoices[number] = invoice
                made.append(number)
        return made

    def advance(self, ref: str | None = None) -> None:
        """Everything confirmed ships and everything shipped is invoiced (the benchmark's day passing)."""
        with self._lock:
            refs = [ref] if ref else list(self.orders)
            for each in refs:
                for order in self.orders_for(each):
                    if any(line.confirmed > line.shipped for line in order.lines if not line.cancelled):
                        self.ship(order.number)
                    self.invoice(order.number)

    # ------------------------------------------------------------------------------------------ shapes

    def _make_order(self, request: dict, kind: str, lines: list[dict]) -> SimOrder:
        number = f"20-{next(self._numbers):05X}"
        today = self.today()
        sim_lines = []
        for index, line in enumerate(lines, start=1):
            part = str(line["ingramPartNumber"])
            stock = self.stock.get(part)
            assert stock is not None
            quantity = int(line["quantity"])
            short_by = max(quantity - max(stock.stock, 0), self.backorder_parts.get(part, 0))
            backordered = min(quantity, short_by)
            sim_lines.append(
                SimLine(
                    customer_line_number=str(line.get("customerLineNumber") or index),
                    ingram_line_number=f"{index:03d}",
                    part=part,
                    vendor_part=stock.mfg_pn,
                    description=stock.description,
                    ordered=quantity,
                    confirmed=quantity - backordered,
                    backordered=backordered,
                    unit_price=stock.price,
                    estimated_ship=_working_days_after(today, 1),
                    backorder_eta=today + timedelta(days=self.backorder_eta_days) if backordered else None,
                )
            )
        order = SimOrder(
            number=number,
            customer_order_number=request["customerOrderNumber"],
            end_customer_order_number=str(request.get("endCustomerOrderNumber") or ""),
            order_date=datetime.now(UTC),
            order_type=kind,
            ship_to=dict(request.get("shipToInfo") or {}),
            notes=str(request.get("notes") or ""),
            currency=self.currency,
            lines=sim_lines,
        )
        self.orders[number] = order
        return order

    def _created_entry(self, order: SimOrder) -> dict:
        return {
            "numberOfLinesWithSuccess": len(order.lines),
            "numberOfLinesWithError": 0,
            "numberOfLinesWithWarning": 0,
            "ingramOrderNumber": order.number,
            "ingramOrderDate": order.order_date.date().isoformat(),
            "notes": order.notes,
            "orderType": order.order_type,
            "orderTotal": _number(order.subtotal()),
            "freightCharges": 0,
            "totalTax": 0,
            "currencyCode": order.currency,
            "lines": [
                {
                    "subOrderNumber": f"{order.number}-11",
                    "ingramLineNumber": line.ingram_line_number,
                    "customerLineNumber": line.customer_line_number,
                    "lineStatus": line.status,
                    "ingramPartNumber": line.part,
                    "vendorPartNumber": line.vendor_part,
                    "unitPrice": _number(line.unit_price),
                    "extendedUnitPrice": _number(line.unit_price * line.confirmed),
                    "quantityOrdered": line.ordered,
                    "quantityConfirmed": line.confirmed,
                    "quantityBackOrdered": line.backordered,
                    "notes": line.description,
                    "shipmentDetails": [
                        {
                            "carrierCode": "RG",
                            "carrierName": "FEDEX GROUND",
                            "shipFromWarehouseId": "40",
                            "shipFromLocation": "Milton Keynes",
                        }
                    ],
                }
                for line in order.lines
            ],
            "links": [{"topic": "orders", "href": f"/resellers/v6.1/orders/{order.number}", "type": "GET"}],
        }

    def _search_entry(self, order: SimOrder) -> dict:
        status = "CANCELLED" if order.cancelled else ("CLOSED" if order.status == "Shipped" else "OPEN")
        link = {"topic": "orders", "href": f"/resellers/v6.1/orders/{order.number}", "type": "GET"}
        return {
            "ingramOrderNumber": order.number,
            "ingramOrderDate": order.order_date.isoformat(timespec="seconds"),
            "customerOrderNumber": order.customer_order_number,
            "endUserCompanyName": str(order.ship_to.get("companyName", "")),
            "orderTotal": _number(order.subtotal()),
            "orderStatus": status,
            "subOrders": [
                {
                    "subOrderNumber": f"{order.number}-11",
                    "subOrderTotal": _number(order.subtotal()),
                    "subOrderStatus": order.status,
                    "links": [link],
                }
            ],
            "links": link,
        }

    def _details_entry(self, order: SimOrder) -> dict:
        return {
            "ingramOrderNumber": order.number,
            "ingramOrderDate": order.order_date.isoformat(timespec="seconds"),
            "orderType": order.order_type,
            "customerOrderNumber": order.customer_order_number,
            "endCustomerOrderNumber": order.end_customer_order_number,
            "orderStatus": order.status,
            "orderTotal": _number(order.subtotal()),
            "orderSubTotal": _number(order.subtotal()),
            "freightCharges": 0,
            "currencyCode": order.currency,
            "totalTax": 0,
            "paymentTerms": "NET 30 DAYS",
            "notes": order.notes,
            "shipToInfo": order.ship_to,
            "lines": [self._details_line(order, line) for line in order.lines],
            "miscellaneousCharges": [],
        }

    def _details_line(self, order: SimOrder, line: SimLine) -> dict:
        shipments = [
            {
                "quantity": s.quantity,
                "deliveryNumber": s.delivery_number,
                "estimatedShipDate": s.shipped_on.isoformat(),
                "shipFromWarehouseId": "40",
                "shipFromLocation": "Milton Keynes",
                "invoiceNumber": s.invoice_number,
                "invoiceDate": s.invoice_date.isoformat() if s.invoice_date else "",
                "carrierDetails": [
                    {
                        "carrierCode": s.carrier_code,
                        "carrierName": s.carrier_name,
                        "quantity": s.quantity,
                        "shippedDate": s.shipped_on.isoformat(),
                        "estimatedDeliveryDate": _working_days_after(s.shipped_on, 1).isoformat(),
                        "trackingDetails": [
                            {
                                "trackingNumber": number,
                                "trackingUrl": f"https://www.fedex.com/fedextrack/?trknbr={number}",
                                "packageWeight": "1.2",
                                "cartonNumber": str(box),
                                "quantityInBox": str(s.quantity if box == 1 else 0),
                                "serialNumbers": [{"serialNumber": serial} for serial in s.serial_numbers]
                                if box == 1
                                else [],
                            }
                            for box, number in enumerate(s.tracking_numbers, start=1)
                        ],
                    }
                ],
            }
            for s in line.shipments
        ]
        waiting = line.confirmed - line.shipped
        if waiting > 0 and not line.cancelled:
            shipments.append(
                {
                    "quantity": waiting,
                    "estimatedShipDate": line.estimated_ship.isoformat(),
                    "shipFromWarehouseId": "40",
                    "shipFromLocation": "Milton Keynes",
                }
            )
        entry = {
            "subOrderNumber": f"{order.number}-11",
            "ingramOrderLineNumber": line.ingram_line_number,
            "customerLineNumber": line.customer_line_number,
            "lineStatus": line.status,
            "ingramPartNumber": line.part,
            "vendorPartNumber": line.vendor_part,
            "partDescription": line.description,
            "unitPrice": _number(line.unit_price),
            "extendedPrice": _number(line.unit_price * line.ordered),
            "taxAmount": 0,
            "currencyCode": order.currency,
            "quantityOrdered": line.ordered,
            "quantityConfirmed": line.confirmed,
            "quantityBackOrdered": line.backordered,
            "shipmentDetails": shipments,
            "estimatedDates": [
                {
                    "ship": {
                        "shipDateType": "Single",
                        "shipSource": "INGRAM",
                        "shipDescription": "Warehouse is processing your Shipment",
                        "shipDate": line.estimated_ship.isoformat(),
                    }
                }
            ]
            if waiting > 0 and not line.cancelled
            else [],
        }
        if line.backorder_eta is not None:
            entry["backOrderETADate"] = line.backorder_eta.isoformat()
        return entry

    def _invoice_summary(self, invoice: SimInvoice) -> dict:
        total = invoice.net() + invoice.tax()
        return {
            "paymentTermsDueDate": (invoice.invoice_date + timedelta(days=30)).isoformat(),
            "erpOrderNumber": f"{invoice.order.number}-11",
            "invoiceAmountInclTax": _number(total),
            "invoiceNumber": invoice.number,
            "invoiceStatus": "OPEN",
            "invoiceDate": invoice.invoice_date.isoformat(),
            "invoiceDueDate": (invoice.invoice_date + timedelta(days=30)).isoformat(),
            "invoicedAmountDue": _number(total),
            "customerOrderNumber": invoice.order.customer_order_number,
            "endCustomerOrderNumber": invoice.order.end_customer_order_number,
            "orderCreateDate": invoice.order.order_date.date().isoformat(),
        }

    def _invoice_entry(self, invoice: SimInvoice, include_serials: bool) -> dict:
        order = invoice.order
        net, tax = invoice.net(), invoice.tax()
        lines = []
        for item in invoice.lines:
            extended = _money(item.unit_price * item.quantity)
            line = {
                "ingramLineNumber": item.line.ingram_line_number,
                "customerLineNumber": item.line.customer_line_number,
                "ingramPartNumber": item.line.part,
                "vendorPartNumber": item.line.vendor_part,
                "productDescription": item.line.description,
                "quantity": item.quantity,
                "unitPrice": _number(item.unit_price),
                "unitOfMeasure": "EA",
                "currencyCode": order.currency,
                "extendedPrice": _number(extended),
                "taxPercentage": _number(invoice.tax_percent),
                "taxRate": _number(invoice.tax_percent / 100),
                "taxAmount": _number(_money(extended * invoice.tax_percent / 100)),
                "quantityOrdered": item.line.ordered,
                "quantityShipped": item.quantity,
            }
            if include_serials:
                line["serialNumbers"] = [{"serialNumber": serial} for serial in item.serial_numbers]
            lines.append(line)
        charges = [
            {
                "chargeDescription": "TAX",
                "miscChargeLineCount": 0,
                "miscChargeLineTotal": _number(tax),
                "chargeLineReference": "",
            }
        ]
        if invoice.freight:
            charges.append(
                {
                    "chargeDescription": "FREIGHT OUT",
                    "miscChargeLineCount": 1,
                    "miscChargeLineTotal": _number(invoice.freight),
                    "chargeLineReference": "8",
                }
            )
        return {
            "invoiceNumber": invoice.number,
            "invoiceStatus": "Open",
            "invoiceDate": invoice.invoice_date.isoformat(),
            "customerOrderNumber": order.customer_order_number,
            "endCustomerOrderNumber": order.end_customer_order_number,
            "orderDate": order.order_date.date().isoformat(),
            "billToID": "000",
            "invoiceType": "Invoice",
            "invoiceDueDate": (invoice.invoice_date + timedelta(days=30)).isoformat(),
            "customerCountryCode": str(order.ship_to.get("countryCode", "")),
            "ingramOrderNumber": f"{order.number}-11",
            "notes": order.notes,
            "paymentTermsInfo": {
                "paymentTermsCode": "30",
                "paymentTermsDescription": "NET 30 DAYS",
                "paymentTermsDueDate": (invoice.invoice_date + timedelta(days=30)).isoformat(),
            },
            "shipToInfo": order.ship_to,
            "lines": lines,
            "fxRateInfo": {
                "currencyCode": order.currency,
                "companyCurrency": order.currency,
                "invoiceCurrency": order.currency,
                "currencyFxRate": 1,
            },
            "summary": {
                "lines": {
                    "productLineCount": len(lines),
                    "productLineTotalQuantity": sum(item.quantity for item in invoice.lines),
                },
                "miscCharges": charges,
                "totals": {
                    "netInvoiceAmount": _number(net),
                    "discountAmount": 0,
                    "totalTaxAmount": _number(tax),
                    "invoicedAmountDue": _number(net + tax),
                    "freightAmount": _number(invoice.freight),
                },
            },
        }

    def _order(self, number: str) -> SimOrder:
        order = self.orders.get(number)
        if order is None:
            raise RequestRefused(404, "Order not found.")
        return order


# ---------------------------------------------------------------------------------------------- checks


def _validated(body) -> dict:
    """The create request as the published schema bounds it; a 400 naming every field that is not."""
    if not isinstance(body, dict):
        raise RequestRefused(400, "Validation failed", [("body", "", "must be a JSON object")])
    problems: list[tuple[str, str, str]] = []
    number = body.get("customerOrderNumber")
    if not isinstance(number, str) or not number.strip():
        problems.append(("customerOrderNumber", str(number or ""), "Required field is missing"))
    elif len(number) > 35:
        problems.append(("customerOrderNumber", number, "must be at most 35 characters"))
    ship_to = body.get("shipToInfo") or {}
    if not isinstance(ship_to, dict):
        problems.append(("shipToInfo", "", "must be an object"))
        ship_to = {}
    for key, limit in SHIP_TO_LIMITS.items():
        value = ship_to.get(key)
        if value is not None and (not isinstance(value, str) or len(value) > limit):
            problems.append((f"shipToInfo.{key}", str(value), f"must be text of at most {limit} characters"))
    lines = body.get("lines")
    if not isinstance(lines, list) or not lines:
        problems.append(("lines", "", "at least one line is required"))
        lines = []
    for index, line in enumerate(lines):
        where = f"lines[{index}]"
        if not isinstance(line, dict):
            problems.append((where, "", "must be an object"))
            continue
        line_number = line.get("customerLineNumber")
        if line_number is not None and (not isinstance(line_number, str) or len(line_number) > 3):
            problems.append(
                (f"{where}.customerLineNumber", str(line_number), "must be text of at most 3 characters")
            )
        part = line.get("ingramPartNumber")
        if not isinstance(part, str) or not part.strip() or len(part) > 18:
            problems.append(
                (f"{where}.ingramPartNumber", str(part or ""), "Required field, at most 18 characters")
            )
        quantity = line.get("quantity")
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity <= 0:
            problems.append((f"{where}.quantity", str(quantity), "must be a whole number above 0"))
    if problems:
        raise RequestRefused(400, "Validation failed", problems)
    return body


def _money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _number(value: Decimal) -> float | int:
    """A JSON number as Ingram writes them (61.22, 0)."""
    value = _money(Decimal(value))
    return int(value) if value == value.to_integral_value() else float(value)


def _paging(query) -> tuple[int, int]:
    """pageSize (default 25, at most the published 100) and pageNumber (from 1) of a search."""
    return min(max(_int(query.get("pageSize"), 25), 1), 100), max(_int(query.get("pageNumber"), 1), 1)


def _int(value, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _working_days_after(day: date, days: int) -> date:
    while days:
        day += timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day
