"""WooCommerce (REST wc/v3 through the `woocommerce` package): the adapter, the mapper, the push and the
webhook rules, gathered in `PLATFORM`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...errors import ConfigError
from . import mapper, push, webhook
from .adapter import TRACKING_VERSION, WooCommerceAdapter, client

if TYPE_CHECKING:
    from ...backend import StoreConfig


class WooCommerce:
    name = "woocommerce"
    mapper = mapper
    push = push
    webhook = webhook

    def store_fields(self, table: Any) -> dict[str, Any]:
        url = table.get("url", str, required=True).rstrip("/")
        statuses = table.get("statuses", list, ["processing"])
        if not statuses or not all(isinstance(s, str) and s for s in statuses):
            raise ConfigError(table.key("statuses"), "must be a non-empty list of WooCommerce statuses")
        tracking = table.get("shipment_tracking", str, "auto")
        if tracking not in ("auto", "extension", "note"):
            raise ConfigError(table.key("shipment_tracking"), f"{tracking!r} is not auto, extension or note")
        return {
            "url": url,
            "consumer_key": table.secret("consumer_key"),
            "consumer_secret": table.secret("consumer_secret"),
            "statuses": tuple(statuses),
            "shipment_tracking": tracking,
        }

    def adapter(self, store: StoreConfig) -> WooCommerceAdapter:
        return WooCommerceAdapter(store, client(store), client(store, TRACKING_VERSION))


PLATFORM = WooCommerce()
