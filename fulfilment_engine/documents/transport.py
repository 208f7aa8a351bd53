"""POSTing a cXML document to a distributor and reading its Response/Status.

The only I/O in `documents/`. The HTTP client is injected (the caller owns connection pooling, TLS
and proxies); this function makes exactly one attempt and says, by the exception type, whether
another attempt is worth it. Retrying is the caller's policy (with backoff; `retry_after` when the
server gave one) and is always safe for an OrderRequest, whose payloadID never changes.
"""

from __future__ import annotations

import email.utils
import time

import httpx

from .errors import CxmlError, CxmlRejected, CxmlTransientError, CxmlUnauthorized
from .model import ResponseStatus
from .order import parse_response

CONTENT_TYPE = "text/xml; charset=UTF-8"
_RETRYABLE_HTTP = {408, 425, 429}


def _retry_after(response: httpx.Response) -> float | None:
    raw = response.headers.get("Retry-After")
    if not raw:
        return None
    if raw.strip().isdigit():
        return float(raw.strip())
    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def send_order_request(url: str, body: bytes, *, client: httpx.Client, timeout: float) -> ResponseStatus:
    """POST `body` (text/xml) to `url`; the ResponseStatus when the distributor answered 2xx.

    Raises CxmlTransientError (retry later: timeout, connection failure, HTTP 5xx/408/429, cXML 5xx,
    or a 2xx whose body is not a cXML Response), CxmlUnauthorized (401/403) or CxmlRejected (any
    other 4xx: a person must look). The cXML status decides when there is one, whatever the HTTP
    status: distributors answer HTTP 200 with `<Status code="401">` as often as HTTP 401.
    """
    headers = {"Content-Type": CONTENT_TYPE, "Accept": "text/xml, application/xml"}
    try:
        response = client.post(url, content=body, headers=headers, timeout=timeout)
    except httpx.TimeoutException:
        raise CxmlTransientError(
            url,
            f"no answer within {timeout:g} s (the order may have arrived; "
            "resending the same document is safe)",
        ) from None
    except httpx.TransportError as exc:
        raise CxmlTransientError(
            url, f"cannot reach the distributor: {exc.__class__.__name__}: {exc}"
        ) from None

    http = response.status_code
    retry_after = _retry_after(response)
    try:
        status: ResponseStatus | None = parse_response(response.content)
        unreadable = ""
    except CxmlError as exc:
        status, unreadable = None, str(exc)

    if status is None:
        if http >= 500 or http in _RETRYABLE_HTTP:
            raise CxmlTransientError(
                url, f"HTTP {http} without a cXML Response", http_status=http, retry_after=retry_after
            )
        if 200 <= http < 300:
            raise CxmlTransientError(
                url, f"HTTP {http} but the body is not a cXML Response ({unreadable})", http_status=http
            )
        if http in (401, 403):
            raise CxmlUnauthorized(url, f"HTTP {http}: credentials refused", http_status=http)
        raise CxmlRejected(url, f"HTTP {http} without a cXML Response", http_status=http)

    if status.ok:
        return status
    detail = f"cXML {status.code} {status.text}" + (f": {status.message}" if status.message else "")
    if status.retryable:
        raise CxmlTransientError(url, detail, status=status, http_status=http, retry_after=retry_after)
    if status.code in (401, 403):
        raise CxmlUnauthorized(url, detail, status=status, http_status=http)
    raise CxmlRejected(url, detail, status=status, http_status=http)
