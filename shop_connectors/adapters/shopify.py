"""Shopify GraphQL Admin API over plain httpx — the only code that knows Shopify's wire format.

Why httpx and not ShopifyAPI's GraphQL client: that client runs on urllib behind a process-wide "active
session" (one shop at a time per process, while `serve` handles several stores in threads), returns the
body as a string and hides the HTTP status and headers — and the throttle (HTTP 429 + Retry-After, the
`THROTTLED` error, `extensions.cost.throttleStatus`) is exactly what this adapter must see. httpx is
already a dependency, takes an injected client with timeouts, and is what the rest of the project uses.

Cost throttle: every answer carries `extensions.cost` {requestedQueryCost, actualQueryCost,
throttleStatus {maximumAvailable, currentlyAvailable, restoreRate}}. Before a query we wait until the
bucket holds what the last query of that kind cost; a `THROTTLED` error is retried after the time the
bucket needs to refill (`Transient.retry_after_s`), like a 429's Retry-After.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx

from ..config import StoreConfig
from ..errors import StoreRejected, StoreUnavailable
from .answers import store_body

ORDERS_PER_PAGE = 25  # with 20 line items each the query stays well under the 1,000-point single-query cap
LINES_PER_PAGE = 20
MONEY = "shopMoney { amount currencyCode }"
ADDRESS = "name firstName lastName company address1 address2 city zip provinceCode countryCodeV2 phone"
LINE_FIELDS = f"""id sku name quantity
  originalUnitPriceSet {{ {MONEY} }}
  discountAllocations {{ allocatedAmountSet {{ {MONEY} }} }}
  taxLines {{ ratePercentage title }}"""
ORDER_FIELDS = f"""id legacyResourceId name createdAt updatedAt cancelledAt closed test email phone
  displayFinancialStatus displayFulfillmentStatus currencyCode taxesIncluded note discountCodes
  totalPriceSet {{ {MONEY} }} totalTaxSet {{ {MONEY} }}
  customer {{ legacyResourceId firstName lastName phone }}
  billingAddress {{ {ADDRESS} }} shippingAddress {{ {ADDRESS} }}
  shippingLines(first: 5) {{ nodes {{ title originalPriceSet {{ {MONEY} }} discountedPriceSet {{ {MONEY} }}
    taxLines {{ ratePercentage }} }} }}
  lineItems(first: {LINES_PER_PAGE}) {{ pageInfo {{ hasNextPage endCursor }} nodes {{ {LINE_FIELDS} }} }}"""
ORDERS_QUERY = f"""query ChangedOrders($first: Int!, $after: String, $query: String) {{
  orders(first: $first, after: $after, sortKey: UPDATED_AT, query: $query) {{
    pageInfo {{ hasNextPage endCursor }}
    nodes {{ {ORDER_FIELDS} }}
  }}
}}"""
ORDER_QUERY = f"""query OneOrder($id: ID!) {{ order(id: $id) {{ {ORDER_FIELDS} }} }}"""
MORE_LINES_QUERY = f"""query MoreLines($id: ID!, $after: String) {{
  order(id: $id) {{ lineItems(first: 250, after: $after) {{ pageInfo {{ hasNextPage endCursor }}
    nodes {{ {LINE_FIELDS} }} }} }}
}}"""
FULFILLMENT_ORDERS_QUERY = """query FulfillmentOrders($id: ID!) {
  order(id: $id) {
    fulfillmentOrders(first: 20) { nodes { id status
      lineItems(first: 250) { nodes { id remainingQuantity sku lineItem { id sku } } } } }
    fulfillments(first: 50) { id status trackingInfo { company number url } }
  }
}"""
FULFILLMENT_CREATE = """mutation CreateFulfillment($fulfillment: FulfillmentInput!) {
  fulfillmentCreate(fulfillment: $fulfillment) {
    fulfillment { id status }
    userErrors { field message }
  }
}"""

STOCK_ITEMS_QUERY = """query StockItems($first: Int!, $query: String!) {
  productVariants(first: $first, query: $query) {
    nodes { id sku inventoryItem { id inventoryLevels(first: 1) { nodes { location { id } } } } }
  }
}"""
SET_STOCK = """mutation SetStock($input: InventorySetQuantitiesInput!) {
  inventorySetQuantities(input: $input) {
    inventoryAdjustmentGroup { id }
    userErrors { field message code }
  }
}"""


def order_gid(order_id: str) -> str:
    return order_id if order_id.startswith("gid://") else f"gid://shopify/Order/{order_id}"


class ShopifyAdapter:
    def __init__(self, store: StoreConfig, http: httpx.Client | None = None,
                 sleep: Callable[[float], None] = time.sleep):
        self.store = store
        self.http = http or httpx.Client(timeout=store.timeout_s)
        self.sleep = sleep
        self.available: float | None = None
        self.restore_rate = 50.0
        self.last_cost: dict[str, float] = {}

    def graphql(self, query: str, variables: dict, name: str) -> dict:
        expected = self.last_cost.get(name, 0.0)
        if self.available is not None and self.available < expected:
            self.sleep((expected - self.available) / self.restore_rate)
        where = f"{self.store.id}: GraphQL {name}"
        try:
            response = self.http.post(
                self.store.graphql_url,
                json={"query": query, "variables": variables},
                headers={"X-Shopify-Access-Token": self.store.access_token},
            )
        except httpx.HTTPError as exc:
            raise StoreUnavailable(f"{where}: {type(exc).__name__}: {exc}") from exc
        body = store_body(where, response)
        cost = (body.get("extensions") or {}).get("cost") or {}
        status = cost.get("throttleStatus") or {}
        if status:
            self.available = float(status.get("currentlyAvailable", 0))
            self.restore_rate = float(status.get("restoreRate") or 50.0)
        errors = body.get("errors") or []
        if any((e.get("extensions") or {}).get("code") == "THROTTLED" for e in errors):
            requested = float(cost.get("requestedQueryCost") or expected or 1)
            self.last_cost[name] = requested
            wait = max(0.0, (requested - (self.available or 0.0)) / self.restore_rate)
            raise StoreUnavailable(f"{where}: THROTTLED", retry_after_s=wait)
        if errors:
            raise StoreRejected(f"{where}: {'; '.join(str(e.get('message')) for e in errors)}")
        if cost.get("actualQueryCost") is not None:
            self.last_cost[name] = float(cost.get("requestedQueryCost") or cost["actualQueryCost"])
        return body.get("data") or {}

    # -- orders in -----------------------------------------------------------------------------------
    def changed_orders(self, after: str, before: str, cursor: str | None) -> tuple[list[dict], str | None]:
        """One page of the orders updated in [after, before), oldest first, each with all its line items,
        and the cursor of the next page or None after the last."""
        search = f"updated_at:>='{after}' AND updated_at:<'{before}'"
        data = self.graphql(ORDERS_QUERY, {"first": ORDERS_PER_PAGE, "after": cursor, "query": search},
                            "orders")
        connection = data["orders"]
        orders = [self._all_lines(order) for order in connection["nodes"]]
        page = connection["pageInfo"]
        return orders, (page["endCursor"] if page["hasNextPage"] else None)

    def order(self, order_id: str) -> dict | None:
        order = self.graphql(ORDER_QUERY, {"id": order_gid(order_id)}, "order").get("order")
        return self._all_lines(order) if order else None

    def _all_lines(self, order: dict) -> dict:
        lines = order.get("lineItems") or {"nodes": [], "pageInfo": {"hasNextPage": False}}
        nodes = list(lines["nodes"])
        page = lines.get("pageInfo") or {}
        while page.get("hasNextPage"):
            more = self.graphql(MORE_LINES_QUERY, {"id": order["id"], "after": page["endCursor"]},
                                "lines")["order"]["lineItems"]
            nodes.extend(more["nodes"])
            page = more["pageInfo"]
        return {**order, "lineItems": {"nodes": nodes, "pageInfo": {"hasNextPage": False}}}

    # -- back to the store ---------------------------------------------------------------------------
    def fulfillment_state(self, order_id: str) -> dict:
        order = self.graphql(FULFILLMENT_ORDERS_QUERY, {"id": order_gid(order_id)}, "fulfillment_orders")
        if not order.get("order"):
            raise StoreRejected(f"{self.store.id}: order {order_id} not found", 404)
        return order["order"]

    def create_fulfillment(self, fulfillment: dict) -> dict:
        result = self.graphql(FULFILLMENT_CREATE, {"fulfillment": fulfillment}, "fulfillment_create")
        payload = result.get("fulfillmentCreate") or {}
        user_errors = payload.get("userErrors") or []
        if user_errors:
            raise StoreRejected(f"{self.store.id}: fulfillmentCreate: "
                                + "; ".join(f"{'.'.join(e.get('field') or [])}: {e.get('message')}"
                                            for e in user_errors), 422)
        return payload.get("fulfillment") or {}

    # -- stock ---------------------------------------------------------------------------------------
    def stock_items(self, skus: list[str]) -> dict[str, list[tuple[str, str]]]:
        """(inventory item, location) of each variant with one of these SKUs: the location of its first
        inventory level, where the shop stocks it. A SKU with a double quote or backslash cannot be
        written in the search syntax and is left out."""
        wanted = [sku for sku in skus if '"' not in sku and "\\" not in sku]
        if not wanted:
            return {}
        search = " OR ".join(f'sku:"{sku}"' for sku in wanted)
        data = self.graphql(STOCK_ITEMS_QUERY, {"first": 250, "query": search}, "stock_items")
        found: dict[str, list[tuple[str, str]]] = {}
        for variant in (data.get("productVariants") or {}).get("nodes") or []:
            item = variant.get("inventoryItem") or {}
            levels = (item.get("inventoryLevels") or {}).get("nodes") or []
            if variant.get("sku") in wanted and item.get("id") and levels:
                found.setdefault(variant["sku"], []).append((item["id"], levels[0]["location"]["id"]))
        return found

    def set_stock(self, quantities: list[tuple[str, str, int]]) -> None:
        """Absolute `available` quantities, (inventory item, location, quantity) each. We are the source
        of truth for these figures, so the compare check is skipped: up to 2025-10 with
        `ignoreCompareQuantity`; from 2026-01 with `changeFromQuantity: null` on each quantity (mandatory
        from 2026-04, where `ignoreCompareQuantity` is gone)."""
        change_from = self.store.api_version >= "2026-01"
        payload: dict = {
            "name": "available",
            "reason": "correction",
            "referenceDocumentUri": f"gid://channel-sync/StockPush/{self.store.id}",
            "quantities": [{"inventoryItemId": item, "locationId": location, "quantity": quantity}
                           | ({"changeFromQuantity": None} if change_from else {})
                           for item, location, quantity in quantities],
        }
        if not change_from:
            payload["ignoreCompareQuantity"] = True
        result = self.graphql(SET_STOCK, {"input": payload}, "set_stock").get("inventorySetQuantities") or {}
        errors = result.get("userErrors") or []
        if errors:
            raise StoreRejected(f"{self.store.id}: inventorySetQuantities: "
                                + "; ".join(f"{'.'.join(e.get('field') or [])}: {e.get('message')}"
                                            for e in errors), 422)
