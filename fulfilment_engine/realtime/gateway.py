"""The real-time gateway: refresh a plan's offers from every real-time distributor at once, under one
deadline.

For one plan, every distributor with a `[distributors.realtime]` section is asked concurrently; the plan waits
until all have answered or the deadline (`[planner] deadline_ms`, for the whole plan) has passed, whichever
is first. Whatever has not answered by then keeps its feed figure, marked `source="feed", stale=True`;
answered figures are `source="realtime"` with their age (0 when fetched for this plan, the cache age
otherwise). Nothing a distributor does — 5xx, 429, timeouts, TLS or connection errors, malformed answers —
fails the plan: it is logged once for that distributor, with the reason, and its offers go stale.

One gateway lives as long as its process (the service keeps one): the circuit breakers, the short cache, the
rate limiter and the OAuth tokens are in it. A query the plan stopped waiting for carries on in the
background until the HTTP timeout, so a late answer still fills the cache for the next cart.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import random
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import httpx

from ..config import Config, DistributorConfig
from ..domain import Offer
from ..errors import DistributorRateLimited, DistributorTransientError, DistributorUnavailable
from .base import BatchAnswer, Deadline, LiveFigure, RealtimeSource
from .breaker import CircuitBreaker
from .cache import FigureCache
from .http import make_client
from .ingram import IngramSource
from .ratelimit import RateLimiter, build_limiter
from .tdsynnex import TDSynnexSource

log = logging.getLogger("fulfilment_engine.realtime")

OutcomeStatus = Literal["realtime", "cached", "partial", "stale"]

SOURCES = {"ingram_v6": IngramSource, "tdsynnex_xml": TDSynnexSource}


@dataclass(frozen=True)
class DistributorOutcome:
    """How one distributor's refresh went for one plan."""

    distributor: str
    status: OutcomeStatus
    refreshed: int = 0
    stale: int = 0
    reason: str = ""
    elapsed_ms: float = 0.0

    def note(self) -> str:
        if self.status == "stale":
            return f"{self.distributor}: feed figures used (stale): {self.reason}"
        if self.status == "partial":
            return f"{self.distributor}: {self.refreshed} live, {self.stale} stale: {self.reason}"
        return ""


@dataclass(frozen=True)
class RefreshResult:
    offers: tuple[Offer, ...]
    outcomes: Mapping[str, DistributorOutcome] = field(default_factory=dict)
    elapsed_ms: float = 0.0

    def notes(self) -> tuple[str, ...]:
        return tuple(note for outcome in self.outcomes.values() if (note := outcome.note()))

    @property
    def stale_distributors(self) -> tuple[str, ...]:
        return tuple(d for d, o in self.outcomes.items() if o.status == "stale")


@dataclass
class _Lines:
    """What one distributor's refresh produced, part number by part number."""

    figures: dict[str, tuple[LiveFigure, float]] = field(default_factory=dict)  # part → (figure, age s)
    failed: dict[str, str] = field(default_factory=dict)
    from_cache: int = 0


def build_source(dist: DistributorConfig, client: httpx.AsyncClient, limiter: RateLimiter) -> RealtimeSource:
    assert dist.realtime is not None
    return SOURCES[dist.realtime.protocol](dist.id, dist.realtime, client, limiter=limiter)


class RealtimeGateway:
    def __init__(
        self,
        config: Config,
        client: httpx.AsyncClient | None = None,
        *,
        limiter: RateLimiter | None = None,
        sources: Mapping[str, RealtimeSource] | None = None,
        processes: int = 1,
        clock=time.monotonic,
    ):
        """`client` is injected (the service's shared `httpx.AsyncClient`); without one the gateway makes
        its own from `[realtime] http_timeout_s` and closes it in `aclose()`. `sources` replaces the
        adapters built from the configuration (any `RealtimeSource`). `processes`: how many processes
        (service workers) run a gateway on the same accounts; an in-memory limiter takes its share."""
        self.config = config
        self.settings = config.realtime
        self._clock = clock
        self._client = client
        self._owns_client = client is None
        self._client_loop = None
        self.limiter = limiter or build_limiter(
            self.settings.limiter, self.settings.limiter_url, processes=processes
        )
        self._owns_limiter = limiter is None
        self.cache = FigureCache(self.settings.cache_ttl_s, clock=clock)
        self.sources: dict[str, RealtimeSource] = dict(sources or {})
        self._from_config = sources is None
        self.breakers: dict[str, CircuitBreaker] = {}
        # (distributor, part) → (future of the query asking for it, when that query started)
        self._inflight: dict[tuple[str, str], tuple[asyncio.Future, float]] = {}
        self._blocked_until: dict[str, float] = {}  # distributor → monotonic time its 429 Retry-After ends
        self._latency: dict[str, float] = {}  # last observed answer time per distributor, for retry decisions
        self._background: set[asyncio.Task] = set()
        self._rng = random.Random()

    # ------------------------------------------------------------------------------------------ setup

    @property
    def client(self) -> httpx.AsyncClient:
        self._ensure_client()
        assert self._client is not None
        return self._client

    def _ensure_client(self) -> None:
        if not self._owns_client:
            return
        loop = asyncio.get_running_loop()
        if self._client is None or self._client_loop is not loop:
            # An owned client belongs to one event loop; a gateway reused from another loop gets a new one.
            self._client = make_client(self.settings.http_timeout_s)
            self._client_loop = loop
            for source in self.sources.values():
                if hasattr(source, "client"):
                    source.client = self._client

    def _source(self, distributor: str) -> RealtimeSource | None:
        source = self.sources.get(distributor)
        if source is None and self._from_config:
            dist = self.config.distributors.get(distributor)
            if dist is not None and dist.realtime is not None:
                source = self.sources[distributor] = build_source(dist, self.client, self.limiter)
        return source

    def breaker(self, distributor: str) -> CircuitBreaker:
        breaker = self.breakers.get(distributor)
        if breaker is None:
            breaker = self.breakers[distributor] = CircuitBreaker(
                self.settings.breaker_failures, self.settings.breaker_cooldown_s, clock=self._clock
            )
        return breaker

    def has_realtime(self, distributor: str) -> bool:
        if distributor in self.sources:
            return True
        dist = self.config.distributors.get(distributor)
        return self._from_config and dist is not None and dist.realtime is not None

    # ------------------------------------------------------------------------------------------ refresh

    async def refresh(
        self, offers: Sequence[Offer], *, deadline: Deadline | None = None, currency: str = ""
    ) -> RefreshResult:
        """Offers with live figures where a distributor answered in time; the rest unchanged but stale."""
        started = self._clock()
        deadline = deadline or Deadline.after(self.config.deadline_s, self._clock)
        self._ensure_client()
        wanted: dict[str, list[str]] = {}
        for offer in offers:
            if self.has_realtime(offer.distributor):
                parts = wanted.setdefault(offer.distributor, [])
                if offer.part_number not in parts:
                    parts.append(offer.part_number)
        if not wanted:
            return RefreshResult(tuple(offers))

        tasks = {
            dist: asyncio.ensure_future(self._refresh_distributor(dist, parts, deadline, currency))
            for dist, parts in wanted.items()
        }
        await asyncio.wait(tasks.values(), timeout=deadline.remaining())

        results: dict[str, _Lines] = {}
        reasons: dict[str, str] = {}
        waited_ms = self.config.planner.deadline_ms
        for dist, task in tasks.items():
            if task.done():
                error = task.exception()
                if error is None:
                    results[dist] = task.result()
                else:  # a bug or an answer shape nobody foresaw: still never fails the plan
                    log.error("real-time %s: unexpected error", dist, exc_info=error)
                    reasons[dist] = f"internal error: {type(error).__name__}: {error}"
            else:
                reasons[dist] = f"no answer within the {waited_ms} ms deadline"
                self._keep_in_background(task)

        refreshed = []
        for offer in offers:
            if offer.distributor not in wanted:
                refreshed.append(offer)
                continue
            lines = results.get(offer.distributor)
            hit = lines.figures.get(offer.part_number) if lines else None
            if hit is None:
                refreshed.append(dataclasses.replace(offer, source="feed", stale=True))
            else:
                figure, age = hit
                refreshed.append(
                    dataclasses.replace(
                        offer,
                        stock=figure.stock,
                        cost=figure.cost,
                        source="realtime",
                        age_s=round(age, 3),
                        stale=False,
                    )
                )

        elapsed_ms = (self._clock() - started) * 1000
        outcomes = {
            dist: self._outcome(dist, results.get(dist), reasons.get(dist), elapsed_ms) for dist in wanted
        }
        for outcome in outcomes.values():
            if outcome.status == "stale":
                log.warning(
                    "real-time %s: %s; its feed figures are used, marked stale",
                    outcome.distributor,
                    outcome.reason,
                )
            elif outcome.status == "partial":
                log.info(
                    "real-time %s: %d line(s) not refreshed: %s",
                    outcome.distributor,
                    outcome.stale,
                    outcome.reason,
                )
        return RefreshResult(tuple(refreshed), outcomes, elapsed_ms)

    def _outcome(
        self, dist: str, lines: _Lines | None, reason: str | None, elapsed_ms: float
    ) -> DistributorOutcome:
        if lines is None:
            return DistributorOutcome(dist, "stale", 0, 0, reason or "no answer", elapsed_ms)
        live, failed = len(lines.figures), len(lines.failed)
        first_reason = next(iter(lines.failed.values()), "")
        if live == 0:
            return DistributorOutcome(dist, "stale", 0, failed, first_reason or "no answer", elapsed_ms)
        if failed:
            return DistributorOutcome(dist, "partial", live, failed, first_reason, elapsed_ms)
        status = "cached" if lines.from_cache == live else "realtime"
        return DistributorOutcome(dist, status, live, 0, "", elapsed_ms)

    def _keep_in_background(self, task: asyncio.Task) -> None:
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _refresh_distributor(
        self, dist: str, parts: list[str], deadline: Deadline, currency: str
    ) -> _Lines:
        """Cache first, then join queries already in flight, then ask for the rest. Never raises."""
        lines = _Lines()
        loop = asyncio.get_running_loop()
        ask: list[str] = []
        joined: dict[str, asyncio.Future] = {}
        for part in parts:
            hit = self.cache.get(dist, part)
            if hit is not None:
                lines.figures[part] = hit
                lines.from_cache += 1
                continue
            pending, started = self._inflight.get((dist, part), (None, 0.0))
            # Join a query already under way, unless it has been running longer than a whole plan's
            # deadline: that one has probably hung, and a fresh call is likelier to answer in time.
            fresh = self._clock() - started < self.config.deadline_s
            if pending is not None and fresh and not pending.done() and pending.get_loop() is loop:
                joined[part] = pending
            else:
                ask.append(part)

        if ask:
            await self._ask(dist, ask, deadline, currency, lines, loop)
        for part, future in joined.items():
            try:
                kind, value = await asyncio.shield(future)
            except asyncio.CancelledError:
                if asyncio.current_task().cancelling():
                    raise
                kind, value = "failed", "the query it shared was abandoned"
            if kind == "ok":
                lines.figures[part] = (value, 0.0)
            else:
                lines.failed[part] = value
        return lines

    async def _ask(self, dist, parts, deadline, currency, lines: _Lines, loop) -> None:
        futures = {}
        for part in parts:
            future = loop.create_future()
            futures[part] = future
            self._inflight[(dist, part)] = (future, self._clock())
        try:
            breaker = self.breaker(dist)
            if not breaker.allow():
                reason = (
                    f"circuit open after repeated failures ({breaker.last_reason}); "
                    f"next probe in {breaker.retry_in():.0f} s"
                )
                lines.failed.update({part: reason for part in parts})
                return
            try:
                answer = await self._query(dist, parts, deadline, currency)
            except DistributorRateLimited as exc:
                breaker.release_probe()  # being told to slow down says nothing about the distributor's health
                lines.failed.update({part: exc.reason for part in parts})
                return
            except DistributorUnavailable as exc:
                breaker.record_failure(exc.reason)
                lines.failed.update({part: exc.reason for part in parts})
                return
            except asyncio.CancelledError:
                breaker.release_probe()
                raise
            breaker.record_success()
            self.cache.put(dist, answer.figures)
            lines.figures.update({part: (figure, 0.0) for part, figure in answer.figures.items()})
            lines.failed.update(answer.failed_lines)
        finally:
            for part, future in futures.items():
                if not future.done():
                    if part in lines.figures:
                        future.set_result(("ok", lines.figures[part][0]))
                    else:
                        future.set_result(("failed", lines.failed.get(part, "no answer")))
                if self._inflight.get((dist, part), (None,))[0] is future:
                    del self._inflight[(dist, part)]

    async def _query(self, dist: str, parts: list[str], deadline: Deadline, currency: str) -> BatchAnswer:
        """One query, retried (bounded) when the failure is transient and the deadline leaves room."""
        source = self._source(dist)
        assert source is not None
        attempt = 0
        while True:
            blocked = self._blocked_until.get(dist, 0.0) - self._clock()
            if blocked > 0:
                if blocked >= deadline.remaining():
                    raise DistributorRateLimited(
                        dist, f"asked to retry after {blocked:.1f} s (HTTP 429 Retry-After)"
                    )
                await asyncio.sleep(blocked)
            started = self._clock()
            try:
                answer = await source.fetch(parts, deadline=deadline, currency=currency)
                self._latency[dist] = self._clock() - started
                return answer
            except DistributorRateLimited as exc:
                if exc.retry_after_s is None or attempt >= self.settings.max_retries:
                    if exc.retry_after_s is not None:
                        self._blocked_until[dist] = self._clock() + exc.retry_after_s
                    raise
                self._blocked_until[dist] = self._clock() + exc.retry_after_s
            except DistributorTransientError:
                self._latency[dist] = self._clock() - started
                if attempt >= self.settings.max_retries:
                    raise
                backoff = self._rng.uniform(0, 0.025 * 2**attempt)  # jitter so retries do not align
                if deadline.remaining() < backoff + self._latency.get(dist, 0.05):
                    raise
                await asyncio.sleep(backoff)
            attempt += 1

    # ------------------------------------------------------------------------------------------ admin

    def stats(self) -> dict:
        return {
            "cache": {"hits": self.cache.hits, "misses": self.cache.misses},
            "distributors": {
                dist: {
                    "calls": getattr(source, "calls", None),
                    "token_fetches": getattr(getattr(source, "tokens", None), "fetches", None),
                    "breaker": self.breaker(dist).state,
                }
                for dist, source in self.sources.items()
            },
        }

    async def aclose(self) -> None:
        for task in list(self._background):
            task.cancel()
        if self._background:
            await asyncio.gather(*self._background, return_exceptions=True)
        if self._owns_client and self._client is not None:
            with contextlib.suppress(RuntimeError):  # its event loop may be gone already
                await self._client.aclose()
            self._client = None
        if self._owns_limiter:
            self.limiter.close()

    async def __aenter__(self) -> RealtimeGateway:
        return self

    async def __aexit__(self, *exc) -> None:
        await self.aclose()
