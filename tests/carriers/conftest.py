"""UPS and FedEx simulators over real HTTP on 127.0.0.1."""

from __future__ import annotations

import httpx
import pytest

from fulfilment_engine.simulators import SimulatorSet


@pytest.fixture
def sims():
    with SimulatorSet() as simulator_set:
        simulator_set.add_ups()
        simulator_set.add_fedex()
        yield simulator_set


@pytest.fixture
async def client():
    async with httpx.AsyncClient(timeout=httpx.Timeout(2.0, connect=1.0)) as http:
        yield http
