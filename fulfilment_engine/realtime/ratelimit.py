"""Per-account rate limits for distributor calls: an in-process token bucket, or one shared through
PostgreSQL.

A distributor's limit belongs to the account, not to a process: Ingram allows 100 calls a minute per
customer number however many service workers and Odoo workers use it. In one process `TokenBucketLimiter`
suffices; with several, `PostgresRateLimiter` keeps the bucket in one row per account and takes a token with
a single atomic `UPDATE … RETURNING`, so two processes can never both spend the last token.

Both are token buckets: `burst` tokens at most (default `limit - 1`), refilled at `limit / period_s` per
second, so a quiet account may spend nearly its whole minute's budget at once; set `rate_limit_burst` lower
when the distributor counts calls in a rolling window.
"""

from __future__ import annotations

import asyncio
import threading
import time
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class RateSpec:
    limit: int
    period_s: float = 60.0
    burst: int | None = None

    @property
    def capacity(self) -> float:
        if self.burst is not None:
            return float(self.burst)
        # One call is kept in hand: our bucket and the distributor's start (and refill) a request's latency
        # apart, and run flat out at the limit that skew alone would earn the occasional 429.
        return float(max(1, self.limit - 1))

    @property
    def refill_per_s(self) -> float:
        return self.limit / self.period_s


class RateLimiter(Protocol):
    async def acquire(self, account: str, spec: RateSpec, *, max_wait_s: float) -> bool:
        """Take one call from `account`'s budget, waiting at most `max_wait_s`; False if none came in time."""
        ...

    def try_take(self, account: str, spec: RateSpec) -> tuple[bool, float]:
        """Take one call now if there is one: (granted, seconds until one should be there)."""
        ...

    def close(self) -> None: ...


async def _acquire_with_wait(try_take, max_wait_s: float, clock=time.monotonic) -> bool:
    """Shared wait loop: `try_take()` returns (granted, seconds until a token should be there)."""
    give_up_at = clock() + max_wait_s
    while True:
        granted, wait_s = await try_take()
        if granted:
            return True
        if clock() + wait_s > give_up_at:
            return False
        await asyncio.sleep(wait_s)


def acquire_blocking(
    limiter: RateLimiter,
    account: str,
    spec: RateSpec,
    *,
    max_wait_s: float,
    clock=time.monotonic,
    sleep=time.sleep,
) -> bool:
    """`acquire` for callers without an event loop (the order calls an Odoo worker makes)."""
    give_up_at = clock() + max_wait_s
    while True:
        granted, wait_s = limiter.try_take(account, spec)
        if granted:
            return True
        if clock() + wait_s > give_up_at:
            return False
        sleep(wait_s)


class TokenBucketLimiter:
    """In-process token buckets, one per account; safe across threads and event loops.

    `share`: how many processes use the same accounts, each with a limiter of its own (the service's
    uvicorn workers): each then takes `1/share` of every account's budget, so together they stay inside
    it. (A PostgreSQL limiter shares one budget instead, and wastes none of it on an idle worker.)"""

    def __init__(self, clock=time.monotonic, *, share: int = 1):
        if share < 1:
            raise ValueError(f"share must be at least 1, got {share}")
        self._clock = clock
        self.share = share
        self._lock = threading.Lock()
        self._buckets: dict[str, tuple[float, float]] = {}  # account → (tokens, updated_at)

    def try_take(self, account: str, spec: RateSpec) -> tuple[bool, float]:
        capacity = max(1.0, spec.capacity / self.share)
        refill_per_s = spec.refill_per_s / self.share
        with self._lock:
            now = self._clock()
            tokens, updated = self._buckets.get(account, (capacity, now))
            tokens = min(capacity, tokens + (now - updated) * refill_per_s)
            if tokens >= 1:
                self._buckets[account] = (tokens - 1, now)
                return True, 0.0
            self._buckets[account] = (tokens, now)
            return False, (1 - tokens) / refill_per_s

    async def acquire(self, account: str, spec: RateSpec, *, max_wait_s: float) -> bool:
        async def attempt():
            return self.try_take(account, spec)

        return await _acquire_with_wait(attempt, max_wait_s, self._clock)

    def close(self) -> None:
        pass


# ------------------------------------------------------------------------------------------- PostgreSQL

CREATE_TABLE = """
CREATE TABLE IF NOT EXISTS fulfil_rate_limit (
    account     text PRIMARY KEY,
    tokens      double precision NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT statement_timestamp(),
    granted     boolean NOT NULL DEFAULT false,
    calls       bigint NOT NULL DEFAULT 0
)
"""

INSERT_ACCOUNT = """
INSERT INTO fulfil_rate_limit (account, tokens) VALUES (%(account)s, %(capacity)s)
ON CONFLICT (account) DO NOTHING
"""

# One statement: refill by the time elapsed since the last call, then take a token if a whole one is there.
# Every expression reads only the row being updated, so when callers collide, each waits for the row lock
# and PostgreSQL re-evaluates the SET list on the row version the other has just written (READ COMMITTED
# re-check): the budget can never be spent twice. (A sub-select would read a stale snapshot instead.)
_AVAILABLE = """LEAST(%(capacity)s::double precision,
          tokens + GREATEST(0, EXTRACT(EPOCH FROM statement_timestamp() - updated_at))
                   * %(refill)s::double precision)"""

TAKE_TOKEN = f"""
UPDATE fulfil_rate_limit
SET tokens = CASE WHEN {_AVAILABLE} >= 1 THEN {_AVAILABLE} - 1 ELSE {_AVAILABLE} END,
    granted = {_AVAILABLE} >= 1,
    calls = calls + ({_AVAILABLE} >= 1)::int,
    updated_at = GREATEST(updated_at, statement_timestamp())
WHERE account = %(account)s
RETURNING granted, tokens
"""


class PostgresRateLimiter:
    """Token buckets in a PostgreSQL table shared by every process that uses the same accounts.

    Uses one synchronous psycopg connection (autocommit) in a worker thread, so it works from any event
    loop and from plain threads alike. The statement is a few hundred microseconds; a lock serialises it.
    """

    def __init__(self, url: str):
        self.url = _plain_dsn(url)
        self._conn = None
        self._lock = threading.Lock()
        self._known: set[str] = set()

    def _connection(self):
        import psycopg

        if self._conn is None or self._conn.closed:
            self._conn = psycopg.connect(self.url, autocommit=True, connect_timeout=5)
            with self._conn.transaction():
                # Two processes starting at once would both try to create the table: serialise them.
                self._conn.execute("SELECT pg_advisory_xact_lock(hashtext('fulfil_rate_limit'))")
                self._conn.execute(CREATE_TABLE)
            self._known.clear()
        return self._conn

    def try_take(self, account: str, spec: RateSpec) -> tuple[bool, float]:
        params = {"account": account, "capacity": spec.capacity, "refill": spec.refill_per_s}
        with self._lock:
            conn = self._connection()
            if account not in self._known:
                conn.execute(INSERT_ACCOUNT, params)
                self._known.add(account)
            row = conn.execute(TAKE_TOKEN, params).fetchone()
        if row is None:  # the row was deleted under us: recreate it next time
            self._known.discard(account)
            return False, 0.01
        granted, tokens = row
        return bool(granted), 0.0 if granted else (1 - tokens) / spec.refill_per_s

    async def acquire(self, account: str, spec: RateSpec, *, max_wait_s: float) -> bool:
        async def attempt():
            return await asyncio.to_thread(self.try_take, account, spec)

        return await _acquire_with_wait(attempt, max_wait_s)

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None


def _plain_dsn(url: str) -> str:
    """Accept SQLAlchemy-style URLs (postgresql+psycopg://) as well as libpq ones."""
    for prefix in ("postgresql+psycopg://", "postgresql+psycopg2://", "postgres+psycopg://"):
        if url.startswith(prefix):
            return "postgresql://" + url[len(prefix) :]
    return url


def build_limiter(
    kind: str, url: str = "", *, processes: int = 1
) -> TokenBucketLimiter | PostgresRateLimiter:
    """`processes`: how many processes use the accounts at once, each building its own limiter."""
    if kind == "postgres":
        return PostgresRateLimiter(url)
    return TokenBucketLimiter(share=processes)
