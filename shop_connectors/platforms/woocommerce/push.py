"""Odoo's store updates and stock in WooCommerce's terms: tracking (the Shipment Tracking extension, or a
customer note), then `completed`; stock through `products/batch` by product id."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...state import now

if TYPE_CHECKING:
    from ...backend import StoreConfig
    from ...state import State
    from .adapter import WooCommerceAdapter

KINDS = ("tracking", "completed")
SKUS_PER_LOOKUP = 100  # the `sku` filter of one products call


class WooCommercePush:
    """Tracking (one Shipment Tracking item per number, else one customer note per delivery), then
    `completed` once Odoo says every line shipped."""

    def __init__(self, store: StoreConfig, api: WooCommerceAdapter, state: State):
        self.store = store
        self.api = api
        self.state = state  # remembers whether the store has the Shipment Tracking extension

    def uses_extension(self, order_id: str) -> bool:
        if self.store.shipment_tracking != "auto":
            return self.store.shipment_tracking == "extension"
        flag = f"{self.store.id}:shipment_tracking"
        known = self.state.flag(flag)
        if known is None:
            known = "extension" if self.api.has_tracking_extension(order_id) else "note"
            self.state.set_flag(flag, known)
        return known == "extension"

    def groups(self, due: list[dict]) -> list[list[dict]]:
        groups: dict[Any, list[dict]] = {}
        for update in due:
            order_id = str(update.get("order_external_id"))
            if update["kind"] == "tracking" and not self.uses_extension(order_id):
                groups.setdefault(("note", update.get("picking_id")), []).append(update)
            else:
                groups[update["key"]] = [update]
        return list(groups.values())

    @staticmethod
    def _numbers(group: list[dict]) -> list[str]:
        return [n for u in group for n in u.get("tracking_numbers") or []]

    def already_applied(self, group: list[dict]) -> bool:
        first = group[0]
        order_id = str(first["order_external_id"])
        if first["kind"] == "completed":
            order = self.api.order(order_id)
            return bool(order) and order.get("status") == "completed"
        numbers = set(self._numbers(group))
        if self.uses_extension(order_id):
            return numbers <= {t.get("tracking_number") for t in self.api.trackings(order_id)}
        notes = " ".join(n.get("note", "") for n in self.api.notes(order_id))
        return all(number in notes for number in numbers)

    def send(self, group: list[dict]) -> None:
        first = group[0]
        order_id = str(first["order_external_id"])
        if first["kind"] == "completed":
            self.api.set_status(order_id, "completed")
            return
        shipped = now().date().isoformat()
        if self.uses_extension(order_id):
            for number in self._numbers(group):
                self.api.add_tracking(
                    order_id, first.get("carrier") or "", number, first.get("tracking_url") or "", shipped
                )
            return
        carrier = first.get("carrier") or "the carrier"
        numbers = ", ".join(self._numbers(group))
        link = f" Track it at {first['tracking_url']}" if first.get("tracking_url") else ""
        self.api.add_note(
            order_id, f"Your order has shipped with {carrier}, tracking number {numbers}.{link}"
        )


def stock_places(api: WooCommerceAdapter, skus: list[str]) -> dict[str, list[int]]:
    return api.products_by_sku(skus)


def set_stock(api: WooCommerceAdapter, batch: list[tuple[Any, int, str]]) -> None:
    api.set_stock({product_id: quantity for product_id, quantity, _sku in batch})


def sender(store: StoreConfig, api: WooCommerceAdapter, state: State) -> WooCommercePush:
    return WooCommercePush(store, api, state)
