"""Carrier rating (UPS, FedEx) behind the `CarrierRater` interface (see docs/realtime.md)."""

from __future__ import annotations

import httpx

from ..config import Config
from .base import Address, CarrierQuote, CarrierRater, RateQuery
from .fedex import FedexRater
from .parcels import Parcel, billable_weight_kg, parcels_for
from .ups import UpsRater

RATERS = {"ups": UpsRater, "fedex": FedexRater}


def build_raters(config: Config, client: httpx.AsyncClient) -> dict[str, CarrierRater]:
    """One rater per `[carriers.<name>]` section, sharing the injected HTTP client."""
    return {name: RATERS[name](carrier, client) for name, carrier in config.carriers.items()}


__all__ = [
    "Address",
    "CarrierQuote",
    "CarrierRater",
    "FedexRater",
    "Parcel",
    "RateQuery",
    "UpsRater",
    "billable_weight_kg",
    "build_raters",
    "parcels_for",
]
