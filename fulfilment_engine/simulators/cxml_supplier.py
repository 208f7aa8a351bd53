"""A local cXML supplier (a distributor's order endpoint) for tests and demos — real HTTP on 127.0.0.1.

It receives OrderRequests, checks the Sender's SharedSecret, records each order once (a resent
payloadID is answered 200 again and not recorded twice), answers a cXML Response, and can be told
to misbehave (HTTP 500, cXML 500, a business rejection, an answer held back past the client's
timeout, a dropped connection, a body that is not XML). It can also POST a ConfirmationRequest, a
ShipNoticeRequest (carrier, tracking numbers, all or part of the lines) or an InvoiceDetailRequest (what
it received, at the ordered prices, one line dearer if asked) to an inbound URL, signed with the shared
secret our inbound endpoint expects.

Standard library HTTP server only: it runs inside Odoo's Python too (no FastAPI/uvicorn there), and
it never imports Odoo.

    with CxmlSupplierSimulator(buyer=Credential("NetworkID", "ACME", "s3cret")) as sim:
        status = send_order_request(sim.url, body, client=client, timeout=5)
        assert sim.orders[0].order.order_id == "PO00042"
        sim.post_ship_notice(inbound_url, "PO00042", carrier="DPD", tracking_numbers=("15501234567890",))
"""

from __future__ import annotations

import itertools
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal

import httpx

from ..documents.cxml import (
    Confirmation,
    ConfirmationLine,
    Credential,
    CxmlError,
    OrderRequestDoc,
    PurchaseOrderDoc,
    ResponseStatus,
    ShipNotice,
    ShipNoticeLine,
    build_confirmation_request,
    build_response,
    build_ship_notice_request,
    parse_order_request,
    parse_response,
    verify_sender,
)
from ..documents.invoice import Invoice, InvoiceLine, build_invoice_detail_request
from ..documents.transport import CONTENT_TYPE

FaultKind = Literal["http_500", "http_429", "cxml_500", "reject", "timeout", "drop", "garbage"]
MAX_BODY_BYTES = 5 * 1024 * 1024
USER_AGENT = "Channel Fulfilment cXML supplier simulator"


@dataclass(frozen=True)
class ReceivedOrder:
    payload_id: str
    request: OrderRequestDoc
    body: bytes
    received_at: datetime

    @property
    def order(self) -> PurchaseOrderDoc:
        return self.request.order


@dataclass(frozen=True)
class PostResult:
    """What the simulator sent (`document`, to resend it unchanged) and what the receiver answered."""

    payload_id: str
    document: bytes
    http_status: int
    status: ResponseStatus | None  # None when the answer was not a cXML Response
    body: bytes


@dataclass
class _Fault:
    kind: FaultKind
    times: int
    delay_s: float
    record: bool


class CxmlSupplierSimulator:
    """A distributor's cXML order endpoint.

    buyer: our credential as the distributor knows it — the OrderRequest's Sender must match it,
        shared secret included (else cXML 401).
    supplier: the distributor's own credential: the OrderRequest's To identity must match it, and
        it is From and Sender of what the simulator posts; its shared_secret is what it signs with
        (the secret our inbound endpoint expects).
    mirror_http_status: answer errors with the cXML code as HTTP status too (401, 400, 500...);
        by default every cXML answer travels as HTTP 200, as many real endpoints do.
    """

    def __init__(
        self,
        *,
        buyer: Credential,
        supplier: Credential | None = None,
        mirror_http_status: bool = False,
        host: str = "127.0.0.1",
        port: int = 0,
        path: str = "/cxml/orders",
    ):
        if not buyer.shared_secret:
            raise ValueError("buyer credential needs the shared_secret the OrderRequest must carry")
        self.buyer = buyer
        self.supplier = supplier or Credential("NetworkID", "SIM-DISTRIBUTOR", "sim-inbound-secret")
        self.mirror_http_status = mirror_http_status
        self.path = path
        self._host, self._port = host, port
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._faults: deque[_Fault] = deque()
        self._orders: list[ReceivedOrder] = []
        self._seen_payloads: set[str] = set()
        self._shipped: dict[tuple[str, int], Decimal] = {}
        self._counter = itertools.count(1)
        self.requests_received = 0
        self.duplicates = 0
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------------------------------ lifecycle

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the cXML supplier simulator is not started")
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}{self.path}"

    def start(self) -> CxmlSupplierSimulator:
        if self._server is not None:
            return self
        self._stopping.clear()
        server = ThreadingHTTPServer((self._host, self._port), _handler_for(self))
        server.daemon_threads = True  # a handler holding an answer back must not keep the process alive
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="cxml-supplier-sim", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._stopping.set()  # wakes handlers sleeping on a "timeout" fault
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(5)
        self._server = self._thread = None

    def __enter__(self) -> CxmlSupplierSimulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------------------------------------ inspection

    @property
    def orders(self) -> tuple[ReceivedOrder, ...]:
        with self._lock:
            return tuple(self._orders)

    def order(self, order_id: str) -> ReceivedOrder:
        """The latest recorded OrderRequest for `order_id` (KeyError when none arrived)."""
        for received in reversed(self.orders):
            if received.order.order_id == order_id:
                return received
        raise KeyError(f"no OrderRequest for order {order_id!r} reached the simulator")

    def inject(self, kind: FaultKind, *, times: int = 1, delay_s: float = 2.0, record: bool = True) -> None:
        """Misbehave on the next `times` OrderRequests, after the ones already queued.

        http_500: HTTP 500, plain text, nothing recorded. http_429: throttled, `Retry-After: 30`.
        cxml_500: cXML Status 500. reject: cXML 406 (a business rejection). garbage: HTTP 200 with a
        body that is not XML. drop: the connection is closed without an answer. timeout: the answer is
        held back `delay_s` seconds; with `record` the order is recorded first (it "arrived", only the
        answer was late).
        """
        with self._lock:
            self._faults.append(_Fault(kind, times, delay_s, record))

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def _next_fault(self) -> _Fault | None:
        with self._lock:
            if not self._faults:
                return None
            fault = self._faults[0]
            fault.times -= 1
            if fault.times <= 0:
                self._faults.popleft()
            return fault

    # ------------------------------------------------------------------------------------------ receiving

    def _payload_id(self, kind: str) -> str:
        return f"{time.time_ns()}.{next(self._counter)}.{kind}@{self.supplier.identity.lower()}.sim"

    def _answer(self, code: int, text: str, message: str = "") -> tuple[int, bytes]:
        body = build_response(
            code, text, message, payload_id=self._payload_id("response"), timestamp=datetime.now(UTC)
        )
        http = code if self.mirror_http_status and code >= 300 else 200
        return http, body

    def _record(self, doc: OrderRequestDoc, body: bytes) -> bool:
        """Record once per payloadID; False when it is a duplicate."""
        with self._lock:
            if doc.payload_id in self._seen_payloads:
                self.duplicates += 1
                return False
            self._seen_payloads.add(doc.payload_id)
            self._orders.append(ReceivedOrder(doc.payload_id, doc, body, datetime.now(UTC)))
            return True

    def handle(self, body: bytes) -> tuple[int, bytes] | None:
        """One OrderRequest in, (HTTP status, body) out; None means: drop the connection.

        A 429 answer carries `Retry-After: 30` (added by the HTTP handler)."""
        with self._lock:
            self.requests_received += 1
        fault = self._next_fault()
        if fault is not None and fault.kind == "drop":
            return None
        if fault is not None and fault.kind == "http_500":
            return 500, b"Internal Server Error"
        if fault is not None and fault.kind == "http_429":
            return 429, b"Too Many Requests"
        if fault is not None and fault.kind == "garbage":
            return 200, b"<html><body>Service temporarily unavailable</body>"
        if fault is not None and fault.kind == "cxml_500":
            return self._answer(500, "Internal Server Error", "simulated outage")
        try:
            doc = parse_order_request(body)
        except CxmlError as exc:
            return self._answer(400, "Bad Request", str(exc))
        if not verify_sender(doc.sender, self.buyer):
            return self._answer(401, "Unauthorized", "Sender credential or SharedSecret not recognised")
        if doc.to.identity != self.supplier.identity:
            return self._answer(400, "Bad Request", f"To identity {doc.to.identity!r} is not this supplier")
        if fault is not None and fault.kind == "reject":
            return self._answer(406, "Not Acceptable", f"order {doc.order.order_id}: account on stop")
        if fault is not None and fault.kind == "timeout":
            if fault.record:
                self._record(doc, body)
            self._stopping.wait(fault.delay_s)
            return self._answer(200, "OK", "order received")
        if not self._record(doc, body):
            return self._answer(200, "OK", f"duplicate payloadID {doc.payload_id}: already processed")
        return self._answer(200, "OK", f"order {doc.order.order_id} received")

    # ------------------------------------------------------------------------------------------ sending

    def _post(
        self, url: str, document: bytes, payload_id: str, client: httpx.Client | None, timeout: float
    ) -> PostResult:
        own = client is None
        http = client or httpx.Client()
        try:
            response = http.post(
                url, content=document, headers={"Content-Type": CONTENT_TYPE}, timeout=timeout
            )
        finally:
            if own:
                http.close()
        try:
            status: ResponseStatus | None = parse_response(response.content)
        except CxmlError:
            status = None
        return PostResult(payload_id, document, response.status_code, status, response.content)

    def resend(
        self, url: str, result: PostResult, *, client: httpx.Client | None = None, timeout: float = 5.0
    ) -> PostResult:
        """POST the very same document again (same payloadID): the receiver must change nothing."""
        return self._post(url, result.document, result.payload_id, client, timeout)

    def _envelope(self, kind: str, shared_secret: str | None, now: datetime) -> dict[str, Any]:
        """What every document the distributor sends carries: a fresh payloadID, the time, Sender (signed
        with the inbound secret), From (the distributor) and To (us)."""
        secret = self.supplier.shared_secret if shared_secret is None else shared_secret
        return {
            "payload_id": self._payload_id(kind),
            "timestamp": now,
            "sender": Credential(self.supplier.domain, self.supplier.identity, secret),
            "from_": Credential(self.supplier.domain, self.supplier.identity),
            "to": Credential(self.buyer.domain, self.buyer.identity),
        }

    def _post_document(
        self,
        url: str,
        doc: Confirmation | ShipNotice | Invoice,
        build: Callable[..., bytes],
        client: httpx.Client | None,
        timeout: float,
    ) -> PostResult:
        return self._post(url, build(doc, user_agent=USER_AGENT), doc.payload_id, client, timeout)

    def _order_payload(self, order_id: str, order_payload_id: str | None) -> str:
        return order_payload_id or self.order(order_id).payload_id

    def post_confirmation(
        self,
        url: str,
        order_id: str,
        type: str = "accept",
        *,
        lines: Sequence[ConfirmationLine] = (),
        comments: str = "",
        confirm_id: str | None = None,
        order_payload_id: str | None = None,
        shared_secret: str | None = None,
        client: httpx.Client | None = None,
        timeout: float = 5.0,
    ) -> PostResult:
        """POST a ConfirmationRequest for `order_id` (received earlier, or name its `order_payload_id`)."""
        now = datetime.now(UTC)
        conf = Confirmation(
            **self._envelope("confirmation", shared_secret, now),
            order_id=order_id,
            confirm_id=confirm_id or f"CONF-{order_id}-{next(self._counter)}",
            type=type,  # type: ignore[arg-type]
            notice_date=now,
            lines=tuple(lines),
            order_payload_id=self._order_payload(order_id, order_payload_id),
            comments=comments,
        )
        return self._post_document(url, conf, build_confirmation_request, client, timeout)

    def post_ship_notice(
        self,
        url: str,
        order_id: str,
        *,
        lines: Sequence[tuple[int, Decimal | int]] | None = None,
        carrier: str = "DPD",
        carrier_code: str = "",
        carrier_service: str = "Next Day",
        tracking_numbers: Sequence[str] | None = None,
        tracking_url: str = "",
        shipment_id: str | None = None,
        delivery_date: datetime | None = None,
        order_payload_id: str | None = None,
        shared_secret: str | None = None,
        client: httpx.Client | None = None,
        timeout: float = 5.0,
    ) -> PostResult:
        """POST a ShipNoticeRequest for `order_id`.

        lines: (lineNumber, quantity) shipped now; None ships what is left of every line of the
        received order. fulfillmentType is "complete" once everything ordered has shipped over all
        notices sent so far, else "partial". Without tracking_numbers one is made up.
        """
        n = next(self._counter)
        received = None
        try:
            received = self.order(order_id)
        except KeyError:
            if lines is None or order_payload_id is None:
                raise
        ordered = {line.line_number: line for line in received.order.lines} if received else {}
        if lines is None:
            lines = [
                (number, Decimal(line.quantity) - self._shipped.get((order_id, number), Decimal(0)))
                for number, line in ordered.items()
            ]
            lines = [(number, qty) for number, qty in lines if qty > 0]
        with self._lock:
            for number, qty in lines:
                key = (order_id, number)
                self._shipped[key] = self._shipped.get(key, Decimal(0)) + Decimal(qty)
            complete = bool(ordered) and all(
                self._shipped.get((order_id, number), Decimal(0)) >= Decimal(line.quantity)
                for number, line in ordered.items()
            )
        now = datetime.now(UTC)
        notice = ShipNotice(
            **self._envelope("shipnotice", shared_secret, now),
            order_id=order_id,
            shipment_id=shipment_id or f"SHP-{order_id}-{n}",
            carrier=carrier,
            carrier_service=carrier_service,
            tracking_numbers=tuple(tracking_numbers) if tracking_numbers is not None else (f"SIM{n:011d}",),
            shipment_date=now,
            delivery_date=delivery_date,
            lines=tuple(
                ShipNoticeLine(
                    line_number=number,
                    quantity=Decimal(qty),
                    order_id=order_id,
                    uom=ordered[number].uom if number in ordered else "EA",
                    supplier_part_id=ordered[number].supplier_part_id if number in ordered else "",
                )
                for number, qty in lines
            ),
            notice_date=now,
            fulfillment_type="complete" if complete else "partial",
            carrier_code=carrier_code,
            tracking_url=tracking_url,
            order_ids=(order_id,),
            order_payload_ids=((order_id, self._order_payload(order_id, order_payload_id)),),
        )
        return self._post_document(url, notice, build_ship_notice_request, client, timeout)

    def invoice_request(self, order_id: str, *, price_difference: Decimal = Decimal(0)) -> bytes:
        """The InvoiceDetailRequest this distributor sends for an order it received: every line at the
        ordered quantity and price (the first one `price_difference` dearer per unit) and the order's
        shipping charge; the tax is left to the buyer's books."""
        return build_invoice_detail_request(self._invoice(order_id, price_difference), user_agent=USER_AGENT)

    def _invoice(self, order_id: str, price_difference: Decimal) -> Invoice:
        received = self.order(order_id)
        order = received.order
        now = datetime.now(UTC)
        envelope = self._envelope("invoice", None, now)
        return Invoice(
            payload_id=envelope["payload_id"],
            invoice_id=f"INV-{order_id}",
            purpose="standard",
            invoice_date=now,
            order_ids=(order_id,),
            order_payload_ids=((order_id, received.payload_id),),
            lines=tuple(
                InvoiceLine(
                    invoice_line_number=index,
                    quantity=Decimal(line.quantity),
                    unit_price=line.unit_price + (price_difference if index == 1 else Decimal(0)),
                    line_number=line.line_number,
                    order_id=order_id,
                    supplier_part_id=line.supplier_part_id,
                    description=line.description,
                )
                for index, line in enumerate(order.lines, 1)
            ),
            sender=envelope["sender"],
            from_=envelope["from_"],
            to=envelope["to"],
            timestamp=now,
            currency=order.currency,
            shipping=order.shipping or None,
        )

    def post_invoice(
        self,
        url: str,
        order_id: str,
        *,
        price_difference: Decimal = Decimal(0),
        client: httpx.Client | None = None,
        timeout: float = 5.0,
    ) -> PostResult:
        """POST the InvoiceDetailRequest of `invoice_request` for `order_id`."""
        doc = self._invoice(order_id, price_difference)
        return self._post_document(url, doc, build_invoice_detail_request, client, timeout)


def _handler_for(sim: CxmlSupplierSimulator) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "cXMLSupplierSimulator/1.0"

        def log_message(self, format: str, *args: object) -> None:  # quiet: tests read results, not logs
            pass

        def _send(
            self,
            status: int,
            body: bytes,
            content_type: str = CONTENT_TYPE,
            headers: Sequence[tuple[str, str]] = (),
        ) -> None:
            try:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                for name, value in headers:
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                # The client gave up before the answer came (a "timeout" fault does this on purpose):
                # nobody is left to read it, and that is no error of the simulator's.
                self.close_connection = True

        def do_POST(self) -> None:
            if self.path.split("?", 1)[0] != sim.path:
                self._send(404, b"Not Found", "text/plain")
                return
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY_BYTES:
                self._send(413, b"Payload Too Large", "text/plain")
                return
            answer = sim.handle(self.rfile.read(length))
            if answer is None:
                self.close_connection = True
                return
            status, body = answer
            if status == 429:
                self._send(429, body, "text/plain", headers=[("Retry-After", "30")])
                return
            self._send(status, body, CONTENT_TYPE if body.startswith(b"<?xml") else "text/plain")

        def do_GET(self) -> None:
            self._send(405, b"POST a cXML OrderRequest", "text/plain")

    return Handler
