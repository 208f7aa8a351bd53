"""The Ingram simulator over real HTTP on 127.0.0.1, and the orders client pointed at it."""

from __future__ import annotations

import uuid
from decimal import Decimal

import httpx
import pytest

from fulfilment_engine.config import parse_config_text
from fulfilment_engine.distributors.ingram_orders import IngramOrders
from fulfilment_engine.distributors.orders import DistributorOrder, OrderLine, ShipTo
from fulfilment_engine.simulators import SimulatorSet, StockLine, StockTable

# The parts Ingram's own examples order: DF4128 is backordered in every documented answer, the others
# confirmed; XXXXXX is the unknown part of the "Partial Order" example (not stocked).
EXAMPLE_STOCK = {
    "DF4128": StockLine(0, Decimal("61.22"), "USD", "920-009437", "COMBO WAVE MK550 WRLS DESKTOP"),
    "4U0212": StockLine(10, Decimal("70.84"), "USD", "SVC-3YR", "3YR NBD EXCH SJ PRO 3XXX SVC"),
    "RQ6000": StockLine(3, Decimal("34205.10"), "USD", "TB-2CTRL", "TIERBEAST 2CTRL 8GB"),
    "YZ1478": StockLine(5, Decimal("2802.71"), "USD", "VS6-ESS", "PROD SNS VSPHERE 6 ESSLPL KIT"),
    "TSXML1": StockLine(0, Decimal("7.15"), "USD", "TSXML1", "TEST XML SKU WITH NO AVAILABLE"),
    "4A0036": StockLine(4, Decimal("41.71"), "USD", "E2016HV", "20IN MONITOR E2016HV"),
    "9VL970": StockLine(9, Decimal("100.00"), "USD", "", ""),
    "8RB884": StockLine(9, Decimal("10.00"), "USD", "", ""),
    "8RB881": StockLine(9, Decimal("10.00"), "USD", "", ""),
    "9YG948": StockLine(9, Decimal("10.00"), "USD", "", ""),
    "9HG002": StockLine(9, Decimal("10.00"), "USD", "", ""),
    "9HF999": StockLine(9, Decimal("10.00"), "USD", "", ""),
}

UK_STOCK = {
    "ING-LAPTOP": StockLine(20, Decimal("650.00"), "GBP", "LT-14", "Laptop 14in"),
    "ING-DOCK": StockLine(8, Decimal("95.00"), "GBP", "DK-1", "USB-C dock"),
    "ING-MOUSE": StockLine(100, Decimal("12.50"), "GBP", "MS-1", "Mouse"),
}


@pytest.fixture
def sims():
    with SimulatorSet() as simulator_set:
        yield simulator_set


@pytest.fixture
def ingram(sims):
    return sims.add_ingram("ING", StockTable(dict(UK_STOCK)), customer_number="20-123456")


@pytest.fixture
def config(sims, ingram):
    return parse_config_text(sims.config_toml(deadline_ms=2000))


@pytest.fixture
def http():
    with httpx.Client(timeout=httpx.Timeout(2.0, connect=1.0)) as client:
        yield client


class Sleeps:
    """Stands in for time.sleep so a test sees the waits (Retry-After) without waiting them."""

    def __init__(self):
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest.fixture
def sleeps():
    return Sleeps()


@pytest.fixture
def orders(config, http, sleeps):
    import dataclasses

    account = dataclasses.replace(config.distributors["ING"].orders, http_timeout_s=1.0)
    return IngramOrders("ING", account, http, sleep=sleeps)


@pytest.fixture
def purchase_order():
    """A factory: `purchase_order()` is a PO for a laptop ×2 and a dock, drop-shipped to Manchester."""
    return a_purchase_order


def a_purchase_order(
    number: str | None = None, lines=(("ING-LAPTOP", 2), ("ING-DOCK", 1)), **ship
) -> DistributorOrder:
    return DistributorOrder(
        order_number=number or f"P{uuid.uuid4().hex[:8].upper()}",
        end_customer_order_number="WOO-1042",
        ship_to=ShipTo(
            company_name=ship.get("company_name", "Acme Ltd"),
            contact="Jane Smith",
            address_lines=("1 High Street", "Unit 4"),
            city=ship.get("city", "Manchester"),
            postal_code="M1 1AE",
            country_code="GB",
            phone="0161 000 0000",
            email="jane@acme.example",
        ),
        lines=tuple(OrderLine(n, part, qty) for n, (part, qty) in enumerate(lines, start=1)),
    )
