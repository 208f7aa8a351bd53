"""The narrow interface every real-time price & availability adapter implements, and the plan's deadline."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol, runtime_checkable


@dataclass(frozen=True)
class LiveFigure:
    """One distributor's answer for one part number."""

    part_number: str
    stock: int
    cost: Decimal
    currency: str = ""


@dataclass(frozen=True)
class BatchAnswer:
    """What one query returned: figures for the lines that answered, a reason for each line that did not
    (an HTTP 207 multi-status answer, or a TD SYNNEX line whose status is not Active)."""

    figures: dict[str, LiveFigure] = field(default_factory=dict)
    failed_lines: dict[str, str] = field(default_factory=dict)
    calls: int = 0  # HTTP calls made to the price & availability endpoint (not counting token calls)


class Deadline:
    """An absolute point on the monotonic clock; everything one plan does shares one of these."""

    __slots__ = ("at", "clock")

    def __init__(self, at: float, clock=time.monotonic):
        self.at = at
        self.clock = clock

    @classmethod
    def after(cls, seconds: float, clock=time.monotonic) -> Deadline:
        return cls(clock() + seconds, clock)

    def remaining(self) -> float:
        return max(0.0, self.at - self.clock())

    @property
    def expired(self) -> bool:
        return self.clock() >= self.at

    def __repr__(self) -> str:
        return f"Deadline(remaining={self.remaining():.3f}s)"


@runtime_checkable
class RealtimeSource(Protocol):
    """A distributor's real-time P&A service. `fetch` raises `DistributorUnavailable` (or its subclass
    `DistributorRateLimited`) when the whole query failed; partial answers come back in `BatchAnswer`."""

    distributor: str
    max_batch: int

    async def fetch(self, part_numbers: Sequence[str], *, currency: str = "") -> BatchAnswer: ...


def batches(items: Sequence[str], size: int) -> list[list[str]]:
    return [list(items[start : start + size]) for start in range(0, len(items), size)]


class BatchedSource:
    """What the adapters share: the account's rate limiter, and one query split into parallel calls of at
    most `max_batch` part numbers whose answers are merged. Subclasses define `_fetch_chunk`."""

    protocol = ""
    max_batch_cap = 10_000

    def __init__(self, distributor: str, config, client, *, limiter=None):
        from .ratelimit import RateSpec, TokenBucketLimiter

        self.distributor = distributor
        self.config = config
        self.client = client
        self.limiter = limiter or TokenBucketLimiter()
        self.rate = RateSpec(config.rate_limit, config.rate_limit_period_s, config.rate_limit_burst)
        self.max_batch = min(self.max_batch_cap, config.max_batch)
        self.calls = 0  # price & availability calls made (what the account's limit counts)

    async def _fetch_chunk(self, parts: list[str], deadline: Deadline, currency: str) -> BatchAnswer:
        raise NotImplementedError

    async def fetch(
        self, part_numbers: Sequence[str], *, deadline: Deadline, currency: str = ""
    ) -> BatchAnswer:
        """Every part number, in parallel calls; raises only when every call failed."""
        from ..errors import DistributorUnavailable

        chunks = batches(list(dict.fromkeys(part_numbers)), self.max_batch)
        outcomes = await asyncio.gather(
            *(self._fetch_chunk(chunk, deadline, currency) for chunk in chunks), return_exceptions=True
        )
        figures: dict[str, LiveFigure] = {}
        failed: dict[str, str] = {}
        errors = []
        for chunk, outcome in zip(chunks, outcomes, strict=True):
            if isinstance(outcome, BaseException):
                if not isinstance(outcome, DistributorUnavailable):
                    raise outcome
                errors.append(outcome)
                failed.update({part: outcome.reason for part in chunk})
            else:
                figures.update(outcome.figures)
                failed.update(outcome.failed_lines)
        if errors and len(errors) == len(chunks):
            raise errors[0]
        return BatchAnswer(figures, failed, calls=len(chunks))

    async def _permit(self, deadline: Deadline) -> None:
        """One call from the account's budget, or `DistributorRateLimited` if none is free in time."""
        from ..errors import DistributorRateLimited

        try:
            granted = await self.limiter.acquire(
                self.config.account, self.rate, max_wait_s=deadline.remaining()
            )
        except Exception as exc:  # the shared limiter's database is down: do not risk the account, skip
            raise DistributorRateLimited(
                self.distributor, f"rate limiter unavailable ({type(exc).__name__}: {exc}); not called"
            ) from None
        if not granted:
            raise DistributorRateLimited(
                self.distributor,
                f"account limit of {self.rate.limit} calls per {self.rate.period_s:g} s reached "
                "and no call was free before the deadline",
            )
        self.calls += 1
