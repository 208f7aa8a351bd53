"""WooCommerce REST wc/v3 through the `woocommerce` package — the only code that knows its wire format.

How the package authenticates (read in its source, woocommerce 3.0.0): over https it sends HTTP Basic with
the consumer key and secret (or, with `query_string_auth=True`, both as query parameters); over plain http
it signs the query string with OAuth 1.0a (HMAC-SHA256, the secret + "&" as key, timestamp and nonce) and
then lets `requests` append the same parameters once more — harmless, since WordPress keeps the last value
of a repeated parameter. It has no retries and a default timeout of 5 s: we pass the store's timeout and
retry above it. Errors come back as `{code, message, data: {status}}`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import requests
from woocommerce import API

from ...errors import StoreRejected, StoreUnavailable
from ..answers import store_body

if TYPE_CHECKING:
    from ...backend import StoreConfig

PER_PAGE = 100
TRACKING_VERSION = "wc-shipment-tracking/v3"


def client(store: StoreConfig, version: str = "wc/v3") -> API:
    """The `woocommerce` package's client of one REST namespace of the store, with the store's timeout."""
    return API(
        store.url,
        store.consumer_key,
        store.consumer_secret,
        version=version,
        timeout=store.timeout_s,
        user_agent="channel-sync",
    )


class WooCommerceAdapter:
    """wc/v3 through `api`, the Shipment Tracking extension's routes through `tracking_api` (both
    injected like the Shopify adapter's and the Odoo client's HTTP client; built from the store when not
    given)."""

    def __init__(self, store: StoreConfig, api: API | None = None, tracking_api: API | None = None):
        self.store = store
        self.api = api or client(store)
        self.tracking_api = tracking_api or client(store, TRACKING_VERSION)

    def _call(self, api: API, method: str, endpoint: str, data: Any = None, params: dict | None = None):
        where = f"{self.store.id}: {method.upper()} {endpoint}"
        try:
            if method in ("get", "delete"):
                response = getattr(api, method)(endpoint, params=params or {})
            else:
                response = getattr(api, method)(endpoint, data, params=params or {})
        except requests.RequestException as exc:
            raise StoreUnavailable(f"{where}: {type(exc).__name__}: {exc}") from exc
        return response, store_body(where, response)

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
        return self._call(
            self.api, "post", f"orders/{order_id}/notes", {"note": note, "customer_note": True}
        )[1]

    def set_status(self, order_id: str, status: str) -> dict:
        return self._call(self.api, "put", f"orders/{order_id}", {"status": status})[1]

    # -- stock ---------------------------------------------------------------------------------------
    def products_by_sku(self, skus: list[str]) -> dict[str, list[int]]:
        """The ids of the products with these SKUs (at most 100 per call: the `sku` filter takes a
        comma-separated list, so a SKU holding a comma cannot be looked up and is left out)."""
        wanted = [sku for sku in skus if "," not in sku]
        if not wanted:
            return {}
        found: dict[str, list[int]] = {}
        page, pages = 1, 1
        while page <= pages:
            response, body = self._call(
                self.api,
                "get",
                "products",
                params={"sku": ",".join(wanted), "per_page": PER_PAGE, "page": page},
            )
            pages = int(response.headers.get("X-WP-TotalPages") or 1)
            for product in body:
                if product.get("sku") in wanted:
                    found.setdefault(product["sku"], []).append(product["id"])
            page += 1
        return found

    def set_stock(self, quantities: dict[int, int]) -> None:
        """One `products/batch` (WooCommerce refuses more than 100 items with 413); an item's own error
        comes back inside a 200 answer, so it is looked for there."""
        data = {
            "update": [
                {"id": product_id, "stock_quantity": quantity, "manage_stock": True}
                for product_id, quantity in quantities.items()
            ]
        }
        body = self._call(self.api, "post", "products/batch", data)[1]
        errors = [
            f"product {item.get('id')}: {item['error'].get('message')}"
            for item in body.get("update") or []
            if isinstance(item.get("error"), dict)
        ]
        if errors:
            raise StoreRejected(f"{self.store.id}: POST products/batch: " + "; ".join(errors), 400)
