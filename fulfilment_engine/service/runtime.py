"""What one service process holds for its lifetime, and how a cart becomes a planning scenario.

A cart names SKUs and where to ship; everything else comes from the offer store: the products, the
distributors that ship to that country (with their freight rules) and their offers. Offers of distributors
configured for real time are refreshed live under the plan's deadline by the real-time gateway, which
lives as long as the process does (its cache, circuit breakers, rate limiter and OAuth tokens are shared
by every request; with several uvicorn workers each worker has its own, except a PostgreSQL limiter).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from starlette.concurrency import run_in_threadpool

from ..config import Config
from ..currency import in_currency
from ..domain import CartLine, Distributor, Offer, Plan, Product, Scenario, ShipTo, money_text
from ..planner import plan as plan_offline
from ..store import OfferStore
from .live import LiveEngine
from .settings import ServiceSettings
from .validation import InvalidRequest, Problem

log = logging.getLogger("fulfilment_engine.service")

DISTRIBUTORS_TTL_S = 10.0


@dataclass(frozen=True)
class CartAsk:
    currency: str
    country: str
    postcode: str
    lines: tuple[CartLine, ...]


@dataclass(frozen=True)
class PlannedCart:
    scenario: Scenario
    plan: Plan
    refreshed: tuple[str, ...]  # distributors asked live for this plan


class Runtime:
    def __init__(self, config: Config, settings: ServiceSettings, store_url: str):
        self.config = config
        self.settings = settings
        self.store_url = store_url
        self.store: OfferStore | None = None
        self.live: LiveEngine | None = None
        self._distributors: dict | None = None
        self._distributors_read_at = 0.0
        self._distributors_lock = threading.Lock()

    # ------------------------------------------------------------------------------------------ lifetime

    async def start(self) -> None:
        self.store = await run_in_threadpool(OfferStore.open, self.store_url)
        if self.config.realtime_distributors() or self.config.carriers:
            self.live = LiveEngine(self.config)
            await self.live.start()

    async def close(self) -> None:
        if self.live is not None:
            await self.live.close()
        if self.store is not None:
            close = getattr(self.store, "close", None)
            if close is not None:
                await run_in_threadpool(close)

    @property
    def realtime_distributors(self) -> list[str]:
        return sorted(self.config.realtime_distributors()) if self.live else []

    @property
    def store_backend(self) -> str:
        return self.store_url.split(":", 1)[0].split("+", 1)[0]

    # ------------------------------------------------------------------------------------------ planning

    async def plan_cart(self, ask: CartAsk) -> PlannedCart:
        stored, rate = await run_in_threadpool(self.store_scenario, ask)
        convert = None if rate == 1 else (lambda s: in_currency(s, ask.currency, rate))
        scenario = stored if convert is None else convert(stored)
        if self.live is not None:
            # Distributors are asked in the store's currency; their answers are converted with the rest.
            plan, refreshed = await self.live.plan(stored, after_refresh=convert)
        else:
            plan, refreshed = await run_in_threadpool(self.plan_offline, scenario), ()
        return PlannedCart(scenario, plan, tuple(refreshed))

    def plan_offline(self, scenario: Scenario) -> Plan:
        return plan_offline(scenario, time_limit_s=self.config.planner.time_limit_s)

    def store_scenario(self, ask: CartAsk) -> tuple[Scenario, Decimal]:
        """The planning problem for a cart as the store has it (in the store's currency when one is
        configured), and the rate to the cart's currency. An unknown SKU is a 422 naming its line, a
        currency without a configured rate a 422 naming the currency."""
        assert self.store is not None
        skus = list(dict.fromkeys(line.sku for line in ask.lines))
        products = self.store.products(skus)
        unknown = [
            Problem(
                f"cart[{index}].sku", f"unknown SKU {line.sku!r}: it is not in the catalogue", "unknown_sku"
            )
            for index, line in enumerate(ask.lines)
            if line.sku not in products
        ]
        if unknown:
            raise InvalidRequest(unknown)
        rate = self.settings.rate_for(ask.currency)
        if rate is None:
            raise InvalidRequest(
                [
                    Problem(
                        "currency",
                        f"this service prices in {self.settings.currency} and has no exchange rate for "
                        f"{ask.currency} ([service] exchange_rates)",
                        "currency_not_offered",
                    )
                ]
            )
        distributors = self.distributors_shipping_to(ask.country)
        offers = self.store.offers_for(skus, distributors=list(distributors)) if distributors else []
        scenario = Scenario(
            currency=self.settings.currency or ask.currency,
            ship_to=ShipTo(country=ask.country, postcode=ask.postcode),
            cart=ask.lines,
            products={sku: products[sku] for sku in skus},
            distributors=distributors,
            offers=tuple(o for o in offers if o.distributor in distributors),
        )
        return scenario, rate

    def _distributor_records(self) -> dict:
        """The store's distributors, re-read at most every DISTRIBUTORS_TTL_S: they change with a new
        distributor or freight rule, not per cart, and reading them (freight rules are JSON) is a third
        of a scenario's cost. Offers are always read fresh."""
        assert self.store is not None
        with self._distributors_lock:
            now = time.monotonic()
            if self._distributors is None or now - self._distributors_read_at > DISTRIBUTORS_TTL_S:
                self._distributors = self.store.distributors()
                self._distributors_read_at = now
            return self._distributors

    def distributors_shipping_to(self, country: str | None) -> dict[str, Distributor]:
        out = {}
        for dist_id, record in self._distributor_records().items():
            ships_to = tuple(getattr(record, "ships_to", ()) or ())
            # A distributor with no countries recorded is taken to ship anywhere.
            if country is None or not ships_to or country in ships_to:
                out[dist_id] = record.as_distributor()
        return out

    # ------------------------------------------------------------------------------------------ availability

    async def availability(self, skus: Sequence[str], country: str | None) -> list[dict[str, Any]]:
        products, names, offers = await run_in_threadpool(self._availability_from_store, skus, country)
        if self.live is not None and offers:
            offers = await self.live.refresh(offers)
        return availability_items(skus, products, names, offers)

    def _availability_from_store(self, skus: Sequence[str], country: str | None):
        assert self.store is not None
        products = self.store.products(list(dict.fromkeys(skus)))
        unknown = [
            Problem(f"?sku[{index}]", f"unknown SKU {sku!r}: it is not in the catalogue", "unknown_sku")
            for index, sku in enumerate(skus)
            if sku not in products
        ]
        if unknown:
            raise InvalidRequest(unknown)
        distributors = self.distributors_shipping_to(country)
        names = {dist_id: d.name for dist_id, d in distributors.items()}
        offers = (
            self.store.offers_for(list(products), distributors=list(distributors)) if distributors else []
        )
        return products, names, [o for o in offers if o.distributor in distributors]


def availability_items(
    skus: Sequence[str], products: Mapping[str, Product], names: Mapping[str, str], offers: Sequence[Offer]
) -> list[dict[str, Any]]:
    items = []
    for sku in dict.fromkeys(skus):
        mine = sorted((o for o in offers if o.sku == sku), key=lambda o: (o.cost, o.distributor))
        items.append(
            {
                "sku": sku,
                "description": products[sku].description,
                "total_stock": sum(max(o.stock, 0) for o in mine),
                "offers": [
                    {
                        "distributor": o.distributor,
                        "distributor_name": names.get(o.distributor, o.distributor),
                        "distributor_sku": o.part_number,
                        "stock": o.stock,
                        "cost": money_text(o.cost),
                        "source": o.source,
                        "age_s": None if o.age_s is None else round(o.age_s, 3),
                        "stale": o.stale,
                    }
                    for o in mine
                ],
            }
        )
    return items
