"""Real-time price & availability: distributor adapters behind `RealtimeSource`, and the gateway that asks
them all at once under one deadline (see docs/realtime.md)."""

from .base import BatchAnswer, Deadline, LiveFigure, RealtimeSource
from .gateway import DistributorOutcome, RealtimeGateway, RefreshResult
from .ratelimit import PostgresRateLimiter, RateSpec, TokenBucketLimiter

__all__ = [
    "BatchAnswer",
    "Deadline",
    "DistributorOutcome",
    "LiveFigure",
    "PostgresRateLimiter",
    "RateSpec",
    "RealtimeGateway",
    "RealtimeSource",
    "RefreshResult",
    "TokenBucketLimiter",
]
