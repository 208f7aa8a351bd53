"""Shopify (GraphQL Admin API over httpx, priced by Shopify's documented query cost): the adapter, the
mapper, the push and the webhook rules, gathered in `PLATFORM`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx

from ...errors import ConfigError
from . import mapper, push, webhook
from .adapter import ShopifyAdapter

if TYPE_CHECKING:
    from ...backend import StoreConfig


class Shopify:
    name = "shopify"
    mapper = mapper
    push = push
    webhook = webhook

    def store_fields(self, table: Any) -> dict[str, Any]:
        shop = table.get("shop", str, "")
        url = table.get("url", str, "")
        if bool(shop) == bool(url):
            raise ConfigError(table.key("shop"), 'give either shop = "NAME.myshopify.com" or url, not both')
        return {
            "url": url.rstrip("/") if url else f"https://{shop}",
            "access_token": table.secret("access_token"),
            "api_version": table.get("api_version", str, "2025-10"),
            "notify_customer": table.get("notify_customer", bool, True),
        }

    def adapter(self, store: StoreConfig) -> ShopifyAdapter:
        return ShopifyAdapter(store, httpx.Client(timeout=store.timeout_s))


PLATFORM = Shopify()
