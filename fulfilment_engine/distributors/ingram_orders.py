"""Ingram Micro Reseller API v6: purchase orders, their status and tracking, cancellations and invoices.

The wire format (Ingram Micro's published OpenAPI; a trimmed copy is kept in tests/ingram/openapi):
- Token: `GET /oauth/oauth20/token?grant_type=client_credentials&client_id=…&client_secret=…`, as for
  price and availability (`realtime/ingram.py`); one cache per account, renewed once on a 401.
- Every call: `Authorization: Bearer …`, `IM-CustomerNumber`, `IM-CountryCode`, `IM-CorrelationID` (its
  own, at most 32 characters), `IM-SenderID` when configured; the invoice calls also `IM-ApplicationID`.
- `POST /resellers/v6/orders` with `customerOrderNumber` (our PO number), `endCustomerOrderNumber`,
  `acceptBackOrder`, `shipToInfo` (`contact`, `companyName`, `addressLine1..3`, `city`, `state`,
  `postalCode`, `countryCode`, `phoneNumber`, `email`), `lines[]` (`customerLineNumber`,
  `ingramPartNumber`, `quantity`) and `additionalAttributes` `allowPartialOrder` → 201, or 207 with
  `orders[].rejectedLineItems[]` (`customerLinenumber`, sic); `orders[]` holds one entry per Ingram order
  (`orderSplit` when there are several), each with `ingramOrderNumber` and `lines[]`
  (`quantityConfirmed`, `quantityBackOrdered`, `lineStatus`).
- `GET /resellers/v6/orders/search?customerOrderNumber=…&pageSize=…&pageNumber=…` → `orders[]`
  (`ingramOrderNumber`, `orderStatus`), 204 when none.
- `GET /resellers/v6.1/orders/{ordernumber}` → `lines[]` with `quantityConfirmed`, `quantityBackOrdered`,
  `backOrderETADate`, `estimatedDates[].ship.shipDate`, `shipmentDetails[]` (`quantity`,
  `deliveryNumber`, `estimatedShipDate`, `invoiceNumber`, `carrierDetails[]` with `carrierCode`,
  `carrierName`, `shippedDate`, `trackingDetails[]` with `trackingNumber`, `trackingUrl`,
  `serialNumbers[].serialNumber`).
- `DELETE /resellers/v6/orders/{OrderNumber}` → 200; 405 (or 400) when it can no longer be cancelled.
- `GET /resellers/v6/invoices?customerOrderNumber=…` → `invoices[]` (`invoiceNumber`, `invoiceStatus`);
  `GET /resellers/v6.1/invoices/{invoiceNumber}?includeSerialNumbers=true` → `lines[]` (`customerLineNumber`,
  `quantity`, `unitPrice`, `serialNumbers[]`), `summary.miscCharges[]`, `summary.totals`.
- Errors: `{"errors": [{"id", "type", "message", "fields": [{"field", "value", "message"}]}]}`; 401 on a
  bad or expired token; 429 with `Retry-After`; 500 with the same `errors` body.

Policy, in one place: reads and cancellations are retried on a 429, a 5xx or a lost connection (waiting
the `Retry-After`, within the account's `max_wait_s`); a create is retried only on a 429 (Ingram did not
take it), because after a 5xx or a lost answer the order may exist: `place_order` then searches for our
order number and adopts what it finds, and it searches before every create, so neither a lost answer nor a
worker that crashed between sending and committing ever makes a second order at Ingram.
"""

from __future__ import annotations

import contextlib
import json
import random
import re
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import httpx

from ..config import DEFAULT_APPLICATION_ID, OrdersConfig
from ..errors import (
    CancelRefused,
    DistributorOrderError,
    OrderAnswerLost,
    OrderNotFound,
    OrderRejected,
    OrderUnavailable,
)
from ..realtime.http import describe_transport_error, retry_after_seconds, short
from ..realtime.oauth import SyncTokenCache, parse_expires_in
from ..realtime.ratelimit import RateLimiter, RateSpec, TokenBucketLimiter, acquire_blocking
from .orders import (
    CallRecord,
    DistributorInvoice,
    DistributorOrder,
    FoundOrder,
    InvoiceCharge,
    InvoiceLine,
    InvoiceSummary,
    LineState,
    OrderStatus,
    PlacedOrder,
    RejectedLine,
    Reply,
    Shipment,
    ShipmentLine,
)

TOKEN_PATH = "/oauth/oauth20/token"
ORDERS_PATH = "/resellers/v6/orders"
ORDER_SEARCH_PATH = "/resellers/v6/orders/search"
ORDER_DETAILS_PATH = "/resellers/v6.1/orders/{}"
ORDER_CANCEL_PATH = "/resellers/v6/orders/{}"
INVOICE_SEARCH_PATH = "/resellers/v6/invoices"
INVOICE_DETAILS_PATH = "/resellers/v6.1/invoices/{}"
PAGE_SIZE = 100  # the published maximum
MAX_ATTEMPTS = 3
MASK = "********"
_TRANSIENT_STATUS = {500, 502, 503, 504}


class IngramOrders:
    """One Ingram account's order calls. `client` (an `httpx.Client`) is injected; `limiter` is the
    account's rate limiter shared with the real-time queries (`config.account` is the same key);
    `tokens` may be a cache shared by every client of the account in the process."""

    protocol = "ingram_v6"

    def __init__(
        self,
        distributor: str,
        config: OrdersConfig,
        client: httpx.Client,
        *,
        limiter: RateLimiter | None = None,
        tokens: SyncTokenCache | None = None,
        sleep=time.sleep,
        clock=time.monotonic,
    ):
        self.distributor = distributor
        self.config = config
        self.client = client
        self.limiter = limiter or TokenBucketLimiter()
        self.rate = RateSpec(config.rate_limit, config.rate_limit_period_s, config.rate_limit_burst)
        self.tokens = tokens or SyncTokenCache()
        self._sleep = sleep
        self._clock = clock
        self._records: list[CallRecord] = []

    # ------------------------------------------------------------------------------------------ public

    def place_order(self, order: DistributorOrder) -> Reply[PlacedOrder]:
        """Our order at Ingram exactly once: an order already carrying our number is adopted; else it is
        created; a create whose answer was lost is looked for again before anything else happens."""
        with self._recording() as records:
            found = self._search_orders(order.order_number)
            if not found:
                try:
                    return Reply(self._create(order), tuple(records))
                except OrderAnswerLost:
                    found = self._search_orders(order.order_number)
                    if not found:
                        raise
                except OrderRejected as refused:
                    # Ingram refuses a second order with one customerOrderNumber: ours is there already.
                    if not any(f[0] == "customerOrderNumber" for f in refused.fields):
                        raise
                    found = self._search_orders(order.order_number)
                    if not found:
                        raise
            return Reply(self._adopt(found), tuple(records))

    def create_order(self, order: DistributorOrder) -> Reply[PlacedOrder]:
        """The create alone (no search first): for tests and tools; callers use `place_order`."""
        with self._recording() as records:
            return Reply(self._create(order), tuple(records))

    def find_orders(self, customer_order_number: str) -> Reply[tuple[FoundOrder, ...]]:
        with self._recording() as records:
            return Reply(self._search_orders(customer_order_number), tuple(records))

    def order_status(self, order_number: str) -> Reply[OrderStatus]:
        with self._recording() as records:
            return Reply(self._details(order_number), tuple(records))

    def cancel_order(self, order_number: str) -> Reply[None]:
        """Cancel one Ingram order; `CancelRefused` with Ingram's words when it can no longer be."""
        with self._recording() as records:
            response = self._call("cancel", "DELETE", ORDER_CANCEL_PATH.format(order_number))
            if response.status_code in (400, 405, 409):
                raise CancelRefused(self.distributor, f"order {order_number}: {_error_text(response)}")
            if response.status_code == 404:
                raise OrderNotFound(self.distributor, f"order {order_number}: {_error_text(response)}")
            self._expect(response, (200, 204), "cancel")
            return Reply(None, tuple(records))

    def find_invoices(self, customer_order_number: str) -> Reply[tuple[InvoiceSummary, ...]]:
        with self._recording() as records:
            invoices: list[InvoiceSummary] = []
            for page in self._pages(
                "invoice search", INVOICE_SEARCH_PATH, {"customerOrderNumber": customer_order_number}
            ):
                invoices.extend(parse_invoice_summaries(page.get("invoices")))
            wanted = [i for i in invoices if i.customer_order_number in ("", customer_order_number)]
            return Reply(tuple(dict((i.invoice_number, i) for i in wanted).values()), tuple(records))

    def invoice(self, invoice_number: str) -> Reply[DistributorInvoice]:
        with self._recording() as records:
            response = self._call(
                "invoice",
                "GET",
                INVOICE_DETAILS_PATH.format(invoice_number),
                params={"customerType": "invoice", "includeSerialNumbers": "true"},
            )
            if response.status_code == 404:
                raise OrderNotFound(self.distributor, f"invoice {invoice_number}: {_error_text(response)}")
            data = self._json(self._expect(response, (200,), "invoice"), "invoice")
            return Reply(parse_invoice(data, self.distributor), tuple(records))

    # ------------------------------------------------------------------------------------------ steps

    def _create(self, order: DistributorOrder) -> PlacedOrder:
        response = self._call("create", "POST", ORDERS_PATH, body=order_body(order), idempotent=False)
        if response.status_code == 400:
            fields = _error_fields(response)
            raise OrderRejected(
                self.distributor, f"order {order.order_number} refused: {_error_text(response)}", fields
            )
        data = self._json(self._expect(response, (200, 201, 207), "create"), "create")
        return parse_created(data, self.distributor)

    def _search_orders(self, customer_order_number: str) -> tuple[FoundOrder, ...]:
        found: list[FoundOrder] = []
        for page in self._pages("search", ORDER_SEARCH_PATH, {"customerOrderNumber": customer_order_number}):
            found.extend(parse_found_orders(page.get("orders")))
        # Ingram's search may match more loosely than we asked; keep only our number, each order once.
        wanted = [f for f in found if f.customer_order_number.upper() == customer_order_number.upper()]
        return tuple(dict((f.order_number, f) for f in wanted).values())

    def _adopt(self, found: tuple[FoundOrder, ...]) -> PlacedOrder:
        details = [self._details(hit.order_number) for hit in found]
        return PlacedOrder(
            order_numbers=tuple(d.order_number for d in details),
            lines=tuple(line for d in details for line in d.lines),
            adopted=True,
            currency=next((d.currency for d in details if d.currency), ""),
        )

    def _details(self, order_number: str) -> OrderStatus:
        response = self._call("details", "GET", ORDER_DETAILS_PATH.format(order_number))
        if response.status_code == 404:
            raise OrderNotFound(self.distributor, f"order {order_number}: {_error_text(response)}")
        data = self._json(self._expect(response, (200,), "details"), "details")
        return parse_order_details(data, self.distributor)

    def _pages(self, operation: str, path: str, params: dict[str, str]) -> Iterator[dict]:
        """Every page of a search (204 No Content: nothing found)."""
        number = 1
        while True:
            query = {**params, "pageSize": str(PAGE_SIZE), "pageNumber": str(number)}
            response = self._call(operation, "GET", path, params=query)
            if response.status_code == 204:
                return
            page = self._json(self._expect(response, (200,), operation), operation)
            yield page
            listed = page.get("orders") if "orders" in page else page.get("invoices")
            total = _int(page.get("recordsFound"))
            if not listed or total is None or number * PAGE_SIZE >= total:
                return
            number += 1

    # ------------------------------------------------------------------------------------------ HTTP

    @contextlib.contextmanager
    def _recording(self) -> Iterator[list[CallRecord]]:
        """Collect this call's exchanges; an error leaving it carries them."""
        self._records = records = []
        try:
            yield records
        except DistributorOrderError as exc:
            exc.records = tuple(records)
            raise

    def _call(
        self,
        operation: str,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
        body: dict | None = None,
        idempotent: bool = True,
    ) -> httpx.Response:
        """One logical call: the account's permit, a token, a fresh IM-CorrelationID per attempt; one new
        token after a 401; waits out a 429's Retry-After; retries a 5xx or a lost connection only when
        the call is `idempotent`. Returns the answer for the caller to read (4xx included)."""
        give_up_at = self._clock() + self.config.max_wait_s
        renewed = False
        attempt = 0
        while True:
            attempt += 1
            token = self._token()
            self._permit(give_up_at)
            try:
                response = self._send(operation, method, path, token, params, body)
            except OrderUnavailable as exc:
                lost = isinstance(exc, OrderAnswerLost)
                if (lost and not idempotent) or attempt >= MAX_ATTEMPTS:
                    raise
                self._wait(None, attempt, give_up_at, exc)
                continue
            status = response.status_code
            if status == 401 and not renewed:
                renewed = True
                self.tokens.invalidate(token)
                continue
            if status == 401:
                raise OrderUnavailable(
                    self.distributor, f"{operation}: token refused: {_error_text(response)}"
                )
            if status == 429:
                wait = retry_after_seconds(response)
                error = OrderUnavailable(
                    self.distributor, f"{operation}: rate limited: {_error_text(response)}", wait
                )
                if attempt >= MAX_ATTEMPTS:
                    raise error
                self._wait(wait, attempt, give_up_at, error)
                continue
            if status in _TRANSIENT_STATUS or status >= 500:
                wait = retry_after_seconds(response)
                text = f"{operation}: HTTP {status}: {_error_text(response)}"
                if not idempotent:
                    raise OrderAnswerLost(self.distributor, f"{text} (the order may have been taken)", wait)
                if attempt >= MAX_ATTEMPTS:
                    raise OrderUnavailable(self.distributor, text, wait)
                self._wait(wait, attempt, give_up_at, OrderUnavailable(self.distributor, text, wait))
                continue
            return response

    def _wait(self, retry_after: float | None, attempt: int, give_up_at: float, error: OrderUnavailable):
        """Sleep before the next attempt: the distributor's Retry-After, else 0.5, 1, 2 s with jitter;
        never past the call's budget (then the error goes to the caller, who retries later)."""
        delay = (
            retry_after if retry_after is not None else 0.5 * 2 ** (attempt - 1) * random.uniform(0.8, 1.2)
        )
        if self._clock() + delay > give_up_at:
            raise error
        self._sleep(delay)

    def _permit(self, give_up_at: float) -> None:
        wait = max(0.0, give_up_at - self._clock())
        try:
            granted = acquire_blocking(
                self.limiter,
                self.config.account,
                self.rate,
                max_wait_s=wait,
                clock=self._clock,
                sleep=self._sleep,
            )
        except Exception as exc:  # the shared limiter's database is down: do not risk the account
            raise OrderUnavailable(
                self.distributor, f"rate limiter unavailable ({type(exc).__name__}: {exc}); not called"
            ) from None
        if not granted:
            raise OrderUnavailable(
                self.distributor,
                f"account limit of {self.rate.limit} calls per {self.rate.period_s:g} s reached; not called",
                retry_after_s=self.rate.period_s / self.rate.limit,
            )

    def _headers(self, token: str, operation: str, correlation_id: str) -> dict[str, str]:
        headers = {
            "Authorization": f"Bearer {token}",
            "IM-CustomerNumber": self.config.customer_number,
            "IM-CountryCode": self.config.country_code,
            "IM-CorrelationID": correlation_id,
            "Accept": "application/json",
        }
        if self.config.sender_id:
            headers["IM-SenderID"] = self.config.sender_id
        if operation.startswith("invoice"):
            headers["IM-ApplicationID"] = self.config.application_id or DEFAULT_APPLICATION_ID
        return headers

    def _send(
        self,
        operation: str,
        method: str,
        path: str,
        token: str,
        params: dict[str, str] | None,
        body: dict | None,
    ) -> httpx.Response:
        correlation_id = uuid.uuid4().hex  # 32 characters, the published maximum
        headers = self._headers(token, operation, correlation_id)
        content = json.dumps(body, default=str).encode() if body is not None else None
        if content is not None:
            headers["Content-Type"] = "application/json"
        url = self.config.url + path
        request = self.client.build_request(
            method,
            url,
            params=params,
            headers=headers,
            content=content,
            timeout=self.config.http_timeout_s,
        )
        started, at = self._clock(), datetime.now(UTC)
        try:
            response = self.client.send(request)
        except httpx.HTTPError as exc:
            sent = _maybe_sent(exc)
            reason = f"{operation}: {describe_transport_error(exc)}"
            self._record(operation, request, correlation_id, content, None, reason, at, started)
            if sent:
                raise OrderAnswerLost(
                    self.distributor, f"{reason}; the request may have been taken"
                ) from None
            raise OrderUnavailable(self.distributor, reason) from None
        self._record(operation, request, correlation_id, content, response, "", at, started)
        return response

    def _token(self) -> str:
        try:
            return self.tokens.get(self._fetch_token)
        except httpx.HTTPError as exc:
            raise OrderUnavailable(self.distributor, f"token: {describe_transport_error(exc)}") from None

    def _fetch_token(self) -> tuple[str, float]:
        params = {
            "grant_type": "client_credentials",
            "client_id": self.config.client_id,
            "client_secret": self.config.client_secret,
        }
        request = self.client.build_request(
            "GET",
            self.config.url + TOKEN_PATH,
            params=params,
            headers={"Accept": "application/json"},
            timeout=self.config.http_timeout_s,
        )
        started, at = self._clock(), datetime.now(UTC)
        try:
            response = self.client.send(request)
        except httpx.HTTPError as exc:
            self._record("token", request, "", None, None, describe_transport_error(exc), at, started)
            raise
        self._record("token", request, "", None, response, "", at, started)
        if response.status_code != 200:
            raise OrderUnavailable(
                self.distributor, f"token: HTTP {response.status_code}: {_error_text(response)}"
            )
        try:
            data = response.json()
            return str(data["access_token"]), parse_expires_in(data.get("expires_in"))
        except (ValueError, KeyError, TypeError):
            raise OrderUnavailable(self.distributor, "token: malformed answer") from None

    def _record(
        self,
        operation: str,
        request: httpx.Request,
        correlation_id: str,
        content: bytes | None,
        response: httpx.Response | None,
        error: str,
        at: datetime,
        started: float,
    ) -> None:
        headers = {
            name: (f"Bearer {MASK}" if name.lower() == "authorization" else value)
            for name, value in ((k.decode(), v.decode()) for k, v in request.headers.raw)
            if name.lower() == "authorization" or name.lower().startswith("im-")
        }
        self._records.append(
            CallRecord(
                operation=operation,
                method=request.method,
                url=mask_secrets(str(request.url)),
                status=response.status_code if response is not None else 0,
                correlation_id=correlation_id,
                request_headers=headers,
                request_body=(content or b"").decode("utf-8", "replace"),
                response_body=mask_secrets(response.text) if response is not None else "",
                error=error,
                at=at,
                elapsed_ms=round((self._clock() - started) * 1000, 1),
            )
        )

    def _expect(self, response: httpx.Response, statuses: tuple[int, ...], operation: str) -> httpx.Response:
        if response.status_code in statuses:
            return response
        fields = _error_fields(response)
        reason = f"{operation}: HTTP {response.status_code}: {_error_text(response)}"
        raise OrderRejected(self.distributor, reason, fields)

    def _json(self, response: httpx.Response, operation: str) -> dict:
        try:
            data = json.loads(response.content, parse_float=Decimal)
        except ValueError as exc:
            raise OrderUnavailable(self.distributor, f"{operation}: answer is not JSON: {exc}") from None
        if not isinstance(data, dict):
            raise OrderUnavailable(self.distributor, f"{operation}: answer is not a JSON object")
        return data


# ---------------------------------------------------------------------------------------------- wire format


def order_body(order: DistributorOrder) -> dict[str, Any]:
    """The `POST /resellers/v6/orders` body for `order`. Backorders are accepted (a drop-ship order waits
    for stock rather than failing) and a line Ingram cannot take does not sink the others."""
    ship = order.ship_to
    ship_to = {
        "contact": ship.contact,
        "companyName": ship.company_name,
        **{f"addressLine{n}": text for n, text in enumerate(ship.address_lines[:3], start=1)},
        "city": ship.city,
        "state": ship.state,
        "postalCode": ship.postal_code,
        "countryCode": ship.country_code,
        "phoneNumber": ship.phone,
        "email": ship.email,
    }
    body: dict[str, Any] = {"customerOrderNumber": order.order_number}
    if order.end_customer_order_number:
        body["endCustomerOrderNumber"] = order.end_customer_order_number
    if order.notes:
        body["notes"] = order.notes
    body["acceptBackOrder"] = True
    body["shipToInfo"] = {key: value for key, value in ship_to.items() if value}
    body["lines"] = [
        {
            "customerLineNumber": str(line.line_number),
            "ingramPartNumber": line.part_number,
            "quantity": line.quantity,
        }
        for line in order.lines
    ]
    body["additionalAttributes"] = [{"attributeName": "allowPartialOrder", "attributeValue": "true"}]
    return body


def parse_created(data: dict, distributor: str = "Ingram") -> PlacedOrder:
    """A 201/207 order create answer."""
    orders = _list(data.get("orders"))
    numbers: list[str] = []
    lines: list[LineState] = []
    rejected: list[RejectedLine] = []
    currency = ""
    for entry in orders:
        number = str(entry.get("ingramOrderNumber") or "").strip()
        if number and number not in numbers:
            numbers.append(number)
        currency = currency or str(entry.get("currencyCode") or "").split(" ")[0]
        for line in _list(entry.get("lines")):
            lines.append(_line_state(line, number, entry_status=""))
        for item in _list(entry.get("rejectedLineItems")):
            rejected.append(
                RejectedLine(
                    line_number=_line_number(item.get("customerLinenumber", item.get("customerLineNumber"))),
                    part_number=str(item.get("ingramPartNumber") or ""),
                    quantity=_int(item.get("quantityOrdered")) or 0,
                    code=str(item.get("rejectCode") or ""),
                    reason=" ".join(str(item.get("rejectReason") or "rejected").split()),
                )
            )
    if not numbers and not rejected:
        raise OrderUnavailable(distributor, "create: the answer names no Ingram order and no rejected line")
    return PlacedOrder(tuple(numbers), tuple(lines), tuple(rejected), currency=currency)


def parse_found_orders(items) -> list[FoundOrder]:
    return [
        FoundOrder(
            order_number=str(item.get("ingramOrderNumber") or ""),
            customer_order_number=str(item.get("customerOrderNumber") or ""),
            status=str(item.get("orderStatus") or ""),
            order_date=str(item.get("ingramOrderDate") or ""),
            total=_decimal(item.get("orderTotal")),
        )
        for item in _list(items)
        if item.get("ingramOrderNumber")
    ]


def parse_order_details(data: dict, distributor: str = "Ingram") -> OrderStatus:
    """A `GET /resellers/v6.1/orders/{ordernumber}` answer: line quantities and dates, and the shipments
    (one per delivery number: its carrier, tracking numbers, and the quantities and serials of each line
    in it)."""
    number = str(data.get("ingramOrderNumber") or "")
    if not number:
        raise OrderUnavailable(distributor, "details: the answer has no ingramOrderNumber")
    lines: list[LineState] = []
    shipments: dict[str, dict] = {}
    for line in _list(data.get("lines")):
        state = _line_state(line, number, entry_status="")
        lines.append(state)
        for index, detail in enumerate(_list(line.get("shipmentDetails"))):
            carriers = _list(detail.get("carrierDetails"))
            if not carriers:
                continue  # confirmed, not yet shipped: only an estimate
            delivery = str(detail.get("deliveryNumber") or "")
            for carrier in carriers:
                tracking = [t for t in _list(carrier.get("trackingDetails")) if t.get("trackingNumber")]
                code = str(carrier.get("carrierCode") or "")
                key = f"{number}:{delivery or code + ':' + str(index)}"
                shipment = shipments.setdefault(
                    key,
                    {
                        "carrier_code": code,
                        "carrier_name": " ".join(str(carrier.get("carrierName") or "").split()),
                        "tracking": [],
                        "url": "",
                        "shipped_on": _date(carrier.get("shippedDate")),
                        "delivery": delivery,
                        "invoice": str(detail.get("invoiceNumber") or ""),
                        "lines": {},
                    },
                )
                for entry in tracking:
                    if str(entry["trackingNumber"]) not in shipment["tracking"]:
                        shipment["tracking"].append(str(entry["trackingNumber"]))
                    shipment["url"] = shipment["url"] or str(entry.get("trackingUrl") or "")
                quantity = _int(carrier.get("quantity")) or _int(detail.get("quantity")) or 0
                serials = tuple(
                    str(serial.get("serialNumber"))
                    for entry in tracking
                    for serial in _list(entry.get("serialNumbers"))
                    if serial.get("serialNumber")
                )
                shipped = shipment["lines"].setdefault(state.line_number, [state.part_number, 0, ()])
                shipped[1] += quantity
                shipped[2] += serials
    return OrderStatus(
        order_number=number,
        customer_order_number=str(data.get("customerOrderNumber") or ""),
        status=str(data.get("orderStatus") or ""),
        lines=tuple(lines),
        shipments=tuple(
            Shipment(
                key=key,
                order_number=number,
                carrier_code=s["carrier_code"],
                carrier_name=s["carrier_name"],
                tracking_numbers=tuple(s["tracking"]),
                lines=tuple(
                    ShipmentLine(line_number, part, quantity, serials)
                    for line_number, (part, quantity, serials) in s["lines"].items()
                    if quantity > 0
                ),
                tracking_url=s["url"],
                shipped_on=s["shipped_on"],
                delivery_number=s["delivery"],
                invoice_number=s["invoice"],
            )
            for key, s in shipments.items()
        ),
        currency=str(data.get("currencyCode") or ""),
    )


def parse_invoice_summaries(items) -> list[InvoiceSummary]:
    return [
        InvoiceSummary(
            invoice_number=str(item.get("invoiceNumber") or ""),
            status=str(item.get("invoiceStatus") or ""),
            customer_order_number=str(item.get("customerOrderNumber") or ""),
            order_number=str(item.get("erpOrderNumber") or ""),
            invoice_date=str(item.get("invoiceDate") or ""),
            amount_due=_decimal(item.get("invoicedAmountDue")),
        )
        for item in _list(items)
        if item.get("invoiceNumber")
    ]


def parse_invoice(data: dict, distributor: str = "Ingram") -> DistributorInvoice:
    """A `GET /resellers/v6.1/invoices/{invoiceNumber}` answer. A line without a quantity or a unit price
    is an error naming it: an accountant acts on those figures."""
    number = str(data.get("invoiceNumber") or "")
    if not number:
        raise OrderUnavailable(distributor, "invoice: the answer has no invoiceNumber")
    lines = []
    for index, line in enumerate(_list(data.get("lines"))):
        quantity, price = _decimal(line.get("quantity")), _decimal(line.get("unitPrice"))
        if quantity is None or price is None:
            raise OrderUnavailable(
                distributor, f"invoice {number}: lines[{index}] has no quantity or no unitPrice"
            )
        lines.append(
            InvoiceLine(
                line_number=_line_number(line.get("customerLineNumber")),
                part_number=str(line.get("ingramPartNumber") or ""),
                quantity=quantity,
                unit_price=price,
                extended_price=_decimal(line.get("extendedPrice")),
                tax_amount=_decimal(line.get("taxAmount")),
                description=str(line.get("productDescription") or ""),
                serial_numbers=tuple(
                    str(s.get("serialNumber"))
                    for s in _list(line.get("serialNumbers"))
                    if s.get("serialNumber")
                ),
            )
        )
    summary = data.get("summary") if isinstance(data.get("summary"), dict) else {}
    totals = summary.get("totals") if isinstance(summary.get("totals"), dict) else {}
    charges = []
    for charge in _list(summary.get("miscCharges")):
        # The schema spells these chargeDescription/miscChargeLineTotal; Ingram's own example capitalises
        # them: both are read.
        description = str(_either(charge, "chargeDescription") or "")
        amount = _decimal(_either(charge, "miscChargeLineTotal"))
        if amount is None or description.strip().upper() == "TAX":
            continue  # tax is read from the totals, not as a charge
        charges.append(InvoiceCharge(description, amount, str(_either(charge, "chargeLineReference") or "")))
    fx = data.get("fxRateInfo") if isinstance(data.get("fxRateInfo"), dict) else {}
    currency = str(fx.get("invoiceCurrency") or fx.get("currencyCode") or "")
    if not currency:
        currency = next(
            (str(line.get("currencyCode")) for line in _list(data.get("lines")) if line.get("currencyCode")),
            "",
        )
    return DistributorInvoice(
        invoice_number=number,
        invoice_type=str(data.get("invoiceType") or "Invoice"),
        status=str(data.get("invoiceStatus") or ""),
        customer_order_number=str(data.get("customerOrderNumber") or ""),
        order_number=str(data.get("ingramOrderNumber") or data.get("orderNumber") or ""),
        lines=tuple(lines),
        charges=tuple(charges),
        invoice_date=_date(data.get("invoiceDate")),
        due_date=_date(data.get("invoiceDueDate")),
        currency=currency,
        net_amount=_decimal(totals.get("netInvoiceAmount")),
        tax_amount=_decimal(totals.get("totalTaxAmount")),
        amount_due=_decimal(totals.get("invoicedAmountDue")),
        freight_amount=_decimal(totals.get("freightAmount")),
    )


def mask_secrets(text: str) -> str:
    """Client secrets in a token URL and access tokens in a token answer, masked for the log."""
    text = re.sub(r"(client_secret=)[^&\s\"]+", rf"\g<1>{MASK}", text)
    return re.sub(r'("access_token"\s*:\s*")[^"]*(")', rf"\g<1>{MASK}\g<2>", text)


# ---------------------------------------------------------------------------------------------- helpers


def _line_state(line: dict, order_number: str, entry_status: str) -> LineState:
    dates = [
        _date((estimate.get("ship") or {}).get("shipDate"))
        for estimate in _list(line.get("estimatedDates"))
        if isinstance(estimate.get("ship"), dict)
    ]
    dates += [_date(detail.get("estimatedShipDate")) for detail in _list(line.get("shipmentDetails"))]
    dates.append(_date(line.get("backOrderETADate")))
    known = [d for d in dates if d is not None]
    return LineState(
        line_number=_line_number(line.get("customerLineNumber")),
        part_number=str(line.get("ingramPartNumber") or ""),
        status=str(line.get("lineStatus") or entry_status),
        ordered=_int(line.get("quantityOrdered")) or 0,
        confirmed=_int(line.get("quantityConfirmed")) or 0,
        backordered=_int(line.get("quantityBackOrdered")) or 0,
        order_number=order_number,
        unit_price=_decimal(line.get("unitPrice")),
        estimated_ship_date=max(known) if known else None,
    )


def _either(item: dict, name: str):
    return item.get(name, item.get(name[:1].upper() + name[1:]))


def _list(value) -> list[dict]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _int(value) -> int | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return int(Decimal(str(value)))
    except (InvalidOperation, ValueError):
        return None


def _decimal(value) -> Decimal | None:
    if isinstance(value, bool) or value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def _line_number(value) -> int:
    text = str(value or "").strip()
    return int(text) if text.isdigit() else 0


def _date(value) -> date | None:
    text = str(value or "").strip()
    if len(text) < 10:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def _maybe_sent(exc: httpx.HTTPError) -> bool:
    """Could the request have reached the server? Not when the connection was never made."""
    return not isinstance(
        exc, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol)
    )


def _error_body(response: httpx.Response) -> list[dict]:
    try:
        data = response.json()
    except ValueError:
        return []
    if isinstance(data, dict):
        if isinstance(data.get("errors"), list):
            return _list(data["errors"])
        fault = data.get("fault")
        if isinstance(fault, dict):
            return [{"message": fault.get("faultstring", "")}]
        if "message" in data:
            return [data]
    return []


def _error_fields(response: httpx.Response) -> tuple[tuple[str, str, str], ...]:
    return tuple(
        (str(f.get("field") or ""), str(f.get("value") or ""), str(f.get("message") or ""))
        for error in _error_body(response)
        for f in _list(error.get("fields"))
    )


def _error_text(response: httpx.Response) -> str:
    """Ingram's own words: each error's message (its example spells it `messaage` once: read too) and
    each field it names, with the value sent."""
    parts = []
    for error in _error_body(response):
        message = str(error.get("message") or error.get("messaage") or error.get("type") or "").strip()
        fields = [
            f"{f.get('field')}: {f.get('message')}"
            + (f" (sent {f.get('value')!r})" if f.get("value") else "")
            for f in _list(error.get("fields"))
        ]
        parts.append(": ".join(p for p in (message, "; ".join(fields)) if p))
    if parts:
        return short("; ".join(p for p in parts if p), 400) or f"HTTP {response.status_code}"
    text = response.text.strip()
    return short(text, 200) if text else f"HTTP {response.status_code} {response.reason_phrase}".strip()
