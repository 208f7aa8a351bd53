"""Fixtures for the cXML tests: a realistic drop-ship PO, credentials, the supplier simulator, and a
minimal inbound endpoint (what the Odoo controller does, in plain Python) for documents to land on."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from fulfilment_engine.documents import cxml
from fulfilment_engine.simulators.cxml_supplier import CxmlSupplierSimulator

SAMPLES = Path(__file__).with_name("samples")

OUR_SENDER = cxml.Credential("NetworkID", "ACME", "outbound-s3cret")
OUR_FROM = cxml.Credential("NetworkID", "ACME")
DISTRIBUTOR_TO = cxml.Credential("NetworkID", "INGRAM-UK")
# What the distributor signs its confirmations and ship notices with (configured on our side).
DISTRIBUTOR_INBOUND = cxml.Credential("NetworkID", "INGRAM-UK", "inbound-Secret-42")


class Creds:
    """The credentials of the integration under test, as one fixture."""

    our_sender = OUR_SENDER
    our_from = OUR_FROM
    distributor_to = DISTRIBUTOR_TO
    distributor_inbound = DISTRIBUTOR_INBOUND


@pytest.fixture
def creds() -> type[Creds]:
    return Creds


@pytest.fixture(name="sample")
def sample_fixture():
    def sample(name: str) -> bytes:
        return (SAMPLES / name).read_bytes()

    return sample


@pytest.fixture
def customer() -> cxml.Address:
    return cxml.Address(
        name="Jane Smith",
        street=("12 Mill Lane", "Unit 4"),
        city="Manchester",
        state="",
        postcode="M1 1AE",
        country_code="GB",
        email="jane.smith@example.com",
        phone="+44 161 496 0000",
        deliver_to="Jane Smith",
        country_name="United Kingdom",
    )


@pytest.fixture
def reseller() -> cxml.Address:
    return cxml.Address(
        name="Acme IT Ltd",
        street=("1 High Street",),
        city="Leeds",
        state="West Yorkshire",
        postcode="LS1 1AA",
        country_code="GB",
        email="purchasing@acme.example",
        address_id="ACME-HQ",
    )


@pytest.fixture
def purchase_order(customer, reseller) -> cxml.PurchaseOrderDoc:
    lines = (
        cxml.OrderLine(
            1,
            3,
            "ING-4471230",
            "Lenovo ThinkPad T14 Gen 5 14in Ultra 7 32GB 1TB",
            Decimal("1012.40"),
            manufacturer_part_id="21ML0035UK",
            manufacturer_name="Lenovo",
            unspsc="43211503",
            requested_delivery_date=date(2025, 3, 20),
        ),
        cxml.OrderLine(
            2,
            5,
            "ING-0098877",
            "StarTech USB-C to USB-C cable 1m & <adapter>",
            Decimal("6.4567"),
            manufacturer_part_id="USB2CC1M",
            manufacturer_name="StarTech.com",
        ),
        cxml.OrderLine(3, 1, "ING-7712001", "Dell P2425H 24in monitor", Decimal("139.99")),
    )
    return cxml.PurchaseOrderDoc(
        order_id="PO00042",
        order_date=datetime(2025, 3, 14, 10, 22, tzinfo=timezone(timedelta(hours=1))),
        currency="GBP",
        total=Decimal("3037.20") + Decimal("32.28") + Decimal("139.99"),
        ship_to=customer,
        bill_to=reseller,
        lines=lines,
        shipping=Decimal("9.95"),
        comments="Please deliver before noon.",
    )


def build(
    po: cxml.PurchaseOrderDoc,
    *,
    payload_id: str | None = None,
    sender: cxml.Credential = OUR_SENDER,
    to: cxml.Credential = DISTRIBUTOR_TO,
    deployment_mode: str = "production",
) -> bytes:
    return cxml.build_order_request(
        po,
        from_=OUR_FROM,
        to=to,
        sender=sender,
        user_agent="Channel Fulfilment 0.1 (tests)",
        payload_id=payload_id
        or (
            cxml.payload_id_for(po.order_id, "acme.example")
            if po.order_id.strip()
            else "no-order-id@acme.example"
        ),
        timestamp=datetime(2025, 3, 14, 9, 23, 5, tzinfo=UTC),
        deployment_mode=deployment_mode,
    )


@pytest.fixture(name="build_order")
def build_order_fixture():
    """build_order(po, payload_id=None, sender=..., to=..., deployment_mode=...) -> bytes"""
    return build


@pytest.fixture
def http():
    with httpx.Client() as client:
        yield client


def running_supplier(**options) -> Iterator[CxmlSupplierSimulator]:
    """The distributor's side of this integration: our OrderRequests land there, its documents come back."""
    with CxmlSupplierSimulator(buyer=OUR_SENDER, supplier=DISTRIBUTOR_INBOUND, **options) as sim:
        yield sim


@pytest.fixture
def supplier():
    yield from running_supplier()


@pytest.fixture
def strict_http_supplier():
    """A supplier that also signals errors through the HTTP status (401, 400, 406, 500)."""
    yield from running_supplier(mirror_http_status=True)


@dataclass
class InboundEndpoint:
    """Our side of the integration in miniature: authenticate, parse, de-duplicate by payloadID."""

    expected: cxml.Credential
    documents: list = field(default_factory=list)
    answers: list = field(default_factory=list)
    seen: set = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)
    url: str = ""

    def handle(self, body: bytes) -> tuple[int, bytes]:
        try:
            doc = cxml.parse_inbound_request(body)
        except cxml.CxmlMalformed as exc:
            return _answer(400, "Bad Request", str(exc), "bad")
        if not cxml.verify_sender(doc.sender, self.expected):
            return _answer(401, "Unauthorized", "", "401")
        with self.lock:
            if doc.payload_id not in self.seen:
                self.seen.add(doc.payload_id)
                self.documents.append(doc)
        return _answer(200, "OK", "", str(len(self.seen)))


def _answer(code: int, text: str, message: str, ref: str) -> tuple[int, bytes]:
    """(HTTP status, cXML Response) with the same code, as our endpoint answers."""
    now = datetime.now(UTC)
    return code, cxml.build_response(code, text, message, payload_id=f"r.{ref}@acme", timestamp=now)


@pytest.fixture
def inbound():
    endpoint = InboundEndpoint(expected=DISTRIBUTOR_INBOUND)

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):
            status, body = endpoint.handle(self.rfile.read(int(self.headers["Content-Length"])))
            self.send_response(status)
            self.send_header("Content-Type", "text/xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    endpoint.url = f"http://127.0.0.1:{server.server_address[1]}/cxml/inbound"
    try:
        yield endpoint
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
