"""Local stand-ins for WooCommerce (REST wc/v3) and Shopify (GraphQL Admin API), used by the tests and by
`make demo-odoo` (tools/demo_odoo.py). Each is a real HTTP server on 127.0.0.1 that
speaks the published wire format, so the real client code (the `woocommerce` package, httpx) runs
unchanged against it.

WooCommerce: money as strings, `line_items[].price` a number, `X-WP-Total` / `X-WP-TotalPages`, error
bodies `{code, message, data: {status}}`, OAuth 1.0a query-signature check over plain http (HMAC-SHA256,
checked the way WooCommerce's PHP does it, with rawurlencode and a timestamp window), order notes, the
Shipment Tracking extension's route when enabled (else 404 `rest_no_route`), `products/batch` limit 100,
the orders list's `modified_after` / `modified_before` / `dates_are_gmt` as WooCommerce's WP_Date_Query
applies them (strict bounds, whole seconds, the site's timezone).
Shopify: every query parsed and validated against the Admin API schema in shopify/admin.graphql and run
by graphql-core (answers carry exactly the fields asked for; keyset cursors and `pageInfo`), priced by
Shopify's documented cost rules (shopify/cost.py): refused whole over 1,000 points (`MAX_COST_EXCEEDED`),
`THROTTLED` when the plan's leaky bucket cannot pay the requested cost, charged the actual cost
(`extensions.cost`); `fulfillmentOrders` and `fulfillmentCreate` recording exactly what it received,
`userErrors`, input fields per API version.
"""

from __future__ import annotations

import base64
import copy
import datetime as dt
import hashlib
import hmac
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, quote, unquote, urlsplit
from zoneinfo import ZoneInfo

from graphql import GraphQLError, NamedTypeNode, execute_sync, validate
from graphql.utilities import get_operation_ast

from .platforms.shopify.cost import (
    MAX_QUERY_COST,
    QueryCostError,
    actual_cost,
    admin_schema,
    is_connection,
    parsed,
    requested_cost,
)
from .platforms.shopify.webhook import SIGNATURE as SHOPIFY_SIGNATURE
from .platforms.woocommerce.webhook import SIGNATURE as WOO_SIGNATURE


def _php_rawurlencode(value: str) -> str:
    return quote(value, safe="-_.~")


class _Server:
    def __init__(self):
        self.lock = threading.RLock()
        handler = self._handler_class()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    def _handler_class(self):
        double = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _serve(self, method):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                status, headers, payload = double.handle(method, self.path, dict(self.headers.items()), body)
                data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=UTF-8")
                self.send_header("Content-Length", str(len(data)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                self._serve("GET")

            def do_POST(self):
                self._serve("POST")

            def do_PUT(self):
                self._serve("PUT")

        return Handler

    def handle(self, method, path, headers, body):  # pragma: no cover - overridden
        raise NotImplementedError


# rest_parse_date()'s pattern: what WordPress accepts as a `date-time` REST argument.
REST_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}(?::\d{2})?)?")


def wc_error(status: int, code: str, message: str):
    return status, {}, {"code": code, "message": message, "data": {"status": status}}


class WooCommerceDouble(_Server):
    def __init__(
        self, consumer_key="ck_test", consumer_secret="cs_test", tracking_extension=False, timezone="UTC"
    ):
        self.consumer_key = consumer_key
        self.consumer_secret = consumer_secret
        self.timezone = ZoneInfo(timezone)  # the site's (Settings > General > Timezone)
        self.tracking_extension = tracking_extension
        self.orders: dict[int, dict] = {}
        self.notes: dict[int, list[dict]] = {}
        self.trackings: dict[int, list[dict]] = {}
        self.writes: list[tuple[str, str, dict]] = []  # (method, path, body) of every accepted write
        self.requests: list[tuple[str, str]] = []
        self.products: dict[int, dict] = {}
        self.stock_batches: list[dict] = []  # body of every accepted products/batch
        self.down = False
        self.nonces: set[str] = set()
        super().__init__()

    def add_product(self, product_id: int, sku: str, stock: int | None = None) -> None:
        with self.lock:
            self.products[product_id] = {
                "id": product_id,
                "name": f"Product {sku}",
                "sku": sku,
                "type": "simple",
                "manage_stock": stock is not None,
                "stock_quantity": stock,
                "stock_status": "instock" if stock else "outofstock",
            }

    # -- data ----------------------------------------------------------------------------------------
    def add_order(self, order: dict) -> dict:
        with self.lock:
            self.orders[order["id"]] = copy.deepcopy(order)
        return order

    def touch(self, order_id: int, modified: str, **changes) -> dict:
        with self.lock:
            order = self.orders[order_id]
            order.update(changes)
            gmt = dt.datetime.fromisoformat(modified.removesuffix("Z")).replace(tzinfo=dt.UTC, microsecond=0)
            order["date_modified_gmt"] = gmt.strftime("%Y-%m-%dT%H:%M:%S")
            order["date_modified"] = gmt.astimezone(self.timezone).strftime("%Y-%m-%dT%H:%M:%S")
            return copy.deepcopy(order)

    # -- auth ----------------------------------------------------------------------------------------
    def _check_oauth(self, method: str, path: str, headers: dict, params: dict) -> str | None:
        signature = params.pop("oauth_signature", None)
        if not signature or params.get("oauth_consumer_key") != self.consumer_key:
            return "woocommerce_rest_authentication_error"
        if params.get("oauth_signature_method") != "HMAC-SHA256":
            return "woocommerce_rest_authentication_error"
        if abs(time.time() - int(params.get("oauth_timestamp", 0))) > 15 * 60:
            return "woocommerce_rest_authentication_error"
        nonce = f"{params.get('oauth_nonce')}:{params.get('oauth_timestamp')}"
        base_uri = f"http://{headers.get('Host')}{urlsplit(path).path}"
        normalised = {
            _php_rawurlencode(unquote(k)).replace("%", "%25"): _php_rawurlencode(unquote(v)).replace(
                "%", "%25"
            )
            for k, v in params.items()
        }
        query = "%26".join(f"{k}%3D{v}" for k, v in sorted(normalised.items()))
        to_sign = f"{method}&{_php_rawurlencode(base_uri)}&{query}"
        expected = base64.b64encode(
            hmac.new(f"{self.consumer_secret}&".encode(), to_sign.encode(), hashlib.sha256).digest()
        ).decode()
        if not hmac.compare_digest(expected, signature):
            return "woocommerce_rest_authentication_error"
        if nonce in self.nonces:
            return "woocommerce_rest_authentication_error"
        self.nonces.add(nonce)
        return None

    # -- routes --------------------------------------------------------------------------------------
    def handle(self, method, path, headers, body):
        parts = urlsplit(path)
        params = dict(parse_qsl(parts.query, keep_blank_values=True))  # a repeated key: the last wins
        with self.lock:
            self.requests.append((method, parts.path))
        if self.down:
            return wc_error(503, "service_unavailable", "The store is down for maintenance.")
        if self._check_oauth(method, path, headers, dict(params)):
            return wc_error(
                401,
                "woocommerce_rest_authentication_error",
                "Invalid signature - provided signature does not match.",
            )
        for key in [k for k in params if k.startswith("oauth_")]:
            params.pop(key)
        data = json.loads(body) if body else {}
        route = parts.path
        tracking = re.fullmatch(r"/wp-json/wc-shipment-tracking/v3/orders/(\d+)/shipment-trackings", route)
        if tracking:
            if not self.tracking_extension:
                return wc_error(
                    404, "rest_no_route", "No route was found matching the URL and request method."
                )
            return self._trackings(method, int(tracking.group(1)), data)
        if not route.startswith("/wp-json/wc/v3/"):
            return wc_error(404, "rest_no_route", "No route was found matching the URL and request method.")
        route = route.removeprefix("/wp-json/wc/v3/")
        if route == "orders" and method == "GET":
            return self._list(params)
        match = re.fullmatch(r"orders/(\d+)(/notes)?", route)
        if match:
            order_id = int(match.group(1))
            with self.lock:
                if order_id not in self.orders:
                    return wc_error(404, "woocommerce_rest_shop_order_invalid_id", "Invalid ID.")
                if match.group(2):
                    return self._notes(method, order_id, data)
                if method == "PUT":
                    self.writes.append((method, route, data))
                    if "status" in data:
                        self.touch(order_id, _now_gmt(), status=data["status"])
                return 200, {}, copy.deepcopy(self.orders[order_id])
        if route == "products/batch" and method == "POST":
            items = sum(len(data.get(k) or []) for k in ("create", "update", "delete"))
            if items > 100:
                return wc_error(
                    413,
                    "woocommerce_rest_request_entity_too_large",
                    "Unable to accept more than 100 items for this request.",
                )
            self.writes.append((method, route, data))
            with self.lock:
                self.stock_batches.append(copy.deepcopy(data))
                answers = []
                for item in data.get("update") or []:
                    product = self.products.get(item.get("id"))
                    if product is None:
                        answers.append(
                            {
                                "id": item.get("id"),
                                "error": {
                                    "code": "woocommerce_rest_product_invalid_id",
                                    "message": "Invalid ID.",
                                    "data": {"status": 400},
                                },
                            }
                        )
                        continue
                    for key in ("stock_quantity", "manage_stock"):
                        if key in item:
                            product[key] = item[key]
                    product["stock_status"] = (
                        "instock" if (product["stock_quantity"] or 0) > 0 else "outofstock"
                    )
                    answers.append(copy.deepcopy(product))
            return 200, {}, {"update": answers}
        if route == "products" and method == "GET":
            per_page = int(params.get("per_page", 10))
            if not 1 <= per_page <= 100:
                return wc_error(400, "rest_invalid_param", "Invalid parameter(s): per_page")
            skus = set(params["sku"].split(",")) if params.get("sku") else None
            with self.lock:
                found = [p for p in self.products.values() if skus is None or p["sku"] in skus]
            page = int(params.get("page", 1))
            pages = max(1, -(-len(found) // per_page))
            return (
                200,
                {"X-WP-Total": str(len(found)), "X-WP-TotalPages": str(pages)},
                copy.deepcopy(found[(page - 1) * per_page : page * per_page]),
            )
        return wc_error(404, "rest_no_route", "No route was found matching the URL and request method.")

    def _list(self, params):
        # WC_REST_Orders_Controller: `dates_are_gmt` (a REST boolean, default false) picks the GMT or the
        # site-time column; `modified_after` / `modified_before` (RFC 3339, checked as rest_parse_date
        # does) become a WP_Date_Query `after` / `before` without `inclusive`: column > value and
        # column < value, on datetimes of whole seconds.
        gmt = params.get("dates_are_gmt", "false").lower()
        if gmt not in ("true", "false", "1", "0"):
            return wc_error(400, "rest_invalid_param", "Invalid parameter(s): dates_are_gmt")
        column = "date_modified_gmt" if gmt in ("true", "1") else "date_modified"
        bounds = {}
        for name in ("modified_after", "modified_before"):
            if name in params:
                if not REST_DATE_TIME.fullmatch(params[name]):
                    return wc_error(400, "rest_invalid_param", f"Invalid parameter(s): {name}")
                bounds[name] = self._date_query_value(params[name])
        per_page = int(params.get("per_page", 10))
        if not 1 <= per_page <= 100:
            return wc_error(400, "rest_invalid_param", "Invalid parameter(s): per_page")
        page = int(params.get("page", 1))
        after, before = bounds.get("modified_after"), bounds.get("modified_before")
        with self.lock:
            orders = [
                o
                for o in self.orders.values()
                if (not after or o[column].replace("T", " ") > after)
                and (not before or o[column].replace("T", " ") < before)
            ]
        key = "date_modified_gmt" if params.get("orderby") == "modified" else "id"
        orders.sort(key=lambda o: (o[key], o["id"]), reverse=params.get("order", "desc") == "desc")
        total = len(orders)
        pages = max(1, -(-total // per_page))
        chunk = orders[(page - 1) * per_page : page * per_page]
        return 200, {"X-WP-Total": str(total), "X-WP-TotalPages": str(pages)}, copy.deepcopy(chunk)

    def _date_query_value(self, value: str) -> str:
        """WP_Date_Query::build_mysql_datetime for a date and time: PHP's date_create() in the site's
        timezone (an offset in the value wins), then `Y-m-d H:i:s` in the site's timezone — the fraction
        of a second is cut, and a value in UTC (`Z`) is moved to site time even against a GMT column."""
        moment = dt.datetime.fromisoformat(value)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=self.timezone)
        return moment.astimezone(self.timezone).strftime("%Y-%m-%d %H:%M:%S")

    def _notes(self, method, order_id, data):
        notes = self.notes.setdefault(order_id, [])
        if method == "POST":
            if not data.get("note"):
                return wc_error(400, "rest_missing_callback_param", "Missing parameter(s): note")
            note = {
                "id": 1000 + len(notes),
                "author": "system",
                "date_created_gmt": _now_gmt(),
                "note": data["note"],
                "customer_note": bool(data.get("customer_note")),
            }
            notes.append(note)
            self.writes.append(("POST", f"orders/{order_id}/notes", data))
            return 201, {}, note
        return 200, {}, list(notes)

    def _trackings(self, method, order_id, data):
        with self.lock:
            if order_id not in self.orders:
                return wc_error(404, "woocommerce_rest_shop_order_invalid_id", "Invalid ID.")
            items = self.trackings.setdefault(order_id, [])
            if method == "POST":
                item = {
                    "tracking_id": hashlib.md5(json.dumps(data).encode()).hexdigest(),
                    "tracking_provider": data.get("tracking_provider", ""),
                    "custom_tracking_provider": data.get("custom_tracking_provider", ""),
                    "custom_tracking_link": data.get("custom_tracking_link", ""),
                    "tracking_number": data.get("tracking_number", ""),
                    "date_shipped": data.get("date_shipped", ""),
                }
                items.append(item)
                self.writes.append(("POST", f"orders/{order_id}/shipment-trackings", data))
                return 201, {}, item
            return 200, {}, list(items)

    def webhook(self, order_id: int, secret: str) -> tuple[bytes, dict]:
        """The body and headers WooCommerce sends for `order.updated`."""
        with self.lock:
            body = json.dumps(self.orders[order_id]).encode()
        return body, {
            "Content-Type": "application/json",
            "X-WC-Webhook-Topic": "order.updated",
            "X-WC-Webhook-Resource": "order",
            "X-WC-Webhook-Event": "updated",
            **WOO_SIGNATURE.headers(secret, body),
            "X-WC-Webhook-ID": "7",
            "X-WC-Webhook-Delivery-ID": str(time.time_ns()),
        }


def _now_gmt() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S")


def woo_order(
    order_id: int,
    *,
    modified: str,
    status: str = "processing",
    email: str | None = "ann@example.com",
    lines=(("CF100006", 2, "24.99"),),
    rate_percent: float = 20,
    include_tax: bool = False,
    shipping: str = "4.99",
    customer_id: int = 77,
) -> dict:
    """A wc/v3 order as the API returns it; amounts consistent the way WooCommerce computes them (tax
    per line, rounded to the penny)."""
    rate = rate_percent / 100
    items, subtotal_all, tax_all = [], 0.0, 0.0
    for index, (sku, quantity, price) in enumerate(lines):
        line_total = round(float(price) * quantity, 2)
        line_tax = round(line_total * rate, 2)
        subtotal_all += line_total
        tax_all += line_tax
        items.append(
            {
                "id": order_id * 10 + index,
                "name": f"Product {sku}",
                "product_id": 500 + index,
                "variation_id": 0,
                "quantity": quantity,
                "tax_class": "",
                "subtotal": f"{line_total:.2f}",
                "subtotal_tax": f"{line_tax:.2f}",
                "total": f"{line_total:.2f}",
                "total_tax": f"{line_tax:.2f}",
                "taxes": [{"id": 1, "total": f"{line_tax:.2f}", "subtotal": f"{line_tax:.2f}"}],
                "meta_data": [],
                "sku": sku,
                "price": float(price),
                "image": {"id": "", "src": ""},
                "parent_name": None,
            }
        )
    ship_tax = round(float(shipping) * rate, 2)
    total = subtotal_all + tax_all + float(shipping) + ship_tax
    modified_gmt = modified.removesuffix("Z")
    billing = {
        "first_name": "Ann",
        "last_name": "Smith",
        "company": "",
        "address_1": "1 High St",
        "address_2": "",
        "city": "Leeds",
        "state": "",
        "postcode": "LS1 1AA",
        "country": "GB",
        "email": email or "",
        "phone": "0113 496 0000",
    }
    return {
        "id": order_id,
        "parent_id": 0,
        "status": status,
        "currency": "GBP",
        "version": "9.4.2",
        "prices_include_tax": include_tax,
        "date_created": modified_gmt,
        "date_created_gmt": modified_gmt,
        "date_modified": modified_gmt,
        "date_modified_gmt": modified_gmt,
        "discount_total": "0.00",
        "discount_tax": "0.00",
        "shipping_total": shipping,
        "shipping_tax": f"{ship_tax:.2f}",
        "cart_tax": f"{tax_all:.2f}",
        "total": f"{total:.2f}",
        "total_tax": f"{tax_all + ship_tax:.2f}",
        "customer_id": customer_id,
        "order_key": f"wc_order_{order_id}",
        "billing": billing,
        "shipping": {k: v for k, v in billing.items() if k not in ("email",)},
        "payment_method": "stripe",
        "payment_method_title": "Credit card",
        "transaction_id": "ch_1",
        "customer_ip_address": "203.0.113.9",
        "customer_user_agent": "Mozilla/5.0",
        "created_via": "checkout",
        "customer_note": "",
        "date_completed": None,
        "date_completed_gmt": None,
        "date_paid": modified_gmt,
        "date_paid_gmt": modified_gmt,
        "cart_hash": "abc",
        "number": str(order_id),
        "meta_data": [{"id": 1, "key": "_stripe_fee", "value": "0.61"}],
        "line_items": items,
        "tax_lines": [
            {
                "id": 90,
                "rate_code": "GB-VAT-1",
                "rate_id": 1,
                "label": "VAT",
                "compound": False,
                "tax_total": f"{tax_all:.2f}",
                "shipping_tax_total": f"{ship_tax:.2f}",
                "rate_percent": rate_percent,
                "meta_data": [],
            }
        ],
        "shipping_lines": [
            {
                "id": 95,
                "method_title": "Flat rate",
                "method_id": "flat_rate",
                "instance_id": "1",
                "total": shipping,
                "total_tax": f"{ship_tax:.2f}",
                "taxes": [{"id": 1, "total": f"{ship_tax:.2f}", "subtotal": ""}],
                "meta_data": [],
            }
        ],
        "fee_lines": [],
        "coupon_lines": [],
        "refunds": [],
        "payment_url": "",
        "is_editable": False,
        "needs_payment": False,
        "needs_processing": True,
        "currency_symbol": "£",
    }


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


class ShopifyDouble(_Server):
    """Shopify's GraphQL Admin API for the operations channel-sync sends, executed by graphql-core over
    the schema in shopify/admin.graphql: a query is parsed and validated against it, priced by Shopify's
    documented cost rules (shopify/cost.py), refused whole over 1,000 points (`MAX_COST_EXCEEDED`) or
    when the plan's leaky bucket cannot pay its requested cost (`THROTTLED`), then run, and charged what
    it returned. Answers carry exactly the fields asked for, and `extensions.cost`."""

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
