"""A local Shopify (GraphQL Admin API) on 127.0.0.1, and `shopify_order`, an order as the API returns it.

Every query is parsed and validated against the Admin API schema in platforms/shopify/admin.graphql and
run by graphql-core (answers carry exactly the fields asked for; keyset cursors and `pageInfo`), priced by
Shopify's documented cost rules (platforms/shopify/cost.py): refused whole over 1,000 points
(`MAX_COST_EXCEEDED`), `THROTTLED` when the plan's leaky bucket cannot pay the requested cost, charged the
actual cost (`extensions.cost`); `fulfillmentOrders` and `fulfillmentCreate` recording exactly what it
received, `userErrors`, input fields per API version; webhooks signed by the platform's own
`WebhookSignature`.
"""

from __future__ import annotations

import base64
import copy
import datetime as dt
import json
import re
import time
from urllib.parse import urlsplit

from graphql import GraphQLError, NamedTypeNode, execute_sync, validate
from graphql.utilities import get_operation_ast

from ..platforms.shopify.cost import (
    MAX_QUERY_COST,
    QueryCostError,
    actual_cost,
    admin_schema,
    is_connection,
    parsed,
    requested_cost,
)
from ..platforms.shopify.webhook import SIGNATURE as SHOPIFY_SIGNATURE
from ._common import DoubleServer


class _GraphQLError(Exception):
    """A request Shopify refuses before running it: top-level `errors`, no `data`."""

    def __init__(self, message: str, code: str | None = None, **extensions):
        super().__init__(message)
        self.body = {"message": message} | ({"extensions": {"code": code, **extensions}} if code else {})


# Restore rates per plan: Shopify's GraphQL Admin API rate limits page. The page gives no bucket size; a
# Standard shop answers `maximumAvailable: 2000.0` with `restoreRate: 100.0` (twenty seconds of restore),
# and the other plans are taken to keep the same twenty seconds.
PLANS = {
    "standard": (2000.0, 100.0),
    "advanced": (4000.0, 200.0),
    "plus": (20000.0, 1000.0),
    "enterprise": (40000.0, 2000.0),
}
MAX_COST_MESSAGE = (
    "Query cost is {cost}, which exceeds the single query max cost limit (1000).\n\n"
    "See https://shopify.dev/concepts/about-apis/rate-limits for more information on how the\n"
    "cost of a query is calculated.\n\n"
    "To query larger amounts of data with fewer limits, bulk operations should be used instead.\n"
    "See https://shopify.dev/api/usage/bulk-operations/queries for usage details.\n"
)
# Input fields that exist only in some API versions: (input type, field) -> whether a version has it.
VERSIONED_INPUT_FIELDS = {
    ("InventorySetQuantitiesInput", "ignoreCompareQuantity"): lambda version: version < "2026-04",
    ("InventoryQuantityInput", "changeFromQuantity"): lambda version: version >= "2026-01",
}
ORDER_SORT_FIELDS = {"UPDATED_AT": "updatedAt", "CREATED_AT": "createdAt", "PROCESSED_AT": "createdAt"}
COMPARE = {
    "": lambda a, b: a == b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


def _cursor(key: tuple) -> str:
    """Shopify's cursors are the base64 of a JSON with the last node's sort value and id."""
    return base64.b64encode(json.dumps({"last_id": key[1], "last_value": key[0]}).encode()).decode()


def _cursor_key(cursor: str) -> tuple:
    try:
        decoded = json.loads(base64.b64decode(cursor))
        return decoded["last_value"], decoded["last_id"]
    except (ValueError, KeyError, TypeError):
        raise _GraphQLError(f"Invalid cursor provided: {cursor}") from None


def _page(items: list, arguments: dict, key) -> dict:
    """A page of a connection over `items`, ordered by `key(item)` = (sort value, id) and paged by keyset
    as Shopify does: a node changed between two pages neither repeats nor pushes another one out."""
    backwards = bool(arguments.get("reverse"))
    ordered = sorted(items, key=key, reverse=backwards)
    if arguments.get("after"):
        mark = _cursor_key(arguments["after"])
        ordered = [i for i in ordered if (key(i) < mark if backwards else key(i) > mark)]
    if arguments.get("before"):
        mark = _cursor_key(arguments["before"])
        ordered = [i for i in ordered if (key(i) > mark if backwards else key(i) < mark)]
    first, last = arguments.get("first"), arguments.get("last")
    start = 0 if last is None or first is not None else max(0, len(ordered) - last)
    chunk = ordered[start:] if first is None else ordered[:first]
    if last is not None and first is not None:
        chunk = chunk[max(0, len(chunk) - last) :]
    edges = [{"cursor": _cursor(key(node)), "node": node} for node in chunk]
    return {
        "edges": edges,
        "nodes": chunk,
        "pageInfo": {
            "hasNextPage": bool(chunk) and key(chunk[-1]) != key(ordered[-1]),
            "hasPreviousPage": bool(chunk) and key(chunk[0]) != key(ordered[0]),
            "startCursor": edges[0]["cursor"] if edges else None,
            "endCursor": edges[-1]["cursor"] if edges else None,
        },
    }


def _page_in_place(nodes: list, arguments: dict) -> dict:
    """A nested connection (an order's lines, a fulfillment order's lines): keyed by position."""
    page = _page(list(enumerate(nodes)), arguments, key=lambda pair: (pair[0], pair[0]))
    return page | {
        "nodes": [node for _, node in page["nodes"]],
        "edges": [{"cursor": e["cursor"], "node": e["node"][1]} for e in page["edges"]],
    }


def _resolve(source, info, **arguments):
    """graphql-core's field resolver over the double's data: a callable is a root field, a stored
    connection (`{"nodes": [...]}`) is paged here, a plain list is truncated by its `first`."""
    value = source.get(info.field_name) if isinstance(source, dict) else None
    if callable(value):
        return value(info, **arguments)
    if isinstance(value, dict) and is_connection(info.return_type):
        return _page_in_place(value.get("nodes") or [], arguments)
    if isinstance(value, list) and arguments.get("first") is not None:
        return value[: arguments["first"]]
    return value


def _search_terms(search: str) -> list[tuple[str, str, str]]:
    """Shopify's search syntax as channel-sync writes it: `field:<op>value` terms joined by AND (or OR
    for `sku:` look-ups); a value may be quoted."""
    terms = []
    for part in re.split(r"\s+(?:AND|OR)\s+", search.strip()) if search.strip() else []:
        match = re.fullmatch(r"(\w+):(<=|>=|<|>)?(?:'([^']*)'|\"([^\"]*)\"|(\S+))", part)
        if not match:
            raise _GraphQLError(f"The Shopify double cannot read the search term {part!r}")
        value = next(v for v in match.group(3, 4, 5) if v is not None)
        terms.append((match.group(1), match.group(2) or "", value))
    return terms


def _moment(text: str) -> dt.datetime:
    """A search value or a stored time as Shopify compares them: to the second, in UTC."""
    moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    moment = moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).replace(microsecond=0)


class ShopifyDouble(DoubleServer):
    """Shopify's GraphQL Admin API for the operations channel-sync sends, executed by graphql-core over
    the schema in platforms/shopify/admin.graphql: a query is parsed and validated against it, priced by
    Shopify's documented cost rules (platforms/shopify/cost.py), refused whole over 1,000 points
    (`MAX_COST_EXCEEDED`) or when the plan's leaky bucket cannot pay its requested cost (`THROTTLED`),
    then run, and charged what it returned. Answers carry exactly the fields asked for, and
    `extensions.cost`."""

    def __init__(
        self, access_token="shpat_test", plan="standard", bucket=None, restore_rate=None, clock=time.monotonic
    ):
        self.access_token = access_token
        self.clock = clock  # the bucket's time: a test may stop it
        plan_bucket, plan_rate = PLANS[plan]
        self.maximum = float(bucket if bucket is not None else plan_bucket)
        self.restore_rate = float(restore_rate if restore_rate is not None else plan_rate)
        self.available = self.maximum
        self.last_refill = clock()
        self.schema = admin_schema()
        self.orders: dict[str, dict] = {}  # legacy id -> GraphQL Order (all line items)
        self.fulfillment_orders: dict[str, list[dict]] = {}
        self.fulfillments: dict[str, list[dict]] = {}
        self.received_fulfillments: list[dict] = []
        self.version = ""
        self.variants: dict[str, dict] = {}  # sku -> {"id", "item", "location"}
        self.inventory: dict[tuple[str, str], int] = {}  # (inventory item, location) -> available
        self.stock_inputs: list[dict] = []  # the input of every inventorySetQuantities received
        self.priced: list[tuple[str, int, int]] = []  # (operation, requested, actual) of every query run
        self.over_cap: list[tuple[str, int]] = []  # (operation, requested) of every MAX_COST_EXCEEDED
        self.throttled = 0
        self.down = False
        self.root = {
            "order": self._order,
            "orders": self._orders,
            "fulfillmentOrder": self._fulfillment_order,
            "productVariants": self._product_variants,
            "fulfillmentCreate": self._fulfillment_create,
            "inventorySetQuantities": self._inventory_set_quantities,
        }
        super().__init__()

    def add_order(self, order: dict) -> None:
        with self.lock:
            legacy = order["legacyResourceId"]
            self.orders[legacy] = copy.deepcopy(order)
            self.fulfillment_orders[legacy] = [
                {
                    "id": f"gid://shopify/FulfillmentOrder/{legacy}1",
                    "status": "OPEN",
                    "lineItems": {
                        "nodes": [
                            {
                                "id": "gid://shopify/FulfillmentOrderLineItem/" + line["id"].split("/")[-1],
                                "remainingQuantity": line["quantity"],
                                "totalQuantity": line["quantity"],
                                "sku": line["sku"],
                                "lineItem": {"id": line["id"], "sku": line["sku"]},
                            }
                            for line in order["lineItems"]["nodes"]
                        ]
                    },
                }
            ]
            self.fulfillments.setdefault(legacy, [])

    def webhook(self, legacy_id: str, secret: str) -> tuple[bytes, dict]:
        """The body and headers Shopify sends for `orders/updated` (REST shape: the sync fetches the order
        itself); the event id is the same on every delivery of it."""
        with self.lock:
            order = self.orders[legacy_id]
            body = json.dumps(
                {
                    "id": int(legacy_id),
                    "admin_graphql_api_id": order["id"],
                    "name": order["name"],
                    "updated_at": order["updatedAt"],
                    "created_at": order["createdAt"],
                    "email": order["email"],
                    "currency": order["totalPriceSet"]["shopMoney"]["currencyCode"],
                    "financial_status": order["displayFinancialStatus"].lower(),
                    "total_price": order["totalPriceSet"]["shopMoney"]["amount"],
                }
            ).encode()
        return body, {
            "Content-Type": "application/json",
            "X-Shopify-Topic": "orders/updated",
            **SHOPIFY_SIGNATURE.headers(secret, body),
            "X-Shopify-Event-Id": f"evt-{legacy_id}-{order['updatedAt']}",
            "X-Shopify-Shop-Domain": "double.myshopify.com",
        }

    def add_variant(self, number: int, sku: str, available: int = 0, location: int = 1) -> None:
        with self.lock:
            variant = {
                "id": f"gid://shopify/ProductVariant/{number}",
                "item": f"gid://shopify/InventoryItem/{number}",
                "location": f"gid://shopify/Location/{location}",
            }
            self.variants[sku] = variant
            self.inventory[(variant["item"], variant["location"])] = available

    # -- the endpoint --------------------------------------------------------------------------------
    def handle(self, method, path, headers, body):
        if self.down:
            return 503, {}, {"errors": "Service Unavailable"}
        if not re.fullmatch(r"/admin/api/\d{4}-\d\d/graphql\.json", urlsplit(path).path) or method != "POST":
            return 404, {}, {"errors": "Not Found"}
        if headers.get("X-Shopify-Access-Token") != self.access_token:
            return (
                401,
                {},
                {"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"},
            )
        version = urlsplit(path).path.split("/")[3]
        request = json.loads(body)
        query, variables = request.get("query") or "", request.get("variables") or {}
        operation_name = request.get("operationName")
        try:
            document = parsed(query)
            errors = validate(self.schema, document)
            if errors:
                return 200, {}, {"errors": [error.formatted for error in errors]}
            requested = requested_cost(document, variables, self.schema, operation_name)
            operation = get_operation_ast(document, operation_name)
            self._refuse_other_versions_fields(operation, variables, version)
        except GraphQLError as exc:
            return 200, {}, {"errors": [exc.formatted]}
        except (_GraphQLError, QueryCostError) as exc:
            return 200, {}, {"errors": [getattr(exc, "body", {"message": str(exc)})]}
        name = operation.name.value if operation.name else operation.operation.value
        if requested > MAX_QUERY_COST:
            with self.lock:
                self.over_cap.append((name, requested))
            return (
                200,
                {},
                {
                    "errors": [
                        {
                            "message": MAX_COST_MESSAGE.format(cost=requested),
                            "extensions": {
                                "code": "MAX_COST_EXCEEDED",
                                "cost": requested,
                                "maxCost": MAX_QUERY_COST,
                                "documentation": "https://shopify.dev/api/usage/limits#rate-limits",
                            },
                        }
                    ]
                },
            )
        with self.lock:
            self.version = version
            moment = self.clock()
            self.available = min(
                self.maximum, self.available + (moment - self.last_refill) * self.restore_rate
            )
            self.last_refill = moment
            if requested > self.available:
                self.throttled += 1
                return (
                    200,
                    {},
                    {
                        "errors": [
                            {
                                "message": "Throttled",
                                "extensions": {
                                    "code": "THROTTLED",
                                    "documentation": "https://shopify.dev/api/usage/rate-limits",
                                },
                            }
                        ],
                        "extensions": {"cost": self._cost_block(requested, None)},
                    },
                )
            # The requested cost is taken before the query runs; the difference to what it returned is
            # given back after.
            self.available -= requested
            result = execute_sync(
                self.schema,
                document,
                root_value=self.root,
                variable_values=variables,
                operation_name=operation_name,
                field_resolver=_resolve,
                context_value={"variables": variables},
            )
            actual = min(
                requested, actual_cost(document, result.data, variables, self.schema, operation_name)
            )
            self.available += requested - actual
            self.priced.append((name, requested, actual))
            answer: dict = {"data": result.data}
            if result.errors:
                answer["errors"] = [error.formatted for error in result.errors]
            answer["extensions"] = {"cost": self._cost_block(requested, actual)}
            return 200, {}, answer

    def _cost_block(self, requested: int, actual: int | None) -> dict:
        return {
            "requestedQueryCost": requested,
            "actualQueryCost": actual,
            "throttleStatus": {
                "maximumAvailable": self.maximum,
                "currentlyAvailable": int(self.available),
                "restoreRate": self.restore_rate,
            },
        }

    def _refuse_other_versions_fields(self, operation, variables: dict, version: str) -> None:
        """An input field the request's API version does not have is refused as Shopify refuses an
        unknown field in a variable (the schema file holds the fields of every version)."""
        for definition in operation.variable_definitions or ():
            name, value = definition.variable.name.value, variables.get(definition.variable.name.value)
            if _named(definition.type) != "InventorySetQuantitiesInput" or not isinstance(value, dict):
                continue
            sent = {("InventorySetQuantitiesInput", field) for field in value} | {
                ("InventoryQuantityInput", field)
                for quantity in value.get("quantities") or []
                if isinstance(quantity, dict)
                for field in quantity
            }
            for (input_type, field), known in VERSIONED_INPUT_FIELDS.items():
                if (input_type, field) in sent and not known(version):
                    raise _GraphQLError(
                        f"Variable ${name} of type InventorySetQuantitiesInput! was provided invalid value "
                        f"({field}: Field is not defined on the input type)",
                        "INVALID_VARIABLE",
                    )

    # -- root fields ---------------------------------------------------------------------------------
    def _order_view(self, legacy: str) -> dict | None:
        order = self.orders.get(legacy)
        if order is None:
            return None
        return order | {
            "fulfillmentOrders": {"nodes": self.fulfillment_orders.get(legacy, [])},
            "fulfillments": self.fulfillments.get(legacy, []),
        }

    def _order(self, info, id):
        return self._order_view(id.rsplit("/", 1)[-1])

    def _orders(self, info, sortKey="PROCESSED_AT", query=None, **page):
        terms = _search_terms(query or "")
        unknown = [field for field, _, _ in terms if field not in ("updated_at", "created_at")]
        if unknown:
            raise _GraphQLError(f"The Shopify double does not search orders by {unknown[0]}")
        fields = {"updated_at": "updatedAt", "created_at": "createdAt"}
        chosen = [
            o
            for o in self.orders.values()
            if all(COMPARE[op](_moment(o[fields[field]]), _moment(value)) for field, op, value in terms)
        ]
        sort_field = ORDER_SORT_FIELDS.get(sortKey)

        def key(order):
            legacy = int(order["legacyResourceId"])
            return (order[sort_field] if sort_field else legacy, legacy)

        connection = _page(chosen, page, key)
        views = {id(o): self._order_view(o["legacyResourceId"]) for o in connection["nodes"]}
        return connection | {
            "nodes": [views[id(o)] for o in connection["nodes"]],
            "edges": [e | {"node": views[id(e["node"])]} for e in connection["edges"]],
        }

    def _fulfillment_order(self, info, id):
        return next((fo for fos in self.fulfillment_orders.values() for fo in fos if fo["id"] == id), None)

    def _product_variants(self, info, query=None, sortKey="ID", **page):
        terms = _search_terms(query or "")
        if any(field != "sku" or op for field, op, _ in terms):
            raise _GraphQLError('The Shopify double looks variants up by sku:"…" only')
        wanted = {value for _, _, value in terms}
        nodes = [
            {
                "id": v["id"],
                "sku": sku,
                "inventoryItem": {
                    "id": v["item"],
                    "inventoryLevels": {
                        "nodes": [
                            {"id": f"{v['item']}?location={v['location']}", "location": {"id": v["location"]}}
                        ]
                    },
                },
            }
            for sku, v in self.variants.items()
            if sku in wanted
        ]
        return _page(nodes, page, key=lambda v: (int(v["id"].rsplit("/", 1)[-1]),) * 2)

    # -- mutations -----------------------------------------------------------------------------------
    def _inventory_set_quantities(self, info, input):
        # What was sent, before the schema's defaults fill the input in.
        data = info.context["variables"].get("input", input)
        self.stock_inputs.append(copy.deepcopy(data))
        errors = []
        if data.get("name") not in ("available", "on_hand"):
            errors.append(
                {
                    "field": ["input", "name"],
                    "message": "The quantity name must be either 'available' or 'on_hand'.",
                    "code": "INVALID_NAME",
                }
            )
        if not data.get("reason"):
            errors.append(
                {"field": ["input", "reason"], "message": "The reason is invalid.", "code": "INVALID_REASON"}
            )
        for index, quantity in enumerate(data.get("quantities") or []):
            place = (quantity.get("inventoryItemId"), quantity.get("locationId"))
            if self.version >= "2026-04" and "changeFromQuantity" not in quantity:
                errors.append(
                    {
                        "field": ["input", "quantities", str(index), "changeFromQuantity"],
                        "message": "changeFromQuantity must be given (null opts out of the check).",
                        "code": "CHANGE_FROM_QUANTITY_REQUIRED",
                    }
                )
            elif (
                not data.get("ignoreCompareQuantity")
                and "compareQuantity" not in quantity
                and "changeFromQuantity" not in quantity
            ):
                errors.append(
                    {
                        "field": ["input", "quantities", str(index), "compareQuantity"],
                        "message": "The compareQuantity argument must be given to each quantity or "
                        "ignored using ignoreCompareQuantity.",
                        "code": "COMPARE_QUANTITY_REQUIRED",
                    }
                )
            elif place not in self.inventory:
                errors.append(
                    {
                        "field": ["input", "quantities", str(index), "inventoryItemId"],
                        "message": "The specified inventory item could not be found.",
                        "code": "INVALID_INVENTORY_ITEM",
                    }
                )
        if errors:
            return {"inventoryAdjustmentGroup": None, "userErrors": errors}
        for quantity in data["quantities"]:
            self.inventory[(quantity["inventoryItemId"], quantity["locationId"])] = quantity["quantity"]
        return {
            "inventoryAdjustmentGroup": {
                "id": f"gid://shopify/InventoryAdjustmentGroup/{len(self.stock_inputs)}"
            },
            "userErrors": [],
        }

    def _fulfillment_create(self, info, fulfillment, message=None):
        self.received_fulfillments.append(copy.deepcopy(fulfillment))
        errors = []
        changes = []
        order_legacy = None
        for group in fulfillment.get("lineItemsByFulfillmentOrder") or []:
            fo = next(
                (
                    f
                    for lst in self.fulfillment_orders.values()
                    for f in lst
                    if f["id"] == group["fulfillmentOrderId"]
                ),
                None,
            )
            if fo is None:
                errors.append(
                    {
                        "field": ["fulfillment", "lineItemsByFulfillmentOrder"],
                        "message": "Fulfillment order does not exist.",
                    }
                )
                continue
            order_legacy = next(k for k, v in self.fulfillment_orders.items() if fo in v)
            for item in group.get("fulfillmentOrderLineItems") or []:
                line = next((li for li in fo["lineItems"]["nodes"] if li["id"] == item["id"]), None)
                if line is None or item["quantity"] > line["remainingQuantity"]:
                    errors.append(
                        {
                            "field": ["fulfillment"],
                            "message": "Invalid fulfillment order line item quantity requested.",
                        }
                    )
                else:
                    changes.append((line, item["quantity"]))
        if errors:
            return {"fulfillment": None, "userErrors": errors}
        for line, quantity in changes:
            line["remainingQuantity"] -= quantity
        info_in = fulfillment.get("trackingInfo") or {}
        numbers = info_in.get("numbers") or ([info_in["number"]] if info_in.get("number") else [])
        record = {
            "id": f"gid://shopify/Fulfillment/{len(self.received_fulfillments)}",
            "status": "SUCCESS",
            "trackingInfo": [{"company": info_in.get("company"), "number": n, "url": None} for n in numbers],
        }
        self.fulfillments[order_legacy].append(record)
        return {"fulfillment": record, "userErrors": []}


def _named(type_node) -> str:
    while not isinstance(type_node, NamedTypeNode):
        type_node = type_node.type
    return type_node.name.value


def _money(amount: str) -> dict:
    return {"shopMoney": {"amount": amount, "currencyCode": "GBP"}}


def shopify_order(
    legacy: int,
    *,
    updated: str,
    lines=(("CF100006", 2, "29.99"),),
    taxes_included=True,
    email: str | None = "bo@example.com",
    financial="PAID",
    discount="0.00",
) -> dict:
    """A GraphQL Order node with consistent figures: prices include 20 % VAT (UK shop) by default."""
    nodes, total = [], 0.0
    for index, (sku, quantity, price) in enumerate(lines):
        line_total = float(price) * quantity
        total += line_total
        allocations = [{"allocatedAmountSet": _money(discount)}] if index == 0 and discount != "0.00" else []
        nodes.append(
            {
                "id": f"gid://shopify/LineItem/{legacy * 100 + index}",
                "sku": sku,
                "name": f"Item {sku}",
                "quantity": quantity,
                "originalUnitPriceSet": _money(price),
                "discountAllocations": allocations,
                "taxLines": [{"ratePercentage": 20.0, "title": "GB VAT"}],
            }
        )
    total += 4.99 - float(discount)
    tax = round(total - total / 1.2, 2) if taxes_included else round(total * 0.2, 2)
    grand = total if taxes_included else total + tax
    address = {
        "name": "Bo Jones",
        "firstName": "Bo",
        "lastName": "Jones",
        "company": None,
        "address1": "2 Low Rd",
        "address2": None,
        "city": "York",
        "zip": "YO1 7HH",
        "provinceCode": None,
        "countryCodeV2": "GB",
        "phone": None,
    }
    return {
        "id": f"gid://shopify/Order/{legacy}",
        "legacyResourceId": str(legacy),
        "name": f"#{1000 + legacy}",
        "createdAt": updated,
        "updatedAt": updated,
        "cancelledAt": None,
        "closed": False,
        "test": False,
        "email": email,
        "phone": None,
        "displayFinancialStatus": financial,
        "displayFulfillmentStatus": "UNFULFILLED",
        "currencyCode": "GBP",
        "taxesIncluded": taxes_included,
        "note": None,
        "discountCodes": ["SAVE5"] if discount != "0.00" else [],
        "totalPriceSet": _money(f"{grand:.2f}"),
        "totalTaxSet": _money(f"{tax:.2f}"),
        "customer": {
            "legacyResourceId": str(9000 + legacy),
            "firstName": "Bo",
            "lastName": "Jones",
            "phone": None,
        },
        "billingAddress": address,
        "shippingAddress": address,
        "shippingLines": {
            "nodes": [
                {
                    "title": "Standard",
                    "originalPriceSet": _money("4.99"),
                    "discountedPriceSet": _money("4.99"),
                    "taxLines": [{"ratePercentage": 20.0}],
                }
            ]
        },
        "lineItems": {"nodes": nodes},
    }
