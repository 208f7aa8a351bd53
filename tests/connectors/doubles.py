"""The store doubles (shop_connectors/doubles/, one module per store, where the Odoo demo runs them too)
and, for the tests about the connector's own state only, a fake of Odoo's JSON-2 import methods."""

from __future__ import annotations

import json
import re
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
        with self.lock:
            self.calls.append(match.group(2))
            return 200, {}, getattr(self, f"_{match.group(2)}")(**args)

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
