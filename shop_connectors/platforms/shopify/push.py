"""Odoo's store updates and stock in Shopify's terms: a fulfillment per delivery on the order's fulfillment
orders (`lineItemsByFulfillmentOrder` built here, from what Shopify says is left to fulfil); stock as
absolute `available` quantities per inventory item and location."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...errors import StoreRejected
from .mapper import legacy_id

if TYPE_CHECKING:
    from ...backend import StoreConfig
    from ...state import State
    from .adapter import ShopifyAdapter

KINDS = ("fulfillment",)
SKUS_PER_LOOKUP = 50  # SKUs ORed in one productVariants search


class ShopifyPush:
    """One fulfillmentCreate per delivery on the order's fulfillment order(s), for exactly the shipped
    lines and quantities, with its tracking; a partial shipment leaves the fulfillment order open."""

    def __init__(self, store: StoreConfig, api: ShopifyAdapter):
        self.store = store
        self.api = api

    def groups(self, due: list[dict]) -> list[list[dict]]:
        return [[update] for update in due]

    def already_applied(self, group: list[dict]) -> bool:
        numbers = set(group[0].get("tracking_numbers") or [])
        state = self.api.fulfillment_state(str(group[0]["order_external_id"]))
        for fulfillment in state.get("fulfillments") or []:
            if numbers & {t.get("number") for t in fulfillment.get("trackingInfo") or []}:
                return True
        return False

    def send(self, group: list[dict]) -> None:
        update = group[0]
        order_id = str(update["order_external_id"])
        state = self.api.fulfillment_state(order_id)
        open_lines = [
            (fo["id"], line)
            for fo in state.get("fulfillmentOrders", {}).get("nodes", [])
            if fo.get("status") in ("OPEN", "IN_PROGRESS")
            for line in fo.get("lineItems", {}).get("nodes", [])
            if line.get("remainingQuantity", 0) > 0
        ]
        by_order: dict[str, list[dict]] = {}
        for shipped in update.get("lines") or []:
            wanted = int(float(shipped.get("qty") or 0))
            line_id = str(shipped.get("line_external_id"))
            for fo_id, line in open_lines:
                if wanted <= 0:
                    break
                if legacy_id((line.get("lineItem") or {}).get("id")) != line_id:
                    continue
                take = min(wanted, line["remainingQuantity"] - line.get("_taken", 0))
                if take <= 0:
                    continue
                line["_taken"] = line.get("_taken", 0) + take
                by_order.setdefault(fo_id, []).append({"id": line["id"], "quantity": take})
                wanted -= take
            if wanted > 0:
                raise StoreRejected(
                    f"{self.store.id}: order {order_id}: line {line_id} has {wanted} fewer "
                    "units left to fulfil in Shopify than the delivery shipped"
                )
        if not by_order:
            raise StoreRejected(f"{self.store.id}: order {order_id}: the delivery names no line to fulfil")
        tracking: dict[str, Any] = {"numbers": list(update.get("tracking_numbers") or [])}
        if update.get("carrier"):
            tracking["company"] = update["carrier"]
        if update.get("tracking_url"):
            tracking["urls"] = [update["tracking_url"]]
        self.api.create_fulfillment(
            {
                "lineItemsByFulfillmentOrder": [
                    {"fulfillmentOrderId": fo_id, "fulfillmentOrderLineItems": items}
                    for fo_id, items in by_order.items()
                ],
                "notifyCustomer": self.store.notify_customer,
                "trackingInfo": tracking,
            }
        )


def stock_places(api: ShopifyAdapter, skus: list[str]) -> dict[str, list[tuple[str, str]]]:
    return api.stock_items(skus)


def set_stock(api: ShopifyAdapter, batch: list[tuple[Any, int, str]]) -> None:
    api.set_stock([(*place, quantity) for place, quantity, _sku in batch])


def sender(store: StoreConfig, api: ShopifyAdapter, state: State) -> ShopifyPush:
    return ShopifyPush(store, api)
