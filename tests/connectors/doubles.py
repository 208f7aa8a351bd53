"""The store doubles (shop_connectors/doubles/, one module per store, where the Odoo demo runs them too)
and, for the tests about the connector's own state only, a fake of Odoo's JSON-2 import methods."""

from __future__ import annotations

import contextlib
import json
import re
import threading
from urllib.parse import urlsplit

from shop_connectors.doubles import (  # noqa: F401 - the tests import the doubles from here
    DoubleServer,
    ShopifyDouble,
    WooCommerceDouble,
    shopify_order,
    woo_order,
)


class FakeOdoo(DoubleServer):
    """Odoo's JSON-2 import/push methods as the contract defines them — ONLY for the tests about the
    connector's own state (crashes, cursors, retries). The end-to-end tests use a real Odoo 19."""

    def __init__(self, api_key="odoo_key", database="odoo"):
        self.api_key = api_key
        self.database = database
        self.orders: dict[tuple[str, str], dict] = {}
        self.creates: list[tuple[str, str]] = []
        self.calls: list[str] = []
        self.pending: dict[str, list[dict]] = {}
        self.acknowledged: dict[str, set[str]] = {}
        self.fail_external_ids: set[str] = set()
        self.down = False
        # import calls in Odoo at once: each call's customers (e-mails) beside those of the calls it met
        self.in_flight: dict[int, set[str]] = {}
        self.met: list[tuple[set[str], set[str]]] = []
        self.import_calls = 0
        self.first_two_meet: threading.Barrier | None = None  # holds the first two calls until both came
        super().__init__()

    def handle(self, method, path, headers, body):
        if self.down:
            return 503, {}, b"<html>Service Unavailable</html>"
        match = re.fullmatch(r"/json/2/([\w.]+)/(\w+)", urlsplit(path).path)
        if not match or method != "POST":
            return 404, {}, {"name": "werkzeug.exceptions.NotFound", "message": "Not Found"}
        if (
            headers.get("Authorization") != f"bearer {self.api_key}"
            or headers.get("X-Odoo-Database") != self.database
        ):
            return 401, {}, {"name": "werkzeug.exceptions.Unauthorized", "message": "Invalid apikey"}
        args = json.loads(body)
        if match.group(2) == "channel_import_orders":
            return self._import_call(args)
        with self.lock:
            self.calls.append(match.group(2))
            return 200, {}, getattr(self, f"_{match.group(2)}")(**args)

    def _import_call(self, args):
        emails = {(o.get("customer") or {}).get("email") or "" for o in args["orders"]}
        with self.lock:
            number = self.import_calls
            self.import_calls += 1
            self.met += [(emails, other) for other in self.in_flight.values()]
            self.in_flight[number] = emails
        try:
            if self.first_two_meet and number < 2:
                with contextlib.suppress(threading.BrokenBarrierError):  # alone: the test sees it in `met`
                    self.first_two_meet.wait()
            with self.lock:
                self.calls.append("channel_import_orders")
                return 200, {}, self._channel_import_orders(**args)
        finally:
            with self.lock:
                del self.in_flight[number]

    def _channel_import_orders(self, store, orders):
        results = []
        for order in orders:
            key = (store, order["external_id"])
            if order["external_id"] in self.fail_external_ids:
                results.append(
                    {
                        "external_id": order["external_id"],
                        "id": False,
                        "result": "failed",
                        "error": "Validation: the country code ZZ does not exist",
                    }
                )
                continue
            existing = self.orders.get(key)
            if existing is None:
                self.orders[key] = {**order, "id": len(self.orders) + 1}
                self.creates.append(key)
                result = "created"
            elif existing["hash"] == order["hash"] or existing["modified"] >= order["modified"]:
                result = "unchanged"
            else:
                self.orders[key] = {**order, "id": existing["id"]}
                result = "updated"
            results.append(
                {
                    "external_id": order["external_id"],
                    "id": self.orders[key]["id"],
                    "result": result,
                    "error": None,
                }
            )
        return results

    def _channel_pending_updates(self, store):
        done = self.acknowledged.get(store, set())
        return [u for u in self.pending.get(store, []) if u["key"] not in done]

    def _channel_updates_sent(self, store, keys):
        done = self.acknowledged.setdefault(store, set())
        new = set(keys) - done
        done |= new
        return len(new)
