"""WooCommerce REST wc/v3 through the `woocommerce` package — the only code that knows its wire format.

How the package authenticates (read in its source, woocommerce 3.0.0): over https it sends HTTP Basic with
the consumer key and secret (or, with `query_string_auth=True`, both as query parameters); over plain http
it signs the query string with OAuth 1.0a (HMAC-SHA256, the secret + "&" as key, timestamp and nonce) and
then lets `requests` append the same parameters once more — harmless, since WordPress keeps the last value
of a repeated parameter. It has no retries and a default timeout of 5 s: we pass the store's timeout and
retry above it. Errors come back as `{code, message, data: {status}}`.
"""

from __future__ import annotations

from typing import Any

import requests
from woocommerce import API

from ..config import StoreConfig
from ..errors import StoreRejected, StoreUnavailable
from ..retry import retry_after

PER_PAGE = 100
TRACKING_VERSION = "wc-shipment-tracking/v3"


class WooCommerceAdapter:
    def __init__(self, store: StoreConfig):
        self.store = store
        options = {"timeout": store.timeout_s, "user_agent": "channel-sync"}
        self.api = API(store.url, store.consumer_key, store.consumer_secret, version="wc/v3", **options)
        self.tracking_api = API(store.url, store.consumer_key, store.consumer_secret,
                                version=TRACKING_VERSION, **options)

    def _call(self, api: API, method: str, endpoint: str, data: Any = None, params: dict | None = None):
        where = f"{self.store.id}: {method.upper()} {endpoint}"
        try:
            if method in ("get", "delete"):
                response = getattr(api, method)(endpoint, params=params or {})
            else:
                response = getattr(api, method)(endpoint, data, params=params or {})
        except requests.RequestException as exc:
            raise StoreUnavailable(f"{where}: {type(exc).__name__}: {exc}") from exc
        if response.status_code == 429 or response.status_code >= 500:
            raise StoreUnavailable(f"{where}: HTTP {response.status_code}",
                                   retry_after(response.headers.get("Retry-After")))
        try:
            body = response.json()
        except ValueError:
            raise StoreUnavailable(f"{where}: HTTP {response.status_code}, not JSON") from None
        if response.status_code >= 400:
            code = body.get("code", "") if isinstance(body, dict) else ""
            message = body.get("message", "") if isinstance(body, dict) else str(body)[:200]
            raise StoreRejected(f"{where}: HTTP {response.status_code} {code}: {message}",
                                response.status_code, code)
        return response, body

    # -- orders in -----------------------------------------------------------------------------------
    def changed_orders(self, after: str, before: str, page: int | None) -> tuple[list[dict], int | None]:
        """One page (up to 100, oldest first) of the orders modified in [after, before), and the next
        page's number or None after the last (X-WP-TotalPages)."""
        page = page or 1
        params = {
            "modified_after": after.removesuffix("Z"),
            "modified_before": before.removesuffix("Z"),
            "dates_are_gmt": "true",
            "orderby": "modified",
            "order": "asc",
            "per_page": PER_PAGE,
            "page": page,
        }
        response, body = self._call(self.api, "get", "orders", params=params)
        pages = int(response.headers.get("X-WP-TotalPages") or 1)
        return body, (page + 1 if page < pages else None)

    def order(self, order_id: str) -> dict | None:
        try:
            return self._call(self.api, "get", f"orders/{order_id}")[1]
        except StoreRejected as exc:
            if exc.status == 404:
                return None
            raise

    # -- back to the store ---------------------------------------------------------------------------
    def has_tracking_extension(self, order_id: str) -> bool:
        try:
            self._call(self.tracking_api, "get", f"orders/{order_id}/shipment-trackings")
        except StoreRejected as exc:
            if exc.status == 404 and exc.code == "rest_no_route":
                return False
            raise
        return True

    def trackings(self, order_id: str) -> list[dict]:
        return self._call(self.tracking_api, "get", f"orders/{order_id}/shipment-trackings")[1]

    def add_tracking(self, order_id: str, carrier: str, number: str, url: str, date_shipped: str) -> dict:
        data = {"tracking_number": number, "date_shipped": date_shipped}
        if url:
            data |= {"custom_tracking_provider": carrier or "Carrier", "custom_tracking_link": url}
        else:
            data["tracking_provider"] = carrier
        return self._call(self.tracking_api, "post", f"orders/{order_id}/shipment-trackings", data)[1]

    def notes(self, order_id: str) -> list[dict]:
        return self._call(self.api, "get", f"orders/{order_id}/notes", params={"type": "customer"})[1]

    def add_note(self, order_id: str, note: str) -> dict:
        return self._call(self.api, "post", f"orders/{order_id}/notes",
                          {"note": note, "customer_note": True})[1]

    def set_status(self, order_id: str, status: str) -> dict:
        return self._call(self.api, "put", f"orders/{order_id}", {"status": status})[1]
