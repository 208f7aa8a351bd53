"""Shopify GraphQL Admin API over plain httpx — the only code that knows Shopify's wire format.

Why httpx and not ShopifyAPI's GraphQL client: that client runs on urllib behind a process-wide "active
session" (one shop at a time per process, while `serve` handles several stores in threads), returns the
body as a string and hides the HTTP status and headers — and the throttle (HTTP 429 + Retry-After, the
`THROTTLED` error, `extensions.cost.throttleStatus`) is exactly what this adapter must see. httpx is
already a dependency, takes an injected client with timeouts, and is what the rest of the project uses.

Query cost. Shopify prices a query before running it and refuses one whose requested cost is over 1,000
points whole (`MAX_COST_EXCEEDED`), whatever the bucket holds. Every query here is priced with the rules
Shopify documents (`cost.py`), and the page sizes below are computed from them when this module is
imported: the largest that keep a query within `COST_BUDGET`, a fifth under the cap, because Shopify
"reserves the right to set manual costs on fields". An order's lines beyond the first `LINES_PER_ORDER`,
a fulfillment order's beyond the first page, and more variants than a page holds are read page by page.

Throttle. Every answer carries `extensions.cost` {requestedQueryCost, actualQueryCost, throttleStatus
{maximumAvailable, currentlyAvailable, restoreRate}}: the bucket takes the requested cost before a query
runs and gives back the difference to the actual cost after. The adapter never asks more than the bucket
can pay: a page is no larger than the bucket holds when full (`maximumAvailable`), and before each query
it projects what the bucket holds now from the last throttleStatus and waits the refill time if that is
less than the query's requested cost. It waits rather than asking for a smaller page: the bucket is
restored at the same rate either way, and each query costs a few points of its own (a pull of 1,000
orders on the Standard plan: 143 full pages charged 31.5 points an order, 951 small ones 33.9). A
`THROTTLED` answer (another process of the same app drew on the bucket) is retried after the time the
bucket needs to refill, and no sooner than the one second Shopify recommends (`Transient.retry_after_s`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING

import httpx

from ...errors import StoreRejected, StoreUnavailable
from ..answers import store_body
from .cost import MAX_QUERY_COST, requested_cost

if TYPE_CHECKING:
    from ...backend import StoreConfig

COST_BUDGET = MAX_QUERY_COST * 4 // 5
MAX_PAGE = 250  # Shopify returns at most 250 nodes a page
THROTTLE_BACKOFF_S = 1.0  # "The recommended backoff time is one second."
LINES_PER_ORDER = 10  # the lines read with each order; an order with more reads the rest page by page
FULFILLMENT_ORDER_LINES = 50  # likewise for each fulfillment order's lines

MONEY = "shopMoney { amount currencyCode }"
ADDRESS = "name firstName lastName company address1 address2 city zip provinceCode countryCodeV2 phone"
PAGE_INFO = "pageInfo { hasNextPage endCursor }"
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
  lineItems(first: {LINES_PER_ORDER}) {{ {PAGE_INFO} nodes {{ {LINE_FIELDS} }} }}"""
ORDERS_QUERY = f"""query ChangedOrders($first: Int!, $after: String, $query: String) {{
  orders(first: $first, after: $after, sortKey: UPDATED_AT, query: $query) {{
    {PAGE_INFO}
    nodes {{ {ORDER_FIELDS} }}
  }}
}}"""
ORDER_QUERY = f"""query OneOrder($id: ID!) {{ order(id: $id) {{ {ORDER_FIELDS} }} }}"""
MORE_LINES_QUERY = f"""query MoreLines($id: ID!, $first: Int!, $after: String) {{
  order(id: $id) {{ lineItems(first: $first, after: $after) {{ {PAGE_INFO} nodes {{ {LINE_FIELDS} }} }} }}
}}"""
FULFILLMENT_ORDER_LINE_FIELDS = "id remainingQuantity sku lineItem { id sku }"
# Every fulfillment with all its tracking numbers: without `first` the lists are not truncated.
FULFILLMENT_ORDERS_QUERY = f"""query FulfillmentOrders($id: ID!, $first: Int!, $after: String) {{
  order(id: $id) {{
    fulfillmentOrders(first: $first, after: $after) {{ {PAGE_INFO} nodes {{ id status
      lineItems(first: {FULFILLMENT_ORDER_LINES}) {{ {PAGE_INFO}
        nodes {{ {FULFILLMENT_ORDER_LINE_FIELDS} }} }} }} }}
    fulfillments {{ id status trackingInfo {{ company number url }} }}
  }}
}}"""
MORE_FULFILLMENT_ORDER_LINES_QUERY = f"""query MoreFulfillmentOrderLines($id: ID!, $first: Int!,
    $after: String) {{
  fulfillmentOrder(id: $id) {{
    lineItems(first: $first, after: $after) {{ {PAGE_INFO} nodes {{ {FULFILLMENT_ORDER_LINE_FIELDS} }} }}
  }}
}}"""
FULFILLMENT_CREATE = """mutation CreateFulfillment($fulfillment: FulfillmentInput!) {
  fulfillmentCreate(fulfillment: $fulfillment) {
    fulfillment { id status }
    userErrors { field message }
  }
}"""
STOCK_ITEMS_QUERY = f"""query StockItems($first: Int!, $after: String, $query: String!) {{
  productVariants(first: $first, after: $after, query: $query) {{
    {PAGE_INFO}
    nodes {{ id sku inventoryItem {{ id inventoryLevels(first: 1) {{ nodes {{ location {{ id }} }} }} }} }}
  }}
}}"""
SET_STOCK = """mutation SetStock($input: InventorySetQuantitiesInput!) {
  inventorySetQuantities(input: $input) {
    inventoryAdjustmentGroup { id }
    userErrors { field message code }
  }
}"""


@cache
def page_cost(query: str) -> tuple[int, int]:
    """(fixed, per node) of the requested cost of `query`, whose `$first` sizes its one paged
    connection: the documented rules make the cost linear in it."""
    sample = {"id": "gid://shopify/Order/1", "query": ""}
    fixed = requested_cost(query, sample | {"first": 0})
    return fixed, requested_cost(query, sample | {"first": 1}) - fixed


def largest_page(query: str, budget: float) -> int:
    """The most nodes a page of `query` can ask for with a requested cost of at most `budget`."""
    fixed, per_node = page_cost(query)
    return max(0, min(MAX_PAGE, int((budget - fixed) // per_node)))


ORDERS_PER_PAGE = largest_page(ORDERS_QUERY, COST_BUDGET)
LINES_PER_PAGE = largest_page(MORE_LINES_QUERY, COST_BUDGET)
FULFILLMENT_ORDERS_PER_PAGE = largest_page(FULFILLMENT_ORDERS_QUERY, COST_BUDGET)
FULFILLMENT_ORDER_LINES_PER_PAGE = largest_page(MORE_FULFILLMENT_ORDER_LINES_QUERY, COST_BUDGET)
VARIANTS_PER_PAGE = largest_page(STOCK_ITEMS_QUERY, COST_BUDGET)
assert (
    min(
        ORDERS_PER_PAGE,
        LINES_PER_PAGE,
        FULFILLMENT_ORDERS_PER_PAGE,
        FULFILLMENT_ORDER_LINES_PER_PAGE,
        VARIANTS_PER_PAGE,
    )
    >= 1
), "a query does not fit Shopify's cost cap even for one node"


def order_gid(order_id: str) -> str:
    return order_id if order_id.startswith("gid://") else f"gid://shopify/Order/{order_id}"


class ShopifyAdapter:
    def __init__(
        self,
        store: StoreConfig,
        http: httpx.Client | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.store = store
        self.http = http or httpx.Client(timeout=store.timeout_s)
        self.sleep = sleep
        self.clock = clock
        # The bucket as the last answer described it, and when: None until Shopify has answered once.
        self.bucket: tuple[float, float, float, float] | None = None  # (maximum, available, rate, at)

    # -- the bucket ----------------------------------------------------------------------------------
    def available(self) -> float | None:
        """What the bucket holds now, projected from the last throttleStatus at its restore rate."""
        if self.bucket is None:
            return None
        maximum, available, rate, at = self.bucket
        return min(maximum, available + (self.clock() - at) * rate)

    def page_size(self, query: str, full: int) -> int:
        """`full`, or fewer nodes when even a full bucket could not pay for that many (one at least)."""
        if self.bucket is None:
            return full
        return max(1, min(full, largest_page(query, self.bucket[0])))

    def _wait_for(self, requested: int) -> None:
        available = self.available()
        if available is None or available >= requested:
            return
        maximum, _, rate, _ = self.bucket
        if requested > maximum:
            raise StoreRejected(
                f"{self.store.id}: a query of {requested} points can never be paid from a "
                f"bucket of {maximum:g}"
            )
        self.sleep((requested - available) / rate)

    # -- the call ------------------------------------------------------------------------------------
    def graphql(self, query: str, variables: dict, name: str) -> dict:
        where = f"{self.store.id}: GraphQL {name}"
        requested = requested_cost(query, variables)
        if requested > MAX_QUERY_COST:  # Shopify would refuse it whole: a bug here, not a store's mood
            raise StoreRejected(
                f"{where}: requested cost {requested} is over Shopify's cap of {MAX_QUERY_COST} points"
            )
        self._wait_for(requested)
        try:
            response = self.http.post(
                self.store.graphql_url,
                json={"query": query, "variables": variables},
                headers={"X-Shopify-Access-Token": self.store.access_token},
            )
        except httpx.HTTPError as exc:
            raise StoreUnavailable(f"{where}: {type(exc).__name__}: {exc}") from exc
        body = store_body(where, response)
        status = ((body.get("extensions") or {}).get("cost") or {}).get("throttleStatus") or {}
        if status:
            self.bucket = (
                float(status.get("maximumAvailable") or 0.0),
                float(status.get("currentlyAvailable") or 0.0),
                float(status.get("restoreRate") or 1.0),
                self.clock(),
            )
        errors = body.get("errors") or []
        codes = {(e.get("extensions") or {}).get("code") for e in errors if isinstance(e, dict)}
        if "THROTTLED" in codes:
            refill = (requested - (self.available() or 0.0)) / self.bucket[2] if self.bucket else 0.0
            raise StoreUnavailable(f"{where}: THROTTLED", retry_after_s=max(THROTTLE_BACKOFF_S, refill))
        if errors:
            messages = "; ".join(
                (str(e.get("message") if isinstance(e, dict) else e).splitlines() or [""])[0] for e in errors
            )
            raise StoreRejected(f"{where}: {messages}", code=next(iter(codes - {None}), ""))
        return body.get("data") or {}

    def _all_nodes(self, connection: dict, more: Callable[[str], dict]) -> list[dict]:
        """The connection's nodes and, page after page, the rest: `more(cursor)` reads the next page."""
        nodes = list(connection["nodes"])
        page = connection["pageInfo"]
        while page["hasNextPage"]:
            connection = more(page["endCursor"])
            nodes.extend(connection["nodes"])
            page = connection["pageInfo"]
        return nodes

    # -- orders in -----------------------------------------------------------------------------------
    def changed_orders(self, after: str, before: str, cursor: str | None) -> tuple[list[dict], str | None]:
        """One page of the orders updated in [after, before), oldest first, each with all its line items,
        and the cursor of the next page or None after the last."""
        search = f"updated_at:>='{after}' AND updated_at:<'{before}'"
        first = self.page_size(ORDERS_QUERY, ORDERS_PER_PAGE)
        data = self.graphql(ORDERS_QUERY, {"first": first, "after": cursor, "query": search}, "orders")
        connection = data["orders"]
        orders = [self._all_lines(order) for order in connection["nodes"]]
        page = connection["pageInfo"]
        return orders, (page["endCursor"] if page["hasNextPage"] else None)

    def order(self, order_id: str) -> dict | None:
        order = self.graphql(ORDER_QUERY, {"id": order_gid(order_id)}, "order").get("order")
        return self._all_lines(order) if order else None

    def _all_lines(self, order: dict) -> dict:
        more = self._more_lines(MORE_LINES_QUERY, LINES_PER_PAGE, "order", order["id"], "lines")
        nodes = self._all_nodes(order["lineItems"], more)
        return {**order, "lineItems": {"nodes": nodes, "pageInfo": {"hasNextPage": False}}}

    def _more_lines(self, query: str, full: int, root: str, gid: str, name: str) -> Callable[[str], dict]:
        """Reads the next page of the lines of `gid` (an order or a fulfillment order) after a cursor."""

        def more(cursor: str) -> dict:
            first = self.page_size(query, full)
            found = self.graphql(query, {"id": gid, "first": first, "after": cursor}, name).get(root)
            if not found:
                raise StoreUnavailable(f"{self.store.id}: {gid} vanished while its lines were read")
            return found["lineItems"]

        return more

    # -- back to the store ---------------------------------------------------------------------------
    def fulfillment_state(self, order_id: str) -> dict:
        """The order's fulfillment orders, each with all its lines, and its fulfillments."""
        gid = order_gid(order_id)
        fulfillments: list[dict] = []

        def page(cursor: str | None) -> dict:
            first = self.page_size(FULFILLMENT_ORDERS_QUERY, FULFILLMENT_ORDERS_PER_PAGE)
            found = self.graphql(
                FULFILLMENT_ORDERS_QUERY, {"id": gid, "first": first, "after": cursor}, "fulfillment_orders"
            ).get("order")
            if not found:
                raise StoreRejected(f"{self.store.id}: order {order_id} not found", 404)
            if cursor is None:
                fulfillments.extend(found.get("fulfillments") or [])
            return found["fulfillmentOrders"]

        fulfillment_orders = [
            {
                **fo,
                "lineItems": {
                    "nodes": self._all_nodes(
                        fo["lineItems"],
                        self._more_lines(
                            MORE_FULFILLMENT_ORDER_LINES_QUERY,
                            FULFILLMENT_ORDER_LINES_PER_PAGE,
                            "fulfillmentOrder",
                            fo["id"],
                            "fulfillment_order_lines",
                        ),
                    )
                },
            }
            for fo in self._all_nodes(page(None), page)
        ]
        return {"fulfillmentOrders": {"nodes": fulfillment_orders}, "fulfillments": fulfillments}

    def create_fulfillment(self, fulfillment: dict) -> dict:
        result = self.graphql(FULFILLMENT_CREATE, {"fulfillment": fulfillment}, "fulfillment_create")
        return self._mutation_payload(result, "fulfillmentCreate").get("fulfillment") or {}

    def _mutation_payload(self, result: dict, mutation: str) -> dict:
        """The mutation's payload; its `userErrors` (Shopify answers them with HTTP 200) raised as a refusal
        naming each field."""
        payload = result.get(mutation) or {}
        errors = payload.get("userErrors") or []
        if errors:
            raise StoreRejected(
                f"{self.store.id}: {mutation}: "
                + "; ".join(f"{'.'.join(e.get('field') or [])}: {e.get('message')}" for e in errors),
                422,
            )
        return payload

    # -- stock ---------------------------------------------------------------------------------------
    def stock_items(self, skus: list[str]) -> dict[str, list[tuple[str, str]]]:
        """(inventory item, location) of each variant with one of these SKUs: the location of its first
        inventory level, where the shop stocks it. A SKU with a double quote or backslash cannot be
        written in the search syntax and is left out."""
        wanted = [sku for sku in skus if '"' not in sku and "\\" not in sku]
        if not wanted:
            return {}
        search = " OR ".join(f'sku:"{sku}"' for sku in wanted)

        def page(cursor: str | None) -> dict:
            first = self.page_size(STOCK_ITEMS_QUERY, VARIANTS_PER_PAGE)
            data = self.graphql(
                STOCK_ITEMS_QUERY, {"first": first, "after": cursor, "query": search}, "stock_items"
            )
            return data["productVariants"]

        found: dict[str, list[tuple[str, str]]] = {}
        for variant in self._all_nodes(page(None), page):
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
            "quantities": [
                {"inventoryItemId": item, "locationId": location, "quantity": quantity}
                | ({"changeFromQuantity": None} if change_from else {})
                for item, location, quantity in quantities
            ],
        }
        if not change_from:
            payload["ignoreCompareQuantity"] = True
        result = self.graphql(SET_STOCK, {"input": payload}, "set_stock")
        self._mutation_payload(result, "inventorySetQuantities")
