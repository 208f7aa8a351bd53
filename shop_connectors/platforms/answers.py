"""What a store API's answer means, for both platforms: the JSON body, or the typed error that says what
another try would do (`StoreUnavailable`: later; `StoreRejected`: not as it is)."""

from __future__ import annotations

from typing import Any, Protocol

from ..errors import StoreRejected, StoreUnavailable
from ..retry import retry_after


class Answer(Protocol):
    """What requests' and httpx's responses both offer."""

    status_code: int
    headers: Any

    def json(self) -> Any: ...


def store_body(where: str, response: Answer) -> Any:
    """The JSON body of a store's answer to the request `where` names.

    429, 5xx or a body that is not JSON → StoreUnavailable (with the store's Retry-After); any other
    4xx → StoreRejected carrying the status and the store's own words: WooCommerce's `code` and
    `message`, Shopify's `errors`."""
    status = response.status_code
    if status == 429 or status >= 500:
        raise StoreUnavailable(f"{where}: HTTP {status}", retry_after(response.headers.get("Retry-After")))
    try:
        body = response.json()
    except ValueError:
        raise StoreUnavailable(f"{where}: HTTP {status}, not JSON") from None
    if status >= 400:
        if isinstance(body, dict) and "errors" in body:
            raise StoreRejected(f"{where}: HTTP {status}: {body['errors']}", status)
        code = body.get("code", "") if isinstance(body, dict) else ""
        message = body.get("message", "") if isinstance(body, dict) else str(body)[:200]
        raise StoreRejected(f"{where}: HTTP {status} {code}: {message}", status, code)
    return body
