"""Odoo 19's JSON-2 API over httpx: `POST {url}/json/2/<model>/<method>` with the named arguments as a JSON
object, `Authorization: bearer <API key>` and `X-Odoo-Database`. One call is one transaction in Odoo.

Not `/jsonrpc` or `/xmlrpc` (what `odoorpc` speaks): deprecated in Odoo 19, a warning on every call.
"""

from __future__ import annotations

import threading
from typing import Any

import httpx

from .config import OdooConfig
from .contract import MAX_ORDERS_PER_CALL, ImportAnswer, NormalisedOrder, StoreUpdate
from .errors import OdooKeyRefused, OdooRejected, OdooUnavailable
from .retry import retry_after

IMPORT_BATCH = MAX_ORDERS_PER_CALL  # the module's limit per channel_import_orders call


class OdooClient:
    def __init__(self, config: OdooConfig, http: httpx.Client | None = None):
        self.config = config
        self.http = http or httpx.Client(timeout=config.timeout_s)
        self.calls = 0
        self._counting = threading.Lock()  # the sync's import calls run side by side ([sync] import_calls)

    def call(self, model: str, method: str, **kwargs: Any) -> Any:
        with self._counting:
            self.calls += 1
        url = f"{self.config.url}/json/2/{model}/{method}"
        headers = {"Authorization": f"bearer {self.config.api_key}", "X-Odoo-Database": self.config.database}
        try:
            response = self.http.post(url, json=kwargs, headers=headers)
        except httpx.HTTPError as exc:
            raise OdooUnavailable(f"odoo: {url} did not answer ({type(exc).__name__}: {exc})") from exc
        if response.status_code == 401:
            raise OdooKeyRefused()
        if response.status_code in (429, 502, 503, 504) or (
            response.status_code >= 500 and not _is_json(response)
        ):
            raise OdooUnavailable(
                f"odoo: {method} answered HTTP {response.status_code}",
                retry_after(response.headers.get("Retry-After")),
            )
        if response.status_code != 200:
            raise OdooRejected(
                f"odoo: {model}.{method} refused (HTTP {response.status_code}): {_error_message(response)}",
                response.status_code,
            )
        try:
            return response.json()
        except ValueError as exc:
            raise OdooUnavailable(f"odoo: {method} answered something that is not JSON") from exc

    def import_orders(self, store: str, orders: list[NormalisedOrder]) -> list[ImportAnswer]:
        return self.call("sale.order", "channel_import_orders", store=store, orders=orders)

    def pending_updates(self, store: str) -> list[StoreUpdate]:
        return self.call("sale.order", "channel_pending_updates", store=store)

    def updates_sent(self, store: str, keys: list[str]) -> int:
        return self.call("sale.order", "channel_updates_sent", store=store, keys=keys)


def _is_json(response: httpx.Response) -> bool:
    return response.headers.get("content-type", "").startswith("application/json")


def _error_message(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:300]
    if isinstance(body, dict):
        return str(body.get("message") or body.get("name") or body)[:500]
    return str(body)[:500]
