"""An OAuth client-credentials token, fetched once and reused until shortly before it expires.

Distributors and carriers issue tokens valid for minutes to a day; asking for one per request would double
the calls and, for Ingram, count against the account's rate limit. Concurrent requests that find no valid
token wait for the single fetch in progress instead of each fetching their own.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

EXPIRY_MARGIN_S = 30.0  # renew a little early so a token never expires in flight


@dataclass(frozen=True)
class Token:
    access_token: str
    expires_at: float  # monotonic clock

    def valid(self, now: float) -> bool:
        return now < self.expires_at


class TokenCache:
    def __init__(self, fetch: Callable[[], Awaitable[tuple[str, float]]], *, clock=time.monotonic):
        """`fetch()` returns `(access_token, expires_in_seconds)`."""
        self._fetch = fetch
        self._clock = clock
        self._token: Token | None = None
        self._lock: asyncio.Lock | None = None
        self._lock_loop = None
        self.fetches = 0

    def _loop_lock(self) -> asyncio.Lock:
        # One gateway may be driven by successive event loops (the sync CLI wrapper); a lock belongs to one.
        loop = asyncio.get_running_loop()
        if self._lock is None or self._lock_loop is not loop:
            self._lock, self._lock_loop = asyncio.Lock(), loop
        return self._lock

    async def get(self) -> str:
        token = self._token
        if token is not None and token.valid(self._clock()):
            return token.access_token
        async with self._loop_lock():
            token = self._token
            if token is not None and token.valid(self._clock()):
                return token.access_token
            access_token, expires_in = await self._fetch()
            self.fetches += 1
            self._token = Token(access_token, self._clock() + _lifetime(expires_in))
            return access_token

    def invalidate(self, access_token: str | None = None) -> None:
        """Forget the token (after a 401); only if it is still the one that was refused."""
        if self._token is not None and (access_token is None or self._token.access_token == access_token):
            self._token = None


class SyncTokenCache:
    """`TokenCache` for callers without an event loop (an Odoo worker placing orders): the same reuse and
    renewal, threads waiting for the single fetch in progress instead."""

    def __init__(self, *, clock=time.monotonic):
        self._clock = clock
        self._token: Token | None = None
        self._lock = threading.Lock()
        self.fetches = 0

    def get(self, fetch: Callable[[], tuple[str, float]]) -> str:
        """The cached token, or the one `fetch()` returns: each caller fetches with its own HTTP client
        (and keeps its own record of the call), while one cache serves every client of the account."""
        with self._lock:
            token = self._token
            if token is not None and token.valid(self._clock()):
                return token.access_token
            access_token, expires_in = fetch()
            self.fetches += 1
            self._token = Token(access_token, self._clock() + _lifetime(expires_in))
            return access_token

    def invalidate(self, access_token: str | None = None) -> None:
        """Forget the token (after a 401); only if it is still the one that was refused."""
        with self._lock:
            if self._token is not None and (access_token is None or self._token.access_token == access_token):
                self._token = None


def _lifetime(expires_in: float) -> float:
    """How long to use a token: a little less than it lives, so it never expires in flight."""
    return max(1.0, expires_in - min(EXPIRY_MARGIN_S, expires_in / 10))


def parse_expires_in(value, default: float = 3600.0) -> float:
    """`expires_in` arrives as a number (FedEx) or a string of digits (Ingram, UPS)."""
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        return default
    return seconds if seconds > 0 else default
