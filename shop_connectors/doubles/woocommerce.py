"""A local WooCommerce (REST wc/v3) on 127.0.0.1, and `woo_order`, an order as wc/v3 returns it.

It speaks the published wire format, so the `woocommerce` package runs unchanged against it: money as
strings, `line_items[].price` a number, `X-WP-Total` / `X-WP-TotalPages`, error bodies `{code, message,
data: {status}}`, OAuth 1.0a query-signature check over plain http (HMAC-SHA256, checked the way
WooCommerce's PHP does it, with rawurlencode and a timestamp window), order notes, the Shipment Tracking
extension's route when enabled (else 404 `rest_no_route`), `products/batch` limit 100, the orders list's
`modified_after` / `modified_before` / `dates_are_gmt` as WooCommerce's WP_Date_Query applies them
(strict bounds, whole seconds, the site's timezone); webhooks signed by the platform's own
`WebhookSignature`.
"""

from __future__ import annotations

import base64
import copy
import datetime as dt
import hashlib
import hmac
import json
import re
import time
from urllib.parse import parse_qsl, quote, unquote, urlsplit
from zoneinfo import ZoneInfo

from ..platforms.woocommerce.webhook import SIGNATURE as WOO_SIGNATURE
from ._common import DoubleServer


def _php_rawurlencode(value: str) -> str:
    return quote(value, safe="-_.~")


# rest_parse_date()'s pattern: what WordPress accepts as a `date-time` REST argument.
REST_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}(?::\d{2})?)?")


def wc_error(status: int, code: str, message: str):
    return status, {}, {"code": code, "message": message, "data": {"status": status}}


class WooCommerceDouble(DoubleServer):
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
