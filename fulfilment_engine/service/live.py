"""The process's real-time side: one HTTP client and one gateway (cache, breakers, rate limiter, tokens)
shared by every request, opened in the app's lifespan and closed on shutdown."""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence

from ..config import Config
from ..domain import Offer, Plan, Scenario
from ..live import build_raters, plan_live_async
from ..realtime import RealtimeGateway
from ..realtime.http import make_client

log = logging.getLogger("fulfilment_engine.service")


WORKERS_ENV = "FULFIL_WORKERS"  # set by `fulfil serve --workers N` for its uvicorn workers


def worker_count() -> int:
    try:
        return max(1, int(os.environ.get(WORKERS_ENV, "1")))
    except ValueError:
        return 1


class LiveEngine:
    def __init__(self, config: Config):
        self.config = config
        self.client = None
        self.gateway: RealtimeGateway | None = None
        self.raters = None

    async def start(self) -> None:
        self.client = make_client(self.config.realtime.http_timeout_s)
        workers = worker_count()
        self.gateway = RealtimeGateway(self.config, self.client, processes=workers)
        if workers > 1 and self.config.realtime.limiter == "memory" and self.config.realtime_distributors():
            log.warning(
                "each of the %d workers keeps its own rate limiter and takes 1/%d of every account's calls;"
                ' [realtime] limiter = "postgres" shares one budget between them',
                workers,
                workers,
            )
        self.raters = build_raters(self.config, self.client)

    async def close(self) -> None:
        if self.gateway is not None:
            await self.gateway.aclose()
        if self.client is not None:
            await self.client.aclose()

    async def plan(self, scenario: Scenario, after_refresh=None) -> tuple[Plan, tuple[str, ...]]:
        """The plan with real-time figures where they came in time; the distributors asked live."""
        assert self.gateway is not None
        plan = await plan_live_async(
            scenario,
            self.config,
            client=self.client,
            gateway=self.gateway,
            raters=self.raters,
            after_refresh=after_refresh,
        )
        asked = tuple(
            sorted({o.distributor for o in scenario.offers if self.gateway.has_realtime(o.distributor)})
        )
        return plan, asked

    async def refresh(self, offers: Sequence[Offer]) -> list[Offer]:
        assert self.gateway is not None
        result = await self.gateway.refresh(offers)
        return list(result.offers)
