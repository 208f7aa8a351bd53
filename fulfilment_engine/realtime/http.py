"""HTTP plumbing shared by the distributor and carrier adapters: the injected client, and turning what
went wrong on the wire into one short reason a person can act on."""

from __future__ import annotations

import email.utils
import time

import httpx

USER_AGENT = "channel-fulfilment/0.1 (+realtime gateway)"


def make_client(timeout_s: float = 2.0, *, max_connections: int = 100) -> httpx.AsyncClient:
    """The client the service and the CLI create once and inject; adapters never create their own."""
    return httpx.AsyncClient(
        timeout=httpx.Timeout(timeout_s, connect=min(timeout_s, 1.0)),
        limits=httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections),
        headers={"User-Agent": USER_AGENT},
        follow_redirects=False,
    )


def retry_after_seconds(response: httpx.Response, *, now: float | None = None) -> float | None:
    """`Retry-After` as seconds: either a number of seconds or an HTTP date (RFC 9110 §10.2.3)."""
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def describe_transport_error(exc: BaseException) -> str:
    """One line for a failure below HTTP: timeouts, refused connections, TLS."""
    if isinstance(exc, httpx.TimeoutException):
        kind = {
            httpx.ConnectTimeout: "connect timeout",
            httpx.ReadTimeout: "read timeout",
            httpx.WriteTimeout: "write timeout",
            httpx.PoolTimeout: "connection pool timeout",
        }.get(type(exc), "timeout")
        return f"{kind} after the client's limit"
    text = str(exc) or type(exc).__name__
    if "CERTIFICATE" in text.upper() or "SSL" in text.upper() or "TLS" in text.upper():
        return f"TLS error: {text}"
    if isinstance(exc, httpx.ConnectError):
        return f"cannot connect: {text}"
    return f"{type(exc).__name__}: {text}"


def describe_status(response: httpx.Response, detail: str = "") -> str:
    reason = response.reason_phrase or ""
    text = f"HTTP {response.status_code} {reason}".strip()
    return f"{text}: {detail}" if detail else text


def short(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
