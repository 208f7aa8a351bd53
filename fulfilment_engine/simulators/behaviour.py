"""What a simulated service does besides answering: latency, faults, a per-account rate limit, and a record
of every call so tests and benchmarks can count what reached the "distributor"."""

from __future__ import annotations

import asyncio
import random
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

FAULTS = ("timeout", "500", "502", "503", "429", "malformed", "entity_bomb", "401")


@dataclass
class Behaviour:
    """Mutable from the test or the demo while the server runs.

    latency_ms: fixed ms, a (low, high) uniform range, or a callable returning ms.
    timeout_rate / error_rate / malformed_rate: probability per call of never answering (sleeping
    `hang_s`), answering 503, or answering a truncated body. `script` holds faults for the next calls, in
    order (see FAULTS). `failing_parts` answer as failed lines (Ingram 207 / TD SYNNEX "Not found").
    `rate_limit` calls per `rate_period_s` per account (a token bucket, burst = rate_limit); None: no limit.
    """

    latency_ms: float | tuple[float, float] | Callable[[], float] = 0.0
    timeout_rate: float = 0.0
    error_rate: float = 0.0
    malformed_rate: float = 0.0
    hang_s: float = 30.0
    failing_parts: set[str] = field(default_factory=set)
    rate_limit: int | None = None
    rate_period_s: float = 60.0
    token_ttl_s: float = 86399.0
    script: deque = field(default_factory=deque)
    seed: int | None = None

    def __post_init__(self):
        self.rng = random.Random(self.seed)
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def then(self, *faults: str) -> Behaviour:
        """Queue faults for the next calls: `behaviour.then("500", "timeout")`."""
        for fault in faults:
            if fault not in FAULTS:
                raise ValueError(f"unknown fault {fault!r}; known: {', '.join(FAULTS)}")
            self.script.append(fault)
        return self

    def latency_s(self) -> float:
        value = self.latency_ms
        if callable(value):
            ms = value()
        elif isinstance(value, tuple):
            ms = self.rng.uniform(*value)
        else:
            ms = value
        return max(0.0, ms) / 1000

    def next_fault(self) -> str | None:
        with self._lock:
            if self.script:
                return self.script.popleft()
            roll = self.rng.random()
        if roll < self.timeout_rate:
            return "timeout"
        roll -= self.timeout_rate
        if roll < self.error_rate:
            return "503"
        roll -= self.error_rate
        if roll < self.malformed_rate:
            return "malformed"
        return None

    def take_call(self, account: str) -> float | None:
        """None when the account may call now; else the seconds until it may (its Retry-After)."""
        if self.rate_limit is None:
            return None
        refill = self.rate_limit / self.rate_period_s
        with self._lock:
            now = time.monotonic()
            tokens, at = self._buckets.get(account, (float(self.rate_limit), now))
            tokens = min(float(self.rate_limit), tokens + (now - at) * refill)
            if tokens >= 1:
                self._buckets[account] = (tokens - 1, now)
                return None
            self._buckets[account] = (tokens, now)
            return (1 - tokens) / refill

    def reset_rate(self) -> None:
        with self._lock:
            self._buckets.clear()


@dataclass
class Stats:
    """Counts of what reached the simulated service."""

    calls: int = 0  # price/rate calls received (including refused ones)
    answered: int = 0  # calls answered 200/207
    token_calls: int = 0
    rate_limited: int = 0  # 429s sent
    unauthorized: int = 0  # 401s sent
    batch_sizes: list[int] = field(default_factory=list)
    parts_asked: list[str] = field(default_factory=list)
    last_headers: dict[str, str] = field(default_factory=dict)
    last_body: bytes = b""

    def __post_init__(self):
        self.lock = threading.Lock()

    def reset(self) -> None:
        with self.lock:
            self.calls = self.answered = self.token_calls = self.rate_limited = self.unauthorized = 0
            self.batch_sizes.clear()
            self.parts_asked.clear()
            self.last_headers = {}
            self.last_body = b""


async def hang(behaviour: Behaviour) -> None:
    """A server that never answers (the client's timeout ends it); interrupted when the server stops."""
    await asyncio.sleep(behaviour.hang_s)


async def receive(request, behaviour: Behaviour, stats: Stats) -> tuple[bytes, str | None]:
    """Record the call, pick this call's fault, wait the latency (or forever, for a "timeout")."""
    body = await request.body()
    with stats.lock:
        stats.calls += 1
        stats.last_headers = dict(request.headers)
        stats.last_body = body
    fault = behaviour.next_fault()
    await asyncio.sleep(behaviour.latency_s())
    if fault == "timeout":
        await hang(behaviour)
    return body, fault
