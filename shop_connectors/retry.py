"""Bounded retries with exponential backoff and full jitter that honour the other side's `Retry-After`
(or Shopify's throttle), and the named crash points the crash tests kill the process at."""

from __future__ import annotations

import os
import random
import signal
import time
from collections.abc import Callable
from typing import TypeVar

from .errors import Transient

T = TypeVar("T")
CRASH_ENV = "CHANNEL_SYNC_CRASH_AT"
CRASH_POINTS = ("after_store", "after_odoo_commit", "after_push_send")
MAX_WAIT_S = 60.0


def with_retries(
    call: Callable[[], T], *, attempts: int, backoff_s: float, sleep: Callable[[float], None] = time.sleep
) -> T:
    """`call()` until it succeeds or raises something other than `Transient`; after `attempts` tries the
    last `Transient` is raised. Waits what the server asked when it said, else backoff x 2^n, jittered so
    that several processes hitting the same store do not retry in step."""
    for attempt in range(1, attempts + 1):
        try:
            return call()
        except Transient as exc:
            if attempt >= attempts:
                raise
            if exc.retry_after_s is not None:
                wait = min(exc.retry_after_s, MAX_WAIT_S)
            else:
                wait = random.uniform(0, min(backoff_s * 2 ** (attempt - 1), MAX_WAIT_S))
            sleep(wait)
    raise AssertionError("unreachable")


def retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds; an HTTP date is rare from these APIs: ignored)."""
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None


def crash_point(name: str) -> None:
    """Dies like `kill -9` here when CHANNEL_SYNC_CRASH_AT names this point: no cleanup, no flush, no
    atexit — the state on disk is whatever was committed. Inactive unless set."""
    if os.environ.get(CRASH_ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)
