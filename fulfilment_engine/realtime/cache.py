"""A short-lived cache of live figures, keyed by distributor and part number.

A burst of carts for the same popular products would otherwise repeat the same query many times a second
and exhaust a 100-calls-a-minute account in moments. Figures a few seconds old are still far fresher than
any feed; each carries its age, and the TTL (`[realtime] cache_ttl_s`) bounds it.
"""

from __future__ import annotations

import threading
import time

from .base import LiveFigure


class FigureCache:
    def __init__(self, ttl_s: float = 30.0, clock=time.monotonic, max_entries: int = 100_000):
        self.ttl_s = ttl_s
        self._clock = clock
        self._max_entries = max_entries
        self._lock = threading.Lock()
        self._entries: dict[tuple[str, str], tuple[LiveFigure, float]] = {}
        self.hits = 0
        self.misses = 0

    def get(self, distributor: str, part_number: str) -> tuple[LiveFigure, float] | None:
        """(figure, age in seconds), or None when absent or older than the TTL."""
        if self.ttl_s <= 0:
            self.misses += 1
            return None
        key = (distributor, part_number)
        with self._lock:
            entry = self._entries.get(key)
            now = self._clock()
            if entry is None or now - entry[1] > self.ttl_s:
                if entry is not None:
                    del self._entries[key]
                self.misses += 1
                return None
            self.hits += 1
            return entry[0], now - entry[1]

    def put(self, distributor: str, figures: dict[str, LiveFigure]) -> None:
        if self.ttl_s <= 0 or not figures:
            return
        now = self._clock()
        with self._lock:
            if len(self._entries) + len(figures) > self._max_entries:
                self._evict_expired(now)
            for part_number, figure in figures.items():
                self._entries[(distributor, part_number)] = (figure, now)

    def _evict_expired(self, now: float) -> None:
        stale = [key for key, (_, at) in self._entries.items() if now - at > self.ttl_s]
        for key in stale:
            del self._entries[key]
        if len(self._entries) > self._max_entries // 2:  # still too many: drop the oldest half
            by_age = sorted(self._entries.items(), key=lambda item: item[1][1])
            for key, _ in by_age[: len(by_age) // 2]:
                del self._entries[key]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
