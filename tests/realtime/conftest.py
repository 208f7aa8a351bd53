"""Simulators over real HTTP on 127.0.0.1, and helpers to build configurations and offers for them."""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest

from fulfilment_engine.config import parse_config_text
from fulfilment_engine.domain import Offer
from fulfilment_engine.simulators import SimulatorSet, StockTable


def stock_of(n: int, prefix: str = "P", price: str = "10.00", stock: int = 5) -> StockTable:
    return StockTable.from_dict({f"{prefix}{i}": {"stock": stock + i, "price": price} for i in range(n)})


def offers_for(distributor: str, parts, *, cost: str = "99.00", stock: int = 1) -> list[Offer]:
    """Feed offers whose figures differ from the simulators', so a refresh is visible."""
    return [Offer(distributor, f"SKU-{part}", stock, Decimal(cost), distributor_sku=part) for part in parts]


def config_for(sims: SimulatorSet, deadline_ms: int = 400, **realtime):
    return parse_config_text(sims.config_toml(deadline_ms, realtime=realtime or None))


@pytest.fixture(name="stock_of")
def stock_of_fixture():
    return stock_of


@pytest.fixture(name="offers_for")
def offers_for_fixture():
    return offers_for


@pytest.fixture(name="config_for")
def config_for_fixture():
    return config_for


@pytest.fixture
def sims():
    with SimulatorSet() as simulator_set:
        yield simulator_set


@pytest.fixture
async def client():
    async with httpx.AsyncClient(timeout=httpx.Timeout(2.0, connect=1.0)) as http:
        yield http
