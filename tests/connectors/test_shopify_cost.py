"""Shopify's documented query cost (platforms/shopify/cost.py), the Shopify double that charges it
(its 1,000-point cap, its leaky bucket per plan), and every query channel-sync sends priced under the cap.

The cost examples are the ones Shopify publishes with the figure it states: the rate-limits page's
cost table and its connection example, the requested cost of Shopify's own cost-debug answer, and its
engineering post's worked examples; two more were measured against a live Shopify by another connector
(Microsoft's Business Central app lists the requested cost of each of its queries)."""

from __future__ import annotations

import time

import httpx
import pytest
from conftest import store_config
from doubles import ShopifyDouble, shopify_order
from graphql import build_schema

from shop_connectors.doubles import PLANS
from shop_connectors.errors import StoreRejected, StoreUnavailable
from shop_connectors.platforms.shopify import adapter as adapter_module
from shop_connectors.platforms.shopify.adapter import COST_BUDGET, ShopifyAdapter
from shop_connectors.platforms.shopify.cost import MAX_QUERY_COST, QueryCostError, actual_cost, requested_cost

# The fields of Shopify's Admin API schema the documented examples touch (shop, products, customers,
# orders, productVariants, node), plus a union to price "maximum of possible selections" on.
EXAMPLES_SCHEMA = build_schema("""
type QueryRoot {
  shop: Shop!
  products(first: Int, last: Int, after: String): ProductConnection!
  customers(first: Int, last: Int): CustomerConnection!
  orders(first: Int, last: Int, query: String): OrderConnection!
  productVariants(first: Int, query: String): ProductVariantConnection!
  node(id: ID!): Node
  search(term: String!): SearchResult
}
type Mutation {
  orderClose(input: OrderCloseInput!): OrderClosePayload
  customerCreate(name: String): Customer
}
schema { query: QueryRoot mutation: Mutation }
input OrderCloseInput { id: ID! }
type OrderClosePayload { order: Order userErrors: [UserError!]! }
type UserError { field: [String!] message: String! }
interface Node { id: ID! }
union SearchResult = Product | Customer
enum ShopCustomerAccountsSetting { DISABLED OPTIONAL REQUIRED }
enum OrderDisplayFulfillmentStatus { FULFILLED UNFULFILLED }
type Shop { id: ID! name: String! timezoneOffsetMinutes: Int! customerAccounts: ShopCustomerAccountsSetting! }
type PageInfo { hasNextPage: Boolean! endCursor: String }
type Product implements Node { id: ID! legacyResourceId: String! title: String!
  featuredImage: Image variants(first: Int): ProductVariantConnection! }
type Image { url: String! }
type ProductVariant implements Node { id: ID! legacyResourceId: String! product: Product! }
type Customer implements Node { id: ID! phone: String }
type Order implements Node { id: ID! legacyResourceId: String! name: String! closed: Boolean!
  displayFulfillmentStatus: OrderDisplayFulfillmentStatus! }
type ProductConnection { edges: [ProductEdge!]! nodes: [Product!]! pageInfo: PageInfo! }
type ProductEdge { cursor: String! node: Product! }
type ProductVariantConnection { edges: [ProductVariantEdge!]! nodes: [ProductVariant!]! pageInfo: PageInfo! }
type ProductVariantEdge { cursor: String! node: ProductVariant! }
type CustomerConnection { edges: [CustomerEdge!]! nodes: [Customer!]! pageInfo: PageInfo! }
type CustomerEdge { cursor: String! node: Customer! }
type OrderConnection { edges: [OrderEdge!]! nodes: [Order!]! pageInfo: PageInfo! }
type OrderEdge { cursor: String! node: Order! }
""")

DOCUMENTED = [
    # The rate-limits page's table: scalars and enums cost 0, an object 1 — Shopify's worked example:
    # `shop` is an object, its four fields scalars and an enum.
    ("{ shop { id name timezoneOffsetMinutes customerAccounts } }", 1),
    # The page's connection example: 2 for the connection, plus `first` times one node.
    ("query { products(first: 1) { edges { node { title } } } }", 3),
    # Shopify's cost-debug answer for this query: requestedTotalCost 12 on `customers`.
    ("{ customers(first: 10) { nodes { phone } } }", 12),
    # The engineering post: a connection costs two points plus the objects it asks for.
    (
        '{ orders(first: 5, query: "fulfillment_status:shipped") '
        "{ edges { node { name displayFulfillmentStatus } } } }",
        7,
    ),
    # The table: a mutation costs 10 — and Shopify's requested cost of orderClose, as measured, is 10.
    (
        'mutation { orderClose(input: { id: "gid://shopify/Order/1" }) { order { legacyResourceId closed } '
        "userErrors { field message } } }",
        10,
    ),
    # Measured: a variant by SKU with its product, 2 + 1 × (variant 1 + product 1).
    (
        '{ productVariants(query: "sku:X", first: 1) '
        "{ edges { node { legacyResourceId product { legacyResourceId } } } } }",
        4,
    ),
]


@pytest.mark.parametrize(("query", "cost"), DOCUMENTED)
def test_the_cost_model_gives_shopifys_documented_costs(query, cost):
    assert requested_cost(query, schema=EXAMPLES_SCHEMA) == cost


def test_nested_connections_multiply_and_interfaces_cost_their_dearest_type():
    nested = "{ products(first: 10) { nodes { title variants(first: 5) { nodes { id } } } } }"
    assert requested_cost(nested, schema=EXAMPLES_SCHEMA) == 2 + 10 * (1 + 2 + 5 * 1)
    # `last` sizes a connection as `first` does; a variable sizes it as its value does.
    assert (
        requested_cost(
            "query P($n: Int!) { products(last: $n) { nodes { featuredImage { url } } } }",
            {"n": 4},
            schema=EXAMPLES_SCHEMA,
        )
        == 2 + 4 * 2
    )
    interface = """{ node(id: "gid://shopify/Product/1") {
      ... on Product { featuredImage { url } variants(first: 3) { nodes { id } } }
      ... on Customer { phone } } }"""
    assert requested_cost(interface, schema=EXAMPLES_SCHEMA) == 1 + 1 + (2 + 3 * 1)  # the Product side
    union = '{ search(term: "x") { ... on Customer { phone } ... on Product { featuredImage { url } } } }'
    assert requested_cost(union, schema=EXAMPLES_SCHEMA) == 1 + 1
    fragment = "{ products(first: 2) { nodes { ...P } } } fragment P on Product { featuredImage { url } }"
    assert requested_cost(fragment, schema=EXAMPLES_SCHEMA) == 2 + 2 * 2
    skipped = "query($no: Boolean!) { shop @skip(if: $no) { name } products(first: 1) { nodes { id } } }"
    assert requested_cost(skipped, {"no": True}, schema=EXAMPLES_SCHEMA) == 3
    assert (
        requested_cost(
            'mutation { a: customerCreate(name: "A") { id } b: customerCreate { id } }',
            schema=EXAMPLES_SCHEMA,
        )
        == 20
    )


def test_actual_cost_counts_what_came_back():
    query = "{ customers(first: 10) { nodes { phone } } }"
    three = {"customers": {"nodes": [{"phone": None}] * 3}}
    assert actual_cost(query, three, schema=EXAMPLES_SCHEMA) == 2 + 3
    absent = '{ node(id: "gid://shopify/Product/404") { id } }'
    assert requested_cost(absent, schema=EXAMPLES_SCHEMA) == 1
    assert actual_cost(absent, {"node": None}, schema=EXAMPLES_SCHEMA) == 0


def test_a_connection_without_first_or_last_cannot_be_priced():
    with pytest.raises(QueryCostError, match="you must provide one of first or last"):
        requested_cost("{ customers { nodes { phone } } }", schema=EXAMPLES_SCHEMA)


# -- the double ----------------------------------------------------------------------------------------
def post(shop: ShopifyDouble, query: str, variables: dict | None = None, version: str = "2025-10") -> dict:
    return httpx.post(
        f"{shop.url}/admin/api/{version}/graphql.json",
        headers={"X-Shopify-Access-Token": "shpat_test"},
        json={"query": query, "variables": variables or {}},
    ).json()


def test_the_double_refuses_a_query_over_1000_points_whole_as_shopify_does(shop):
    """The orders query channel-sync sent before (25 orders of 20 lines each): 4,578 points."""
    old = adapter_module.ORDERS_QUERY.replace(
        f"lineItems(first: {adapter_module.LINES_PER_ORDER})", "lineItems(first: 20)"
    )
    shop.add_order(shopify_order(1, updated="2026-12-06T10:00:00Z"))
    answer = post(shop, old, {"first": 25, "query": ""})
    assert answer == {
        "errors": [
            {
                "message": "Query cost is 4578, which exceeds the single query max cost limit (1000).\n\n"
                "See https://shopify.dev/concepts/about-apis/rate-limits for more information on how the\n"
                "cost of a query is calculated.\n\n"
                "To query larger amounts of data with fewer limits, bulk operations should be used "
                "instead.\nSee https://shopify.dev/api/usage/bulk-operations/queries for usage details.\n",
                "extensions": {
                    "code": "MAX_COST_EXCEEDED",
                    "cost": 4578,
                    "maxCost": 1000,
                    "documentation": "https://shopify.dev/api/usage/limits#rate-limits",
                },
            }
        ]
    }
    assert shop.available == shop.maximum and shop.over_cap == [("ChangedOrders", 4578)]  # nothing charged
    invalid = post(shop, "{ orders(first: 1) { nodes { total } } }")
    assert "data" not in invalid
    assert "Cannot query field 'total' on type 'Order'" in invalid["errors"][0]["message"]


def test_the_bucket_takes_the_requested_cost_refunds_to_the_actual_and_restores_per_plan(shop):
    assert (shop.maximum, shop.restore_rate) == PLANS["standard"] == (2000.0, 100.0)
    shop.add_order(shopify_order(1, updated="2026-12-06T10:00:00Z"))
    query = adapter_module.ORDERS_QUERY
    first = post(shop, query, {"first": 7, "query": ""})
    cost = first["extensions"]["cost"]
    assert cost["requestedQueryCost"] == requested_cost(query, {"first": 7}) == 3 + 7 * 113
    # What came back: the orders connection 2 + pageInfo 1, and one order: itself 1, two money bags 4,
    # customer 1, two addresses 2, shipping lines 2 + one line 6, line items 2 + pageInfo 1 + one line 4.
    assert cost["actualQueryCost"] == 26
    assert cost["throttleStatus"]["currentlyAvailable"] == 2000 - 26
    # Dry, and 2.5 seconds since: the Standard plan has restored 250 points, less than a page asks.
    with shop.lock:
        stopped = time.monotonic()
        shop.clock = lambda: stopped
        shop.available, shop.last_refill = 0.0, stopped - 2.5
    throttled = post(shop, query, {"first": 7, "query": ""})
    assert throttled["errors"] == [
        {
            "message": "Throttled",
            "extensions": {"code": "THROTTLED", "documentation": "https://shopify.dev/api/usage/rate-limits"},
        }
    ]
    status = throttled["extensions"]["cost"]
    assert status["requestedQueryCost"] == 794 and status["actualQueryCost"] is None
    assert status["throttleStatus"]["currentlyAvailable"] == 250
    small = post(shop, query, {"first": 2, "query": ""})  # 229 points: the bucket can pay that
    assert small["extensions"]["cost"]["actualQueryCost"] == 26 and "errors" not in small
    assert small["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"] == 250 - 26
    plus = ShopifyDouble(plan="plus")
    try:
        assert (plus.maximum, plus.restore_rate) == (20000.0, 1000.0)
    finally:
        plus.close()


# -- every query channel-sync sends -----------------------------------------------------------------------
def test_every_query_channel_sync_sends_is_priced_under_the_cap_with_margin():
    pages = {
        adapter_module.ORDERS_QUERY: adapter_module.ORDERS_PER_PAGE,
        adapter_module.MORE_LINES_QUERY: adapter_module.LINES_PER_PAGE,
        adapter_module.FULFILLMENT_ORDERS_QUERY: adapter_module.FULFILLMENT_ORDERS_PER_PAGE,
        adapter_module.MORE_FULFILLMENT_ORDER_LINES_QUERY: adapter_module.FULFILLMENT_ORDER_LINES_PER_PAGE,
        adapter_module.STOCK_ITEMS_QUERY: adapter_module.VARIANTS_PER_PAGE,
    }
    variables = {"id": "gid://shopify/Order/1", "query": ""}
    for query, first in pages.items():
        assert requested_cost(query, variables | {"first": first}) <= COST_BUDGET < MAX_QUERY_COST, query
        assert first == 250 or requested_cost(query, variables | {"first": first + 1}) > COST_BUDGET, query
    assert requested_cost(adapter_module.ORDER_QUERY, variables) <= COST_BUDGET
    fulfillment = {"fulfillment": {"lineItemsByFulfillmentOrder": []}}
    assert requested_cost(adapter_module.FULFILLMENT_CREATE, fulfillment) == 10
    stock = {"input": {"name": "available", "reason": "correction", "quantities": []}}
    assert requested_cost(adapter_module.SET_STOCK, stock) == 10
    assert COST_BUDGET == 800


def store(shop: ShopifyDouble):
    return store_config("shopify", shop.url)


def test_pages_fit_the_bucket_and_big_orders_are_read_page_by_page():
    shop = ShopifyDouble(bucket=400.0, restore_rate=1000.0)  # less than a full orders page asks (794)
    assert adapter_module.largest_page(adapter_module.ORDERS_QUERY, 400.0) == 3
    try:
        many = tuple((f"SKU{i}", 1, "1.00") for i in range(130))
        shop.add_order(shopify_order(1, updated="2026-12-06T10:00:00Z", lines=many))
        for legacy in range(2, 13):
            shop.add_order(shopify_order(legacy, updated=f"2026-12-06T10:{legacy:02d}:00Z"))
        adapter = ShopifyAdapter(store(shop))
        adapter.bucket = (400.0, 400.0, 1000.0, time.monotonic())  # as a first answer would have said
        orders, cursor = [], None
        while True:
            page, cursor = adapter.changed_orders("2026-12-06T09:00:00Z", "2026-12-06T11:00:00Z", cursor)
            orders += page
            if cursor is None:
                break
        assert [o["legacyResourceId"] for o in orders] == [str(i) for i in range(1, 13)]
        assert [line["sku"] for line in orders[0]["lineItems"]["nodes"]] == [f"SKU{i}" for i in range(130)]
        assert shop.throttled == 0 and shop.over_cap == []
        asked = [requested for name, requested, _ in shop.priced]
        assert max(asked) <= 400 and asked[0] == 3 + 3 * 113
        assert {name for name, _, _ in shop.priced} == {"ChangedOrders", "MoreLines"}
        # 130 lines: 10 with the order, then pages of as many as the bucket holds (56).
        assert sum(1 for name, _, _ in shop.priced if name == "MoreLines") == 3
        state = adapter.fulfillment_state("1")
        (fulfillment_order,) = state["fulfillmentOrders"]["nodes"]
        assert len(fulfillment_order["lineItems"]["nodes"]) == 130 and state["fulfillments"] == []
        assert "MoreFulfillmentOrderLines" in {name for name, _, _ in shop.priced}
    finally:
        shop.close()


def test_a_throttled_query_waits_the_refill_time_and_at_least_a_second(shop):
    shop.add_order(shopify_order(1, updated="2026-12-06T10:00:00Z"))
    stopped = time.monotonic()
    with shop.lock:
        shop.clock = lambda: stopped
        shop.available, shop.last_refill = 0.0, stopped
    adapter = ShopifyAdapter(store(shop), clock=lambda: stopped)
    with pytest.raises(StoreUnavailable, match="THROTTLED") as throttled:
        adapter.changed_orders("2026-12-06T09:00:00Z", "2026-12-06T11:00:00Z", None)
    # (requested − available) / restore rate: 794 points at 100 a second.
    requested = requested_cost(adapter_module.ORDERS_QUERY, {"first": adapter_module.ORDERS_PER_PAGE})
    assert throttled.value.retry_after_s == requested / 100 == 7.94
    # The next try first waits until the bucket can pay for its page, a full one: the bucket holds 2,000.
    assert adapter.page_size(adapter_module.ORDERS_QUERY, adapter_module.ORDERS_PER_PAGE) == 7
    waits: list[float] = []
    adapter.sleep = waits.append
    with shop.lock:
        shop.available = 2000.0
    adapter.changed_orders("2026-12-06T09:00:00Z", "2026-12-06T11:00:00Z", None)
    assert waits == [7.94] and shop.priced[-1][:2] == ("ChangedOrders", 794)
    with shop.lock:
        shop.available = 0.0
    adapter.bucket = (2000.0, 1.0, 100.0, stopped)  # a second THROTTLED is retried after one second at least
    with pytest.raises(StoreUnavailable) as again:
        adapter.graphql(
            adapter_module.SET_STOCK,
            {"input": {"name": "available", "reason": "x", "quantities": []}},
            "set_stock",
        )
    assert again.value.retry_after_s == 1.0


def test_stock_look_ups_page_through_many_variants(shop):
    skus = [f"V{n}" for n in range(adapter_module.VARIANTS_PER_PAGE + 20)]
    for number, sku in enumerate(skus, start=1):
        shop.add_variant(number, sku)
    found = ShopifyAdapter(store(shop)).stock_items(skus)
    assert sorted(found) == sorted(skus) and [name for name, _, _ in shop.priced] == ["StockItems"] * 2


def test_a_query_over_the_cap_is_never_sent(shop):
    adapter = ShopifyAdapter(store(shop))
    with pytest.raises(StoreRejected, match="over Shopify's cap of 1000 points"):
        adapter.graphql(adapter_module.ORDERS_QUERY, {"first": 9, "query": ""}, "orders")
    assert shop.priced == [] and shop.over_cap == []
