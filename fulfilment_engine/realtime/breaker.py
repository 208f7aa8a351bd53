"""A circuit breaker per distributor: stop asking one that keeps failing, probe it again after a pause.

closed ──N consecutive failures──▶ open ──cool-down elapsed──▶ half-open (one probe in flight)
   ▲                                  ▲                            │
   └──────────── probe succeeds ──────┼──────── probe fails ───────┘
"""

from __future__ import annotations

import threading
import time
from typing import Literal

State = Literal["closed", "open", "half_open"]


class CircuitBreaker:
    def __init__(self, failure_threshold: int = 3, cooldown_s: float = 30.0, clock=time.monotonic):
        self.failure_threshold = failure_threshold
        self.cooldown_s = cooldown_s
        self._clock = clock
        self._lock = threading.Lock()
        self._failures = 0
        self._opened_at: float | None = None
        self._probe_in_flight = False
        self.last_reason = ""

    @property
    def state(self) -> State:
        with self._lock:
            return self._state_locked()

    def _state_locked(self) -> State:
        if self._opened_at is None:
            return "closed"
        if self._clock() - self._opened_at >= self.cooldown_s:
            return "half_open"
        return "open"

    def allow(self) -> bool:
        """May a request go out now? In half-open state only one probe at a time is let through."""
        with self._lock:
            state = self._state_locked()
            if state == "closed":
                return True
            if state == "half_open" and not self._probe_in_flight:
                self._probe_in_flight = True
                return True
            return False

    def record_success(self) -> None:
        with self._lock:
            self._failures = 0
            self._opened_at = None
            self._probe_in_flight = False

    def record_failure(self, reason: str = "") -> None:
        with self._lock:
            self.last_reason = reason or self.last_reason
            self._failures += 1
            if self._probe_in_flight or self._failures >= self.failure_threshold:
                self._opened_at = self._clock()  # (re)open: a failed probe starts a new cool-down
            self._probe_in_flight = False

    def release_probe(self) -> None:
        """A probe that ended without a verdict (the plan stopped waiting) frees the slot for the next one."""
        with self._lock:
            self._probe_in_flight = False

    def retry_in(self) -> float:
        with self._lock:
            if self._opened_at is None:
                return 0.0
            return max(0.0, self.cooldown_s - (self._clock() - self._opened_at))
